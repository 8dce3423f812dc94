"""The request forms, one per scenario, built from its requirements.

Each requirement becomes the field its kind calls for, under the requirement's key, so the form
cannot ask for less or other than the scenario (and its article) says. The fields only carry
values: whether they are complete is decided by ``completeness``, whose sentences are put beside
the fields here.
"""

from __future__ import annotations

from functools import cache

from flask import request
from wtforms import (
    BooleanField,
    FileField,
    FormField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)

from portal.orders.addresses import clean_address
from portal.orders.forms import AddressForm, PostedForm
from portal.requests.completeness import INVALID, MISSING, Completeness
from portal.requests.compose import header_text
from portal.requests.drafts import Draft, Submission
from portal.requests.lookup import ORDER_KINDS
from portal.requests.scenarios import Scenario
from portal.requests.scenarios import scenario as scenario_named
from portal.requests.uploads import Upload


class CorrectedAddressForm(AddressForm):
    """The change-address form's fields and checks, inside a request form (one token is enough)."""

    class Meta:
        csrf = False


class RequestForm(PostedForm):
    scenario: Scenario

    def fill(self, draft: Draft) -> None:
        """Show the draft's answers (on a page that is not a submission)."""
        for requirement in self.scenario.requirements:
            key, value = requirement.key, draft.answers.get(requirement.key)
            field = self[key]
            if requirement.kind == "confirm":
                field.data = value == "yes"
            elif requirement.kind == "address":
                for name in field.form.address_fields:
                    field.form[name].data = (value or {}).get(name, "")
            elif requirement.kind not in ("photos", "files"):
                field.data = value or ""
            if requirement.kind == "files":
                self[f"{key}_url"].data = draft.answers.get(f"{key}_url", "")

    def submission(self) -> Submission:
        """What was sent: answers by requirement key, and the files chosen."""
        answers: dict = {}
        files: dict[str, list[Upload]] = {}
        log_files: dict[str, list[Upload]] = {}
        for requirement in self.scenario.requirements:
            key, kind = requirement.key, requirement.kind
            field = self[key]
            if kind == "confirm":
                answers[key] = "yes" if field.data else ""
            elif kind == "address":
                # Trimmed, codes in capitals, as the change-address form sends them.
                answers[key] = clean_address(
                    {
                        name: header_text(field.form[name].data or "", 300)
                        for name in field.form.address_fields
                    }
                )
            elif kind in ("photos", "files"):
                files[key] = _uploads(key)
                if kind == "files":
                    answers[f"{key}_url"] = header_text(self[f"{key}_url"].data or "", 2100)
            elif kind in ("long_text", "logs"):
                answers[key] = (field.data or "").replace("\r\n", "\n").strip()
                if kind == "logs":
                    log_files[key] = _uploads(f"{key}_file")
            else:
                # One line: a line break here could only be an attempt to add a mail header.
                answers[key] = header_text(field.data or "", 1000)
        return Submission(answers=answers, files=files, log_files=log_files)

    def show(self, verdict: Completeness, draft: Draft, *, name_missing: bool) -> None:
        """Put each problem beside its field: wrong values always, missing ones once asked.
        ``messages`` holds them by requirement key (an address's also go to its own fields)."""
        self.messages: dict[str, list[str]] = {}
        for item in verdict.items:
            messages = list(draft.refusals.get(item.key, []))
            if item.state == INVALID or (item.state == MISSING and name_missing):
                messages.insert(0, item.message)
            self.messages[item.key] = messages
            if item.requirement.kind == "address":
                for name, message in item.field_errors.items():
                    self[item.key].form[name].errors = [message]


def _uploads(name: str) -> list[Upload]:
    return [
        Upload(file.filename or "file", file.read())
        for file in request.files.getlist(name)
        if file and (file.filename or file.content_length)
    ]


@cache
def form_class(slug: str) -> type[RequestForm]:
    scenario = scenario_named(slug)
    fields: dict = {"scenario": scenario}
    for requirement in scenario.requirements:
        key, label, kind = requirement.key, requirement.label, requirement.kind
        if kind in ORDER_KINDS:
            fields[key] = StringField(label, render_kw={"maxlength": 200, "autocomplete": "off"})
        elif kind == "text":
            fields[key] = StringField(label, render_kw={"maxlength": 200})
        elif kind == "long_text":
            fields[key] = TextAreaField(label, render_kw={"rows": 6})
        elif kind == "logs":
            fields[key] = TextAreaField(label, render_kw={"rows": 12, "spellcheck": "false"})
            fields[f"{key}_file"] = FileField("Or attach the log file")
        elif kind == "date":
            fields[key] = StringField(label, render_kw={"type": "date"})
        elif kind == "choice":
            choices = [SelectChoice(choice) for choice in requirement.choices]
            fields[key] = RadioField(label, choices=choices, validate_choice=False)
        elif kind == "confirm":
            fields[key] = BooleanField(label)
        elif kind == "address":
            fields[key] = FormField(CorrectedAddressForm, label)
        elif kind == "photos":
            fields[key] = MultipleFileField(label, render_kw={"accept": "image/*,.heic,.heif"})
        elif kind == "files":
            fields[key] = MultipleFileField(label)
            fields[f"{key}_url"] = StringField("Or a link to it", render_kw={"type": "url"})
        else:  # pragma: no cover - REQUIREMENT_KINDS and this list are tested to agree
            raise ValueError(f"No field for the kind {kind!r}")
    return type(f"{scenario.slug.title().replace('-', '')}Form", (RequestForm,), fields)
