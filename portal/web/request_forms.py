"""The request forms, one per scenario, built from its requirements.

Each requirement contributes the fields its kind gives it (``portal/requests/kinds.py``), under
the requirement's key, so the form cannot ask for less or other than the scenario (and its
article) says. The form only carries values and the CSRF token: reading them into answers is the
kinds' work, and whether they are complete is ``completeness``'s, whose sentences are put beside
the fields here.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from flask import request
from wtforms import Field, FormField

from portal.requests.completeness import INVALID, MISSING, Completeness
from portal.requests.drafts import Draft, Submission
from portal.requests.scenarios import Scenario
from portal.requests.scenarios import scenario as scenario_named
from portal.requests.uploads import Upload
from portal.web.order_forms import PostedForm


class RequestForm(PostedForm):
    scenario: Scenario

    def fill(self, draft: Draft) -> None:
        """Show the draft's answers (on a page that is not a submission)."""
        fields = dict(_leaf_fields(self))
        for requirement in self.scenario.requirements:
            for name, value in requirement.kind.field_values(requirement, draft.answers).items():
                fields[name].data = value

    def submission(self) -> Submission:
        """What was sent: answers by the draft's keys, and the files chosen."""
        values = {name: field.data for name, field in _leaf_fields(self)}
        return Submission.read(self.scenario, values, _uploads())

    def show(self, verdict: Completeness, draft: Draft, *, name_missing: bool) -> None:
        """Put each problem beside its field: wrong values always, missing ones once asked.
        ``messages`` holds them by requirement key (an address's also go to its own fields)."""
        self.messages: dict[str, list[str]] = {}
        for item in verdict.items:
            messages = list(draft.refusals.get(item.key, []))
            if item.state == INVALID or (item.state == MISSING and name_missing):
                messages.insert(0, item.message)
            self.messages[item.key] = messages
            field = self[item.key]
            for name, message in item.field_errors.items():
                field.form[name].errors = [message]


def _leaf_fields(form) -> Iterator[tuple[str, Field]]:
    """Every input of the form by the name the page gives it (an address's fields inside it)."""
    for field in form:
        if isinstance(field, FormField):
            yield from _leaf_fields(field.form)
        elif field.name != "csrf_token":
            yield field.name, field


def _uploads() -> dict[str, list[Upload]]:
    return {
        name: [
            Upload(file.filename or "file", file.read())
            for file in request.files.getlist(name)
            if file and (file.filename or file.content_length)
        ]
        for name in request.files
    }


@cache
def form_class(slug: str) -> type[RequestForm]:
    scenario = scenario_named(slug)
    fields: dict = {"scenario": scenario}
    for requirement in scenario.requirements:
        fields.update(requirement.kind.form_fields(requirement))
    return type(f"{scenario.slug.title().replace('-', '')}Form", (RequestForm,), fields)
