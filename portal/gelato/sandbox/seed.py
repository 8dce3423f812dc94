"""The demo orders every sandbox starts with: one or more in every fulfillment status.

Dates are relative to the sandbox's "now", so an order delivered 45 days ago stays outside the
30-day window for damage reports forever, and one delivered 6 days ago stays inside it. Ids are
derived from the order reference (assumption A14): the same in every sandbox, so documentation can
name them. ``python -m portal.gelato.sandbox --list`` prints them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from portal.gelato.sandbox import catalog
from portal.gelato.sandbox.lifecycle import set_item_status, timestamp
from portal.gelato.sandbox.orders import add_refund, build_order
from portal.gelato.statuses import TYPICAL_PATH

NAMESPACE = uuid.UUID("6c1f3f57-3a4e-4d5e-9a0b-5f1d2c3b4a59")

SHOPIFY_STORE = str(uuid.uuid5(NAMESPACE, "store:shopify"))
ETSY_STORE = str(uuid.uuid5(NAMESPACE, "store:etsy"))

ADDRESSES = {
    "US-OR": {
        "firstName": "Emily",
        "lastName": "Carter",
        "addressLine1": "451 Maple Avenue",
        "addressLine2": "Apt 3B",
        "city": "Portland",
        "postCode": "97205",
        "state": "OR",
        "country": "US",
        "email": "emily.carter@example.com",
        "phone": "+1 503 555 0142",
    },
    "US-NY": {
        "firstName": "Marcus",
        "lastName": "Reed",
        "addressLine1": "88 Atlantic Avenue",
        "city": "Brooklyn",
        "postCode": "11201",
        "state": "NY",
        "country": "US",
        "email": "marcus.reed@example.com",
        "phone": "+1 718 555 0190",
    },
    "GB": {
        "firstName": "Olivia",
        "lastName": "Hughes",
        "addressLine1": "14 Wellington Road",
        "city": "Manchester",
        "postCode": "M14 5AL",
        "country": "GB",
        "email": "olivia.hughes@example.co.uk",
        "phone": "+44 161 496 0732",
    },
    "DE": {
        "firstName": "Lukas",
        "lastName": "Becker",
        "addressLine1": "Schönhauser Allee 112",
        "city": "Berlin",
        "postCode": "10439",
        "country": "DE",
        "email": "lukas.becker@example.de",
    },
    "DE-BUSINESS": {
        "firstName": "Jana",
        "lastName": "Richter",
        "companyName": "Richter Design GmbH",
        "addressLine1": "Speicherstadt 5",
        "city": "Hamburg",
        "postCode": "20457",
        "country": "DE",
        "email": "jana.richter@example.de",
        "phone": "+49 40 555 0177",
        "isBusiness": True,
    },
    "FR": {
        "firstName": "Camille",
        "lastName": "Dubois",
        "addressLine1": "27 rue des Lilas",
        "city": "Lyon",
        "postCode": "69003",
        "country": "FR",
        "email": "camille.dubois@example.fr",
    },
    "NL": {
        "firstName": "Sanne",
        "lastName": "de Vries",
        "addressLine1": "Prinsengracht 263",
        "city": "Amsterdam",
        "postCode": "1016 GV",
        "country": "NL",
        "email": "sanne.devries@example.nl",
    },
    "IE": {
        "firstName": "Aoife",
        "lastName": "Byrne",
        "addressLine1": "12 Quay Street",
        "city": "Galway",
        "country": "IE",
        "email": "aoife.byrne@example.ie",
    },
    "SE": {
        "firstName": "Elin",
        "lastName": "Lindqvist",
        "addressLine1": "Sveavägen 44",
        "city": "Stockholm",
        "postCode": "111 34",
        "country": "SE",
        "email": "elin.lindqvist@example.se",
    },
    "AU": {
        "firstName": "Jack",
        "lastName": "Nguyen",
        "addressLine1": "12 Harbour Street",
        "city": "Sydney",
        "postCode": "2000",
        "state": "NSW",
        "country": "AU",
        "email": "jack.nguyen@example.com.au",
        "phone": "+61 2 5550 1234",
    },
    "CA-ON": {
        "firstName": "Liam",
        "lastName": "MacDonald",
        "addressLine1": "77 King Street West",
        "addressLine2": "Suite 400",
        "city": "Toronto",
        "postCode": "M5K 1A1",
        "state": "ON",
        "country": "CA",
        "email": "liam.macdonald@example.ca",
    },
    "CA-QC": {
        "firstName": "Chloé",
        "lastName": "Tremblay",
        "addressLine1": "1250 rue Sainte-Catherine O",
        "city": "Montréal",
        "postCode": "H3G 1P1",
        "state": "QC",
        "country": "CA",
        "email": "chloe.tremblay@example.ca",
    },
    "BR": {
        "firstName": "Ana",
        "lastName": "Souza",
        "addressLine1": "Rua Augusta 1500",
        "addressLine2": "Apto 52",
        "city": "São Paulo",
        "postCode": "01304-001",
        "state": "SP",
        "country": "BR",
        "email": "ana.souza@example.com.br",
        "federalTaxId": "529.982.247-25",
    },
    "JP": {
        "firstName": "花子",
        "lastName": "山田",
        "addressLine1": "丸の内一丁目1番1号",
        "city": "千代田区",
        "postCode": "100-0005",
        "state": "東京都",
        "country": "JP",
        "email": "hanako.yamada@example.jp",
        "phone": "+81 3 5555 0101",
    },
}

#: Billing currency by destination; EUR elsewhere.
CURRENCY = {
    "US": "USD", "GB": "GBP", "AU": "AUD", "CA": "CAD", "SE": "SEK", "BR": "BRL", "JP": "JPY",
}  # fmt: skip

#: Statuses in which the parcel has left the print partner and carries tracking.
SHIPPED = frozenset({"shipped", "in_transit", "delivered", "returned"})


def design(name: str, area: str = "default") -> dict:
    return {"type": area, "url": f"https://files.northwind-prints.example/designs/{name}.png"}


@dataclass(frozen=True)
class Seed:
    """One demo order, described the way a support agent would meet it."""

    reference: str
    status: str
    financial: str
    address: str
    items: tuple[dict, ...]
    method: str
    created_days_ago: float
    #: Days since the last status change; for ``delivered``, the delivery (assumption A12).
    updated_days_ago: float | None = None
    #: Days since the order last changed without a status change (a refund), if later.
    touched_days_ago: float | None = None
    note: str = ""
    channel: str = "api"
    store_id: str | None = None
    order_type: str = "order"
    item_statuses: tuple[str, ...] = ()
    refusal: tuple[str, str] | None = None
    #: Gelato's comment on the last status change of the items in the order's status (why it is
    #: on hold); a failed order's items carry its refusal reason.
    reason: str | None = None
    #: Positions of the items Gelato refunded, all of them with the shipping for ``refunded``.
    refunded_items: tuple[int, ...] = ()
    #: Gelato's examples spell the package count both ways; some seeds use the other spelling.
    package_count_key: str = "packageCount"
    metadata: tuple[tuple[str, str], ...] = ()
    parts: tuple[Seed, ...] = field(default=())

    def build(self, now: datetime) -> list[dict]:
        if self.parts:
            orders = [part.build_one(now, self.reference, n) for n, part in enumerate(self.parts)]
            ids = [order["id"] for order in orders]
            for order in orders:
                order["connectedOrderIds"] = list(ids)
            return orders
        return [self.build_one(now, self.reference, 0)]

    def build_one(self, now: datetime, reference: str, part: int) -> dict:
        def make_id(name: str) -> str:
            return str(uuid.uuid5(NAMESPACE, f"{reference}/{part}/{name}"))

        address = ADDRESSES[self.address]
        created = now - timedelta(days=self.created_days_ago)
        updated = now - timedelta(days=self.updated_days_ago or self.created_days_ago)
        body = {
            "orderType": self.order_type,
            "orderReferenceId": reference,
            "customerReferenceId": "CUST-" + str(uuid.uuid5(NAMESPACE, address["email"]))[:6],
            "currency": CURRENCY.get(address["country"], "EUR"),
            "items": [
                {"itemReferenceId": f"{reference}-{n + 1}", **item}
                for n, item in enumerate(self.items)
            ],
            "shippingAddress": address,
            "shipmentMethodUid": self.method,
            "metadata": [{"key": k, "value": v} for k, v in self.metadata],
        }
        order = build_order(
            body, make_id=make_id, now=created, channel=self.channel, store_id=self.store_id
        )
        order["fulfillmentStatus"] = self.status
        order["financialStatus"] = self.financial
        order["updatedAt"] = timestamp(updated)
        reason = self.reason or (self.refusal[1] if self.refusal else None)
        for n, item in enumerate(order["items"]):
            statuses = self.item_statuses
            final = statuses[n] if n < len(statuses) else self.status
            steps = steps_to(final)
            item["fulfillmentStatus"], item["eventLog"] = "", []
            for status, at in zip(steps, spread(created, updated, len(steps)), strict=True):
                comment = reason if status == final == self.status else None
                set_item_status(item, status, at, comment)
            if item["fulfillmentStatus"] in SHIPPED | {"printed", "in_production"}:
                item["processedFileUrl"] = (
                    f"https://files.northwind-prints.example/production/{item['id']}.pdf"
                )
        if self.refusal:
            order["refusalReasonCode"], order["refusalReason"] = self.refusal
        shipment = order["shipment"]
        if self.status in SHIPPED:
            carrier = catalog.CARRIERS[self.method]
            code, url = carrier.tracking(uuid.UUID(order["id"]).int)
            shipment["packages"] = [
                {
                    "id": make_id("package"),
                    "orderItemIds": [item["id"] for item in order["items"]],
                    "trackingCode": code,
                    "trackingUrl": url,
                }
            ]
        if self.package_count_key != "packageCount":
            shipment[self.package_count_key] = shipment.pop("packageCount")
        if self.refunded_items:
            touched = now - timedelta(days=self.touched_days_ago or 0)
            refunded = [order["items"][n]["id"] for n in self.refunded_items]
            add_refund(order, refunded, make_id("refund"), touched)
        if self.touched_days_ago is not None:
            order["updatedAt"] = timestamp(now - timedelta(days=self.touched_days_ago))
        return order


def steps_to(status: str) -> tuple[str, ...]:
    """The statuses a demo item passed through to reach ``status``: the typical path as far as
    it goes, a returned parcel after its time in transit, a side state straight after
    creation."""
    if status in TYPICAL_PATH:
        return TYPICAL_PATH[: TYPICAL_PATH.index(status) + 1]
    if status == "returned":
        return (*TYPICAL_PATH[: TYPICAL_PATH.index("in_transit") + 1], "returned")
    if status == "draft":
        return ("draft",)
    return ("created", status)


def spread(first: datetime, last: datetime, count: int) -> list[datetime]:
    """``count`` moments from ``first`` to ``last``, evenly apart (just ``first`` for one)."""
    if count == 1:
        return [first]
    step = (last - first) / (count - 1)
    return [first + step * n for n in range(count)]


def item(product_uid: str, quantity: int = 1, *files: dict, **extra) -> dict:
    return {"productUid": product_uid, "quantity": quantity, "files": list(files), **extra}


C = catalog

SEEDS = (
    Seed(
        "NW-1001", "draft", "draft", "DE",
        (item(C.TSHIRT_WHITE_M, 2, design("mountain-sunrise", "front")),
         item(C.POSTER_A3, 1, design("mountain-sunrise"))),
        "dhl_parcel", 2,
        order_type="draft",
        note="A draft: not produced until converted to an order (PATCH) or deleted.",
    ),
    Seed(
        "NW-1002", "created", "pending", "US-OR",
        (item(C.POSTER_A3, 1, design("city-lights")),),
        "ups_surepost", 0.015,
        note="Placed 20 minutes ago; can still be canceled.",
    ),
    Seed(
        "NW-1003", "uploading", "pending", "FR",
        (item(C.MUG, 2, design("bonjour-mug")),),
        "dpd_classic", 0.05,
        note="Gelato is checking files and address; can be canceled.",
    ),
    Seed(
        "NW-1004", "passed", "to_be_invoiced", "GB",
        (item(C.CARD_A5, 10, design("birthday-card-front", "front"),
              design("birthday-card-inside", "inside")),),
        "royal_mail_tracked_48", 0.2,
        note="Accepted, waiting for the print partner: the last moment to cancel or fix it.",
    ),
    Seed(
        "NW-1005", "in_production", "paid", "NL",
        (item(C.CANVAS, 1, design("tulip-field")),),
        "ups_express_saver", 1,
        note="Express, in production: too late to cancel or change.",
    ),
    Seed(
        "NW-1006", "printed", "paid", "SE",
        (item(C.TSHIRT_BLACK_L, 3, design("band-logo", "front"), design("tour-dates", "back")),),
        "postnord_parcel", 2,
        note="Printed, not shipped: only Gelato Support can still stop the shipment.",
    ),
    Seed(
        "NW-1007", "shipped", "paid", "US-NY",
        (item(C.MUG, 1, design("coffee-first")), item(C.POSTER_50X70, 1, design("brooklyn"))),
        "fedex_priority_overnight", 1.5, 0.5,
        note="Express courier, shipped today, with a tracking link.",
    ),
    Seed(
        "NW-1008", "in_transit", "paid", "AU",
        (item(C.PHOTOBOOK, 1, design("wedding-album"), pageCount=32),),
        "australia_post_parcel", 16, 9,
        package_count_key="packagesCount",
        note="In transit and past its latest estimated delivery date: a late order.",
    ),
    Seed(
        "NW-1009", "delivered", "invoiced", "DE",
        (item(C.CANVAS, 1, design("forest-morning")), item(C.POSTER_A3, 2, design("forest"))),
        "dhl_parcel", 12, 6,
        note="Delivered 6 days ago: inside the 30-day window for damage reports.",
    ),
    Seed(
        "NW-1010", "delivered", "invoiced", "CA-ON",
        (item(C.TSHIRT_WHITE_M, 1, design("maple-leaf", "front")),),
        "canada_post_expedited", 55, 45,
        note="Delivered 45 days ago: outside the 30-day window for damage reports.",
    ),
    Seed(
        "NW-1011", "canceled", "canceled", "GB",
        (item(C.MUG, 1, design("tea-time")),),
        "royal_mail_tracked_48", 4, 3.9,
        note="Canceled shortly after it was placed; nothing more can be done with it.",
    ),
    Seed(
        "NW-1012", "failed", "canceled", "BR",
        (item(C.POSTER_50X70, 1, design("carnival")),),
        "correios_pac", 3, 3,
        refusal=(
            "address_validation_failed",
            "The shipping address could not be validated: the postcode does not match the city.",
        ),
        note="Failed on an address problem; not charged. Fix the address and reorder.",
    ),
    Seed(
        "NW-1013", "on_hold", "pending", "JP",
        (item(C.MUG, 1, design("sakura")), item(C.CARD_A5, 5, design("sakura-card"))),
        "japan_post_yu_pack", 2, 1,
        item_statuses=("on_hold", "passed"),
        reason="The product is out of stock at the production hub: choose another product or "
        "cancel the order.",
        note="On hold: the mug is out of stock in the Japanese hub; address in Japanese script.",
    ),
    Seed(
        "NW-1014", "returned", "paid", "FR",
        (item(C.TSHIRT_BLACK_L, 1, design("le-chat", "front")),),
        "dpd_classic", 25, 3,
        note="Returned to sender after failed delivery attempts.",
    ),
    Seed(
        "NW-1015", "pending_approval", "pending", "DE-BUSINESS",
        (item(C.POSTER_50X70, 4, design("office-wall")),),
        "dhl_parcel", 0.25,
        channel="ui",
        note="Placed in the Dashboard for a business address; waits for approval there.",
    ),
    Seed(
        "NW-1016", "pending_personalization", "pending", "US-OR",
        (item(C.MUG, 1, design("your-name-here")),),
        "ups_surepost", 1,
        channel="etsy", store_id=ETSY_STORE,
        metadata=(("etsyReceiptId", "3091857264"),),
        note="Etsy order waiting for the buyer's personalization.",
    ),
    Seed(
        "NW-1017", "digitizing", "pending", "GB",
        (item(C.HOODIE_EMBROIDERED, 1,
              {**design("crest-embroidery", "chest-left-embroidery"),
               "threadColors": ["#1B2A4A", "#D4AF37"]}),),
        "royal_mail_tracked_48", 1,
        channel="shopify", store_id=SHOPIFY_STORE,
        note="Embroidered hoodie waiting for its design to be digitized.",
    ),
    Seed(
        "NW-1018", "not_connected", "pending", "CA-QC",
        (item(C.POSTER_A3, 1),),
        "canada_post_expedited", 0.5,
        channel="shopify", store_id=SHOPIFY_STORE,
        note="Imported from Shopify without product data: connect the item in the Dashboard.",
    ),
    Seed(
        "NW-1019", "", "", "US-OR", (), "", 5,
        note="Split order: one request became two orders with connected ids; one part shipped.",
        parts=(
            Seed(
                "", "shipped", "paid", "US-OR",
                (item(C.MUG, 2, design("family-photo")),),
                "ups_surepost", 5, 2,
            ),
            Seed(
                "", "in_production", "paid", "US-OR",
                (item(C.CANVAS, 1, design("family-photo")),),
                "ups_surepost", 5, 1,
            ),
        ),
    ),
    Seed(
        "NW-1020", "shipped", "paid", "GB",
        (item(C.CARD_A5, 20, design("thank-you")),),
        "royal_mail_2nd_class", 4, 2,
        package_count_key="packagesCount",
        note="Shipped with an untracked economy service: there is no tracking link.",
    ),
    Seed(
        "NW-1021", "delivered", "partially_refunded", "NL",
        (item(C.POSTER_50X70, 1, design("dunes")), item(C.MUG, 1, design("dunes-mug"))),
        "tnt_parcel", 14, 9,
        touched_days_ago=2, refunded_items=(1,),
        note="Delivered 9 days ago, the mug refunded 2 days ago: the delivery date stays the "
        "items' own, though the order changed since.",
    ),
    Seed(
        "NW-1022", "returned", "refunded", "IE",
        (item(C.CANVAS, 1, design("cliffs-of-moher")),),
        "dpd_classic", 30, 8,
        touched_days_ago=4, refunded_items=(0,),
        note="Irish address without a postcode; returned to sender, then refunded in full.",
    ),
)  # fmt: skip


def seed_orders(now: datetime) -> list[dict]:
    """Fresh copies of every demo order, dated relative to ``now``."""
    return [order for seed in SEEDS for order in seed.build(now)]
