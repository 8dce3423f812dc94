"""The completeness check: one verdict per requirement, with the sentence to show."""

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from portal.gelato.models import Order
from portal.requests import kinds, lookup
from portal.requests.completeness import DONE, INVALID, MISSING, NOT_NEEDED, check_request
from portal.requests.lookup import OrderFacts
from portal.requests.scenarios import (
    ADDRESS_PROBLEM,
    API_SUBMISSION_FAILURE,
    CORRECTED_FILE,
    DAMAGED_PRODUCT,
    FILE_CONCERN,
    MERCHANT,
    SCENARIOS,
    SOMETHING_ELSE,
    Scenario,
    ScenarioRequirement,
)

TEMPLATES = Path(kinds.__file__).parent.parent / "templates"
TODAY = date(2025, 3, 20)
ADDRESS = {
    "first_name": "Paul",
    "last_name": "Smith",
    "address_line1": "Unter den Linden 5",
    "city": "Berlin",
    "post_code": "10117",
    "country": "DE",
    "email": "paul@example.com",
}


def facts(query, **values):
    return OrderFacts(query=query, outcome=lookup.FOUND, **values)


ORIGINAL = facts(
    "NW-1009",
    id="a6885746",
    reference="NW-1009",
    status="delivered",
    created_at="2025-03-01T10:00:00+00:00",
    delivered_on="2025-03-14",
    address={**ADDRESS, "post_code": "1011"},
)


def check(scenario, answers, files=None, orders=None):
    return check_request(
        scenario, answers, file_counts=files or {}, orders=orders or {}, today=TODAY
    )


def test_every_kind_has_a_macro_to_draw_it_and_a_name_of_its_own():
    macros = set(re.findall(r"\{% macro (\w+)\(", (TEMPLATES / "requests/_kinds.html").read_text()))
    for name, kind in kinds.KINDS.items():
        assert kind.name == name
        assert kind.macro in macros, name
    assert kinds.kind("photos") is kinds.PHOTOS
    with pytest.raises(ValueError, match="unknown kind 'colour'"):
        kinds.kind("colour")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.slug)
def test_an_empty_request_names_every_needed_item_and_nothing_else(scenario):
    verdict = check(scenario, {})
    assert not verdict.complete
    for item in verdict.items:
        if item.requirement.mandatory:
            assert item.state == MISSING
            assert item.message
        else:
            # Optional items do not block, except a default (a ticked box) left as it is.
            assert item.state == NOT_NEEDED


def complete_damage_claim(**changes):
    answers = {
        "order_number": "NW-1009",
        "delivery_date": "2025-03-14",
        "damage_description": "The mug's handle broke off; the box was crushed on one corner.",
        **changes,
    }
    files = {"photos_item": 2, "photos_packaging_outside": 1, "photos_packaging_inside": 1}
    return answers, files


def test_a_complete_damage_claim_passes():
    answers, files = complete_damage_claim()
    verdict = check(DAMAGED_PRODUCT, answers, files, {"order_number": ORIGINAL})
    assert verdict.complete, verdict.blocking
    assert verdict.flags == []


def test_each_photo_group_is_asked_for_by_name():
    answers, files = complete_damage_claim()
    del files["photos_packaging_inside"]
    verdict = check(DAMAGED_PRODUCT, answers, files, {"order_number": ORIGINAL})
    [item] = verdict.blocking
    assert item.key == "photos_packaging_inside"
    assert item.message == "Add at least one photo: photos of the packaging, inside."


def test_outside_the_damage_window_is_said_plainly_and_blocks_nothing():
    answers, files = complete_damage_claim(delivery_date="2025-02-03")
    unrecorded = replace(ORIGINAL, delivered_on="")  # Gelato says nothing of the delivery
    verdict = check(DAMAGED_PRODUCT, answers, files, {"order_number": unrecorded})
    assert verdict.complete
    item = verdict.item("delivery_date")
    assert item.state == DONE
    assert "Delivered 45 days ago: outside Gelato's 30-day window" in item.notes[0]


def test_the_window_counts_from_gelatos_record_of_the_delivery_not_the_typed_date():
    # Typed 6 days ago, but Gelato's items say the parcel arrived 45 days ago.
    answers, files = complete_damage_claim(delivery_date="2025-03-14")
    delivered_long_ago = replace(ORIGINAL, delivered_on="2025-02-03")
    item = check(DAMAGED_PRODUCT, answers, files, {"order_number": delivered_long_ago}).item(
        "delivery_date"
    )
    assert item.state == DONE
    assert "Delivered 45 days ago: outside Gelato's 30-day window" in item.notes[0]
    assert "Gelato records the order as delivered on 2025-02-03" in item.notes[1]
    # And the other way round: a late typed date does not close a window Gelato keeps open.
    answers, files = complete_damage_claim(delivery_date="2025-02-03")
    item = check(DAMAGED_PRODUCT, answers, files, {"order_number": ORIGINAL}).item("delivery_date")
    assert item.notes == (
        "Gelato records the order as delivered on 2025-03-14: the 30-day window counts from "
        "that day.",
    )


def test_items_delivered_apart_say_when_the_first_ones_window_ends():
    apart = replace(ORIGINAL, item_deliveries=[["Mug", "2025-02-10"], ["Poster", "2025-03-14"]])
    answers, files = complete_damage_claim()
    item = check(DAMAGED_PRODUCT, answers, files, {"order_number": apart}).item("delivery_date")
    assert item.notes[-1] == (
        "Its items arrived on different days (Mug on 2025-02-10, Poster on 2025-03-14). The "
        "window counts from each item's own delivery: for Mug it ends on 2025-03-12."
    )


def test_an_empty_delivery_date_still_says_when_gelatos_record_is_outside_the_window():
    answers, files = complete_damage_claim(delivery_date="")
    delivered_long_ago = replace(ORIGINAL, delivered_on="2025-02-03")
    item = check(DAMAGED_PRODUCT, answers, files, {"order_number": delivered_long_ago}).item(
        "delivery_date"
    )
    assert item.state == NOT_NEEDED
    assert "outside Gelato's 30-day window" in item.notes[0]


@pytest.mark.parametrize(
    ("typed", "message"),
    [("14/03/2025", "Give the date as YYYY-MM-DD"), ("2025-04-01", "is in the future")],
)
def test_a_wrong_delivery_date_is_named(typed, message):
    answers, files = complete_damage_claim(delivery_date=typed)
    item = check(DAMAGED_PRODUCT, answers, files, {"order_number": ORIGINAL}).item("delivery_date")
    assert item.state == INVALID
    assert message in item.message


def test_unknown_and_split_order_numbers_are_errors_beside_the_field():
    answers, files = complete_damage_claim(order_number="NW-9999")
    unknown = OrderFacts(query="NW-9999", outcome=lookup.NOT_FOUND)
    item = check(DAMAGED_PRODUCT, answers, files, {"order_number": unknown}).item("order_number")
    assert item.state == INVALID
    assert item.message.startswith("Gelato has no order 'NW-9999'.")

    answers, files = complete_damage_claim(order_number="NW-1019")
    split = OrderFacts(
        query="NW-1019", outcome=lookup.SEVERAL, parts=[["id-1", "shipped"], ["id-2", "printed"]]
    )
    item = check(DAMAGED_PRODUCT, answers, files, {"order_number": split}).item("order_number")
    assert "NW-1019 names 2 orders" in item.message
    assert "id-1 (shipped), id-2 (printed)" in item.message


def test_gelato_out_of_reach_is_flagged_not_blocking():
    answers, files = complete_damage_claim()
    unreachable = OrderFacts(query="NW-1009", outcome=lookup.UNAVAILABLE, message="timed out")
    verdict = check(DAMAGED_PRODUCT, answers, files, {"order_number": unreachable})
    assert verdict.complete
    assert "Gelato could not be reached to check NW-1009 (timed out)" in verdict.flags[0]


@pytest.mark.parametrize(
    ("created_at", "same", "expected"),
    [
        ("2025-03-15T09:00:00+00:00", False, None),
        ("2025-02-27T09:00:00+00:00", False, "placed on 2025-02-27, before the original"),
        ("", True, "This is the original order itself"),
    ],
)
def test_the_reorder_must_be_a_newer_order(created_at, same, expected):
    reorder = ORIGINAL if same else facts("R-1", id="r1", reference="R-1", created_at=created_at)
    answers, files = complete_damage_claim(reorder_number=reorder.query)
    orders = {"order_number": ORIGINAL, "reorder_number": reorder}
    item = check(DAMAGED_PRODUCT, answers, files, orders).item("reorder_number")
    if expected is None:
        assert item.state == DONE
    else:
        assert item.state == INVALID
        assert expected in item.message


def test_the_corrected_file_is_needed_once_the_answer_says_so():
    answers = {
        "order_number": "NW-1004",
        "concern_kind": "Spelling error",
        "concern": "The name reads 'Jonh'.",
        "direction": "Proceed as it is",
    }
    orders = {"order_number": facts("NW-1004", id="x", reference="NW-1004")}
    assert check(FILE_CONCERN, answers, orders=orders).complete

    answers["direction"] = CORRECTED_FILE
    verdict = check(FILE_CONCERN, answers, orders=orders)
    [item] = verdict.blocking
    assert (item.key, item.message) == ("corrected_file", "Attach the file, or give a link to it.")
    assert check(FILE_CONCERN, answers, {"corrected_file": 1}, orders).complete
    for link in ("javascript:alert(1)", "https://[files.shop.example/x.pdf"):
        answers["corrected_file_url"] = link
        assert check(FILE_CONCERN, answers, orders=orders).item("corrected_file").state == INVALID
    answers["corrected_file_url"] = "https://files.shop.example/jonh-fixed.pdf"
    assert check(FILE_CONCERN, answers, orders=orders).complete


def test_a_choice_outside_the_list_is_refused():
    item = check(FILE_CONCERN, {"concern_kind": "Colour"}).item("concern_kind")
    assert (item.state, item.message) == (INVALID, "Choose one of the answers listed.")


def test_the_corrected_address_is_checked_like_the_change_address_form():
    orders = {"order_number": ORIGINAL}
    answers = {"corrected_address": {**ADDRESS, "post_code": "1011X", "country": "FR"}}
    item = check(ADDRESS_PROBLEM, answers, orders=orders).item("corrected_address")
    assert item.state == INVALID
    assert item.field_errors["country"].startswith("The country cannot change (DE)")
    answers = {"corrected_address": {**ADDRESS, "post_code": "1011X"}}
    item = check(ADDRESS_PROBLEM, answers, orders=orders).item("corrected_address")
    assert item.field_errors == {"post_code": "'1011X' is not a postcode of the shape used in DE."}
    # The order's own, unchanged address is no correction.
    answers = {"corrected_address": ORIGINAL.address}
    item = check(ADDRESS_PROBLEM, answers, orders=orders).item("corrected_address")
    assert "already has" in item.message
    answers = {"corrected_address": ADDRESS}
    assert check(ADDRESS_PROBLEM, answers, orders=orders).item("corrected_address").state == DONE


def test_your_own_reference_need_not_exist_at_gelato():
    answers = {"order_number": "SHOP-10482", "error_description": "400", "api_logs": "POST ..."}
    unknown = OrderFacts(query="SHOP-10482", outcome=lookup.NOT_FOUND)
    verdict = check(API_SUBMISSION_FAILURE, answers, orders={"order_number": unknown})
    assert verdict.complete
    known = facts("SHOP-10482", status="created")
    verdict = check(API_SUBMISSION_FAILURE, answers, orders={"order_number": known})
    assert verdict.complete
    assert "may have gone through after all" in verdict.flags[0]


def test_logs_are_satisfied_by_a_file_alone():
    answers = {"order_number": "SHOP-1", "error_description": "400"}
    assert not check(API_SUBMISSION_FAILURE, answers).complete
    assert check(API_SUBMISSION_FAILURE, answers, {"api_logs": 1}).complete


def test_too_long_answers_are_named_with_the_limit():
    verdict = check(SOMETHING_ELSE, {"subject": "x" * 201, "description": "y" * 10_001})
    assert verdict.item("subject").message == "This is 201 characters long; keep it to 200."
    assert verdict.item("description").message.startswith("This is 10,001 characters long")


def test_the_live_checklist_gets_every_item():
    verdict = check(SOMETHING_ELSE, {"description": "help"})
    data = verdict.to_json()
    assert data["complete"] is False
    assert [i["key"] for i in data["items"]] == [r.key for r in SOMETHING_ELSE.requirements]
    assert [i["needed"] for i in data["items"]] == [False, True, True, False, False]


def test_a_conditional_requirement_must_wait_for_a_real_answer():
    choice = ScenarioRequirement("direction", "D", True, "h", "choice", choices=("a", "b"))
    with pytest.raises(ValueError, match="only an optional requirement"):
        ScenarioRequirement("file", "F", True, "h", "files", needed_when=("direction", "a"))
    waiting = ScenarioRequirement("file", "F", False, "h", "files", needed_when=("direction", "c"))
    with pytest.raises(ValueError, match="waits for an answer direction lacks"):
        Scenario("x", "X", "s", MERCHANT, (choice, waiting))


def test_the_delivery_date_comes_from_the_items_and_not_from_the_last_change():
    def item(reference, delivered):
        return {
            "itemReferenceId": reference,
            "productUid": "mug",
            "quantity": 1,
            "productName": reference.title(),
            "fulfillmentStatus": "delivered",
            "eventLog": [{"status": "delivered", "created": delivered}],
        }

    order = Order.from_json(
        {
            "id": "o-1",
            "orderReferenceId": "NW-1",
            "fulfillmentStatus": "delivered",
            "financialStatus": "paid",
            "createdAt": "2025-01-20T10:00:00Z",
            "updatedAt": "2025-03-19T08:00:00Z",  # refunded yesterday: not a delivery
            "items": [item("mug", "2025-02-10T09:00:00Z"), item("poster", "2025-02-12T15:00:00Z")],
        }
    )
    facts = OrderFacts.from_order("NW-1", order)
    assert facts.delivered_on == "2025-02-12"
    assert facts.item_deliveries == [["Mug", "2025-02-10"], ["Poster", "2025-02-12"]]
    answers, files = complete_damage_claim(delivery_date=facts.delivered_on)
    item = check(DAMAGED_PRODUCT, answers, files, {"order_number": facts}).item("delivery_date")
    assert "Delivered 36 days ago: outside Gelato's 30-day window" in item.notes[0]
    assert "for Mug it ends on 2025-03-12" in item.notes[-1]
