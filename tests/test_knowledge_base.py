"""The knowledge base says exactly what the portal enforces, and builds cleanly.

The tests read the site that ``make test`` has just built; run alone, with ``site/`` missing or
older than its sources, they build it once themselves, the way ``make site`` does. Facts that
live in the portal package are checked by looping over that package, so a fact changed there is
checked here without touching this file; the Dashboard steps, which only the articles hold, are
listed below.
"""

import functools
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.exceptions import HTTPException

from portal import knowledge
from portal.orders import rules
from portal.requests import kinds, scenarios

ROOT = Path(__file__).resolve().parent.parent


def start_build(project: Path, site_dir: Path) -> subprocess.Popen:
    # Not --quiet: it hides warnings from --strict as well, and a broken link would pass.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir)],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="session")
def broken_build(tmp_path_factory):
    """A copy of the knowledge base with one broken link, building while the real one builds."""
    project = tmp_path_factory.mktemp("broken")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    contact = project / "docs" / "contact.md"
    contact.write_text(contact.read_text() + "\nSee [the old page](no-such-article.md).\n")
    return start_build(project, project / "site")


def built_site_is_current() -> bool:
    """Whether ``site/`` is as ``make site`` would leave it now: make itself judges, from the
    sources its Makefile names, so the two never disagree about what the site is built from."""
    try:
        question = subprocess.run(["make", "-q", "site"], cwd=ROOT, capture_output=True)
    except FileNotFoundError:  # no make here: build to be sure
        return False
    return question.returncode == 0


@pytest.fixture(scope="session")
def site(tmp_path_factory, broken_build):
    if built_site_is_current():
        return ROOT / "site"
    site_dir = tmp_path_factory.mktemp("site")
    build = start_build(ROOT, site_dir)
    output, _ = build.communicate()
    assert build.returncode == 0, output
    return site_dir


@pytest.fixture(scope="session")
def sections(site):
    """The search index: section location -> its text, as a reader's search sees it."""
    index = json.loads((site / "search" / "search_index.json").read_text())
    return {doc["location"]: plain(doc["title"] + "\n" + doc["text"]) for doc in index["docs"]}


def plain(markup: str) -> str:
    """Text as read: inline tags vanish, block tags separate."""
    markup = re.sub(r"</?(?:a|abbr|b|code|em|i|kbd|span|strong)\b[^>]*>", "", markup)
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return re.sub(r"\s+", " ", text)


def page_text(sections, article: knowledge.Article) -> str:
    """All the searchable text of one article."""
    location = article.url.lstrip("/")
    parts = [text for loc, text in sections.items() if loc.partition("#")[0] == location]
    assert parts, f"{article.path} is not in the search index"
    return "\n".join(parts)


def page_html(site, article: knowledge.Article) -> str:
    return (site / article.url.lstrip("/") / "index.html").read_text(encoding="utf-8")


# Contact details.


def test_contact_page_gives_every_contact_fact(site, sections):
    contact = knowledge.GELATO_SUPPORT
    text = page_text(sections, knowledge.CONTACT)
    for fact in (
        contact.email,
        contact.hours,
        contact.email_response,
        contact.chat_response,
        contact.contact_button,
        contact.help_center_name,
        knowledge.WHO_GELATO_SUPPORT_SERVES,
    ):
        assert fact in text
    page = page_html(site, knowledge.CONTACT)
    assert f'href="{contact.mailto}"' in page
    assert f'href="{contact.help_center_url}"' in page


def test_contact_page_recommends_the_team_setup(sections):
    text = page_text(sections, knowledge.CONTACT)
    for recommendation in knowledge.SETUP_RECOMMENDATIONS:
        assert recommendation.title in text
        assert recommendation.why in text


def test_home_page_says_who_gelato_support_serves(sections):
    home = knowledge.Article("index.md", "What do you need to do?")
    assert knowledge.WHO_GELATO_SUPPORT_SERVES in page_text(sections, home)


def test_no_article_types_a_contact_fact_by_hand():
    contact = knowledge.GELATO_SUPPORT
    by_hand = [
        contact.email,
        contact.help_center_url,
        contact.email_response,
        contact.chat_response,
        "8 hours",
        contact.hours,
        knowledge.WHO_GELATO_SUPPORT_SERVES,
        f"{knowledge.DAMAGE_REPORT_WINDOW_DAYS} days",
    ]
    for source in (ROOT / "docs").rglob("*.md"):
        text = source.read_text(encoding="utf-8")
        for fact in by_hand:
            assert fact not in text, f"{source.relative_to(ROOT)} types {fact!r}; use the hook"


# Support requests: what each article lists is what the portal's form will enforce.


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=lambda s: s.slug)
def test_article_lists_every_requirement_of_its_scenario(site, sections, scenario):
    text = page_text(sections, scenario.article)
    for requirement in scenario.requirements:
        need = "required" if requirement.mandatory else "if it applies"
        assert f"{requirement.label} ({need}): {requirement.help}" in text
    assert f'href="{scenario.portal_path}"' in page_html(site, scenario.article)


@pytest.mark.parametrize(
    "scenario", [s for s in scenarios.SCENARIOS if s.notice], ids=lambda s: s.slug
)
def test_article_says_what_gelatos_message_contains(sections, scenario):
    text = page_text(sections, scenario.article).lower()
    assert scenario.notice_from.lower() in text
    for line in scenario.notice:
        assert line.lower() in text


def test_damaged_product_requires_the_photos_and_the_window(sections):
    text = page_text(sections, scenarios.DAMAGED_PRODUCT.article)
    photos = [r for r in scenarios.DAMAGED_PRODUCT.requirements if r.kind is kinds.PHOTOS]
    assert {r.label for r in photos} == {
        "Photos of the item",
        "Photos of the packaging, outside",
        "Photos of the packaging, inside",
    }
    assert all(r.mandatory for r in photos)
    assert f"within {knowledge.DAMAGE_REPORT_WINDOW_DAYS} days of delivery" in text


# Facts only the articles hold: Gelato's Dashboard steps and advice, each on its page.
ARTICLE_FACTS = {
    scenarios.DAMAGED_PRODUCT.article: [
        "Report a problem",
        "charged at first",
        "print and logistics partners",
        "The photos are mandatory",
    ],
    scenarios.FILE_CONCERN.article: ["spelling error", "image problem", "cropping", "reorder"],
    scenarios.ADDRESS_PROBLEM.article: [
        "automated email",
        "Open the link in the email",
        "place the reorder",
        "after the order is printed",
    ],
    scenarios.API_SUBMISSION_FAILURE.article: ["X-API-KEY: [removed]", "never send your key"],
    rules.CHECK_STATUS.article: ["Orders", "reference id", "estimated delivery date"],
    rules.CHECK_TRACKING.article: ["tracking link", "shipping method"],
    rules.CHANGE_ADDRESS.article: ["Edit", "Save", "country can never be changed"],
    rules.CHANGE_SHIPPING_METHOD.article: ["economy or express", "destination country"],
    rules.CANCEL_ORDER.article: [
        "Canceling in your store does not cancel it at Gelato",
        "Press Cancel",
    ],
    rules.REORDER.article: [
        "Press Reorder, at the top left",
        "three dots",
        "shipping quote",
        "charged",
    ],
    knowledge.ON_HOLD_OR_FAILED: [
        "is on hold - action required",
        "Check whether a reorder already exists",
        "is not charged",
    ],
    knowledge.WHERE_IS_MY_ORDER: [
        "not a guarantee",
        "Friday",
        "two business days",
        "customs",
        "local post office",
        "at your own expense",
    ],
}


@pytest.mark.parametrize(("article", "facts"), ARTICLE_FACTS.items(), ids=lambda a: str(a)[:40])
def test_article_states_gelatos_documented_facts(sections, article, facts):
    text = page_text(sections, article)
    for fact in facts:
        assert fact in text, f"{article.path} lacks {fact!r}"


@pytest.mark.parametrize(
    "article",
    [a.article for a in rules.ACTIONS]
    + [s.article for s in scenarios.SCENARIOS]
    + [knowledge.ON_HOLD_OR_FAILED, knowledge.STATUS_GLOSSARY],
    ids=lambda a: a.path,
)
def test_article_credits_gelato_for_what_it_documents(sections, article):
    assert "as documented by gelato" in page_text(sections, article).lower()


def test_where_is_my_order_has_every_branch(sections):
    titles = {
        text.split(" ", 1)[0]: loc
        for loc, text in sections.items()
        if loc.startswith(knowledge.WHERE_IS_MY_ORDER.url.lstrip("/") + "#")
    }
    for branch in (
        "on-time",
        "not-dispatched",
        "delayed-in-shipping",
        "no-tracking-update-yet",
        "lost-in-transit",
        "delivered-but-not-received",
    ):
        location = f"{knowledge.WHERE_IS_MY_ORDER.url.lstrip('/')}#{branch}"
        assert location in sections, titles
        text = sections[location]
        assert "Tell the customer" in text
        assert "Contact Gelato Support?" in text


# Self-service actions and the status rules.


@pytest.mark.parametrize("action", rules.ACTIONS, ids=lambda a: a.slug)
def test_action_article_has_steps_button_limits_and_a_reply(site, sections, action):
    text = page_text(sections, action.article)
    page = page_html(site, action.article)
    assert "Gelato Dashboard" in text
    assert "This portal" in text
    assert f'href="{action.portal_path}"' in page
    for status in rules.STATUSES.values():
        refusal = rules.why_not(action, status.code)
        if refusal is not None:
            assert refusal.reason in text
            assert refusal.next_step in text
        elif rules.statuses_allowing(action) != tuple(rules.STATUSES.values()):
            assert f"{status.label} ({status.code})" in text
        else:
            assert "Possible in every status" in text
    assert 'class="language-text highlight"' in page  # the ready reply, with its copy button


@pytest.mark.parametrize("status", rules.STATUSES.values(), ids=lambda s: s.code)
def test_glossary_lists_each_status_with_what_it_allows(sections, status):
    location = f"{knowledge.STATUS_GLOSSARY.url.lstrip('/')}#{status.code}"
    text = sections[location]
    assert status.label in text
    assert status.meaning in text
    possible, _, impossible = text.partition("Not possible:")
    for action in rules.ACTIONS:
        refusal = rules.why_not(action, status.code)
        if refusal is None:
            assert action.title in possible.partition("Still possible:")[2]
        else:
            assert f"{action.title}: {refusal.reason}" in impossible
            assert refusal.next_step in impossible


# Links between the knowledge base and the portal.


def portal_paths() -> set[str]:
    """Every portal address the knowledge base may link to: the portal's home and the forms
    named in the rules and scenarios."""
    return (
        {"/portal/"}
        | {action.portal_path for action in rules.ACTIONS}
        | {scenario.portal_path for scenario in scenarios.SCENARIOS}
    )


def test_every_portal_link_in_the_site_is_a_portal_path(site, app):
    found = set()
    for page in site.rglob("*.html"):
        found |= set(re.findall(r'href="(/portal/[^"#?]*)', page.read_text(encoding="utf-8")))
    assert found, "the site links to no portal page"
    assert found <= portal_paths(), found - portal_paths()
    # Every form the rules and scenarios name has its button somewhere in the knowledge base.
    assert found == portal_paths()
    # And the portal serves each of them, at exactly that address (no redirect, no 404).
    routes = app.url_map.bind("localhost")
    for path in sorted(found):
        try:
            endpoint, _ = routes.match(path, method="GET")
        except HTTPException as error:  # NotFound, or a redirect to another address
            pytest.fail(f"{path} is linked from the site, but the portal answers {error!r}")
        assert endpoint != "static", path


@functools.cache
def hooks_module():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_article_the_portal_links_to_exists_under_its_title(site):
    for article in hooks_module().linked_articles():
        heading = re.search(r'<h1 id="[^"]*">([^<]*)', page_html(site, article)).group(1)
        assert heading == article.title, article.path
    glossary = page_html(site, knowledge.STATUS_GLOSSARY)
    for status in rules.STATUSES.values():
        url, _, anchor = status.article_url.partition("#")
        assert url == knowledge.STATUS_GLOSSARY.url
        assert f'id="{anchor}"' in glossary


# The hook itself.


def render(markdown: str, src_uri: str = "actions/cancel-order.md") -> str:
    page = SimpleNamespace(file=SimpleNamespace(src_uri=src_uri))
    return hooks_module().on_page_markdown(markdown, page=page, config={}, files=None)


def test_placeholders_are_filled_from_the_portal_package():
    assert render("Write to {{ contact.address }}.") == (
        f"Write to {knowledge.GELATO_SUPPORT.email}."
    )
    assert render("<!-- an ordinary comment -->") == "<!-- an ordinary comment -->"


def test_indented_block_renders_inside_its_tab():
    rendered = render('=== "Tab"\n\n    <!-- action-button: cancel-order -->')
    assert "    [:material-form-select: Open the guided form in the portal]" in rendered
    assert rules.CANCEL_ORDER.portal_path in rendered


@pytest.mark.parametrize("status", rules.STATUSES.values(), ids=lambda s: s.code)
def test_status_block_lists_what_the_rules_allow(status):
    rendered = render(f"<!-- status-allows: {status.code} -->", "questions/on-hold-or-failed.md")
    for action in rules.ACTIONS:
        assert (f"[{action.title}](" in rendered) == status.allows(action), action.slug


@pytest.mark.parametrize(
    "markdown", ["{{ contact.phone }}", "<!-- requirements: no-such-scenario -->"]
)
def test_unknown_names_stop_the_build(markdown):
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError):
        render(markdown)


# The site as a whole.


def test_no_page_loads_anything_from_another_host(site):
    # Links to other sites are fine (<a href>, the canonical address); loading from them is not.
    loads = re.compile(
        r'<(?:script|img|iframe)\b[^>]*\bsrc="(?:https?:)?//'
        r'|<link\b(?![^>]*\brel="(?:canonical|alternate)")[^>]*\bhref="(?:https?:)?//',
        re.IGNORECASE,
    )
    for page in site.rglob("*.html"):
        assert not loads.search(page.read_text(encoding="utf-8")), page.relative_to(site)


def test_feedback_goes_to_the_portal_and_nowhere_else(site):
    page = page_html(site, rules.CANCEL_ORDER.article)
    assert '<form class="md-feedback" name="feedback"' in page
    assert "javascripts/feedback.js" in page
    script = (site / "javascripts" / "feedback.js").read_text()
    assert '"/api/feedback"' in script
    assert "http" not in script.replace("https://", "").lower().replace("http status", "")


def test_pages_carry_the_print_stylesheet(site):
    page = page_html(site, rules.CANCEL_ORDER.article)
    assert "stylesheets/print.css" in page
    css = (site / "stylesheets" / "print.css").read_text()
    assert "@media print" in css
    for hidden in (".md-feedback", ".md-header", ".md-sidebar", ".md-footer", ".portal-button"):
        assert hidden in css


def test_a_broken_internal_link_fails_the_strict_build(broken_build):
    output, _ = broken_build.communicate()
    assert broken_build.returncode != 0
    assert "no-such-article.md" in output


# Sources: every rule and checklist item says where it comes from, rendered from the data.


from portal import sources  # noqa: E402


def source_labels(cited) -> list[str]:
    return [source.label for source in cited]


@pytest.mark.parametrize("action", rules.ACTIONS, ids=lambda a: a.slug)
def test_action_article_states_its_limit_with_its_sources(site, sections, action):
    text = page_text(sections, action.article)
    window = rules.window(action)
    assert f"The limit: {window.rule}" in text
    for label in source_labels(window.sources):
        assert label in text
    page = page_html(site, action.article)
    for source in window.sources:
        if source.url:
            assert f'href="{source.url}"' in page
        else:
            assert f'href="../../reference/sources/#{source.slug}"' in page


@pytest.mark.parametrize("status", rules.STATUSES.values(), ids=lambda s: s.code)
def test_glossary_entry_names_the_sources_of_its_meaning_and_refusals(sections, status):
    text = sections[f"{knowledge.STATUS_GLOSSARY.url.lstrip('/')}#{status.code}"]
    meaning_line = text.partition(status.meaning)[2].partition("Still possible:")[0]
    for label in source_labels(status.sources):
        assert label in meaning_line
    for action in rules.ACTIONS:
        refusal = rules.why_not(action, status.code)
        if refusal is not None:
            entry = text.partition(f"{action.title}: {refusal.reason}")[2]
            note = entry.partition("(Source")[2].partition(")")[0]
            for label in source_labels(refusal.sources):
                assert label in note, (action.slug, label)


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=lambda s: s.slug)
def test_checklist_items_name_their_sources(sections, scenario):
    text = page_text(sections, scenario.article)
    for requirement in scenario.requirements:
        need = "required" if requirement.mandatory else "if it applies"
        line = f"{requirement.label} ({need}): {requirement.help} ("
        assert line in text
        after = text.partition(line)[2].partition(")")[0]
        for label in source_labels(requirement.sources):
            assert label in after, (requirement.key, label)


@pytest.mark.parametrize(
    "article", [rules.CANCEL_ORDER.article, knowledge.STATUS_GLOSSARY, knowledge.SOURCES]
)
def test_where_gelato_disagrees_the_page_says_so_and_which_reading_is_followed(sections, article):
    text = page_text(sections, article)
    for disagreement in rules.DISAGREEMENTS:
        assert disagreement.question in text
        for reading in disagreement.readings:
            assert reading.says in text
        assert disagreement.followed in text
        assert disagreement.why in text


def test_sources_page_lists_every_source_and_every_rule_of_our_own(site, sections):
    text = page_text(sections, knowledge.SOURCES)
    page = page_html(site, knowledge.SOURCES)
    for source in sources.ALL:
        assert source.label in text
        assert source.document in text
        assert f'id="{source.slug}"' in page
        if source.url:
            assert f'href="{source.url}"' in page
    # Our own rules are listed in full, where a support lead can review them.
    assert rules.why_not(rules.REORDER, "passed").reason in text
    assert rules.window(rules.CHANGE_SHIPPING_METHOD).rule in text
    assert scenarios.DAMAGED_PRODUCT.requirement("delivery_date").help in text


def test_contact_facts_name_their_sources(sections):
    text = page_text(sections, knowledge.CONTACT)
    for label in source_labels(knowledge.GELATO_SUPPORT.all_sources):
        assert label in text
    for label in source_labels(knowledge.WHO_GELATO_SUPPORT_SERVES_SOURCES):
        assert label in text
