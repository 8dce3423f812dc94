"""The sandbox on a real socket: for tests over HTTP, the benchmark, and ``python -m``.

Werkzeug's threaded development server is enough for one machine's tests and demos, and it lets
the sandbox drop a connection for real. It is not meant to face a network.
"""

from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from portal.gelato.sandbox.app import Sandbox


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: tests and benchmarks would drown in them."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class SandboxServer:
    """A sandbox served over HTTP from a background thread; close it to stop."""

    def __init__(self, sandbox: Sandbox, *, host: str = "127.0.0.1", port: int = 0, quiet=True):
        self.sandbox = sandbox
        handler = QuietRequestHandler if quiet else WSGIRequestHandler
        self._server = make_server(host, port, sandbox, threaded=True, request_handler=handler)
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so that close() returns at once
            name=f"gelato-sandbox-{self.port}",
            daemon=True,
        )

    def start(self) -> SandboxServer:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (``python -m portal.gelato.sandbox``)."""
        try:
            self._server.serve_forever()
        finally:
            self.sandbox.release()
            self._server.server_close()

    def close(self) -> None:
        self.sandbox.release()
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
