"""The floor under ``order_page.py``: a bare Flask app that does what an order page cannot do
without, and nothing more.

One route, ``/orders/<order_id>/``, asks the sandbox for the order with a plain httpx client
(no retries, no models, no database, no session, no template) and answers a page of
``BARE_PAGE_BYTES`` bytes naming its status. Served under the same production command as the
help center, it shows what Flask, httpx and granian cost on this machine before the portal does
anything of its own: the part of "portal adds" that no change to the portal can take away.
"""

from __future__ import annotations

import json
import os

import httpx
from flask import Flask

app = Flask(__name__)
_gelato = httpx.Client(
    base_url=os.environ["GELATO_API_URL"], headers={"X-API-KEY": os.environ["GELATO_API_KEY"]}
)
_FILLER = "x" * int(os.environ.get("BARE_PAGE_BYTES", "30000"))


@app.get("/orders/<order_id>/")
def order(order_id: str):
    answer = _gelato.get(f"/v4/orders/{order_id}")
    answer.raise_for_status()
    status = json.loads(answer.content)["fulfillmentStatus"]
    return f"<!doctype html><title>Order</title><p>{status}</p><!-- {_FILLER} -->"


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
