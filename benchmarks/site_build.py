"""How long ``make site`` takes: from clean, and again after one article changed.

``make site`` is run, as it is, in two throwaway copies of the project sharing this one's
virtual environment: ``before`` is the project at a git revision (``--before``, by default where
this branch left main), ``after`` is the working tree. Each copy is measured in rounds, the two
alternating so that a busy spell of the machine lands on both alike, and the median is reported:

- ``clean, cold``: no ``site/`` and no compressed copies kept from earlier builds (a fresh clone);
- ``clean``: no ``site/``, but what earlier builds left outside it (``after``'s ``.cache/``);
- ``one article changed``: a sentence added to ``docs/contact.md``, then ``make site``.

Wall time is what the target is about (5 s from clean, 3 s after one article changed); CPU time
(of make and everything it ran) says the same on a machine other work slows down. Then, for the
files the build compresses, what each Brotli quality costs and saves, to show which one pays.
It exits 0 whether the targets are met or not::

    .venv/bin/python benchmarks/site_build.py [--rounds 3] [--before REVISION]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import brotli

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "docs/contact.md"
CLEAN_TARGET = 5.0
REBUILD_TARGET = 3.0
SCENARIOS = ("clean, cold", "clean", "one article changed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", help="git revision of the 'before' build")
    args = parser.parse_args()
    if args.before is None:
        args.before = subprocess.run(
            ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    if not (ROOT / ".venv" / "bin" / "mkdocs").exists():
        sys.exit("No .venv here: run `make site` once first.")

    with tempfile.TemporaryDirectory(prefix="site-build-") as tmp:
        copies = {
            "before": checkout(Path(tmp) / "before", args.before),
            "after": working_tree(Path(tmp) / "after"),
        }
        times = {(name, scenario): [] for name in copies for scenario in SCENARIOS}
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}/{args.rounds}:", flush=True)
            order = list(copies) if round_ % 2 == 0 else list(reversed(copies))
            for scenario in SCENARIOS:
                for name in order:
                    figures = run_scenario(copies[name], scenario)
                    times[name, scenario].append(figures)
                    print(f"  {name:6} {scenario:20} {figures[0]:5.2f} s, {figures[1]:5.2f} s CPU")
        print_builds(times)
        print_qualities(copies["after"] / "site")
    return 0


def checkout(path: Path, revision: str) -> Path:
    path.mkdir()
    archive = subprocess.run(
        ["git", "archive", revision], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(path)], input=archive, check=True)
    return share_venv(path)


def working_tree(path: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, path / name)
    return share_venv(path)


def share_venv(path: Path) -> Path:
    (path / ".venv").symlink_to(ROOT / ".venv")
    return path


def run_scenario(project: Path, scenario: str) -> tuple[float, float]:
    if scenario == "clean, cold":
        shutil.rmtree(project / ".cache", ignore_errors=True)
    if scenario.startswith("clean"):
        shutil.rmtree(project / "site", ignore_errors=True)
    else:
        article = project / ARTICLE
        article.write_text(article.read_text() + f"\nChecked on {time.time():.0f}.\n")
    return timed(
        # -o: the copies' requirements files are newer than the shared venv's stamp; it is
        # installed all the same.
        ["make", "--no-print-directory", "-o", ".venv/.installed", "site"],
        project,
    )


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed in {cwd}:\n{result.stdout}{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def print_builds(times: dict[tuple[str, str], list[tuple[float, float]]]) -> None:
    print(f"\n{'make site':22} {'before':>16} {'after':>16} {'target':>8}")
    for scenario in SCENARIOS:
        cells = []
        for name in ("before", "after"):
            runs = times[name, scenario]
            cells.append(
                f"{median(r[0] for r in runs):5.2f} s ({median(r[1] for r in runs):4.1f} CPU)"
            )
        target = REBUILD_TARGET if scenario == "one article changed" else CLEAN_TARGET
        wall = median(r[0] for r in times["after", scenario])
        verdict = "PASS" if wall <= target else "FAIL"
        print(f"{scenario:22} {cells[0]:>16} {cells[1]:>16} {f'<= {target:.0f} s':>8} {verdict}")


def print_qualities(site: Path) -> None:
    """What each Brotli quality costs in CPU time and gives in bytes, over the compressed files
    (those that got a .br variant) and over the pages alone (fetched far more often)."""
    files = [path.with_suffix("") for path in site.rglob("*.br")]
    print(f"\nBrotli over the {len(files)} files the build compresses:")
    print(f"{'quality':>7} {'CPU s':>7} {'all, bytes':>11} {'pages, bytes':>13}")
    for quality in (9, 10, 11):
        cpu = total = pages = 0
        for path in files:
            data = path.read_bytes()
            started = time.process_time()
            size = len(brotli.compress(data, quality=quality))
            cpu += time.process_time() - started
            total += size
            pages += size if path.suffix == ".html" else 0
        print(f"{quality:7} {cpu:7.2f} {total:11} {pages:13}")


if __name__ == "__main__":
    sys.exit(main())
