"""Gelato's API as the portal uses it: one client, typed models and errors, and a local sandbox.

``GelatoClient`` talks to Gelato; ``models`` holds what it returns and ``errors`` what it raises.
The sandbox (``portal.gelato.sandbox``) stands in for Gelato and hands out clients of itself
(``in_process_client``, ``http_client``): it builds on the client, never the other way round.
Nothing else in the portal imports httpx for Gelato's sake.
"""

from portal.gelato import errors, models
from portal.gelato.client import GelatoClient

__all__ = ["GelatoClient", "errors", "models"]
