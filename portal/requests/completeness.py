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

from portal.requests.kinds import DONE, INVALID, MISSING, NOT_NEEDED
from portal.requests.lookup import OrderFacts
from portal.requests.scenarios import Scenario, ScenarioRequirement

__all__ = ["DONE", "INVALID", "MISSING", "NOT_NEEDED", "Completeness", "ItemCheck", "check_request"]


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

    def missing_summary(self) -> str:
        """What still blocks the request, in one sentence for the top of the form."""
        names = [item.requirement.label for item in self.blocking]
        return (
            f"Not complete yet. Still missing or wrong: {'; '.join(names)}. Each is named beside "
            "its field."
        )

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
    """Every requirement of ``scenario`` checked against the draft, each by its kind.

    ``answers`` holds the form's values by requirement key (an address as a dict of its fields, a
    link to files under ``<key>_url``); ``file_counts`` the number of files stored per
    requirement; ``orders`` what Gelato said about each order number.
    """
    items = []
    for requirement in scenario.requirements:
        needed = requirement.mandatory or _made_needed(requirement, answers)
        check = requirement.kind.check(
            requirement,
            answers,
            orders=orders,
            file_count=file_counts.get(requirement.key, 0),
            today=today,
        )
        state, message = check.state, check.message
        if state == MISSING and not needed:
            state, message = NOT_NEEDED, ""
        items.append(
            ItemCheck(requirement, state, message, check.notes, dict(check.field_errors), needed)
        )
    return Completeness(tuple(items))


def _made_needed(requirement: ScenarioRequirement, answers: Mapping[str, object]) -> bool:
    if not requirement.needed_when:
        return False
    key, answer = requirement.needed_when
    return answers.get(key) == answer
