"""Is the request complete? One verdict per requirement of its scenario, with the words to say.

Gelato acts at once on a complete request and asks back on an incomplete one, so the form never
lets a gap pass unnoticed: every requirement gets a state and, when something is missing or wrong,
a sentence shown beside its field and in the checklist beside the form. Some things are said but
do not block (a damage report outside Gelato's window, a number Gelato could not be asked about):
the agent decides, knowingly. Plain Python over the draft's data, so it is tested without Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from portal.knowledge import DAMAGE_REPORT_WINDOW_DAYS
from portal.orders.addresses import FIELDS, address_errors, clean_address
from portal.requests import lookup
from portal.requests.lookup import OrderFacts
from portal.requests.scenarios import (
    DAMAGED_PRODUCT,
    Scenario,
    ScenarioRequirement,
    answer_text,
    within_damage_window,
)

DONE = "done"
MISSING = "missing"
INVALID = "invalid"
#: Optional, not given, and nothing makes it needed.
NOT_NEEDED = "not_needed"

#: The longest one-line answer (a subject, a link) and the longest description.
MAX_TEXT = 200
MAX_LONG_TEXT = 10_000
#: The requirement key that names the reorder of the request's order.
REORDER_KEY = "reorder_number"


@dataclass(frozen=True)
class ItemCheck:
    requirement: ScenarioRequirement
    state: str
    #: Why it is missing or wrong, and what to do: shown beside the field.
    message: str = ""
    #: Things worth knowing that block nothing (flags).
    notes: tuple[str, ...] = ()
    #: For an address: the problem of each of its fields.
    field_errors: dict[str, str] = field(default_factory=dict)
    #: Whether the request needs it (mandatory, or made needed by another answer).
    needed: bool = False

    @property
    def key(self) -> str:
        return self.requirement.key

    @property
    def blocks(self) -> bool:
        return self.state in (MISSING, INVALID)


@dataclass(frozen=True)
class Completeness:
    items: tuple[ItemCheck, ...]

    @property
    def complete(self) -> bool:
        return not any(item.blocks for item in self.items)

    @property
    def blocking(self) -> list[ItemCheck]:
        return [item for item in self.items if item.blocks]

    @property
    def flags(self) -> list[str]:
        return [note for item in self.items for note in item.notes]

    def item(self, key: str) -> ItemCheck:
        return next(item for item in self.items if item.key == key)

    def to_json(self) -> dict:
        """For the page's live checklist."""
        return {
            "complete": self.complete,
            "items": [
                {
                    "key": i.key,
                    "state": i.state,
                    "message": i.message,
                    "notes": list(i.notes),
                    "needed": i.needed,
                }
                for i in self.items
            ],
        }


def check_request(
    scenario: Scenario,
    answers: Mapping[str, object],
    *,
    file_counts: Mapping[str, int],
    orders: Mapping[str, OrderFacts],
    today: date,
) -> Completeness:
    """Every requirement of ``scenario`` checked against the draft.

    ``answers`` holds the form's values by requirement key (an address as a dict of its fields, a
    link to files under ``<key>_url``); ``file_counts`` the number of files stored per
    requirement; ``orders`` what Gelato said about each order number.
    """
    items = []
    for requirement in scenario.requirements:
        needed = requirement.mandatory or _made_needed(requirement, answers)
        check = _CHECKS[requirement.kind]
        state, message, notes, field_errors = check(
            requirement,
            answers,
            file_counts=file_counts,
            orders=orders,
            today=today,
            scenario=scenario,
        )
        if state == MISSING and not needed:
            state, message = NOT_NEEDED, ""
        items.append(ItemCheck(requirement, state, message, tuple(notes), field_errors, needed))
    return Completeness(tuple(items))


def _made_needed(requirement: ScenarioRequirement, answers: Mapping[str, object]) -> bool:
    if not requirement.needed_when:
        return False
    key, answer = requirement.needed_when
    return answers.get(key) == answer


def _result(state=DONE, message="", notes=(), field_errors=None):
    return state, message, list(notes), field_errors or {}


def _missing(requirement: ScenarioRequirement, what: str | None = None):
    return _result(MISSING, what or f"{requirement.label} is missing.")


# One function per kind of requirement.


def _check_order_number(requirement, answers, *, orders, scenario, **_):
    query = answer_text(answers, requirement.key)
    if not query:
        return _missing(requirement)
    facts = orders.get(requirement.key)
    if facts is None or facts.query != query:
        return _result(notes=[f"{query} has not been checked with Gelato yet: save to check it."])
    if facts.outcome == lookup.NOT_FOUND:
        return _result(
            INVALID,
            f"Gelato has no order {query!r}. Check the number: Gelato's order id, or your own "
            "order reference.",
        )
    if facts.outcome == lookup.SEVERAL:
        parts = ", ".join(f"{order_id} ({status})" for order_id, status in facts.parts)
        return _result(
            INVALID,
            f"{query} names {len(facts.parts)} orders: Gelato split it into parts. Give the "
            f"Gelato order id of the part concerned: {parts}.",
        )
    if facts.outcome == lookup.UNAVAILABLE:
        return _result(
            notes=[
                f"Gelato could not be reached to check {query} ({facts.message}). It is kept as "
                "typed and checked again when you save."
            ]
        )
    if requirement.key == REORDER_KEY:
        problem = _reorder_problem(facts, lookup.original(orders))
        if problem:
            return _result(INVALID, problem)
    return _result()


def _reorder_problem(reorder: OrderFacts, original: OrderFacts | None) -> str | None:
    """A reorder replaces the original, so it must be another, newer order."""
    if original is None:
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


def _check_order_reference(requirement, answers, *, orders, **_):
    query = answer_text(answers, requirement.key)
    if not query:
        return _missing(requirement)
    if len(query) > MAX_TEXT:
        return _result(INVALID, f"This is {len(query)} characters long; at most {MAX_TEXT}.")
    facts = orders.get(requirement.key)
    if facts is not None and facts.query == query and facts.found:
        return _result(
            notes=[
                f"Gelato has an order with the reference {query} (status {facts.status}): the "
                "order may have gone through after all. Open it before you ask Gelato."
            ]
        )
    return _result()


def _check_text(requirement, answers, **_):
    value = answer_text(answers, requirement.key)
    if not value:
        return _missing(requirement)
    if len(value) > MAX_TEXT:
        return _result(INVALID, f"This is {len(value)} characters long; keep it to {MAX_TEXT}.")
    return _result()


def _check_long_text(requirement, answers, **_):
    value = answer_text(answers, requirement.key)
    if not value:
        return _missing(requirement)
    if len(value) > MAX_LONG_TEXT:
        return _result(
            INVALID,
            f"This is {len(value):,} characters long; keep it to {MAX_LONG_TEXT:,} and attach "
            "anything longer as a file.",
        )
    return _result()


def _check_date(requirement, answers, *, today, scenario, orders, **_):
    value = answer_text(answers, requirement.key)
    if not value:
        return _missing(requirement)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return _result(INVALID, "Give the date as YYYY-MM-DD, or pick it in the calendar.")
    notes = []
    if scenario is DAMAGED_PRODUCT and requirement.key == "delivery_date":
        if day > today:
            return _result(INVALID, f"{day:%Y-%m-%d} is in the future.")
        if not within_damage_window(day, today):
            notes.append(
                f"Delivered {(today - day).days} days ago: outside Gelato's "
                f"{DAMAGE_REPORT_WINDOW_DAYS}-day window for damage reports. You can still send "
                "the request, and the email says so plainly; Gelato may decline the claim."
            )
        original = lookup.original(orders)
        if original and original.delivered and original.delivered != day:
            notes.append(f"Gelato records the order as delivered on {original.delivered:%Y-%m-%d}.")
    return _result(notes=notes)


def _check_files(requirement, answers, *, file_counts, **_):
    link = answer_text(answers, f"{requirement.key}_url")
    if link and not _web_link(link):
        return _result(INVALID, "Give a complete link, starting with https://.")
    if len(link) > 2000:
        return _result(INVALID, "This link is too long to pass on: attach the file instead.")
    if file_counts.get(requirement.key, 0) or link:
        return _result()
    return _missing(requirement, "Attach the file, or give a link to it.")


def _web_link(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:  # "https://[host": not a link Gelato could open either
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_photos(requirement, answers, *, file_counts, **_):
    if file_counts.get(requirement.key, 0):
        return _result()
    return _missing(requirement, f"Add at least one photo: {requirement.label.lower()}.")


def _check_logs(requirement, answers, *, file_counts, **_):
    if answer_text(answers, requirement.key) or file_counts.get(requirement.key, 0):
        return _result()
    return _missing(requirement, "Paste the logs, or attach the log file.")


def _check_choice(requirement, answers, **_):
    value = answer_text(answers, requirement.key)
    if not value:
        return _missing(requirement, "Choose one.")
    if value not in requirement.choices:
        return _result(INVALID, "Choose one of the answers listed.")
    return _result()


def _check_confirm(requirement, answers, **_):
    if answers.get(requirement.key) == "yes":
        return _result()
    return _missing(requirement, "Tick this to confirm.")


def _check_address(requirement, answers, *, orders, **_):
    given = answers.get(requirement.key)
    address = clean_address(given if isinstance(given, Mapping) else {})
    if not any(address.values()):
        return _missing(requirement)
    problems = address_errors(address)
    original = lookup.original(orders)
    if original and original.address:
        fixed = original.address.get("country", "")
        if fixed and address["country"] and address["country"] != fixed:
            problems["country"] = (
                f"The country cannot change ({fixed}): a parcel to another country needs a new "
                "order."
            )
        if address == clean_address(original.address):
            return _result(
                INVALID,
                "This is the address the order already has: correct it with what the customer "
                "confirmed.",
                field_errors=problems,
            )
    if problems:
        named = ", ".join(FIELDS[name][0].lower() for name in problems)
        return _result(INVALID, f"Check the address: {named}.", field_errors=problems)
    return _result()


_CHECKS = {
    "order_number": _check_order_number,
    "order_reference": _check_order_reference,
    "text": _check_text,
    "long_text": _check_long_text,
    "date": _check_date,
    "photos": _check_photos,
    "files": _check_files,
    "logs": _check_logs,
    "choice": _check_choice,
    "confirm": _check_confirm,
    "address": _check_address,
}
