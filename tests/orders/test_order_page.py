"""The order page in plain words: late orders warn and lead to a request with the order filled in,
delivered ones to a damage report, days and item statuses said as a person says them."""

import re
from datetime import date

import pytest

from portal.orders import rules
from portal.orders.delivery import days_ago


def order_page(agent_client, gelato_id):
    response = agent_client.get(f"/portal/orders/{gelato_id}/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def status_box(html):
    return re.search(r'<div class="admonition (\w+) portal-status">(.*?)\n</div>', html, re.S)


def test_a_late_order_warns_and_prepares_the_delivery_request_with_the_order(
    agent_client, order_id
):
    gelato_id = order_id("NW-1008")  # in transit, 6 days past its latest date
    html = order_page(agent_client, gelato_id)
    box = status_box(html)
    assert box.group(1) == "warning"
    assert "Late: delayed in shipping" in box.group(2)
    assert "passed 6 days ago" in box.group(2)
    assert "day(s)" not in html
    link = f'href="/portal/requests/new/delivery-problem/?order={gelato_id}"'
    assert link in box.group(2)
    assert ">Prepare a request to Gelato Support</a>" in box.group(2)

    request_form = agent_client.get(f"/portal/requests/new/delivery-problem/?order={gelato_id}")
    assert request_form.status_code == 200
    assert 'value="NW-1008"' in request_form.get_data(as_text=True)


def test_the_late_orders_reply_promises_nothing_before_the_tracking_is_read(agent_client, order_id):
    html = order_page(agent_client, order_id("NW-1008"))
    reply = html.split('id="customer-reply"')[1].split("</textarea>")[0]
    assert "checking its tracking" in reply
    assert "within the next few days" not in reply
    assert "should reach you" not in reply


def test_a_delivered_order_offers_a_damage_report_with_the_order_within_the_window(
    agent_client, order_id
):
    gelato_id = order_id("NW-1009")  # delivered 6 days ago
    box = status_box(order_page(agent_client, gelato_id)).group(2)
    assert (
        f'href="/portal/requests/new/damaged-product/?order={gelato_id}">Report damage</a>' in box
    )
    assert "6 days ago" in box
    assert "can be reported until" in box
    request_form = agent_client.get(f"/portal/requests/new/damaged-product/?order={gelato_id}")
    assert 'value="NW-1009"' in request_form.get_data(as_text=True)


def test_past_the_window_the_page_says_it_closed_and_offers_no_report(agent_client, order_id):
    box = status_box(order_page(agent_client, order_id("NW-1010"))).group(2)  # 45 days ago
    assert "Report damage" not in box
    assert "window for reporting damage closed on" in box


def test_an_order_on_time_is_an_info_box_with_no_request_to_prepare(agent_client, order_id):
    box = status_box(order_page(agent_client, order_id("NW-1007")))
    assert box.group(1) == "info"
    assert "/portal/requests/new/" not in box.group(2)


@pytest.mark.parametrize(
    ("days", "words"), [(0, "today"), (1, "1 day ago"), (2, "2 days ago"), (45, "45 days ago")]
)
def test_days_are_said_with_their_plural(days, words):
    today = date(2026, 11, 23)
    assert days_ago(date.fromordinal(today.toordinal() - days), today) == words


def test_items_are_listed_in_plain_words_with_when_and_why(agent_client, gelato, order_id):
    order = gelato.get_order(order_id("NW-1013"))  # on hold: one item on hold, one passed
    items = order_page(agent_client, order.id).split("<h2>Items</h2>")[1].split("</table>")[0]
    held = next(item for item in order.items if item.fulfillment_status == "on_hold")
    assert f'<a href="{rules.status("on_hold").article_url}">On hold</a>' in items
    assert rules.status("passed").label in items
    assert f"since {held.status_since:%d %b %Y}: {held.status_comment}" in items
    assert "<code>" not in items
