"""How fast the help center serves its knowledge base, against a floor and a ceiling.

The same built ``site/`` is served on this machine by up to four servers:

- ``run``: the Quick-start command, ``make run``, as a newcomer starts it (stopped with SIGINT to
  its process group, as Ctrl-C stops it, and checked to leave no process behind);
- ``app``: the help center itself (``app:app``) under the README's production command, granian's
  WSGI mode;
- ``bare``: a Flask app whose only job is WhiteNoise over ``site/``, with the help center's own
  WhiteNoise options, under exactly the same granian flags: what any Python app could do here;
- ``nginx``: Debian's nginx serving ``site/`` directly: what the machine can do.

``wrk`` loads one article page and one hashed asset on each in turn, with concurrent keep-alive
connections for a fixed time, and the script prints requests per second and the ratios against
the targets: the app at no less than 0.9x the bare app (what the portal adds must stay off the
static path) and no less than 0.2x nginx, and ``make run`` at no less than 0.9x the production
command (a newcomer's first impression is the production server's).

All three are started first and stay up, idle but for their turn, and the turns come in rounds
whose order rotates, with the median of the rounds reported: a slow spell of the machine then
lands on each server alike instead of on whichever was loaded at the time. Samples wait for other
processes to leave the CPUs alone, and are taken again when they did not. The figures depend on
the machine, so only the ratios are worth comparing across machines. Run it with the project's
virtual environment (``make bench``)::

    .venv/bin/python benchmarks/static_throughput.py [--workers 2 --blocking-threads 4 ...]

It is a measurement, so it exits 0 whether the targets are met or not, and non-zero only when a
server fails to start or answers wrongly.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from statistics import median

import brotli

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "/contact/"
ACCEPT_ENCODING = "br, gzip"  # what browsers send; each server picks its best prebuilt variant
APP_OVER_BARE = 0.9
RUN_OVER_APP = 0.9
APP_OVER_NGINX = 0.2
START_TIMEOUT = 30.0
QUIET_SHARE = 0.1  # of the CPU time, what other processes may use around and during a sample
STOP_TIMEOUT = 10.0

NGINX_CONF = """\
worker_processes auto;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        gzip_static on;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""


def __getattr__(name: str):
    """Build the bare app only when granian asks for it, so running the script builds nothing.

    It is looked up as a module attribute, not through ``--factory``, so that the bare app and the
    help center run under the very same granian command line but for the target.
    """
    if name != "bare_app":
        raise AttributeError(name)
    from flask import Flask

    from portal.site import serve_site

    app = Flask("bare_whitenoise")
    app.wsgi_app = serve_site(app.wsgi_app, Path(os.environ["SITE_DIR"]))
    globals()["bare_app"] = app
    return app


@dataclass(frozen=True)
class Server:
    url: str
    session: int  # the session it was started in, shared by all its processes


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    p99_ms: float
    errors: int
    others: float  # share of the machine's CPU time used meanwhile by processes not under test


@dataclass(frozen=True)
class Answer:
    encoding: str
    size: int
    headers: dict[str, str]


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # still stop the servers
    args = parse_args()
    site = (ROOT / args.site).resolve()
    targets = [ARTICLE, hashed_asset(site)]
    flags = granian_flags(args)
    print(f"granian {' '.join(flags)}")
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency "
        f"-H 'Accept-Encoding: {ACCEPT_ENCODING}', {args.rounds} rounds "
        f"after {args.warmup}s of warm-up; {os.cpu_count()} CPUs"
    )

    samples: dict[tuple[str, str], list[Result]] = {
        key: [] for key in product(args.servers, targets)
    }
    answers: dict[tuple[str, str], Answer] = {}
    with tempfile.TemporaryDirectory(prefix="static-throughput-") as tmp, ExitStack() as stack:
        servers = {
            name: stack.enter_context(serve(name, Path(tmp), site, flags)) for name in args.servers
        }
        for name, target in samples:
            answers[name, target] = check_answer(servers[name].url + target, site, target)
            load(servers[name], target, args, args.warmup)
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}/{args.rounds}:", end="", flush=True)
            shift = round_ % len(args.servers)
            for target in targets:
                for name in args.servers[shift:] + args.servers[:shift]:
                    result = sample(servers[name], target, args)
                    samples[name, target].append(result)
                    print(f" {name} {result.requests_per_second:.0f}", end="", flush=True)
            print()
    print()
    print_table(args.servers, targets, samples, answers)
    disturbed = sum(r.others > QUIET_SHARE for results in samples.values() for r in results)
    if disturbed:
        print(
            f"warning: in {disturbed} samples other processes used more than {QUIET_SHARE:.0%} "
            "of the CPUs: those figures are low; rerun on a quieter machine"
        )
    return 0


def granian_flags(args: argparse.Namespace) -> list[str]:
    return [
        "--interface", "wsgi",
        "--workers", str(args.workers),
        "--blocking-threads", str(args.blocking_threads),
        "--runtime-threads", str(args.runtime_threads),
        *(["--backpressure", str(args.backpressure)] if args.backpressure else []),
    ]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=4, help="seconds of load per sample")
    parser.add_argument("--rounds", type=int, default=4, help="samples per server and target")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before sampling")
    parser.add_argument("--connections", type=int, default=32, help="keep-alive connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes")
    parser.add_argument("--blocking-threads", type=int, default=4, help="granian, per worker")
    parser.add_argument("--runtime-threads", type=int, default=1, help="granian, per worker")
    parser.add_argument("--backpressure", type=int, help="granian, per worker (default: its own)")
    parser.add_argument(
        "--servers",
        nargs="+",
        default=["run", "app", "bare", "nginx"],
        choices=["run", "app", "bare", "nginx"],
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=60,
        help="seconds a sample may wait for, or be retaken on, a quiet machine",
    )
    parser.add_argument("--site", default="site", help="the built site (make site)")
    return parser.parse_args()


def hashed_asset(site: Path) -> str:
    found = sorted(site.glob("assets/stylesheets/main.*.min.css"))
    if not found:
        sys.exit(f"No hashed stylesheet in {site}: build the site with `make site`.")
    return "/" + found[0].relative_to(site).as_posix()


@contextmanager
def serve(server: str, tmp: Path, site: Path, granian_flags: list[str]) -> Iterator[Server]:
    """Run one server on a free port for the duration of the block, and always stop it."""
    port = free_port()
    env = dict(os.environ, SITE_DIR=str(site))
    if server == "nginx":
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, site=site))
        command = ["nginx", "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "nginx-error.log")]
    else:
        env.pop("GELATO_API_KEY", None)  # sandbox mode: never the real Gelato API
        env.pop("GELATO_API_URL", None)
        env.update(
            SECRET_KEY=secrets.token_urlsafe(48),
            DATABASE_URL=f"sqlite:///{tmp / f'{server}.sqlite3'}",
            LOG_LEVEL="WARNING",
        )
    if server == "run":
        env.update(HOST="127.0.0.1", PORT=str(port))
        command = ["make", "--no-print-directory", "run"]
    elif server != "nginx":
        target = "app:app" if server == "app" else f"{Path(__file__).resolve()}:bare_app"
        granian = str(ROOT / ".venv" / "bin" / "granian")
        if not Path(granian).exists():
            granian = shutil.which("granian") or "granian"
        command = [granian, *granian_flags, "--host", "127.0.0.1", "--port", str(port), target]
    log_path = tmp / f"{server}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        base_url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        wait_until_up(process, base_url + ARTICLE, log_path)
        print(
            f"{server}: {' '.join(Path(word).name for word in command)} "
            f"(up in {time.monotonic() - started:.1f} s)"
        )
        yield Server(base_url, process.pid)
    finally:
        if server == "run":
            interrupt(process, log_path)
        stop(process)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    stop(process)
    tail = log_path.read_text(errors="replace")[-2000:]
    sys.exit(f"{url} did not come up within {START_TIMEOUT:.0f}s. Its log ends:\n{tail}")


def stop(process: subprocess.Popen) -> None:
    """Stop the server and every process it started (granian's workers, nginx's)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(STOP_TIMEOUT)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # its own session: stragglers only
    process.wait(STOP_TIMEOUT)


def interrupt(process: subprocess.Popen, log_path: Path) -> None:
    """Stop ``make run`` as Ctrl-C does, and say so if any of its processes outlive it."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    with suppress(subprocess.TimeoutExpired):
        process.wait(STOP_TIMEOUT)
    deadline = time.monotonic() + STOP_TIMEOUT
    while session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left := session_processes(process.pid):
        print(f"warning: Ctrl-C left {len(left)} processes of make run running: {left}")
        print(log_path.read_text(errors="replace")[-2000:])


def session_processes(session: int) -> list[str]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            name, fields = stat.read_text().split(" (", 1)[1].rsplit(")", 1)
            if int(fields.split()[3]) == session and fields.split()[0] != "Z":
                found.append(f"{stat.parent.name} {name}")
    return found


def sample(server: Server, target: str, args: argparse.Namespace) -> Result:
    """Load ``target`` once other processes leave the CPUs alone, retrying within ``--max-wait``.

    The servers share the machine with wrk and with whatever else runs (tests, builds, a
    browser); a busy spell during one server's turn would be read as that server being slow.
    """
    deadline = time.monotonic() + args.max_wait
    while True:
        while time.monotonic() < deadline and cpu_busy(0.5) > QUIET_SHARE:
            pass
        result = load(server, target, args, args.duration)
        if result.others <= QUIET_SHARE or time.monotonic() >= deadline:
            return result


def cpu_busy(seconds: float) -> float:
    busy, total = machine_ticks()
    time.sleep(seconds)
    busy_after, total_after = machine_ticks()
    return (busy_after - busy) / max(total_after - total, 1)


def machine_ticks() -> tuple[int, int]:
    """Clock ticks since boot of all CPUs: busy, and in all."""
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(n) for n in Path("/proc/stat").read_text().split(maxsplit=9)[1:9]
    )
    total = user + nice + system + idle + iowait + irq + softirq + steal
    return total - idle - iowait, total


def session_ticks(session: int) -> int:
    """Clock ticks used so far by every process of a session: a server's master and workers."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session:
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def check_answer(url: str, site: Path, target: str) -> Answer:
    """Refuse to measure a server that does not serve the very file the others serve."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": ACCEPT_ENCODING})
    with urllib.request.urlopen(request, timeout=5) as response:
        status, body = response.status, response.read()
        headers = {name.lower(): value for name, value in response.headers.items()}
    encoding = headers.get("content-encoding", "identity")
    decoded = {"br": brotli.decompress, "gzip": gzip.decompress}.get(encoding, bytes)(body)
    path = site / target.lstrip("/")
    expected = (path / "index.html" if target.endswith("/") else path).read_bytes()
    if status != 200 or decoded != expected:
        sys.exit(f"{url} answered {status} with {len(decoded)} bytes, not {path}'s contents.")
    return Answer(encoding, len(body), headers)


def load(server: Server, target: str, args: argparse.Namespace, seconds: int) -> Result:
    command = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency",
        "-H", f"Accept-Encoding: {ACCEPT_ENCODING}", server.url + target,
    ]  # fmt: skip
    busy, total = machine_ticks()
    ours = session_ticks(server.session) + children_ticks()
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    busy_after, total_after = machine_ticks()
    ours_after = session_ticks(server.session) + children_ticks()
    others = ((busy_after - busy) - (ours_after - ours)) / max(total_after - total, 1)

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    if not rps or not p99:
        sys.exit(f"Could not read wrk's output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    errors += int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return Result(float(rps.group(1)), float(p99.group(1)) * scale, errors, max(others, 0.0))


def children_ticks() -> int:
    """Clock ticks used by this script's finished children: wrk."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round((usage.ru_utime + usage.ru_stime) * os.sysconf("SC_CLK_TCK"))


def print_table(
    servers: list[str],
    targets: list[str],
    samples: dict[tuple[str, str], list[Result]],
    answers: dict[tuple[str, str], Answer],
) -> None:
    def rps(server: str, target: str) -> float:
        return median(r.requests_per_second for r in samples[server, target])

    print(
        f"{'target':44} {'server':6} {'sent as':>12} {'req/s':>7} {'(min-max)':>13} "
        f"{'p99 ms':>6} {'errors':>6}"
    )
    for target in targets:
        for server in servers:
            results, answer = samples[server, target], answers[server, target]
            spread = [r.requests_per_second for r in results]
            print(
                f"{target:44} {server:6} {f'{answer.size} B {answer.encoding}':>12} "
                f"{rps(server, target):7.0f} {f'({min(spread):.0f}-{max(spread):.0f})':>13} "
                f"{median(r.p99_ms for r in results):6.1f} {sum(r.errors for r in results):6}"
            )

    def ratio(target: str, over: str, under: str, floor: float | None = None) -> str:
        if over not in servers or under not in servers:
            return f"{'-':>12}"
        value = rps(over, target) / rps(under, target)
        verdict = "" if floor is None else ("PASS" if value >= floor else "FAIL")
        return f"{value:6.2f} {verdict:5}"

    print(
        f"\n{'ratio of median req/s':44} {'run/app':12} {'app/bare':12} {'app/nginx':12} "
        f"{'bare/nginx':12}"
    )
    for target in targets:
        print(
            f"{target:44} {ratio(target, 'run', 'app', RUN_OVER_APP)} "
            f"{ratio(target, 'app', 'bare', APP_OVER_BARE)} "
            f"{ratio(target, 'app', 'nginx', APP_OVER_NGINX)} {ratio(target, 'bare', 'nginx')}"
        )
    print(
        f"targets: run/app >= {RUN_OVER_APP}, app/bare >= {APP_OVER_BARE}, "
        f"app/nginx >= {APP_OVER_NGINX}"
    )

    if "app" in servers and "bare" in servers:
        for target in targets:
            app, bare = (
                {k: v for k, v in answers[server, target].headers.items() if k != "date"}
                for server in ("app", "bare")
            )
            if app != bare:
                print(f"warning: {target} headers differ, app {app} vs bare {bare}")


if __name__ == "__main__":
    sys.exit(main())
