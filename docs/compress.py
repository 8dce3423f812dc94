"""MkDocs hook, run after every other: Brotli and gzip variants of the files the build wrote.

WhiteNoise serves them to browsers that accept them (``portal.site``, which also does the work:
compressed copies are kept by content outside ``site/``, so a rebuild compresses only the files
that changed). ``mkdocs serve`` gets none: it serves its own files, uncompressed.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

# The portal package sits next to docs/, and mkdocs does not put the project on sys.path.
_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
if _PROJECT_ROOT not in sys.path:
    sys.path.insert(0, _PROJECT_ROOT)

from portal.site import compress_site  # noqa: E402

log = logging.getLogger("mkdocs.hooks.compress")
_command = None


def on_startup(command, dirty):
    global _command
    _command = command


def on_post_build(config):
    if _command == "serve":
        return
    done = compress_site(Path(config["site_dir"]))
    log.info(
        f"Compressed {done.files} files in {done.seconds:.2f} seconds, "
        f"{done.reused} of them unchanged since an earlier build"
    )
