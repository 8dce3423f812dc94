"""MkDocs hooks: facts defined once in the portal package reach the articles here.

Articles never type a contact detail, a support request's checklist or a status rule by hand; they
name it, and this hook writes it in while the site is built:

- inline placeholders such as ``{{ contact.email }}`` (every name is in ``PLACEHOLDERS``);
- block markers alone on their line, such as ``<!-- requirements: damaged-product -->`` or
  ``<!-- status-table -->`` (every name is in ``BLOCKS``); indented, they render inside the tab
  or admonition they are indented into.

Every rule and checklist item is rendered with its sources ("Source: ..."), from the same data, so
a reader can check what Gelato says and see what is only our practice. An unknown name stops the
build, so a typo never reaches a reader. The portal reads the same modules, which is what keeps
the articles and the forms in agreement.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from mkdocs.exceptions import PluginError

# The portal package sits next to docs/, and mkdocs does not put the project on sys.path.
_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
if _PROJECT_ROOT not in sys.path:
    sys.path.insert(0, _PROJECT_ROOT)

from portal import api, knowledge, sources  # noqa: E402
from portal.api import problems  # noqa: E402
from portal.gelato import assumptions  # noqa: E402
from portal.orders import rules  # noqa: E402
from portal.requests import scenarios  # noqa: E402

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
_BLOCK = re.compile(r"^([ ]*)<!-- ([a-z-]+)(?:: ([a-z0-9_+-]+))? -->$", re.MULTILINE)

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
    "damage.window_days": str(scenarios.DAMAGE_REPORT_WINDOW.days),
    "reorder.window_days": str(rules.REPEAT_REORDER_WINDOW_DAYS),
}


#: Sources that articles cite in their own words (``<!-- source: slug -->``), by source: the
#: articles, for the sources page. Filled before any page is rendered.
_CITED_BY_ARTICLES: dict[sources.Source, list[knowledge.Article]] = {}


def on_files(files, config):
    # Every article the portal or a rule links to must exist, or the build stops.
    for article in linked_articles():
        if files.get_file_from_path(article.path) is None:
            raise PluginError(f"docs/{article.path} is linked from the portal but missing.")
    _CITED_BY_ARTICLES.clear()
    for file in files.documentation_pages():
        text = Path(file.abs_src_path).read_text(encoding="utf-8")
        title = re.search(r"^# (.+)$", text, re.MULTILINE)
        article = knowledge.Article(file.src_uri, title.group(1) if title else file.src_uri)
        for _indent, name, argument in _BLOCK.findall(text):
            if name != "source":
                continue
            for slug in argument.split("+"):
                try:
                    cited = sources.source(slug)
                except KeyError:
                    raise PluginError(f"{file.src_uri}: no source {slug!r}") from None
                _CITED_BY_ARTICLES.setdefault(cited, []).append(article)
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


def on_env(env, config, files):
    # Material's templates are the same from one build to the next: compile them once, not on
    # every build (a third of a second of each rebuild).
    cache = Path(_PROJECT_ROOT, ".cache", "site-templates")
    cache.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(cache))
    return env


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
            "",
            _source_line(here, _CONTACT.all_sources),
        ]
    )


def _audience_source(here, argument):
    return _source_line(here, knowledge.WHO_GELATO_SUPPORT_SERVES_SOURCES)


def _setup_recommendations(here, argument):
    return "\n".join(
        f"- [ ] **{item.title}.** {item.why} {_source_note(here, item.sources)}"
        for item in knowledge.SETUP_RECOMMENDATIONS
    )


def _requirements(here, slug):
    scenario = scenarios.scenario(slug)
    lines = []
    for item in scenario.requirements:
        need = "required" if item.mandatory else "if it applies"
        line = f"- [ ] **{item.label}** ({need}): {item.help} {_source_note(here, item.sources)}"
        if item.reorder_of:
            line += (
                " In the portal, **Place the reorder now** on the request's form places it and "
                "fills its number in."
            )
        lines.append(line)
    return "\n".join(lines)


def _scenario_source(here, slug):
    return _source_line(here, scenarios.scenario(slug).sources)


def _damage_window_source(here, argument):
    return _source_line(here, scenarios.DAMAGE_REPORT_WINDOW.sources)


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
    lines += ["", _source_line(here, scenario.sources)]
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
    window = rules.window(action)
    allowed = rules.statuses_allowing(action)
    refused = [s for s in rules.STATUSES.values() if not s.allows(action)]
    rows = [f"**The limit:** {window.rule}", "", _source_line(here, window.sources), ""]
    if not refused:
        rows += [
            '!!! success "Possible in every status"',
            "",
            f"    From {_status_link(here, allowed[0])} to {_status_link(here, allowed[-1])}, "
            "whatever the order's status.",
        ]
        return "\n".join(rows)
    names = ", ".join(_status_link(here, s) for s in allowed)
    rows += [
        '!!! success "Possible while the order is"',
        "",
        f"    {names}.",
        "",
        '!!! failure "Not possible when the order is"',
        "",
        "    | Status | Why not | What to do instead | Source |",
        "    |---|---|---|---|",
    ]
    for status in refused:
        refusal = status.refusals[action.slug]
        rows.append(
            f"    | {_status_link(here, status)} | {refusal.reason} | {_next_step(here, refusal)} "
            f"| {_source_links(here, refusal.sources)} |"
        )
    return "\n".join(rows)


def _action_windows(here, argument):
    lines = ["| Action | Possible while the order is | Source |", "|---|---|---|"]
    for action in rules.ACTIONS:
        allowed = rules.statuses_allowing(action)
        if len(allowed) == len(rules.STATUSES):
            when = "in any status"
        else:
            when = ", ".join(_status_link(here, s) for s in allowed)
        source = _source_links(here, rules.window(action).sources)
        lines.append(f"| {_link(here, action.article)} | {when} | {source} |")
    return "\n".join(lines)


def _status_meaning(here, code):
    status = rules.STATUSES[code]
    return f"{_status_link(here, status)}: {status.meaning} {_source_note(here, status.sources)}"


def _disagreement(here, slug):
    found = {d.slug: d for d in rules.DISAGREEMENTS}[slug]
    lines = [f'!!! question "Gelato\'s documents differ: {found.question}"', ""]
    for reading in found.readings:
        lines.append(f"    - **{_source_links(here, (reading.source,))}:** {reading.says}")
    lines += [
        "",
        f"    **This help center follows:** {found.followed}",
        "",
        f"    **Why:** {found.why}",
    ]
    return "\n".join(lines)


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
    lines += [
        "",
        "Gelato names the statuses and says what each means; grouping them into the stages "
        "below is ours. "
        + _source_line(here, tuple(dict.fromkeys(s for g in rules.STAGES for s in g.sources))),
    ]
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
        f"{status.meaning} {_source_note(here, status.sources)}",
        "",
        _status_allows(here, status.code),
    ]
    refused = [a for a in rules.ACTIONS if not status.allows(a)]
    if refused:
        lines += ["", "**Not possible:**", ""]
        for action in refused:
            refusal = status.refusals[action.slug]
            lines.append(
                f"- **{action.title}**: {refusal.reason} *Instead:* {_next_step(here, refusal)} "
                f"{_source_note(here, refusal.sources)}"
            )
    if status.see is not None:
        lines += ["", f"More: {_link(here, status.see)}."]
    return lines


def _action_cards(here, argument):
    return _cards(here, rules.ACTIONS)


def _situation_cards(here, argument):
    # A card that leads to the page it is on would be a dead end.
    return _cards(here, [s for s in scenarios.SCENARIOS if s.article.path != here])


def _source_list(here, kind):
    """The sources page: every source of ``kind`` with its document and what rests on it."""
    cited = _citations()
    lines = []
    for source in sources.ALL:
        if source.kind != kind:
            continue
        lines += [f"### {source.label} {{ #{source.slug} }}", ""]
        document = f"*{source.document}*"
        if source.section:
            document += f", {source.section}"
        if not document.rstrip("*").endswith(("?", ".")):
            document += "."
        if source.url:
            document += f" [Read it at Gelato]({source.url})."
        lines += [document, ""]
        if source.kind == sources.ASSUMPTION:
            lines += [_assumption_text(source), ""]
        entries = cited.get(source, [])
        if not entries:
            raise KeyError(f"{source.slug} is cited by no rule")
        if source.kind == sources.PRACTICE:
            lines += [f"- {entry}" for entry in entries]
        else:
            lines.append(f'??? note "What rests on it ({len(entries)})"')
            lines += ["", *(f"    - {entry}" for entry in entries)]
        lines.append("")
    return "\n".join(lines)


def _source(here, argument):
    """A "Source:" line for what the article says in its own words just above it."""
    return _source_line(here, tuple(sources.source(slug) for slug in argument.split("+")))


def _disagreements(here, argument):
    return "\n\n".join(_disagreement(here, d.slug) for d in rules.DISAGREEMENTS)


def _api_endpoints(here, argument):
    """Every operation of the JSON API, from the document the API itself serves."""
    document = api.document()
    schemas = document["components"]["schemas"]
    lines = [
        "| Method and path | Token | What it does |",
        "|---|---|---|",
    ]
    entries = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            name = operation["operationId"]
            access = "none" if not operation["security"] else operation["description"].split(".")[0]
            lines.append(
                f"| [`{method.upper()} {path}`](#{name}) | {access} | {operation['summary']} |"
            )
            success = next(status for status in operation["responses"] if status.startswith("2"))
            statuses = ", ".join(
                f"[{status}](#{problems.KINDS[int(status)].slug})"
                for status in operation["responses"]
                if not status.startswith("2")
            )
            parameters = [
                f"`{p['name']}` ({p['in']}{', required' if p['required'] else ''})"
                + (f": {p['description'].rstrip('.')}" if p.get("description") else "")
                for p in operation.get("parameters", [])
            ]
            entries += [
                "",
                f"### `{method.upper()} {path}` {{ #{name} }}",
                "",
                operation["summary"] + " " + operation["description"],
            ]
            if parameters:
                entries += ["", "Parameters: " + "; ".join(parameters) + "."]
            body = operation.get("requestBody")
            if body:
                [(media_type, content)] = body["content"].items()
                entries += ["", *_api_body(media_type, content["schema"], schemas)]
            [answer_type] = operation["responses"][success]["content"]
            answered = "JSON" if answer_type == "application/json" else f"`{answer_type}`"
            entries += [
                "",
                f"Answers {success} with {answered}"
                f"{'; or a problem: ' + statuses if statuses else ''}.",
            ]
    return "\n".join([*lines, *entries])


def _api_body(media_type, schema, schemas):
    """A request body's fields, from its schema: for a body that is one of several shapes (a
    request's scenario), each shape folded away under its own title."""
    found = schemas[schema["$ref"].rpartition("/")[2]]
    shapes = found.get("oneOf") or found.get("anyOf")
    if not shapes:
        return [f"Body (`{media_type}`):", "", *_api_fields(found, schemas)]
    told_apart = found.get("discriminator", {}).get("propertyName")
    lines = [f"Body (`{media_type}`): one of these, told apart by `{told_apart}`:"]
    for shape in shapes:
        named = schemas[shape["$ref"].rpartition("/")[2]]
        lines += ["", f'??? note "{named.get("description", named["title"])}"', ""]
        lines += [f"    {line}" if line else "" for line in _api_fields(named, schemas)]
    return lines


def _api_fields(schema, schemas, depth=0):
    lines = []
    required = set(schema.get("required", ()))
    for field, described in schema.get("properties", {}).items():
        ref = _api_ref(described)
        const = described.get("const")
        text = described.get("description", "")
        if const is not None:
            text = f"`{json.dumps(const)}`. {text}".strip()
        mark = ", required" if field in required else ""
        lines.append(f"{'    ' * depth}- `{field}` ({_api_type(described)}{mark}): {text}".rstrip())
        nested = schemas.get(ref, {}) if ref else {}
        if nested.get("properties") and depth == 0 and field != "shipping_address":
            lines += ["", *_api_fields(nested, schemas, depth + 1), ""]
    return lines


def _api_ref(described):
    for option in [described, *described.get("anyOf", ())]:
        if "$ref" in option:
            return option["$ref"].rpartition("/")[2]
    return None


def _api_type(described):
    options = described.get("anyOf", [described])
    names = []
    for option in options:
        if "$ref" in option:
            names.append("object")
        elif option.get("type") == "array":
            names.append("files" if option.get("items", {}).get("format") == "binary" else "list")
        elif option.get("type") == "object":
            names.append("object")
        elif "type" in option:
            names.append(option["type"])
    return " or ".join(dict.fromkeys(names)) or "any"


def _api_problems(here, argument):
    """What each error status of the API means: the table every problem's ``type`` leads to."""
    lines = ["| Status | Title | What it means |", "|---|---|---|"]
    for kind in problems.KINDS.values():
        anchor = f'<span id="{kind.slug}">{kind.status}</span>'
        lines.append(f"| {anchor} | {kind.title} | {kind.meaning} |")
    return "\n".join(lines)


BLOCKS = {
    "api-endpoints": _api_endpoints,
    "api-problems": _api_problems,
    "contact-details": _contact_details,
    "audience-source": _audience_source,
    "setup-recommendations": _setup_recommendations,
    "requirements": _requirements,
    "scenario-source": _scenario_source,
    "damage-window-source": _damage_window_source,
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
    "disagreement": _disagreement,
    "disagreements": _disagreements,
    "source-list": _source_list,
    "source": _source,
}


# Small pieces of Markdown.


def _cards(here, entries):
    """Material grid cards for actions or scenarios: icon, title, summary, the portal's form."""
    lines = ['<div class="grid cards" markdown>', ""]
    for entry in entries:
        link = f"[{entry.title}]({_relative(here, entry.article.path)})"
        lines += [
            f"-   :{entry.icon}:{{ .lg .middle }} **{link}**",
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


def _source_links(here, cited):
    """The sources as links: Gelato's own page where there is one, else the sources page."""
    if not cited:
        raise KeyError("an entry without a source")
    return "; ".join(f"[{source.label}]({_source_href(here, source)})" for source in cited)


def _source_line(here, cited):
    """A "Source:" line of its own, under what it backs."""
    word = "Source" if len(cited) == 1 else "Sources"
    return f"*{word}:* {_source_links(here, cited)}."


def _source_note(here, cited):
    """The same, in brackets at the end of a sentence or a list item."""
    return f"({_source_line(here, cited)})"


def _source_href(here, source):
    if source.url:
        return source.url
    if here == sources.PAGE:
        return f"#{source.slug}"
    return f"{_relative(here, sources.PAGE)}#{source.slug}"


_ASSUMPTION = re.compile(r"^A(\d+)\s+(.*?)(?=^A\d+\s|\Z)", re.MULTILINE | re.DOTALL)


#: A sentence that names a constant of the code speaks to developers, not agents.
_NAMES_CODE = re.compile(r"\b[A-Z]+_[A-Z_]+\b")


def _assumption_text(source):
    """An assumption in the words of ``portal/gelato/assumptions.py``, the one place it lives."""
    number = source.slug.removeprefix("a")
    for found, text in _ASSUMPTION.findall(assumptions.__doc__):
        if found == number:
            sentences = re.split(r"(?<=\.) ", " ".join(text.replace("``", "`").split()))
            return " ".join(s for s in sentences if not _NAMES_CODE.search(s))
    raise KeyError(f"assumption A{number} is not in portal/gelato/assumptions.py")


def _citations():
    """Every entry of the rules, the scenarios and the contact facts, by the source it cites:
    what the sources page lists under each source."""
    cited = defaultdict(list)

    def cite(entry_sources, where, text):
        for source in entry_sources:
            cited[source].append(f"{where}: {text}")

    here = sources.PAGE
    for action in rules.ACTIONS:
        window = rules.window(action)
        cite(window.sources, f"{_link(here, action.article)}, until when", window.rule)
        # A refusal shared by several statuses is listed once, with all of them.
        refused = defaultdict(list)
        for status in rules.STATUSES.values():
            if not status.allows(action):
                refused[status.refusals[action.slug]].append(_status_link(here, status))
        for refusal, names in refused.items():
            where = f"{action.title}, when the order is {', '.join(names)}"
            cite(refusal.reason_sources, f"{where}: why not", refusal.reason)
            cite(refusal.next_step_sources, f"{where}: what to do instead", refusal.next_step)
    for status in rules.STATUSES.values():
        cite(status.sources, f"{_status_link(here, status)}, what it means", status.meaning)
    for stage in rules.STAGES:
        cite(stage.sources, "A stage of the status glossary", stage.title)
    for found in rules.DISAGREEMENTS:
        for reading in found.readings:
            cite((reading.source,), found.question, reading.says)
    for scenario in scenarios.SCENARIOS:
        title = _link(here, scenario.article)
        if scenario.article.title != scenario.title:
            title += f" ({scenario.title})"
        cite(scenario.sources, title, "who writes first, and what the message contains")
        for item in scenario.requirements:
            cite(item.sources, f"{title}, {item.label}", item.help)
    contact = _link(here, knowledge.CONTACT)
    for fact in _CONTACT.facts:
        cite(_CONTACT.sources[fact], contact, getattr(_CONTACT, fact))
    cite(knowledge.WHO_GELATO_SUPPORT_SERVES_SOURCES, contact, knowledge.WHO_GELATO_SUPPORT_SERVES)
    window = scenarios.DAMAGE_REPORT_WINDOW
    cite(
        window.sources,
        _link(here, scenarios.DAMAGED_PRODUCT.article),
        f"reported within {window.days} days of delivery",
    )
    for item in knowledge.SETUP_RECOMMENDATIONS:
        cite(item.sources, contact, f"{item.title}. {item.why}")
    for source, articles in _CITED_BY_ARTICLES.items():
        for article in dict.fromkeys(articles):
            cited[source].append(f"{_link(here, article)}: what the article says in its own words")
    return {source: list(dict.fromkeys(entries)) for source, entries in cited.items()}


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
    yield knowledge.SOURCES
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
