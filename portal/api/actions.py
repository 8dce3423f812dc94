"""The self-service actions that change an order: cancel it, change its address or its shipping
method, reorder it. (The two that only read, status and tracking, are ``GET /orders/{id}``.)

Each call is the portal's form in one step, over the same domain functions: ``service.cancel``
for a cancel, and for the three that place an order ``wizard.take_step`` with the form's confirm
step, so the same rules refuse, the same fields are checked with the same words, the same
confirmations are asked for, the same audit entries are written under the token's agent, and
``placing`` guarantees one order per key as it does for a form. What the form asks with a tick
box the call asks with a field (``understood_charge``, ``place_another``); until it is true,
the call answers 422 beside that field and nothing is placed.

Every call here needs an ``Idempotency-Key`` (``portal.api.idempotency``): its hash is also the
key of the order action, as a form's hidden key is for the form.
"""

from __future__ import annotations

from functools import partial

from flask import g, url_for

from portal import context
from portal.api import models
from portal.api.blueprint import api
from portal.api.idempotency import HEADER, current_action_key
from portal.api.operations import REQUIRED
from portal.api.orders import load, order_url
from portal.api.problems import ApiProblem, FieldError, Link, from_gelato
from portal.gelato import errors
from portal.gelato.models import Order
from portal.orders import placing, rules, service, wizard
from portal.orders.addresses import FIELDS, fields_of

_ORDER = {"order_id": "Gelato's order id (find it with GET /api/v1/orders)."}
_GELATO = (502, 503)


@api.get(
    "/orders/<order_id>/shipping-methods",
    answer=models.ShippingMethods,
    tag="Actions",
    parameters=_ORDER,
    problems=_GELATO,
)
def shipping_methods(order_id: str):
    """The shipping methods Gelato offers for the order's items to its address.

    Cheapest first, as the portal's forms list them: the values `shipment_method_uid` takes.
    """
    order = load(order_id)
    current = order.shipment.shipment_method_uid if order.shipment else None
    offered = service.shipping_options(context.gelato(), order, order.shipping_address)
    return models.ShippingMethods(
        order_id=order.id,
        methods=[
            models.ShippingMethodOut(
                shipment_method_uid=method.shipment_method_uid,
                name=method.name,
                type=method.type,
                price=None if method.price is None else str(method.price),
                currency=method.currency,
                min_delivery_days=method.min_delivery_days,
                max_delivery_days=method.max_delivery_days,
                current=method.shipment_method_uid == current,
            )
            for method in offered
        ],
    )


@api.post(
    "/orders/<order_id>/cancel",
    answer=models.ActionDone,
    tag="Actions",
    parameters=_ORDER,
    idempotency=REQUIRED,
    problems=_GELATO,
)
def cancel_order(order_id: str):
    """Cancel an order, while Gelato still cancels it.

    Refused with 409, the reason, the next step and the article once the order (or one of its
    items) is in production. Answers the order as Gelato has it afterwards.
    """
    order = load(order_id)
    try:
        updated = service.cancel(context.gelato(), order, record=_recorder())
    except service.NotAllowed as refused:
        raise _refused(refused.decision, refused.action) from None
    return models.ActionDone(
        action=rules.CANCEL_ORDER.slug,
        message=f"Gelato canceled order {updated.order_reference_id}.",
        order=models.found_out(updated, order_url(updated.id)),
    )


@api.post(
    "/orders/<order_id>/address",
    answer=models.ActionDone,
    tag="Actions",
    parameters=_ORDER,
    body=models.ChangeAddressIn,
    idempotency=REQUIRED,
    problems=_GELATO,
)
def change_address(order_id: str, body: models.ChangeAddressIn):
    """Change the shipping address: cancel the order and place a corrected copy, in one step.

    Gelato's API edits no placed order, so this works while the order can still be canceled; the
    copy goes to the same country and is charged like any order (`understood_charge`).
    """
    return _place(
        order_id,
        rules.CHANGE_ADDRESS,
        address=body.shipping_address,
        method_uid=body.shipment_method_uid,
        understood_charge=body.understood_charge,
    )


@api.post(
    "/orders/<order_id>/shipping-method",
    answer=models.ActionDone,
    tag="Actions",
    parameters=_ORDER,
    body=models.ChangeShippingMethodIn,
    idempotency=REQUIRED,
    problems=_GELATO,
)
def change_shipping_method(order_id: str, body: models.ChangeShippingMethodIn):
    """Change the shipping method: cancel the order and place a copy that ships by the new one.

    As a change of address: while the order can still be canceled, charged like any order.
    """
    return _place(
        order_id,
        rules.CHANGE_SHIPPING_METHOD,
        address=None,
        method_uid=body.shipment_method_uid,
        understood_charge=body.understood_charge,
    )


@api.post(
    "/orders/<order_id>/reorder",
    answer=models.ActionDone,
    tag="Actions",
    parameters=_ORDER,
    body=models.ReorderIn,
    idempotency=REQUIRED,
    problems=_GELATO,
)
def reorder(order_id: str, body: models.ReorderIn):
    """Place a reorder: the same items again, as a new order charged like any order.

    The original stays as it is. A second reorder of the same order soon after another (see
    `place_another`) is placed only with `place_another`, after the 422 that names the earlier
    one.
    """
    return _place(
        order_id,
        rules.REORDER,
        address=body.shipping_address,
        method_uid=body.shipment_method_uid,
        understood_charge=body.understood_charge,
        place_another=body.place_another,
    )


def _place(
    order_id: str,
    action: rules.Action,
    *,
    address: models.AddressIn | None,
    method_uid: str | None,
    understood_charge: bool,
    place_another: bool = False,
):
    order = load(order_id)
    typed = fields_of(order.shipping_address)
    if address is not None:
        typed.update({k: v or "" for k, v in address.model_dump(exclude_unset=True).items()})
    if method_uid is None:
        method_uid = order.shipment.shipment_method_uid if order.shipment else ""
    store = context.store()
    # "Place another one" answers the reorders there are now, as the form's answers those shown.
    seen = placing.earlier_reorders(store, order) if place_another else ()
    step = wizard.take_step(
        context.gelato(),
        store,
        action=action,
        order=order,
        submission=wizard.Submission(
            key=current_action_key(),
            address=typed,
            shipment_method_uid=method_uid or "",
            asked=wizard.CONFIRM,
            understood_charge=understood_charge,
            place_another=place_another,
            acknowledged=tuple(earlier.key for earlier in seen),
        ),
        actor=g.agent.name,
        record=_recorder(),
    )
    if step.page == wizard.PLACED:
        placed = step.placed
        return models.ActionDone(
            action=action.slug,
            message=placing.placed_message(placed),
            order=models.found_out(placed.order, order_url(placed.order.id)),
            original=models.found_out(order, order_url(order.id)),
            original_canceled=placed.original_canceled,
            repeated=placed.repeated,
        )
    raise _not_placed(step)


def _recorder():
    """Audit entries in the token's agent's name, as the forms record in the signed-in agent's."""
    return partial(context.record_action, g.agent.name)


# Why nothing was placed, as a problem


def _not_placed(step: wizard.Step) -> ApiProblem:
    order, action = step.order, step.action
    if step.page == wizard.OWED:
        owed = step.owed[0]
        return ApiProblem(
            409,
            f"A replacement of this order is owed: {owed.actor} began “{owed.action.title}” at "
            f"{owed.started_at:%Y-%m-%d %H:%M} UTC, and its corrected copy is not placed yet. "
            f"Finish that first: {_replacement_url(order)}",
            article=_link(action.article),
        )
    if step.page == wizard.CLOSED:
        return _closed(step.options, action, order)
    if step.problems:
        found = [
            FieldError(location="body", field=_field(name), message=_message(name, text, step))
            for name, text in step.problems.items()
        ]
        names = ", ".join(f.field for f in found)
        return ApiProblem(422, f"Nothing was placed. Check {names}: see errors.", errors=found)
    error = step.error
    if isinstance(error, placing.PartlyDone):
        return _partly_done(error, order)
    if isinstance(error, errors.GelatoError):
        return from_gelato(error)
    if error is not None:  # another call or form has the order or the key
        return ApiProblem(error.http_status, str(error), article=_link(action.article))
    raise RuntimeError(f"A confirmed step ended on {step.page!r} without a reason.")


def _refused(decision: rules.Decision, action: rules.Action) -> ApiProblem:
    refusal = decision.refusal
    words = [refusal.reason, refusal.next_step]
    if decision.item is not None:
        item = decision.item
        words.insert(
            0,
            f"Decided by its most advanced item: {item.product_name or item.product_uid} is "
            f"{rules.status(item.fulfillment_status or '').label}.",
        )
    return ApiProblem(409, " ".join(words), article=_link(refusal.see or action.article))


def _closed(options: wizard.ChangeOptions, action: rules.Action, order: Order) -> ApiProblem:
    """As the form's page says it: why not, and what is still open elsewhere."""
    if options.refusal is not None:
        problem = _refused(options.decision, action)
        words, article = [problem.detail], problem.article
    else:
        cancel = rules.decide(rules.CANCEL_ORDER, order).refusal
        why = cancel.reason if cancel else "a draft was never placed, so it cannot be replaced."
        words = [f"This help center can no longer cancel it to place a corrected copy: {why}"]
        article = _link(action.article)
    if options.dashboard:
        words.append(
            f"Gelato's Dashboard still allows this change: search its Orders page for "
            f"{order.order_reference_id}, open the order and edit it there."
        )
    if options.support:
        words.append(
            "If Gelato's shipping team asked you to correct this order, Gelato Support can "
            f"still help: see {options.support_article.title}."
        )
        article = _link(options.support_article)
    return ApiProblem(409, " ".join(words), article=article)


def _partly_done(partly: placing.PartlyDone, order: Order) -> ApiProblem:
    cause = partly.cause
    detail = (
        f"Gelato canceled order {order.order_reference_id}, but its corrected copy is not "
        f"placed yet: {cause}"
    )
    if cause.http_status >= 500:
        problem = from_gelato(cause)
        problem.detail = (
            f"{detail} Send this call again with the same {HEADER} to place it (it is placed "
            f"once), or finish it in the portal: {_replacement_url(order)}"
        )
        return problem
    return ApiProblem(409, f"{detail} Finish it in the portal: {_replacement_url(order)}")


def _field(name: str) -> str:
    """A form's field as the body names it."""
    if name in FIELDS:
        return f"shipping_address.{name}"
    return {"shipment_method": "shipment_method_uid"}.get(name, name)


def _message(name: str, text: str, step: wizard.Step) -> str:
    """The form's words, except where they speak of the page: a tick box, a list above."""
    if name == "understood_charge":
        return "Send understood_charge: true to confirm you know the new order is charged."
    if name == "place_another":
        listed = "; ".join(
            f"{earlier.order_reference or 'not confirmed by Gelato yet'}, placed by "
            f"{earlier.actor} at {earlier.at:%Y-%m-%d %H:%M} UTC"
            for earlier in step.earlier
        )
        return (
            f"This order was reordered already ({listed}). Send place_another: true to place "
            "another one; otherwise nothing is placed."
        )
    if name == "shipment_method" and step.methods:
        offered = ", ".join(f"{m.shipment_method_uid} ({m.name})" for m in step.methods)
        return f"{text} Offered for this address: {offered}."
    return text


def _link(article) -> Link:
    return Link(title=article.title, url=article.url)


def _replacement_url(order: Order) -> str:
    return url_for("orders.replacement", order_id=order.id, _external=True)
