"""A health check for load balancers and uptime monitors."""

from flask import Blueprint, jsonify

from portal import context
from portal.site import built_at

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    config = context.config()
    database_ok = context.store().is_reachable()
    site_built = built_at(config.site_dir)
    body = {
        "status": "ok" if database_ok else "unavailable",
        "mode": config.mode,
        "database": {"reachable": database_ok},
        "site": {"built_at": site_built.isoformat() if site_built else None},
    }
    response = jsonify(body)
    response.status_code = 200 if database_ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
