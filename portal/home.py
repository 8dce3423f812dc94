"""The portal's front page."""

from flask import Blueprint, render_template

from portal.orders.rules import ACTIONS
from portal.requests.scenarios import SCENARIOS

bp = Blueprint("home", __name__, url_prefix="/portal")


@bp.get("/")
def index():
    return render_template("portal/home.html", actions=ACTIONS, scenarios=SCENARIOS)
