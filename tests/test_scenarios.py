"""What Gelato needs in each support situation."""

from datetime import date

import pytest

from portal.knowledge import DAMAGE_REPORT_WINDOW_DAYS
from portal.requests import scenarios
from portal.requests.scenarios import ScenarioRequirement
from portal.sources import OUR_PRACTICE


def test_damaged_product_needs_everything_gelato_documents():
    damaged = scenarios.scenario("damaged-product")
    assert [r.key for r in damaged.mandatory] == [
        "order_number",
        "damage_description",
        "photos_item",
        "photos_packaging_outside",
        "photos_packaging_inside",
    ]
    assert not damaged.requirement("reorder_number").mandatory
    assert damaged.started_by == scenarios.MERCHANT


def test_the_delivery_date_is_asked_for_but_not_required():
    # Gelato's list is the original order, the reorder, a description and photos; the date only
    # shows that the report is within the window, so it is our practice to ask, not a must.
    delivery_date = scenarios.DAMAGED_PRODUCT.requirement("delivery_date")
    assert not delivery_date.mandatory
    assert delivery_date.sources[0] is OUR_PRACTICE
    assert "Gelato does not ask for it" in delivery_date.help


def test_what_gelato_lists_is_required_and_cites_gelato():
    # Every required item rests on one of Gelato's documents, or says plainly that it is ours.
    for scenario in scenarios.SCENARIOS:
        for item in scenario.mandatory:
            assert item.sources, (scenario.slug, item.key)
            if not any(source.is_gelato for source in item.sources):
                assert item.sources == (OUR_PRACTICE,), (scenario.slug, item.key)


def test_only_what_gelato_starts_names_a_sender():
    for scenario in scenarios.SCENARIOS:
        assert bool(scenario.notice) == (scenario.started_by == scenarios.GELATO)
        assert any(source.is_gelato for source in scenario.sources), scenario.slug


def test_api_failure_needs_the_logs():
    failure = scenarios.scenario("api-submission-failure")
    assert failure.requirement("api_logs").mandatory
    assert failure.requirement("error_description").mandatory


@pytest.mark.parametrize("slug", ["file-concern", "address-problem"])
def test_gelato_starts_some_conversations_and_says_what_it_sends(slug):
    scenario = scenarios.scenario(slug)
    assert scenario.started_by == scenarios.GELATO
    assert scenario.notice_from
    assert len(scenario.notice) == 3


def test_keys_are_unique_within_each_scenario():
    for scenario in scenarios.SCENARIOS:
        keys = [r.key for r in scenario.requirements]
        assert len(keys) == len(set(keys)), scenario.slug


def test_each_scenario_has_its_own_form():
    paths = {s.portal_path for s in scenarios.SCENARIOS}
    assert len(paths) == len(scenarios.SCENARIOS)
    assert scenarios.DAMAGED_PRODUCT.portal_path == "/portal/requests/new/damaged-product/"
    assert scenarios.DAMAGED_PRODUCT.article.url == "/support/damaged-product/"


@pytest.mark.parametrize(
    ("delivered", "today", "in_time"),
    [
        (date(2025, 3, 1), date(2025, 3, 1), True),
        (date(2025, 3, 1), date(2025, 3, 1 + DAMAGE_REPORT_WINDOW_DAYS - 1), True),
        (date(2025, 3, 1), date(2025, 3, 31), True),
        (date(2025, 3, 1), date(2025, 4, 1), False),
        (date(2025, 3, 2), date(2025, 3, 1), False),  # not delivered yet
    ],
)
def test_damage_window(delivered, today, in_time):
    assert scenarios.DAMAGE_REPORT_WINDOW.contains(delivered, today) is in_time


def test_a_requirement_with_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        ScenarioRequirement("x", "X", True, "help", kind="colour")
    with pytest.raises(ValueError, match="choices"):
        ScenarioRequirement("x", "X", True, "help", kind="choice")
