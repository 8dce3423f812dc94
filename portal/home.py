"""The portal's front page: the search, the actions and requests, and every replacement owed."""

from flask import Blueprint, render_template

from portal.context import store
from portal.orders.placing import owed_replacements
from portal.orders.rules import ACTIONS
from portal.requests.scenarios import SCENARIOS

bp = Blueprint("home", __name__, url_prefix="/portal")


@bp.get("/")
def index():
    return render_template(
        "portal/home.html",
        actions=ACTIONS,
        scenarios=SCENARIOS,
        owed=owed_replacements(store()),
    )
