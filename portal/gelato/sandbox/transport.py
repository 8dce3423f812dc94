"""Reaching an in-process sandbox through httpx, failures included.

``httpx.WSGITransport`` calls the sandbox directly, without sockets. This transport adds what a
network would do to the sandbox's injected faults: a dropped connection becomes httpx's
``RemoteProtocolError`` and a reply held past the read timeout becomes ``ReadTimeout``, exactly
the exceptions the client meets over real HTTP.
"""

from __future__ import annotations

import threading

import httpx

from portal.gelato.sandbox.app import (
    READ_TIMEOUT_KEY,
    ConnectionDropped,
    ResponseTimedOut,
    Sandbox,
)


class SandboxTransport(httpx.WSGITransport):
    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self._local = threading.local()
        super().__init__(app=self._call_sandbox)

    def _call_sandbox(self, environ, start_response):
        environ[READ_TIMEOUT_KEY] = getattr(self._local, "read_timeout", None)
        # httpx hands the path over decoded; WSGI carries the URL's bytes read as latin-1, as a
        # server does, so that an order id such as "Ā" is a 404 and not an encoding error.
        environ["PATH_INFO"] = environ.get("PATH_INFO", "").encode("utf-8").decode("latin-1")
        return self.sandbox(environ, start_response)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._local.read_timeout = request.extensions.get("timeout", {}).get("read")
        try:
            return super().handle_request(request)
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        except ResponseTimedOut:
            raise httpx.ReadTimeout("timed out", request=request) from None
