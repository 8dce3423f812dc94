"""What the running app holds, for code that serves a request: its settings, its database and its
Gelato client.

``create_app`` puts each there once, under the keys below; everything else asks these functions,
so that the keys are spelled in one place and the domain modules stay free of Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from portal.config import Config
    from portal.gelato import GelatoClient
    from portal.store import Store

CONFIG_KEY = "HELP_CENTER"
STORE_KEY = "store"
GELATO_KEY = "gelato"


def config() -> Config:
    return current_app.config[CONFIG_KEY]


def store() -> Store:
    return current_app.extensions[STORE_KEY]


def gelato() -> GelatoClient:
    return current_app.extensions[GELATO_KEY]
