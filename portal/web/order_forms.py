"""The order action forms. Field rules come from ``portal.orders.addresses`` and the steps from
``portal.orders.wizard``; the forms only carry the fields and show the problems found."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from flask import has_request_context, request
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField

from portal.gelato.models import Address
from portal.orders import wizard
from portal.orders.addresses import FIELDS, fields_of


class PostedForm(FlaskForm):
    """A form whose fields read the posted text fields only.

    Flask-WTF would also hand a field a file sent under its name, or the items of a JSON body,
    and a crafted post would then crash the text handling behind a field (500). The portal's
    forms are posted as forms; the views that take files read them from ``request.files``.
    """

    def __init__(self, *args, **kwargs):
        if not args and "formdata" not in kwargs and has_request_context():
            kwargs["formdata"] = (request.form or None) if request.method == "POST" else None
        super().__init__(*args, **kwargs)


class AddressForm(PostedForm):
    first_name = StringField(FIELDS["first_name"][0])
    last_name = StringField(FIELDS["last_name"][0])
    company_name = StringField(FIELDS["company_name"][0] + " (optional)")
    address_line1 = StringField(FIELDS["address_line1"][0])
    address_line2 = StringField(FIELDS["address_line2"][0] + " (optional)")
    city = StringField(FIELDS["city"][0])
    post_code = StringField(FIELDS["post_code"][0])
    state = StringField(FIELDS["state"][0] + " (US, CA, AU)")
    country = StringField(FIELDS["country"][0])
    email = StringField(FIELDS["email"][0])
    phone = StringField(FIELDS["phone"][0] + " (optional)")
    federal_tax_id = StringField(FIELDS["federal_tax_id"][0] + " (Brazil)")

    address_fields = tuple(FIELDS)

    def fill_from(self, address: Address | None) -> None:
        if address is None:
            return
        self.show_address(fields_of(address))

    def typed_address(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in self.address_fields}

    def show_address(self, address: Mapping[str, str]) -> None:
        for name in self.address_fields:
            getattr(self, name).data = address.get(name, "")


class PlaceOrderForm(AddressForm):
    """Cancel-and-replace and reorder: an address, a method, and the form's idempotency key."""

    key = HiddenField()
    shipment_method = RadioField("Shipping method", choices=[], validate_choice=False)
    understood_charge = BooleanField("I understand that the new order is charged like any order.")
    place_another = BooleanField("Place another one: I have checked the reorder above.")
    #: The keys of the earlier reorders the page showed, which "Place another one" answers.
    seen = HiddenField()

    def ensure_key(self) -> str:
        if not self.key.data:
            self.key.data = uuid.uuid4().hex
        return self.key.data

    def submission(self, asked: str) -> wizard.Submission:
        return wizard.Submission(
            key=self.ensure_key(),
            address=self.typed_address(),
            shipment_method_uid=self.shipment_method.data or "",
            asked=asked,
            understood_charge=bool(self.understood_charge.data),
            place_another=bool(self.place_another.data),
            acknowledged=tuple((self.seen.data or "").split()),
        )

    def show(self, step: wizard.Step) -> None:
        """Show where the step left the form: cleaned fields, the methods offered and the one
        chosen, and each problem beside its field."""
        if step.address is not None:
            self.show_address(step.address)
        self.shipment_method.choices = [(m.shipment_method_uid, m.name) for m in step.methods]
        if step.method_uid is not None:
            self.shipment_method.data = step.method_uid
        for name, message in step.problems.items():
            self[name].errors = [message]
        self.seen.data = " ".join(earlier.key for earlier in step.earlier)
        if "place_another" in step.problems:
            self.place_another.data = False


class ConfirmForm(PostedForm):
    """A confirmation button and its CSRF token; nothing else to type."""


class ResumeForm(PostedForm):
    """One click that finishes an owed replacement: the key of the action it finishes."""

    key = HiddenField()
