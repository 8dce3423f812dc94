"""WSGI entry point: ``app`` for a WSGI server, ``python app.py`` to serve the help center here.

``python app.py`` (``make run``) serves through the production server, with the README's
production command: granian, two workers of four threads. Sandbox orders live in the memory of
the process that holds the sandbox, so in sandbox mode this process serves the sandbox itself, on
a free port of 127.0.0.1, and points every worker at it with GELATO_API_URL: an order cancelled
through one worker is cancelled on every page. The app is built here once before any worker
starts, so a bad setting stops everything with one message, and the sandbox's secret key, the
database schema and the demo admin exist before two workers could race to create them.

Ctrl-C (or SIGTERM, or SIGHUP) stops the workers and the sandbox together: granian runs in a
process group of its own, which this process stops, and kills if it does not stop in time.

``python app.py --reload`` (``make dev``) is Werkzeug's development server instead: one process
with a sandbox of its own, restarted whenever a Python file changes.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import suppress

# Two optional imports of libraries the portal uses, which each worker would carry for nothing:
# httpx's command-line tool (rich and Pygments, about 6 MB, wherever rich is installed, as the
# test tools install it) and Flask-WTF's translations (Babel, about 4 MB, though without
# Flask-Babel it ends in an ImportError anyway: the forms speak English). Both libraries treat
# the ImportError this makes as "not installed".
for _unused in ("httpx._main", "flask_wtf.i18n"):
    sys.modules.setdefault(_unused, None)

from portal import ConfigError, create_app  # noqa: E402
from portal.config import PROJECT_ROOT, Config, load_config  # noqa: E402

#: The production server's options, as the README's production command gives them (a test holds
#: the two equal): one worker per core of a 2-core machine, four threads each.
PRODUCTION_OPTIONS = ("--interface", "wsgi", "--workers", "2", "--blocking-threads", "4")
#: Where Flask keeps the app's instance folder (the sandbox's secret key, the SQLite file).
INSTANCE_PATH = PROJECT_ROOT / "instance"
START_TIMEOUT = 120.0  # seconds the workers may take to load the app on a busy machine
#: A worker asked to stop while it is still loading the app misses the signal; granian kills
#: one that has not stopped after this many seconds.
WORKERS_KILL_TIMEOUT = 5
STOP_TIMEOUT = 15.0  # then this process kills whatever is left of granian


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python app.py", description="Serve the help center on this machine."
    )
    parser.add_argument(
        "--reload",
        action="store_true",
        help="Werkzeug's development server, restarted when a Python file changes",
    )
    args = parser.parse_args(argv)
    return develop() if args.reload else serve()


def serve() -> int:
    """The production server, and in sandbox mode the one sandbox all its workers share."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as Ctrl-C stops
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # not under nohup
        signal.signal(signal.SIGHUP, signal.default_int_handler)  # its terminal closed
    environ = dict(os.environ)
    try:
        config = load_config(environ, instance_path=INSTANCE_PATH)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 1
    if not port_is_free(config.host, config.port):
        print(
            f"Port {config.port} of {config.host} is taken by another server: stop it, or set "
            "PORT to a free port (PORT=8001 make run).",
            file=sys.stderr,
        )
        return 1

    sandbox = granian = None
    try:
        if config.is_sandbox and not config.gelato_api_url:
            sandbox = start_sandbox()
            environ["GELATO_API_URL"] = sandbox.url
        prepare(environ)
        # glibc gives each of a worker's threads a malloc arena of its own, and memory freed in
        # one is not reused by another: two arenas keep a worker about 4 MB smaller.
        environ.setdefault("MALLOC_ARENA_MAX", "2")
        granian = subprocess.Popen(  # noqa: S603 (this interpreter, our own arguments)
            [
                sys.executable, "-m", "granian", *PRODUCTION_OPTIONS,
                "--host", config.host, "--port", str(config.port),
                "--workers-kill-timeout", str(WORKERS_KILL_TIMEOUT),
                "--log-level", "warning",  # granian's start-up lines; this banner says it all
                "app:app",
            ],
            cwd=PROJECT_ROOT,
            env=environ,
            process_group=0,  # stopped by this process, never left behind by it
        )  # fmt: skip
        if not wait_until_up(granian, config):
            print(f"The server stopped as it started (exit {granian.returncode}).", file=sys.stderr)
            return 1
        print(banner(config, sandbox.url if sandbox else None), flush=True)
        granian.wait()
        print(f"The server stopped on its own (exit {granian.returncode}).", file=sys.stderr)
        return 1
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if granian is not None:
            stop(granian)
        if sandbox is not None:
            sandbox.close()


def start_sandbox():
    """The sandbox of demo orders, served from this process to every worker."""
    from portal.gelato.sandbox import create_sandbox, start_server

    # Where the sandbox will send Gelato's webhook events once the portal receives them: pass
    # webhooks=Target(<the receiver's URL on this server>, <its shared secret>) here. Until
    # then it sends none.
    return start_server(create_sandbox(webhooks=None), quiet=True)


def prepare(environ: dict[str, str]) -> None:
    """Build the app once, as each worker will: every check a worker makes at start is made here
    first, and what the first start creates (schema, demo admin) exists before they start."""
    from portal import context

    app = create_app(environ)
    app.extensions[context.GELATO_KEY].close()
    app.extensions[context.STORE_KEY].close()


def banner(config: Config, sandbox_url: str | None = None) -> str:
    from portal.agents import DEMO_AGENT_NAME, DEMO_AGENT_PASSWORD

    demo = f" (sign in as {DEMO_AGENT_NAME} / {DEMO_AGENT_PASSWORD})" if config.is_sandbox else ""
    lines = [
        f"Gelato Help Center ({config.mode} mode) on http://{config.host}:{config.port}/{demo}"
    ]
    if sandbox_url:
        lines.append(f"Demo orders from the Gelato sandbox at {sandbox_url} (steer it: /_sandbox)")
    lines.append("Ctrl-C stops it.")
    return "\n".join(lines)


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen there (a port a finished run left in TIME_WAIT is free)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def wait_until_up(granian: subprocess.Popen, config: Config) -> bool:
    """Wait until a worker answers; False if granian exits first."""
    # Listening on every address, it is reached on this machine's own.
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(config.host, config.host)  # noqa: S104
    url = f"http://{f'[{host}]' if ':' in host else host}:{config.port}/healthz"
    deadline = time.monotonic() + START_TIMEOUT
    while granian.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return True
        except urllib.error.HTTPError:
            return True  # answered: the database may be down, /healthz says so
        except OSError:
            time.sleep(0.1)
    return granian.poll() is None


def stop(granian: subprocess.Popen) -> None:
    """Stop granian gracefully, then kill whatever of its process group is left."""
    if granian.poll() is None:
        with suppress(ProcessLookupError):
            granian.send_signal(signal.SIGTERM)
        try:
            granian.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            print("The server did not stop in time; killing it.", file=sys.stderr)
    with suppress(ProcessLookupError):
        os.killpg(granian.pid, signal.SIGKILL)  # stragglers only: normally none are left
    granian.wait()


def develop() -> int:
    """Werkzeug's development server: one process, its own sandbox, reloaded on changes."""
    from werkzeug.serving import is_running_from_reloader, run_simple

    try:
        app = create_app()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 1
    config = load_config(instance_path=INSTANCE_PATH)
    if is_running_from_reloader():  # the process that serves, not the one that watches
        print(banner(config), "(Werkzeug's development server, reloading on changes)", flush=True)
    run_simple(config.host, config.port, app, threaded=True, use_reloader=True)
    return 0


def __getattr__(name: str):
    """``app``, built when first asked for: by granian's workers, ``flask --app app`` or any other
    WSGI server. Importing this module for its launcher (``python app.py``, tests) builds none."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    application = globals()["app"] = create_app()
    return application


if __name__ == "__main__":
    sys.exit(main())
