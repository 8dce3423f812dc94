"""The portal's front page."""

from flask import Blueprint, render_template

bp = Blueprint("home", __name__, url_prefix="/portal")


@bp.get("/")
def index():
    return render_template("portal/home.html")


def render_not_found() -> str:
    return render_template("portal/not_found.html")
