"""Gelato's API as the portal uses it: one client, typed models and errors, and a local sandbox.

``GelatoClient`` talks to Gelato (or to ``portal.gelato.sandbox``); ``models`` holds what it returns
and ``errors`` what it raises. Nothing else in the portal imports httpx for Gelato's sake.
"""

from portal.gelato import errors, models
from portal.gelato.client import GelatoClient

__all__ = ["GelatoClient", "errors", "models"]
