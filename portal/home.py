"""The portal's front page: the search, what needs attention, the actions and requests, and every
replacement owed."""

from datetime import date

from flask import Blueprint, render_template

from portal.attention import queue
from portal.context import store
from portal.orders.placing import owed_replacements
from portal.orders.rules import ACTIONS
from portal.requests.scenarios import SCENARIOS
from portal.store import utcnow

bp = Blueprint("home", __name__, url_prefix="/portal")

#: How many of the queue's entries the front page lists; the queue's page has them all.
ATTENTION_SHOWN = 5


@bp.get("/")
def index():
    attention, attention_total = queue.top(store(), date.today(), utcnow(), ATTENTION_SHOWN)
    return render_template(
        "portal/home.html",
        actions=ACTIONS,
        scenarios=SCENARIOS,
        owed=owed_replacements(store()),
        attention=attention,
        attention_total=attention_total,
    )
