"""Every rule and claim names where it comes from, and says so when it is only our practice."""

import re
from pathlib import Path

from portal import knowledge, sources
from portal.gelato import assumptions
from portal.orders import rules
from portal.requests import scenarios

ROOT = Path(__file__).resolve().parent.parent


def rule_entries():
    """(where, text, sources) for every entry of the order rules."""
    for action in rules.ACTIONS:
        window = rules.window(action)
        yield f"{action.slug}: until when", window.rule, window.sources
    for status in [*rules.STATUSES.values(), rules.status("being_teleported")]:
        yield f"{status.code}: meaning", status.meaning, status.sources
        for slug, refusal in status.refusals.items():
            where = f"{status.code}/{slug}"
            yield f"{where}: why not", refusal.reason, refusal.reason_sources
            yield f"{where}: instead", refusal.next_step, refusal.next_step_sources
    for stage in rules.STAGES:
        yield f"stage {stage.slug}", stage.title, stage.sources
    for disagreement in rules.DISAGREEMENTS:
        for reading in disagreement.readings:
            yield disagreement.slug, reading.says, (reading.source,)


def scenario_entries():
    for scenario in scenarios.SCENARIOS:
        yield scenario.slug, scenario.summary, scenario.sources
        for item in scenario.requirements:
            yield f"{scenario.slug}/{item.key}", item.help, item.sources


def knowledge_entries():
    contact = knowledge.GELATO_SUPPORT
    for fact in contact.facts:
        yield f"contact {fact}", getattr(contact, fact), contact.sources.get(fact, ())
    yield (
        "audience",
        knowledge.WHO_GELATO_SUPPORT_SERVES,
        knowledge.WHO_GELATO_SUPPORT_SERVES_SOURCES,
    )
    yield "damage window", "", knowledge.DAMAGE_REPORT_WINDOW_SOURCES
    for item in knowledge.SETUP_RECOMMENDATIONS:
        yield item.title, item.why, item.sources


def all_entries():
    yield from rule_entries()
    yield from scenario_entries()
    yield from knowledge_entries()


def test_every_entry_names_its_sources():
    problems = []
    for where, _, cited in all_entries():
        if not cited:
            problems.append(f"{where} names no source")
        if len(set(cited)) != len(cited):
            problems.append(f"{where} names a source twice")
        problems += [
            f"{where} cites {source.slug}, which the sources page lacks"
            for source in cited
            if source not in sources.ALL
        ]
    assert not problems


def test_every_contact_fact_has_an_entry_and_nothing_else_does():
    contact = knowledge.GELATO_SUPPORT
    assert set(contact.sources) == set(contact.facts)


def test_what_says_gelato_documents_it_cites_gelato():
    wrong = [
        where
        for where, text, cited in all_entries()
        if "as documented by gelato" in text.lower()
        and not any(source.is_gelato for source in cited)
    ]
    assert not wrong


def test_a_rule_of_our_own_says_so():
    # What the agent reads as a limit or a reason must not pass our practice off as Gelato's.
    silent = [
        where
        for where, text, cited in rule_entries()
        if sources.OUR_PRACTICE in cited
        and not where.endswith("instead")
        and not where.startswith("stage")
        and not re.search(r"our practice|this help center", text, re.IGNORECASE)
    ]
    assert not silent


def test_each_source_is_one_of_the_known_kinds_with_a_unique_anchor():
    slugs = [source.slug for source in sources.ALL]
    assert len(slugs) == len(set(slugs))
    for source in sources.ALL:
        assert source.kind in sources.KINDS
        assert source.label
        assert source.document
        assert sources.source(source.slug) is source
        assert source.page_url == f"{knowledge.SOURCES.url}#{source.slug}"


def test_gelato_documents_can_be_followed_and_ours_lead_to_the_sources_page():
    for source in sources.ALL:
        if source.is_gelato:
            assert source.url.startswith("https://"), source.slug
            assert source.href == source.url
        else:
            assert not source.url
            assert source.href == source.page_url


def test_every_cited_assumption_is_one_of_the_numbered_assumptions():
    numbered = set(re.findall(r"^A(\d+)\s", assumptions.__doc__, re.MULTILINE))
    cited = {s for _, _, cited in all_entries() for s in cited if s.kind == sources.ASSUMPTION}
    assert cited
    for source in cited:
        assert source.slug.removeprefix("a") in numbered, source.slug


def test_every_source_is_cited_somewhere():
    # A source nothing rests on would be a dead entry on the sources page. Articles may cite a
    # source in their own words, with a marker the docs hook renders.
    cited = {source for _, _, entries in all_entries() for source in entries}
    markers = set()
    for page in (ROOT / "docs").rglob("*.md"):
        for argument in re.findall(r"<!-- source: ([a-z0-9+-]+) -->", page.read_text()):
            markers |= {sources.source(slug) for slug in argument.split("+")}
    assert set(sources.ALL) == cited | markers


def test_no_article_types_a_source_link_by_hand():
    # Sources reach the articles from the data, never retyped: a corrected link is one change.
    for page in (ROOT / "docs").rglob("*.md"):
        text = page.read_text()
        for source in sources.ALL:
            if source.url:
                assert source.url not in text, f"{page.relative_to(ROOT)} types {source.url}"


def test_the_damage_window_is_gelatos():
    assert knowledge.DAMAGE_REPORT_WINDOW_SOURCES == (sources.GUIDE_CURRENT,)


def test_a_refusal_shows_the_sources_of_its_reason_and_next_step_once_each():
    refusal = rules.why_not(rules.CHANGE_ADDRESS, "printed")
    assert refusal.sources[: len(refusal.reason_sources)] == refusal.reason_sources
    assert set(refusal.sources) == set(refusal.reason_sources + refusal.next_step_sources)
    assert len(set(refusal.sources)) == len(refusal.sources)
