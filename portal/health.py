"""A health check for load balancers and uptime monitors.

Healthy means able to do the work: a database that answers reads but refuses writes (a read-only
file or server, a full disk, a lock held past DATABASE_WAIT_SECONDS) loses every draft an agent
saves, so it is reported as unavailable too.
"""

from flask import Blueprint, jsonify

from portal import context
from portal.site import built_at

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    config = context.config()
    store = context.store()
    reachable = store.is_reachable()
    writable = reachable and store.is_writable()
    site_built = built_at(config.site_dir)
    body = {
        "status": "ok" if writable else "unavailable",
        "mode": config.mode,
        "database": {"reachable": reachable, "writable": writable},
        "site": {"built_at": site_built.isoformat() if site_built else None},
    }
    response = jsonify(body)
    response.status_code = 200 if writable else 503
    response.headers["Cache-Control"] = "no-store"
    if not writable:
        response.headers["Retry-After"] = str(config.database_wait_seconds)
    return response
