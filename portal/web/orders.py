"""Order lookup and the six self-service actions. Each view reads what was sent, calls one domain
function (``portal.orders``) and renders what it answered."""

from __future__ import annotations

from datetime import date
from functools import partial

from flask import Blueprint, abort, redirect, render_template, request, url_for

from portal.attention import queue, timeline
from portal.attention.events import note_lookup
from portal.auth import current_agent_name
from portal.context import audit_actions, gelato, record_action, store
from portal.gelato import errors
from portal.gelato.models import Order
from portal.knowledge import WHERE_IS_MY_ORDER
from portal.orders import placing, rules, service, wizard
from portal.orders.delivery import delivery_verdict, expected_window
from portal.requests.scenarios import scenario as scenario_named
from portal.store import utcnow
from portal.web.order_forms import ConfirmForm, PlaceOrderForm, ResumeForm
from portal.web.support_requests import draft_to_return_to

bp = Blueprint("orders", __name__, url_prefix="/portal")

# What the order templates read from the rules table: each status a sentence names, and a status
# by its code (a safe stand-in for one this portal does not know yet).
bp.add_app_template_global(rules.status_mentions, "status_mentions")
bp.add_app_template_global(rules.status, "status_named")


@bp.get("/actions/<slug>/")
def action_start(slug):
    """Where an article's button lands: what the action does, and which order to do it on."""
    try:
        action = rules.action(slug)
    except KeyError:
        abort(404)
    return render_template(
        "orders/action_start.html",
        action=action,
        allowing=rules.statuses_allowing(action),
        query="",
    )


@bp.get("/orders/")
def search():
    # Not "q": the theme opens its own search dialog on any page whose address carries one.
    query = request.args.get("order", "").strip()
    action = _action_or_none(request.args.get("action", ""))
    if not query:
        return render_template("orders/search.html", query="", found=None, action=action)
    try:
        found = service.find_orders(gelato(), query)
    except errors.GelatoError as error:
        return render_template(
            "orders/search.html", query=query, found=None, action=action, error=error
        ), error.http_status
    if len(found) == 1:
        return redirect(_order_or_action_url(found[0].id, action))
    return render_template(
        "orders/search.html",
        query=query,
        found=found,
        action=action,
        looks_like_id=service.looks_like_order_id(query),
        statuses=rules,
    )


@bp.get("/orders/<order_id>/")
def order_page(order_id):
    order = _load(order_id)
    today = date.today()
    verdict = delivery_verdict(order, today)
    # What the page shows now: the first lookup of an order that Gelato's events named, its
    # latest delivery date for the queue.
    now = utcnow()
    state = note_lookup(store(), order, now)
    return render_template(
        "orders/order.html",
        order=order,
        status=rules.status(order.fulfillment_status),
        verdict=verdict,
        # The support request the verdict leads to, opened with this order filled in.
        prepare=scenario_named(verdict.request) if verdict.request else None,
        expected=expected_window(order.shipment),
        actions=[
            (action, rules.decide(action, order), _options(action, order))
            for action in rules.ACTIONS
        ],
        where_is_my_order=WHERE_IS_MY_ORDER,
        owed=placing.owed_replacements(store(), order_id=order.id),
        attention=queue.for_order(store(), order, today, now, state),
        timeline=timeline.of_order(store(), order, audit_actions()),
    )


@bp.route("/orders/<order_id>/cancel", methods=["GET", "POST"])
def cancel(order_id):
    order = _load(order_id)
    decision = rules.decide(rules.CANCEL_ORDER, order)
    form = ConfirmForm()
    error = None
    if decision.allowed and form.validate_on_submit():
        try:
            updated = service.cancel(
                gelato(), order, record=partial(record_action, current_agent_name())
            )
        except errors.GelatoError as caught:
            error = caught
        else:
            return render_template(
                "orders/result.html",
                title="Order canceled",
                order=updated,
                status=rules.status(updated.fulfillment_status),
                message=f"Gelato canceled order {updated.order_reference_id}.",
            )
    return render_template(
        "orders/cancel.html", order=order, decision=decision, form=form, error=error
    ), (error.http_status if error else 200)


@bp.route("/orders/<order_id>/address", methods=["GET", "POST"])
def change_address(order_id):
    return _place_order_page(order_id, rules.CHANGE_ADDRESS)


@bp.route("/orders/<order_id>/shipping-method", methods=["GET", "POST"])
def change_shipping_method(order_id):
    return _place_order_page(order_id, rules.CHANGE_SHIPPING_METHOD)


@bp.route("/orders/<order_id>/reorder", methods=["GET", "POST"])
def reorder(order_id):
    return _place_order_page(order_id, rules.REORDER)


@bp.route("/orders/<order_id>/replacement", methods=["GET", "POST"])
def replacement(order_id):
    """The replacement owed on this order, and the one click that places it (``placing.resume``)
    with what the agent typed when the change began."""
    form = ResumeForm()
    error = None
    if form.validate_on_submit():
        agent = current_agent_name()
        try:
            placed = placing.resume(
                gelato(),
                store(),
                form.key.data or "",
                order_id=order_id,
                actor=agent,
                record=partial(record_action, agent),
            )
        except KeyError:
            abort(404)
        except placing.PartlyDone as partly:
            error = partly.cause
        except (placing.ActionInProgress, placing.NothingToResume, errors.GelatoError) as caught:
            error = caught
        else:
            return _placed_page(placed)
    owed = placing.owed_replacements(store(), order_id=order_id)
    return render_template("orders/replacement.html", order_id=order_id, owed=owed, error=error), (
        error.http_status if error else 200
    )


def _place_order_page(order_id: str, action: rules.Action):
    """One step of the place-order forms (``wizard``): the form, the review, or the new order."""
    order = _load(order_id)
    form = PlaceOrderForm()
    if request.method == "GET":
        form.fill_from(order.shipping_address)
    form.ensure_key()
    submitted = form.validate_on_submit()
    agent = current_agent_name()
    step = wizard.take_step(
        gelato(),
        store(),
        action=action,
        order=order,
        submission=form.submission(request.form.get("step", "")) if submitted else None,
        actor=agent,
        record=partial(record_action, agent),
    )
    form.show(step)
    if step.page == wizard.PLACED:
        return _placed_page(step.placed)
    template = "orders/review.html" if step.page == wizard.REVIEWING else "orders/place_order.html"
    return render_template(template, step=step, form=form, **_step_page(step)), step.http_status


def _placed_page(placed: placing.Placed):
    replaced = placed.original_canceled
    return render_template(
        "orders/result.html",
        title="Order replaced" if replaced else "Order placed",
        order=placed.order,
        status=rules.status(placed.order.fulfillment_status),
        original=placed.original,
        placed=placed,
        message=placing.placed_message(placed),
        # Opened from a support request ("place the reorder now"): offer the way back to it.
        back_to_request=None if replaced else draft_to_return_to(request.args.get("return_to")),
    )


def _step_page(step: wizard.Step) -> dict:
    """What the form and review templates read, by the names they use."""
    return {
        "order": step.order,
        "action": step.action,
        "options": step.options,
        "methods": step.methods,
        "new_address": step.new_address,
        "method": step.method,
        "error": step.error,
        "original_canceled": step.original_canceled,
        "owed": step.owed,
        "earlier": step.earlier,
    }


def _options(action: rules.Action, order: Order) -> wizard.ChangeOptions | None:
    return wizard.ChangeOptions(action, order) if action.places_order else None


def _action_or_none(slug: str) -> rules.Action | None:
    try:
        return rules.action(slug)
    except KeyError:
        return None


def _load(order_id: str) -> Order:
    try:
        return gelato().get_order(order_id)
    except errors.OrderNotFound:
        abort(404)


def _order_or_action_url(order_id: str, action: rules.Action | None) -> str:
    endpoint = action.endpoint if action and action.endpoint else "orders.order_page"
    return url_for(endpoint, order_id=order_id)
