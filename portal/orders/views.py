"""Order lookup and the six self-service actions. Views only ask, call and show; the rules live
in ``rules``, the work in ``service``."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for

from portal.auth import current_agent_name
from portal.context import gelato, record_action, store
from portal.gelato import errors
from portal.gelato.models import Order
from portal.knowledge import WHERE_IS_MY_ORDER
from portal.orders import rules, service
from portal.orders.delivery import delivery_verdict, expected_window
from portal.orders.forms import ConfirmForm, PlaceOrderForm
from portal.requests.scenarios import ADDRESS_PROBLEM, DELIVERY_PROBLEM
from portal.web.support_requests import draft_to_return_to

bp = Blueprint("orders", __name__, url_prefix="/portal")

#: The page of each order-changing action.
_ENDPOINTS = {
    "cancel-order": "orders.cancel",
    "change-address": "orders.change_address",
    "change-shipping-method": "orders.change_shipping_method",
    "reorder": "orders.reorder",
}


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
        ), _status_of(error)
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
    status = rules.status(order.fulfillment_status)
    return render_template(
        "orders/order.html",
        order=order,
        status=status,
        verdict=delivery_verdict(order, date.today()),
        expected=expected_window(order.shipment),
        actions=[(action, rules.why_not(action, status.code)) for action in rules.ACTIONS],
        action_urls={
            slug: url_for(endpoint, order_id=order.id) for slug, endpoint in _ENDPOINTS.items()
        },
        options=ChangeOptions,
        where_is_my_order=WHERE_IS_MY_ORDER,
        delivery_problem=DELIVERY_PROBLEM,
    )


@bp.route("/orders/<order_id>/cancel", methods=["GET", "POST"])
def cancel(order_id):
    order = _load(order_id)
    refusal = rules.why_not(rules.CANCEL_ORDER, order.fulfillment_status)
    form = ConfirmForm()
    error = None
    if refusal is None and form.validate_on_submit():
        asked = {"order_id": order.id}
        try:
            updated = service.cancel_order(gelato(), order.id)
        except errors.GelatoError as caught:
            error = caught
            record_action(
                current_agent_name(),
                rules.CANCEL_ORDER.audit_name,
                _outcome(caught),
                order_id=order.id,
                order_reference=order.order_reference_id,
                request=asked,
                gelato_answer=caught,
            )
        else:
            record_action(
                current_agent_name(),
                rules.CANCEL_ORDER.audit_name,
                "succeeded",
                order_id=order.id,
                order_reference=order.order_reference_id,
                request=asked,
                gelato_answer={"fulfillmentStatus": updated.fulfillment_status},
            )
            return render_template(
                "orders/result.html",
                title="Order canceled",
                order=updated,
                status=rules.status(updated.fulfillment_status),
                message=f"Gelato canceled order {updated.order_reference_id}.",
            )
    return render_template(
        "orders/cancel.html", order=order, refusal=refusal, form=form, error=error
    ), _status_of(error)


@bp.route("/orders/<order_id>/address", methods=["GET", "POST"])
def change_address(order_id):
    return _place_order_flow(order_id, rules.CHANGE_ADDRESS)


@bp.route("/orders/<order_id>/shipping-method", methods=["GET", "POST"])
def change_shipping_method(order_id):
    return _place_order_flow(order_id, rules.CHANGE_SHIPPING_METHOD)


@bp.route("/orders/<order_id>/reorder", methods=["GET", "POST"])
def reorder(order_id):
    return _place_order_flow(order_id, rules.REORDER)


def _place_order_flow(order_id: str, action: rules.Action):
    """Edit, review side by side, confirm: the shape shared by the three actions that place an
    order (a reorder, or a cancel-and-replace carrying a corrected address or method).

    Every step re-sends every field, so a refused check, an expired page or an unreachable
    Gelato shows the same form again with everything the agent typed.
    """
    order = _load(order_id)
    options = ChangeOptions(action, order)
    form = PlaceOrderForm()
    if request.method == "GET":
        form.fill_from(order.shipping_address)
        if order.shipment:
            form.shipment_method.data = order.shipment.shipment_method_uid
    form.ensure_key()
    page = {"order": order, "action": action, "form": form, "options": options}
    if not options.portal:
        return render_template("orders/place_order.html", **page, methods=[])

    submitted = form.validate_on_submit()
    step = request.form.get("step", "") if submitted else ""
    fixed_country = None if action == rules.REORDER else order.shipping_address.country
    address_ok = form.check_address(fixed_country=fixed_country) if submitted else True
    address = form.address(order.shipping_address) if submitted and address_ok else None
    try:
        methods = service.shipping_options(gelato(), order, address or order.shipping_address)
    except errors.GelatoError as error:
        page["error"] = error
        return render_template("orders/place_order.html", **page, methods=[]), _status_of(error)
    _offer(form, methods, order)
    method = _chosen(methods, form.shipment_method.data)
    if submitted and method is None:
        form.shipment_method.errors = ["Choose one of the shipping methods listed."]

    if not submitted or step == "back" or not address_ok or method is None:
        return render_template("orders/place_order.html", **page, methods=methods)
    review = {**page, "methods": methods, "new_address": address, "method": method}
    if step != "confirm":
        return render_template("orders/review.html", **review)
    if not form.understood_charge.data:
        form.understood_charge.errors = ["Tick this to confirm you know the new order is charged."]
        return render_template("orders/review.html", **review)
    return _place(order, action, form, review)


def _place(order: Order, action: rules.Action, form: PlaceOrderForm, review: dict):
    kind = service.REORDER if action == rules.REORDER else service.REPLACE
    address = review["new_address"]
    method_uid = review["method"].shipment_method_uid
    asked = {
        "action": kind,
        "shippingAddress": address.to_create_json(),
        "shipmentMethodUid": method_uid,
        "idempotencyKey": form.key.data,
    }
    audit = {"order_id": order.id, "order_reference": order.order_reference_id, "request": asked}
    actor = current_agent_name()
    try:
        placed = service.place_once(
            gelato(),
            store(),
            key=form.key.data,
            action=kind,
            original=order,
            address=address,
            shipment_method_uid=method_uid,
            actor=actor,
        )
    except service.ActionInProgress:
        error = errors.GelatoError(
            "This form is already being processed (a double click, or another tab). Wait a "
            "moment, then open the order again to see the result."
        )
        return render_template("orders/review.html", **review, error=error), 409
    except service.PartlyDone as partly:
        record_action(actor, action.audit_name, "failed", gelato_answer=partly.cause, **audit)
        return render_template(
            "orders/review.html", **review, error=partly.cause, original_canceled=True
        ), _status_of(partly.cause)
    except errors.GelatoError as error:
        record_action(actor, action.audit_name, _outcome(error), gelato_answer=error, **audit)
        return render_template("orders/review.html", **review, error=error), _status_of(error)
    if not placed.repeated:
        record_action(
            actor,
            action.audit_name,
            "succeeded",
            gelato_answer={
                "newOrderId": placed.order.id,
                "originalCanceled": placed.original_canceled,
            },
            **audit,
        )
    return render_template(
        "orders/result.html",
        title="Order placed" if kind == service.REORDER else "Order replaced",
        order=placed.order,
        status=rules.status(placed.order.fulfillment_status),
        original=order,
        placed=placed,
        message=_placed_message(order, placed, kind),
        # Opened from a support request ("place the reorder now"): offer the way back to it.
        back_to_request=draft_to_return_to(request.args.get("return_to"))
        if kind == service.REORDER
        else None,
    )


class ChangeOptions:
    """Which ways of doing an action are open for an order, by the rules table.

    ``portal``: this portal can do it now (a reorder; or cancel and re-place while the order can
    still be canceled). ``dashboard``: Gelato's Dashboard offers the change itself. ``support``:
    only Gelato Support can help (past production, or Gelato asked for the correction).
    """

    support_article = ADDRESS_PROBLEM.article

    def __init__(self, action: rules.Action, order: Order):
        code = order.fulfillment_status
        self.refusal = rules.why_not(action, code)
        self.dashboard = self.refusal is None
        if action == rules.REORDER:
            self.portal = self.dashboard
            self.support = False
        else:
            self.portal = rules.can_cancel_and_replace(code, order.order_type)
            self.support = not self.portal and rules.status(code).stage == rules.PRODUCTION


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


def _offer(form: PlaceOrderForm, methods, order: Order) -> None:
    form.shipment_method.choices = [(m.shipment_method_uid, m.name) for m in methods]
    uids = {m.shipment_method_uid for m in methods}
    if form.shipment_method.data not in uids and methods:
        current = order.shipment.shipment_method_uid if order.shipment else None
        form.shipment_method.data = current if current in uids else methods[0].shipment_method_uid


def _chosen(methods, uid):
    return next((m for m in methods if m.shipment_method_uid == uid), None)


def _order_or_action_url(order_id: str, action: rules.Action | None) -> str:
    endpoint = _ENDPOINTS.get(action.slug) if action else None
    return url_for(endpoint or "orders.order_page", order_id=order_id)


def _placed_message(original: Order, placed: service.Placed, kind: str) -> str:
    new = placed.order.order_reference_id
    if placed.repeated:
        return f"This form had already placed order {new}; nothing new was placed."
    if kind == service.REPLACE:
        return (
            f"Gelato canceled order {original.order_reference_id} and accepted its replacement "
            f"{new}, with the corrected details."
        )
    return f"Gelato accepted the reorder {new} of order {original.order_reference_id}."


def _outcome(error: errors.GelatoError) -> str:
    refused = (errors.NotAllowedInState, errors.InvalidRequest, errors.OrderNotFound)
    return "refused" if isinstance(error, refused) else "failed"


def _status_of(error: errors.GelatoError | None) -> int:
    if error is None:
        return 200
    if isinstance(error, errors.GelatoUnavailable | errors.RateLimited):
        return 503
    if isinstance(error, errors.NotAllowedInState):
        return 409
    return 422 if isinstance(error, errors.InvalidRequest) else 502
