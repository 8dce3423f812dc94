"""MkDocs hooks: facts defined once in the portal package reach the articles here.

Articles never type a contact detail, a support request's checklist or a status rule by hand; they
name it, and this hook writes it in while the site is built:

- inline placeholders such as ``{{ contact.email }}`` (every name is in ``PLACEHOLDERS``);
- block markers alone on their line, such as ``<!-- requirements: damaged-product -->`` or
  ``<!-- status-table -->`` (every name is in ``BLOCKS``); indented, they render inside the tab
  or admonition they are indented into.

An unknown name stops the build, so a typo never reaches a reader. The portal reads the same
modules, which is what keeps the articles and the forms in agreement.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from mkdocs.exceptions import PluginError

# The portal package sits next to docs/, and mkdocs does not put the project on sys.path.
_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
if _PROJECT_ROOT not in sys.path:
    sys.path.insert(0, _PROJECT_ROOT)

from portal import knowledge  # noqa: E402
from portal.orders import rules  # noqa: E402
from portal.requests import scenarios  # noqa: E402

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
_BLOCK = re.compile(r"^([ ]*)<!-- ([a-z-]+)(?:: ([a-z0-9_-]+))? -->$", re.MULTILINE)

#: Material icons for the cards, by action or scenario slug.
ICONS = {
    "check-status": "material-clipboard-search-outline",
    "check-tracking": "material-truck-delivery-outline",
    "change-address": "material-map-marker-radius-outline",
    "change-shipping-method": "material-truck-fast-outline",
    "cancel-order": "material-cancel",
    "reorder": "material-repeat",
    "damaged-product": "material-package-variant-remove",
    "file-concern": "material-image-broken-variant",
    "address-problem": "material-home-alert-outline",
    "api-submission-failure": "material-api-off",
    "delivery-problem": "material-map-search-outline",
    "something-else": "material-message-question-outline",
}


_CONTACT = knowledge.GELATO_SUPPORT

#: Every inline placeholder and the Markdown it becomes. Names no article uses yet are kept, so
#: that a writer who needs the fact has a way to say it other than typing it.
PLACEHOLDERS = {
    "contact.email": f"[{_CONTACT.email}]({_CONTACT.mailto})",
    "contact.address": _CONTACT.email,
    "contact.hours": _CONTACT.hours,
    "contact.email_response": _CONTACT.email_response,
    "contact.chat_response": _CONTACT.chat_response,
    "contact.button": _CONTACT.contact_button,
    "contact.help_center": f"[{_CONTACT.help_center_name}]({_CONTACT.help_center_url})",
    "contact.audience": knowledge.WHO_GELATO_SUPPORT_SERVES,
    "damage.window_days": str(knowledge.DAMAGE_REPORT_WINDOW_DAYS),
}


def on_files(files, config):
    # Every article the portal or a rule links to must exist, or the build stops.
    for article in linked_articles():
        if files.get_file_from_path(article.path) is None:
            raise PluginError(f"docs/{article.path} is linked from the portal but missing.")
    return files


def on_page_markdown(markdown, page, config, files):
    here = page.file.src_uri

    def inline(match):
        name = match.group(1)
        if name not in PLACEHOLDERS:
            raise PluginError(f"{here}: unknown placeholder {{{{ {name} }}}}")
        return PLACEHOLDERS[name]

    def block(match):
        indent, name, argument = match.groups()
        if name not in BLOCKS:
            return match.group(0)  # an ordinary HTML comment
        try:
            rendered = BLOCKS[name](here, argument)
        except KeyError as error:
            marker = match.group(0).strip()
            raise PluginError(f"{here}: {marker} names nothing known ({error})") from None
        # A marker indented into a tab or an admonition renders there.
        return "\n".join(indent + line if line else line for line in rendered.splitlines())

    return _PLACEHOLDER.sub(inline, _BLOCK.sub(block, markdown))


def on_post_build(config, **kwargs):
    # The portal's health check reports when the site it serves was built.
    info = {"built_at": datetime.now(UTC).isoformat(timespec="seconds")}
    Path(config["site_dir"], "build-info.json").write_text(json.dumps(info))


# Blocks. Each takes the source path of the page it renders into (links are relative to it) and
# the marker's argument, and returns Markdown.


def _contact_details(here, argument):
    button = f"the **{_CONTACT.contact_button}** button in {PLACEHOLDERS['contact.help_center']}"
    return "\n".join(
        [
            "| Channel | How to reach it | Usual answer time |",
            "|---|---|---|",
            f"| Chat | {button} | {_CONTACT.chat_response} |",
            f"| Email | {button}, or write to {PLACEHOLDERS['contact.email']} "
            f"| {_CONTACT.email_response} |",
            "",
            f"As documented by Gelato, its support team is reachable **{_CONTACT.hours}**, on "
            "every channel.",
        ]
    )


def _setup_recommendations(here, argument):
    return "\n".join(
        f"- [ ] **{item.title}.** {item.why}" for item in knowledge.SETUP_RECOMMENDATIONS
    )


def _requirements(here, slug):
    scenario = scenarios.scenario(slug)
    lines = []
    for item in scenario.requirements:
        need = "required" if item.mandatory else "if it applies"
        lines.append(f"- [ ] **{item.label}** ({need}): {item.help}")
    return "\n".join(lines)


def _notice(here, slug):
    scenario = scenarios.scenario(slug)
    if not scenario.notice:
        raise KeyError(f"{slug} is not started by Gelato")
    lines = [
        f"**From:** {scenario.notice_from}.",
        "",
        "**It contains**, as documented by Gelato:",
        "",
    ]
    lines += [f"- {_capitalise(line)}" for line in scenario.notice]
    return "\n".join(lines)


def _request_button(here, slug):
    scenario = scenarios.scenario(slug)
    if scenario.started_by == scenarios.GELATO:
        label = "Prepare your answer in the portal"
    else:
        label = "Prepare the request in the portal"
    return _button(f":material-email-edit-outline: {label}", scenario.portal_path)


def _action_button(here, slug):
    action = rules.action(slug)
    return _button(":material-form-select: Open the guided form in the portal", action.portal_path)


def _status_rule(here, slug):
    action = rules.action(slug)
    allowed = rules.statuses_allowing(action)
    refused = [s for s in rules.STATUSES.values() if not s.allows(action)]
    if not refused:
        return (
            '!!! success "Possible in every status"\n\n'
            f"    From {_status_link(here, allowed[0])} to {_status_link(here, allowed[-1])}, "
            "whatever the order's status."
        )
    names = ", ".join(_status_link(here, s) for s in allowed)
    rows = [
        '!!! success "Possible while the order is"',
        "",
        f"    {names}.",
        "",
        '!!! failure "Not possible when the order is"',
        "",
        "    | Status | Why not | What to do instead |",
        "    |---|---|---|",
    ]
    for status in refused:
        refusal = status.refusals[action.slug]
        rows.append(
            f"    | {_status_link(here, status)} | {refusal.reason} | {_next_step(here, refusal)} |"
        )
    return "\n".join(rows)


def _action_windows(here, argument):
    lines = ["| Action | Possible while the order is |", "|---|---|"]
    for action in rules.ACTIONS:
        allowed = rules.statuses_allowing(action)
        if len(allowed) == len(rules.STATUSES):
            when = "in any status"
        else:
            when = ", ".join(_status_link(here, s) for s in allowed)
        lines.append(f"| {_link(here, action.article)} | {when} |")
    return "\n".join(lines)


def _status_meaning(here, code):
    status = rules.STATUSES[code]
    return f"{_status_link(here, status)}: {status.meaning}"


def _status_allows(here, code):
    # Placed under the status's meaning, as in the glossary.
    possible = [a for a in rules.ACTIONS if rules.STATUSES[code].allows(a)]
    return "**Still possible:** " + ", ".join(_link(here, a.article) for a in possible) + "."


def _tracking_statuses(here, argument):
    handed = [s for s in rules.STATUSES.values() if s.handed_to_carrier]
    return ", ".join(_status_link(here, s) for s in handed) + "."


def _status_table(here, argument):
    actions = rules.ACTIONS
    lines = [
        "## At a glance",
        "",
        "| Status | In plain words | " + " | ".join(a.short_title for a in actions) + " |",
        "|---|---|" + "|".join("---" for _ in actions) + "|",
    ]
    for status in rules.STATUSES.values():
        marks = " | ".join("✓" if status.allows(a) else "✗" for a in actions)
        lines.append(f"| [`{status.code}`](#{status.code}) | {status.label} | {marks} |")
    lines.append("")
    lines.append("✓ possible through self-service, ✗ not possible (the entry says why).")
    for stage in rules.STAGES:
        members = [s for s in rules.STATUSES.values() if s.stage == stage]
        lines += ["", f"## {stage.title}"]
        for status in members:
            lines += ["", *_status_entry(here, status)]
    return "\n".join(lines)


def _status_entry(here, status):
    lines = [
        f"### {status.label} (`{status.code}`) {{ #{status.code} }}",
        "",
        status.meaning,
        "",
        _status_allows(here, status.code),
    ]
    refused = [a for a in rules.ACTIONS if not status.allows(a)]
    if refused:
        lines += ["", "**Not possible:**", ""]
        for action in refused:
            refusal = status.refusals[action.slug]
            lines.append(
                f"- **{action.title}**: {refusal.reason} *Instead:* {_next_step(here, refusal)}"
            )
    if status.see is not None:
        lines += ["", f"More: {_link(here, status.see)}."]
    return lines


def _action_cards(here, argument):
    return _cards(here, rules.ACTIONS)


def _situation_cards(here, argument):
    # A card that leads to the page it is on would be a dead end.
    return _cards(here, [s for s in scenarios.SCENARIOS if s.article.path != here])


BLOCKS = {
    "contact-details": _contact_details,
    "setup-recommendations": _setup_recommendations,
    "requirements": _requirements,
    "notice": _notice,
    "request-button": _request_button,
    "action-button": _action_button,
    "status-rule": _status_rule,
    "action-windows": _action_windows,
    "status-meaning": _status_meaning,
    "status-allows": _status_allows,
    "tracking-statuses": _tracking_statuses,
    "status-table": _status_table,
    "action-cards": _action_cards,
    "situation-cards": _situation_cards,
}


# Small pieces of Markdown.


def _cards(here, entries):
    """Material grid cards for actions or scenarios: title, summary, the portal's form."""
    lines = ['<div class="grid cards" markdown>', ""]
    for entry in entries:
        link = f"[{entry.title}]({_relative(here, entry.article.path)})"
        lines += [
            f"-   :{ICONS[entry.slug]}:{{ .lg .middle }} **{link}**",
            "",
            "    ---",
            "",
            f"    {entry.summary}",
            "",
            f"    [:material-arrow-right: In the portal]({entry.portal_path})",
            "",
        ]
    lines.append("</div>")
    return "\n".join(lines)


def _button(label, url):
    return f"[{label}]({url}){{ .md-button .md-button--primary .portal-button }}"


def _next_step(here, refusal):
    if refusal.see is None:
        return refusal.next_step
    return f"{refusal.next_step} See {_link(here, refusal.see)}."


def _status_link(here, status):
    target = _relative(here, knowledge.STATUS_GLOSSARY.path)
    if here == knowledge.STATUS_GLOSSARY.path:
        target = ""
    return f"[{status.label}]({target}#{status.code}) (`{status.code}`)"


def _link(here, article):
    return f"[{article.title}]({_relative(here, article.path)})"


def _relative(here, path):
    return posixpath.relpath(path, posixpath.dirname(here) or ".")


def _capitalise(text):
    return text[:1].upper() + text[1:]


def linked_articles():
    """Every article the portal or a rule links to."""
    yield knowledge.CONTACT
    yield knowledge.STATUS_GLOSSARY
    yield knowledge.WHERE_IS_MY_ORDER
    yield knowledge.ON_HOLD_OR_FAILED
    for action in rules.ACTIONS:
        yield action.article
    for scenario in scenarios.SCENARIOS:
        yield scenario.article
    for status in rules.STATUSES.values():
        if status.see is not None:
            yield status.see
        for refusal in status.refusals.values():
            if refusal.see is not None:
                yield refusal.see
