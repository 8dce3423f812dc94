"""The action forms. Field rules come from ``addresses``; the forms only carry and show them."""

from __future__ import annotations

import uuid

from flask import has_request_context, request
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField

from portal.gelato.models import Address
from portal.orders.addresses import FIELDS, address_errors, clean_address


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
        for name in self.address_fields:
            getattr(self, name).data = getattr(address, name) or ""

    def cleaned(self) -> dict[str, str]:
        return clean_address({name: getattr(self, name).data for name in self.address_fields})

    def check_address(self, *, fixed_country: str | None = None) -> bool:
        """Put each problem beside its field; True when the address is fit to send."""
        data = self.cleaned()
        for name, value in data.items():
            getattr(self, name).data = value
        problems = address_errors(data)
        if fixed_country and data["country"] != fixed_country:
            problems["country"] = (
                f"The country cannot change ({fixed_country}). A parcel to another country "
                "needs a new order: place a reorder instead."
            )
        for name, message in problems.items():
            getattr(self, name).errors = [message]
        return not problems

    def address(self, original: Address | None = None) -> Address:
        """The address to send; Gelato's own fields (e.g. Brazil's company ids) carried over."""
        data = self.cleaned()
        return Address(
            first_name=data["first_name"],
            last_name=data["last_name"],
            address_line1=data["address_line1"],
            city=data["city"],
            post_code=data["post_code"],
            country=data["country"],
            email=data["email"],
            address_line2=data["address_line2"] or None,
            company_name=data["company_name"] or None,
            state=data["state"] or None,
            phone=data["phone"] or None,
            federal_tax_id=data["federal_tax_id"] or None,
            is_business=original.is_business if original else None,
            state_tax_id=original.state_tax_id if original else None,
            registration_state_code=original.registration_state_code if original else None,
        )


class PlaceOrderForm(AddressForm):
    """Cancel-and-replace and reorder: an address, a method, and the form's idempotency key."""

    key = HiddenField()
    shipment_method = RadioField("Shipping method", choices=[], validate_choice=False)
    understood_charge = BooleanField("I understand that the new order is charged like any order.")

    def ensure_key(self) -> str:
        if not self.key.data:
            self.key.data = uuid.uuid4().hex
        return self.key.data


class ConfirmForm(PostedForm):
    """A confirmation button and its CSRF token; nothing else to type."""
