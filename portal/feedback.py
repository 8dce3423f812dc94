"""Answers to the knowledge base's "Was this page helpful?" widget, kept in our own database.

The articles are static pages without a form token, so this endpoint takes JSON only: a browser
sends JSON across sites only after a CORS preflight, which this app never grants, and a request
whose Origin names another host is refused outright.
"""

from urllib.parse import urlsplit

from flask import Blueprint, jsonify, request

from portal import context

bp = Blueprint("feedback", __name__, url_prefix="/api")

MAX_PAGE_LENGTH = 300
MAX_COMMENT_LENGTH = 2000


@bp.post("/feedback")
def record():
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        return jsonify(error="Feedback is accepted from this help center's own pages only."), 403
    data = request.get_json(silent=True)
    if not request.is_json or not isinstance(data, dict):
        return jsonify(error="Send a JSON object: {page, helpful, comment}."), 415
    page = data.get("page")
    helpful = data.get("helpful")
    comment = data.get("comment") or ""
    errors = {}
    if not isinstance(page, str) or not page.startswith("/") or len(page) > MAX_PAGE_LENGTH:
        errors["page"] = f"The page's path, starting with /, at most {MAX_PAGE_LENGTH} characters."
    if helpful not in (0, 1, True, False):
        errors["helpful"] = "1 (helpful) or 0 (not helpful)."
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT_LENGTH:
        errors["comment"] = f"Text of at most {MAX_COMMENT_LENGTH} characters."
    if errors:
        return jsonify(error="Some fields are not valid.", fields=errors), 400
    context.store().feedback.record(page, bool(helpful), comment)
    return jsonify(status="recorded"), 201
