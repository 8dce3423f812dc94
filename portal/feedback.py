"""Answers to the knowledge base's "Was this page helpful?" widget, kept in our own database.

The articles are static pages without a form token, so this endpoint takes JSON only: a browser
sends JSON across sites only after a CORS preflight, which this app never grants, and a request
whose Origin names another host is refused outright.

It is the one endpoint anyone may post to, so it takes only what the widget sends: a small, flat
JSON object about one of the built site's pages that ask the question, at most
FEEDBACK_PER_ADDRESS times per FEEDBACK_WINDOW_MINUTES from one client address (counted in the
database, so every process counts the same answers). Everything else is refused with a message,
before anything is stored.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, jsonify, request

from portal import context
from portal.store import utcnow

log = logging.getLogger(__name__)

bp = Blueprint("feedback", __name__, url_prefix="/api")

MAX_PAGE_LENGTH = 300
MAX_COMMENT_LENGTH = 2000
#: The widget sends a few hundred bytes; a longest comment is 8 KB in UTF-8.
MAX_BODY_BYTES = 16 * 1024
#: The answer is one flat object: no object or list inside it.
MAX_NESTING = 1
_FEEDBACK_FORM = re.compile(r"<form\b[^>]*\bname=\"feedback\"")


@dataclass(frozen=True)
class Answer:
    page: str
    helpful: bool
    comment: str


@dataclass
class Refusal(Exception):
    """Why an answer was not taken: the status, a sentence, and the fields at fault."""

    status: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)


@cache
def feedback_pages(site_dir: Path) -> frozenset[str]:
    """The paths (``/``, ``/contact/``) of the built site's pages that ask "Was this page
    helpful?", read once per process: the site changes only with a rebuild and a restart."""
    pages = set()
    for path in site_dir.rglob("index.html"):
        if _FEEDBACK_FORM.search(path.read_text(encoding="utf-8")):
            folder = path.parent.relative_to(site_dir).as_posix()
            pages.add("/" if folder == "." else f"/{folder}/")
    return frozenset(pages)


def nesting_depth(text: str, limit: int) -> int:
    """How deeply the JSON ``text`` nests objects and lists, counted up to ``limit + 1`` only:
    Python's parser recurses once per level, so a deep enough body would exhaust the stack."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif char in "]}":
            depth -= 1
    return deepest


def read_answer(body: bytes, pages: frozenset[str]) -> Answer:
    """The answer in a request's body, or a Refusal saying what is wrong with it."""
    if len(body) > MAX_BODY_BYTES:
        raise Refusal(400, f"An answer is at most {MAX_BODY_BYTES // 1024} KB.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "Send the answer as JSON in UTF-8.") from None
    if nesting_depth(text, MAX_NESTING) > MAX_NESTING:
        raise Refusal(400, "Send one flat JSON object: {page, helpful, comment}, nothing nested.")
    try:
        data = json.loads(text)
    except ValueError:
        raise Refusal(400, "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise Refusal(400, "Send a JSON object: {page, helpful, comment}.")
    page = data.get("page")
    helpful = data.get("helpful")
    comment = data.get("comment") or ""
    problems = {}
    if isinstance(page, str) and page.endswith("/index.html"):
        page = page.removesuffix("index.html")
    if not isinstance(page, str) or len(page) > MAX_PAGE_LENGTH or not page.startswith("/"):
        problems["page"] = (
            f"The page's path, starting with /, at most {MAX_PAGE_LENGTH} characters."
        )
    elif page not in pages:
        problems["page"] = "Not one of this help center's pages that ask for feedback."
    if helpful not in (0, 1, True, False):
        problems["helpful"] = "1 (helpful) or 0 (not helpful)."
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT_LENGTH:
        problems["comment"] = f"Text of at most {MAX_COMMENT_LENGTH} characters."
    if problems:
        raise Refusal(400, "Some fields are not valid.", problems)
    return Answer(page, bool(helpful), comment)


@bp.post("/feedback")
def record():
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        return jsonify(error="Feedback is accepted from this help center's own pages only."), 403
    config = context.config()
    store = context.store()
    address = request.remote_addr or "unknown"
    now = utcnow()
    hit = store.rate_limits.hit(
        f"feedback:{address}", window=timedelta(minutes=config.feedback_window_minutes), now=now
    )
    if hit.count > config.feedback_per_address:
        if hit.count == config.feedback_per_address + 1:  # once per window, not per post
            log.warning("Feedback from %s refused by the limit until %s", address, hit.resets_at)
        seconds = max(1, math.ceil((hit.resets_at - now).total_seconds()))
        minutes = math.ceil(seconds / 60)
        message = (
            "Too many answers from your address. Try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}."
        )
        return jsonify(error=message), 429, {"Retry-After": str(seconds)}
    if not request.is_json:
        return jsonify(error="Send a JSON object: {page, helpful, comment}."), 415
    # Past MAX_UPLOAD_MB the stream refuses to be read (413, as everywhere); below it, no more
    # than one byte past an answer's limit is read.
    body = request.stream.read(MAX_BODY_BYTES + 1)
    try:
        answer = read_answer(body, feedback_pages(config.site_dir))
    except Refusal as refusal:
        body = {"error": refusal.message}
        if refusal.fields:
            body["fields"] = refusal.fields
        return jsonify(body), refusal.status
    store.feedback.record(answer.page, answer.helpful, answer.comment)
    return jsonify(status="recorded"), 201
