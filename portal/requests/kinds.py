"""What each kind of requirement does, decided in one place: its form fields, how its answer is
read from them and shown in them again, its check, its lines in the email, the names of its files,
and the template macro that draws it.

A requirement names its kind (``Requirement.kind``); the form, the completeness check, the
draft and the email ask the kind rather than testing its name, so adding a kind is a class here
and a macro in ``templates/requests/_kinds.html``. The form fields are WTForms fields (a plain
form library, no Flask): the web layer puts them into its Flask-WTF form.

A kind reads the requirement it serves for the data that shapes it: ``choices``, ``window`` (a
time limit counted from a date), ``reorder_of`` (a number that names a reorder of another).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NotRequired, Protocol
from urllib.parse import urlsplit

from typing_extensions import TypedDict
from wtforms import (
    BooleanField,
    FileField,
    Form,
    FormField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)

from portal import redact
from portal.orders.addresses import FIELDS, REQUIRED, address_errors, clean_address
from portal.requests import lookup, uploads
from portal.requests.lookup import OrderFacts
from portal.requests.text import answer_text, header_text, indent
from portal.sources import Sources

# The states of a requirement in the checklist.
DONE = "done"
MISSING = "missing"
INVALID = "invalid"
#: Optional, not given, and nothing makes it needed.
NOT_NEEDED = "not_needed"

#: The longest one-line answer (a subject, a link) and the longest description.
MAX_TEXT = 200
MAX_LONG_TEXT = 10_000
#: Pasted logs longer than this go as an attached text file rather than inside the body.
LOGS_INLINE_MAX = 20_000


@dataclass(frozen=True)
class DeliveryWindow:
    """A time limit that counts from the day the customer received the parcel: Gelato takes
    damage reports for so many days. The date requirement that carries it is checked against it,
    the email says where the report stands in it, and the article states it."""

    days: int
    #: What it limits, as a sentence names it: "damage reports".
    applies_to: str
    sources: Sources

    def contains(self, delivered_on: date, today: date) -> bool:
        """Whether a report for a parcel delivered on ``delivered_on`` is still in time.

        The day of delivery counts as day zero, so the last day is delivery plus the window.
        """
        return delivered_on <= today <= self.last_day(delivered_on)

    def last_day(self, delivered_on: date) -> date:
        return delivered_on + timedelta(days=self.days)


class Requirement(Protocol):
    """What a kind reads of the requirement it serves (``scenarios.Requirement``)."""

    key: str
    label: str
    mandatory: bool
    help: str
    kind: Kind
    choices: tuple[str, ...]
    window: DeliveryWindow | None
    reorder_of: str


@dataclass(frozen=True)
class Check:
    """A kind's verdict on one answer: its state, and the words to say beside the field."""

    state: str = DONE
    #: Why it is missing or wrong, and what to do.
    message: str = ""
    #: Things worth knowing that block nothing.
    notes: tuple[str, ...] = ()
    #: For an answer of several fields (an address): the problem of each.
    field_errors: Mapping[str, str] = field(default_factory=dict)


def missing(requirement: Requirement, what: str | None = None) -> Check:
    return Check(MISSING, what or f"{requirement.label} is missing.")


def invalid(message: str, **values) -> Check:
    return Check(INVALID, message, **values)


class Kind:
    """The behaviour every kind shares: one field, one line of text, checked for presence."""

    #: The name a requirement gives (``kind="long_text"``), stable in stored drafts and CSS.
    name = ""
    #: The macro of ``requests/_kinds.html`` that draws the field.
    macro = "line"
    #: The answer is an order number that Gelato is asked about.
    names_order = False
    #: The answer is words of the agent's own that say what the request is about (a subject, a
    #: description): a list shows its first words.
    describes = False
    #: Its files are photos only, recognised by their bytes; and they are kept as this type
    #: (None: as their content says).
    photos_only = False
    stored_type: str | None = None
    #: It takes files (uploaded through its own input of the form, or the JSON API's upload).
    takes_files = False

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<kind {self.name}>"

    # The form

    def form_fields(self, requirement: Requirement) -> dict:
        """The WTForms fields of the form, by name (the requirement's key first)."""
        return {requirement.key: StringField(requirement.label, render_kw={"maxlength": 200})}

    def field_values(self, requirement: Requirement, answers: Mapping) -> dict:
        """What the fields show for ``answers``, by field name (as the page names its inputs)."""
        value = answers.get(requirement.key)
        return {requirement.key: value if isinstance(value, str) else ""}

    def answer_keys(self, requirement: Requirement) -> tuple[str, ...]:
        """The keys under which the draft keeps this requirement's answers."""
        return (requirement.key,)

    def read(
        self,
        requirement: Requirement,
        values: Mapping[str, object],
        files: Mapping[str, list[uploads.Upload]],
    ) -> tuple[dict, list[uploads.Upload]]:
        """The answers a submitted form holds (``values`` by field name) and the files chosen
        for this requirement (``files`` by input name)."""
        # One line: a line break here could only be an attempt to add a mail header.
        return {requirement.key: header_text(str(values.get(requirement.key) or ""), 1000)}, []

    def refusal(self, requirement: Requirement, value: object) -> str | None:
        """Why an answer cannot be kept at all (the one before stays), or None."""
        return None

    # The JSON API: the same answers as the form, typed as JSON types them, and read through
    # the form's fields so that they are cleaned and checked exactly as the form's are.

    def json_fields(self, requirement: Requirement) -> dict[str, type]:
        """The answers the JSON API takes for this requirement, by key, with the type of each."""
        return dict.fromkeys(self.answer_keys(requirement), str)

    def form_values(self, requirement: Requirement, given: Mapping) -> dict:
        """The form's field values that the JSON answers ``given`` (by key) stand for."""
        return self.field_values(requirement, given)

    def json_answers(self, requirement: Requirement, answers: Mapping) -> dict:
        """The draft's answers as the JSON API gives them back."""
        return {key: answers.get(key) for key in self.json_fields(requirement)}

    def without_secrets(self, requirement: Requirement, value, secrets) -> tuple[object, list[str]]:
        """The answer with every secret in it replaced, and what was taken out where."""
        if not isinstance(value, str):
            return value, []
        cleaned, found = redact.redact_secrets(value, secrets)
        # A line number says where only in text of several lines.
        return cleaned, [str(f) if "\n" in cleaned else f.kind for f in found]

    def clean_files(
        self, requirement: Requirement, files: list[uploads.Upload], secrets
    ) -> tuple[list[uploads.Upload], list[str], list[str]]:
        """The files fit to keep, the sentences for those refused, and what was taken out.

        A file is kept as it was sent (a photo, a PDF cannot be cleaned without breaking it), so
        one that holds a secret of the help center's own is refused, and says which."""
        kept, refused = [], []
        for upload in files:
            secret = redact.holds_known_secret(upload.data, secrets)
            if secret is None:
                kept.append(upload)
                continue
            name = uploads.safe_filename(upload.filename)
            refused.append(
                f"{name} was not added: it holds {secret}, which must never reach Gelato or an "
                "email. Take it out of the file and attach it again."
            )
        return kept, refused, []

    # The check

    def check(
        self,
        requirement: Requirement,
        answers: Mapping,
        *,
        orders: Mapping[str, OrderFacts],
        file_count: int,
        today: date,
    ) -> Check:
        value = answer_text(answers, requirement.key)
        if not value:
            return missing(requirement)
        if len(value) > MAX_TEXT:
            return invalid(f"This is {len(value)} characters long; keep it to {MAX_TEXT}.")
        return Check()

    # The email

    def email_lines(
        self,
        requirement: Requirement,
        answers: Mapping,
        *,
        orders: Mapping[str, OrderFacts],
        attached: Sequence[str],
        today: date,
    ) -> list[str]:
        """Its entry in the email's body; none when there is nothing to say."""
        text = answer_text(answers, requirement.key)
        return [f"{requirement.label}: {header_text(text, 1000)}"] if text else []

    def attachment_name(
        self, requirement: Requirement, filename: str, content_type: str, number: int
    ) -> str:
        """The name a file of this requirement goes by: what it shows, so that Gelato tells the
        item from the packaging at a glance. ``number`` counts its files from 1."""
        base = uploads.safe_filename(filename, content_type)
        return f"{requirement.key.replace('_', '-')}-{base}"

    def long_text_attachment(
        self, requirement: Requirement, answers: Mapping
    ) -> tuple[str, str] | None:
        """Text too long for the body, as ``(name, text)`` of a file to attach; or None."""
        return None


class OrderNumber(Kind):
    """Gelato's order id or the merchant's reference for it, checked with Gelato."""

    name = "order_number"
    names_order = True

    def form_fields(self, requirement):
        return {
            requirement.key: StringField(
                requirement.label, render_kw={"maxlength": 200, "autocomplete": "off"}
            )
        }

    def check(self, requirement, answers, *, orders, file_count, today):
        query = answer_text(answers, requirement.key)
        if not query:
            return missing(requirement)
        facts = orders.get(requirement.key)
        if facts is None or facts.query != query:
            not_yet = f"{query} has not been checked with Gelato yet: save to check it."
            return Check(notes=(not_yet,))
        if facts.outcome == lookup.NOT_FOUND:
            return invalid(
                f"Gelato has no order {query!r}. Check the number: Gelato's order id, or your own "
                "order reference."
            )
        if facts.outcome == lookup.SEVERAL:
            parts = ", ".join(f"{order_id} ({status})" for order_id, status in facts.parts)
            return invalid(
                f"{query} names {len(facts.parts)} orders: Gelato split it into parts. Give the "
                f"Gelato order id of the part concerned: {parts}."
            )
        if facts.outcome == lookup.UNAVAILABLE:
            return Check(
                notes=(
                    f"Gelato could not be reached to check {query} ({facts.message}). It is kept "
                    "as typed and checked again when you save.",
                )
            )
        if requirement.reorder_of:
            problem = _reorder_problem(facts, orders.get(requirement.reorder_of))
            if problem:
                return invalid(problem)
        return Check()

    def email_lines(self, requirement, answers, *, orders, attached, today):
        shown = order_number_text(requirement, answers, orders, full=True)
        return [f"{requirement.label}: {shown}"] if shown else []


def _reorder_problem(reorder: OrderFacts, original: OrderFacts | None) -> str | None:
    """A reorder replaces the original, so it must be another, newer order."""
    if original is None or not original.found:
        return None
    if reorder.id == original.id:
        return "This is the original order itself: give the number of the new order, the reorder."
    if reorder.created and original.created and reorder.created <= original.created:
        return (
            f"Order {reorder.number} was placed on {reorder.created:%Y-%m-%d}, "
            f"before the original order {original.number} "
            f"({original.created:%Y-%m-%d}). A reorder is newer than the order it replaces: "
            "check the two numbers."
        )
    return None


def order_number_text(
    requirement: Requirement,
    answers: Mapping,
    orders: Mapping[str, OrderFacts],
    *,
    full: bool = False,
) -> str:
    """An order number as the email gives it: as Gelato knows the order once it was found
    (``full``: reference and Gelato's id), else as typed."""
    if not requirement.kind.names_order:
        return ""
    typed = answer_text(answers, requirement.key)
    if not typed:
        return ""
    facts = orders.get(requirement.key)
    if facts is None or facts.query != typed or not facts.found:
        return header_text(typed, 100)
    return facts.label() if full else facts.number


class OrderReference(OrderNumber):
    """Your own reference for an order, which Gelato may never have received (a failed create)."""

    name = "order_reference"

    def check(self, requirement, answers, *, orders, file_count, today):
        query = answer_text(answers, requirement.key)
        if not query:
            return missing(requirement)
        if len(query) > MAX_TEXT:
            return invalid(f"This is {len(query)} characters long; at most {MAX_TEXT}.")
        facts = orders.get(requirement.key)
        if facts is not None and facts.query == query and facts.found:
            return Check(
                notes=(
                    f"Gelato has an order with the reference {query} (status {facts.status}): "
                    "the order may have gone through after all. Open it before you ask Gelato.",
                )
            )
        return Check()


class Text(Kind):
    """One line of text."""

    name = "text"
    describes = True


class LongText(Kind):
    """Several lines: a description, a quote of Gelato's message."""

    name = "long_text"
    describes = True

    def form_fields(self, requirement):
        return {requirement.key: TextAreaField(requirement.label, render_kw={"rows": 6})}

    def read(self, requirement, values, files):
        text = str(values.get(requirement.key) or "").replace("\r\n", "\n").strip()
        return {requirement.key: text}, []

    def check(self, requirement, answers, *, orders, file_count, today):
        value = answer_text(answers, requirement.key)
        if not value:
            return missing(requirement)
        if len(value) > MAX_LONG_TEXT:
            return invalid(
                f"This is {len(value):,} characters long; keep it to {MAX_LONG_TEXT:,} and attach "
                "anything longer as a file."
            )
        return Check()

    def email_lines(self, requirement, answers, *, orders, attached, today):
        text = answer_text(answers, requirement.key)
        return [f"{requirement.label}:", *indent(text.splitlines())] if text else []


class Date(Kind):
    """A day, as YYYY-MM-DD. With a ``window`` on the requirement, the day starts a time limit:
    the check says when it has passed, and the email says how many days ago it was. Where Gelato
    knows when the request's order was delivered, the window counts from that day (the items'
    own delivery times), whatever date was typed."""

    name = "date"

    def form_fields(self, requirement):
        return {requirement.key: StringField(requirement.label, render_kw={"type": "date"})}

    def check(self, requirement, answers, *, orders, file_count, today):
        value = answer_text(answers, requirement.key)
        window = requirement.window
        recorded = _recorded_delivery(orders) if window else None
        if not value:
            notes = _window_notes(window, recorded, today) if recorded else ()
            return Check(MISSING, f"{requirement.label} is missing.", notes=tuple(notes))
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return invalid("Give the date as YYYY-MM-DD, or pick it in the calendar.")
        if window is None:
            return Check()
        if day > today:
            return invalid(f"{day:%Y-%m-%d} is in the future.")
        notes = _window_notes(window, recorded or day, today)
        if recorded and recorded != day:
            notes.append(
                f"Gelato records the order as delivered on {recorded:%Y-%m-%d}: the "
                f"{window.days}-day window counts from that day."
            )
        notes += _items_apart(window, orders)
        return Check(notes=tuple(notes))

    def email_lines(self, requirement, answers, *, orders, attached, today):
        text = answer_text(answers, requirement.key)
        if not text:
            return []
        window = requirement.window
        recorded = _recorded_delivery(orders) if window else None
        return [f"{requirement.label}: {_date_text(text, window, recorded, today)}"]


def _recorded_delivery(orders: Mapping[str, OrderFacts]) -> date | None:
    """When Gelato says the request's order was delivered: its last delivered item."""
    original = lookup.original(orders)
    return original.delivered if original else None


def _window_notes(window: DeliveryWindow, delivered: date, today: date) -> list[str]:
    if window.contains(delivered, today):
        return []
    return [
        f"Delivered {(today - delivered).days} days ago: outside Gelato's {window.days}-day "
        f"window for {window.applies_to}. You can still send the request, and the email says so "
        "plainly; Gelato may decline the claim."
    ]


def _items_apart(window: DeliveryWindow, orders: Mapping[str, OrderFacts]) -> list[str]:
    original = lookup.original(orders)
    deliveries = original.item_deliveries if original else []
    if len({day for _name, day in deliveries}) < 2:
        return []
    arrived = ", ".join(f"{name} on {day}" for name, day in deliveries)
    first_name, first_day = min(deliveries, key=lambda entry: entry[1])
    closes = window.last_day(date.fromisoformat(first_day))
    return [
        f"Its items arrived on different days ({arrived}). The window counts from each item's "
        f"own delivery: for {first_name} it ends on {closes:%Y-%m-%d}."
    ]


def _date_text(text: str, window, recorded: date | None, today: date) -> str:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return header_text(text, 40)
    if window is None or day > today:
        return day.isoformat()
    counted = recorded or day
    days = (today - counted).days
    said = f"{day.isoformat()} ("
    if counted != day:
        said += f"Gelato records the delivery on {counted.isoformat()}: "
    if window.contains(counted, today):
        return (
            f"{said}{days} days ago, within the {window.days}-day window for {window.applies_to})"
        )
    return (
        f"{said}{days} days ago. We know this is outside the {window.days}-day window for "
        f"{window.applies_to} and ask you to consider it all the same.)"
    )


class Choice(Kind):
    """One of the requirement's ``choices``."""

    name = "choice"
    macro = "choice"

    def form_fields(self, requirement):
        choices = [SelectChoice(choice) for choice in requirement.choices]
        return {
            requirement.key: RadioField(requirement.label, choices=choices, validate_choice=False)
        }

    def check(self, requirement, answers, *, orders, file_count, today):
        value = answer_text(answers, requirement.key)
        if not value:
            return missing(requirement, "Choose one.")
        if value not in requirement.choices:
            return invalid("Choose one of the answers listed.")
        return Check()


class Confirm(Kind):
    """A yes/no confirmation: a box to tick."""

    name = "confirm"
    macro = "confirm"

    def form_fields(self, requirement):
        return {requirement.key: BooleanField(requirement.label)}

    def field_values(self, requirement, answers):
        return {requirement.key: answers.get(requirement.key) == "yes"}

    def read(self, requirement, values, files):
        return {requirement.key: "yes" if values.get(requirement.key) else ""}, []

    def json_fields(self, requirement):
        return {requirement.key: bool}

    def form_values(self, requirement, given):
        return {requirement.key: bool(given.get(requirement.key))}

    def json_answers(self, requirement, answers):
        return {requirement.key: answers.get(requirement.key) == "yes"}

    def check(self, requirement, answers, *, orders, file_count, today):
        if answers.get(requirement.key) == "yes":
            return Check()
        return missing(requirement, "Tick this to confirm.")

    def email_lines(self, requirement, answers, *, orders, attached, today):
        return [f"{requirement.label}: {'Yes' if answers.get(requirement.key) == 'yes' else 'No'}"]


def _address_label(name: str) -> str:
    label = FIELDS[name][0]
    if name == "state":
        return f"{label} (US, CA, AU)"
    if name == "federal_tax_id":
        return f"{label} (Brazil)"
    return label if name in REQUIRED else f"{label} (optional)"


#: A postal address, field by field as ``portal.orders.addresses`` names and checks it: the
#: fields the change-address form asks for, inside the request's form.
AddressFields = type(
    "AddressFields",
    (Form,),
    {name: StringField(_address_label(name)) for name in FIELDS}
    | {"address_fields": tuple(FIELDS)},
)
#: The same address as the JSON API takes it: any of its fields, by the same names.
AddressAnswer = TypedDict("AddressAnswer", dict.fromkeys(FIELDS, NotRequired[str]), closed=True)


class Address(Kind):
    """A postal address, checked like the portal's change-address form: in the order's country,
    and not the address the order already has."""

    name = "address"
    macro = "address"

    def form_fields(self, requirement):
        return {requirement.key: FormField(AddressFields, requirement.label)}

    def field_values(self, requirement, answers):
        value = answers.get(requirement.key)
        address = value if isinstance(value, Mapping) else {}
        return {f"{requirement.key}-{name}": address.get(name, "") for name in FIELDS}

    def without_secrets(self, requirement, value, secrets):
        if not isinstance(value, Mapping):
            return value, []
        cleaned, found = {}, []
        for name, text in value.items():
            cleaned[name], findings = redact.redact_secrets(str(text), secrets)
            found += [f"{FIELDS[name][0] if name in FIELDS else name}: {f.kind}" for f in findings]
        return cleaned, found

    def json_fields(self, requirement):
        return {requirement.key: AddressAnswer}

    def read(self, requirement, values, files):
        # Trimmed, codes in capitals, as the change-address form sends them.
        typed = {
            name: header_text(str(values.get(f"{requirement.key}-{name}") or ""), 300)
            for name in FIELDS
        }
        return {requirement.key: clean_address(typed)}, []

    def check(self, requirement, answers, *, orders, file_count, today):
        given = answers.get(requirement.key)
        address = clean_address(given if isinstance(given, Mapping) else {})
        if not any(address.values()):
            return missing(requirement)
        problems = address_errors(address)
        original = lookup.original(orders)
        if original and original.address:
            fixed = original.address.get("country", "")
            if fixed and address["country"] and address["country"] != fixed:
                problems["country"] = (
                    f"The country cannot change ({fixed}): a parcel to another country needs a "
                    "new order."
                )
            if address == clean_address(original.address):
                # Filled in from the order, to be corrected: not done yet, and no mistake.
                return Check(
                    MISSING,
                    "This is still the address the order already has: correct it with what the "
                    "customer confirmed.",
                )
        if problems:
            named = ", ".join(FIELDS[name][0].lower() for name in problems)
            return invalid(f"Check the address: {named}.", field_errors=problems)
        return Check()

    def email_lines(self, requirement, answers, *, orders, attached, today):
        value = answers.get(requirement.key)
        address = value if isinstance(value, Mapping) else {}
        if not any(str(v).strip() for v in address.values()):
            return []
        return [f"{requirement.label}:", *indent(_address_lines(address))]


def _address_lines(address: Mapping[str, object]) -> list[str]:
    def get(name: str) -> str:
        return header_text(str(address.get(name) or ""), 300)

    lines = [
        " ".join(part for part in (get("first_name"), get("last_name")) if part),
        get("company_name"),
        get("address_line1"),
        get("address_line2"),
        " ".join(part for part in (get("post_code"), get("city")) if part)
        + (f", {get('state')}" if get("state") else ""),
        get("country"),
    ]
    for name in ("email", "phone", "federal_tax_id"):
        if get(name):
            lines.append(f"{FIELDS[name][0]}: {get(name)}")
    return [line for line in lines if line]


class Photos(Kind):
    """One or more photos, recognised by their bytes, never by their names."""

    name = "photos"
    macro = "photos"
    photos_only = True
    takes_files = True

    def form_fields(self, requirement):
        return {
            requirement.key: MultipleFileField(
                requirement.label, render_kw={"accept": "image/*,.heic,.heif"}
            )
        }

    def field_values(self, requirement, answers):
        return {}

    def answer_keys(self, requirement):
        return ()

    def read(self, requirement, values, files):
        return {}, list(files.get(requirement.key, []))

    def check(self, requirement, answers, *, orders, file_count, today):
        if file_count:
            return Check()
        return missing(requirement, f"Add at least one photo: {requirement.label.lower()}.")

    def email_lines(self, requirement, answers, *, orders, attached, today):
        return [f"{requirement.label} (attached): {', '.join(attached)}"] if attached else []

    def attachment_name(self, requirement, filename, content_type, number):
        extension = uploads.safe_filename(filename, content_type).rpartition(".")[2]
        what = requirement.key.removeprefix("photos_").replace("_", "-")
        return f"photo-{what}-{number}.{extension}"


class Files(Kind):
    """Files of any type, or a link to them."""

    name = "files"
    macro = "files"
    takes_files = True

    def link_key(self, requirement) -> str:
        return f"{requirement.key}_url"

    def form_fields(self, requirement):
        return {
            requirement.key: MultipleFileField(requirement.label),
            self.link_key(requirement): StringField("Or a link to it", render_kw={"type": "url"}),
        }

    def field_values(self, requirement, answers):
        link = answers.get(self.link_key(requirement))
        return {self.link_key(requirement): link if isinstance(link, str) else ""}

    def answer_keys(self, requirement):
        return (self.link_key(requirement),)

    def read(self, requirement, values, files):
        link = header_text(str(values.get(self.link_key(requirement)) or ""), 2100)
        return {self.link_key(requirement): link}, list(files.get(requirement.key, []))

    def check(self, requirement, answers, *, orders, file_count, today):
        link = answer_text(answers, self.link_key(requirement))
        if link and not _web_link(link):
            return invalid("Give a complete link, starting with https://.")
        if len(link) > 2000:
            return invalid("This link is too long to pass on: attach the file instead.")
        if file_count or link:
            return Check()
        return missing(requirement, "Attach the file, or give a link to it.")

    def email_lines(self, requirement, answers, *, orders, attached, today):
        link = answer_text(answers, self.link_key(requirement))
        parts = []
        if attached:
            parts.append(f"attached: {', '.join(attached)}")
        if link:
            parts.append(f"link: {link}")
        return [f"{requirement.label}: {'; '.join(parts)}"] if parts else []

    def attachment_name(self, requirement, filename, content_type, number):
        base = uploads.safe_filename(filename, content_type)
        # The general "Attachments" of a request need no name of their own.
        if requirement.key == "attachments":
            return base
        return super().attachment_name(requirement, filename, content_type, number)


def _web_link(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:  # "https://[host": not a link Gelato could open either
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class Logs(Kind):
    """Logs of an API call, pasted or as a text file, kept only with their secrets taken out."""

    name = "logs"
    macro = "logs"
    stored_type = "text/plain"
    takes_files = True

    def file_key(self, requirement) -> str:
        return f"{requirement.key}_file"

    def form_fields(self, requirement):
        return {
            requirement.key: TextAreaField(
                requirement.label, render_kw={"rows": 12, "spellcheck": "false"}
            ),
            self.file_key(requirement): FileField("Or attach the log file"),
        }

    def read(self, requirement, values, files):
        text = str(values.get(requirement.key) or "").replace("\r\n", "\n").strip()
        return {requirement.key: text}, list(files.get(self.file_key(requirement), []))

    def refusal(self, requirement, value):
        size = len(str(value).encode("utf-8"))
        if size <= uploads.LOGS_MAX_BYTES:
            return None
        return (
            f"These logs are {size // 1024:,} KB; at most {uploads.LOGS_MAX_BYTES // 1024:,} KB "
            "is taken. Keep the failed call and its response, and leave out the rest. The logs "
            "saved before are kept."
        )

    def clean_files(self, requirement, files, secrets):
        """Log files are kept only with their secrets taken out, like pasted logs."""
        cleaned, refused, found = [], [], []
        for upload in files:
            name = uploads.safe_filename(upload.filename)
            if len(upload.data) > uploads.LOGS_MAX_BYTES:
                refused.append(
                    f"{name} is {len(upload.data) // 1024:,} KB; a log file may be at most "
                    f"{uploads.LOGS_MAX_BYTES // 1024:,} KB. Keep the failed call and its "
                    "response."
                )
                continue
            text = uploads.log_text(upload.data)
            if text is None:
                refused.append(
                    f"{name} is not a text file: attach the log as plain text (.log, .txt, .json)."
                )
                continue
            text, findings = redact.redact_secrets(text, secrets)
            found += [f"{name}: {finding}" for finding in findings]
            # Kept as text/plain, so its name ends in .txt (attachment_name sees to it).
            cleaned.append(uploads.Upload(upload.filename, text.encode("utf-8")))
        return cleaned, refused, found

    def check(self, requirement, answers, *, orders, file_count, today):
        if answer_text(answers, requirement.key) or file_count:
            return Check()
        return missing(requirement, "Paste the logs, or attach the log file.")

    def email_lines(self, requirement, answers, *, orders, attached, today):
        text = answer_text(answers, requirement.key)
        lines = []
        if attached:
            lines.append(f"{requirement.label} (attached): {', '.join(attached)}")
        if text and len(text) <= LOGS_INLINE_MAX:
            lines += [
                f"{requirement.label}:" if not attached else "Pasted:",
                *indent(text.splitlines()),
            ]
        if lines:
            lines.append("(API keys and other secrets were replaced by [removed].)")
        return lines

    def long_text_attachment(self, requirement, answers):
        text = answer_text(answers, requirement.key)
        if len(text) > LOGS_INLINE_MAX:
            return f"{requirement.key.replace('_', '-')}.txt", text
        return None


ORDER_NUMBER = OrderNumber()
ORDER_REFERENCE = OrderReference()
TEXT = Text()
LONG_TEXT = LongText()
DATE = Date()
PHOTOS = Photos()
CHOICE = Choice()
CONFIRM = Confirm()
ADDRESS = Address()
FILES = Files()
LOGS = Logs()

#: Every kind, by the name a requirement gives.
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        ORDER_NUMBER,
        TEXT,
        LONG_TEXT,
        DATE,
        PHOTOS,
        CHOICE,
        CONFIRM,
        ORDER_REFERENCE,
        ADDRESS,
        FILES,
        LOGS,
    )
}


def kind(name: str) -> Kind:
    """The kind named ``name``; ValueError if there is none."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown kind {name!r}") from None
