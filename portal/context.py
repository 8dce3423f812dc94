"""What the running app holds, for code that serves a request: its settings, its database, its
Gelato client, and the names of the actions its audit log records.

``create_app`` puts each there once, under the keys below; everything else asks these functions,
so that the keys are spelled in one place and the domain modules stay free of Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import current_app

from portal import audit

if TYPE_CHECKING:
    from portal.config import Config
    from portal.gelato import GelatoClient
    from portal.store import Store

CONFIG_KEY = "HELP_CENTER"
STORE_KEY = "store"
GELATO_KEY = "gelato"
AUDIT_ACTIONS_KEY = "audit_actions"


def config() -> Config:
    return current_app.config[CONFIG_KEY]


def store() -> Store:
    return current_app.extensions[STORE_KEY]


def gelato() -> GelatoClient:
    return current_app.extensions[GELATO_KEY]


def audit_actions() -> Mapping[str, str]:
    """Every action the audit log records, with its label, as each part of the portal names it."""
    return current_app.extensions[AUDIT_ACTIONS_KEY]


def record_action(actor: str, action: str, outcome: str, **fields: Any) -> int:
    """``audit.record`` into this app's log, with the configured secrets kept out.

    An action no part of the portal names is refused: the admin pages could neither label nor
    filter it, so a misspelt name would hide entries instead of recording them.
    """
    if action not in audit_actions():
        raise ValueError(f"Unknown audit action {action!r}: its owner must name it.")
    return audit.record(
        store(), actor=actor, action=action, outcome=outcome, secrets=config().secrets, **fields
    )
