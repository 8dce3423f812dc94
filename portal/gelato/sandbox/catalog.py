"""What the sandbox sells and how it ships: products, carrier services, prices.

Two shipment methods are Gelato's as documented, uid, name and destination: ``dhl_parcel`` "DHL
Parcel" for Germany and ``tnt_parcel`` "PostNL Standard" for the Netherlands. Everything else is
made up but realistic (assumptions A10 and A11): product uids follow Gelato's naming, the other
carrier services are real ones with their public tracking pages. Prices are in EUR and converted
with fixed rates, which is all a demo needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Product:
    uid: str
    name: str
    price_eur: Decimal
    weight: int  # grams, packed


@dataclass(frozen=True)
class Carrier:
    """A shipment method of the shipment service, plus what the sandbox needs to price it."""

    uid: str
    name: str
    type: str
    countries: tuple[str, ...]
    price_eur: Decimal
    min_days: int
    max_days: int
    has_tracking: bool = True
    is_private: bool = True
    is_business: bool = True
    tracking_url: str | None = None  # with a ``{code}`` placeholder
    code_format: str = "{digits}"

    def to_json(self) -> dict:
        """The entry of ``GET /v1/shipment-methods``."""
        return {
            "shipmentMethodUid": self.uid,
            "type": self.type,
            "name": self.name,
            "isBusiness": self.is_business,
            "isPrivate": self.is_private,
            "hasTracking": self.has_tracking,
            "supportedCountries": list(self.countries),
        }

    def delivery(self, sent: datetime) -> dict:
        """When a parcel sent at ``sent`` arrives, as both shipments and quotes tell it."""
        return {
            "minDeliveryDays": self.min_days,
            "maxDeliveryDays": self.max_days,
            "minDeliveryDate": (sent + timedelta(days=self.min_days)).date().isoformat(),
            "maxDeliveryDate": (sent + timedelta(days=self.max_days)).date().isoformat(),
        }

    def tracking(self, seed: int) -> tuple[str | None, str | None]:
        """A tracking code in the carrier's style and its link, derived from ``seed``."""
        if not self.has_tracking:
            return None, None
        digits = f"{seed % 10**12:012d}"
        code = self.code_format.format(digits=digits, short=digits[:8])
        url = self.tracking_url.format(code=code) if self.tracking_url else None
        return code, url


def _products(*rows: tuple[str, str, str, int]) -> dict[str, Product]:
    return {uid: Product(uid, name, Decimal(price), weight) for uid, name, price, weight in rows}


TSHIRT = "apparel_product_gca_t-shirt_gsc_crewneck_gcu_unisex_gqa_classic"
TSHIRT_WHITE_M = TSHIRT + "_gsi_m_gco_white_gpr_4-0"
TSHIRT_BLACK_L = TSHIRT + "_gsi_l_gco_black_gpr_4-0"
HOODIE_EMBROIDERED = (
    "apparel_product_gca_hoodie_gsc_pullover_gcu_unisex_gqa_prm_gsi_l_gco_navy_gpr_emb"
)
POSTER_A3 = "flat_product_pf_a3_pt_200-gsm-80lb-uncoated_cl_4-0_ver"
POSTER_50X70 = "flat_product_pf_500x700-mm_pt_200-gsm-80lb-enhanced-matte_cl_4-0_ver"
MUG = "mug_product_msz_11-oz_mmat_ceramic-white_cl_4-0"
CARD_A5 = "cards_pf_a5_pt_350-gsm-coated-silk_cl_4-4_ver"
CANVAS = "canvas_300x450-mm-12x18-inch_canvas_wood-fsc-slim_4-0_ver"
PHOTOBOOK = (
    "photobooks-hardcover_pf_200x200-mm-8x8-inch_pt_170-gsm-65lb-coated-silk_cl_4-4_ccl_4-4"
    "_bt_glued-left_ct_matt-lamination_prt_1-0_cpt_130-gsm-65-lb-cover-coated-silk_ver"
)

PRODUCTS = _products(
    (TSHIRT_WHITE_M, "Classic Unisex Crewneck T-shirt, M, White", "9.50", 190),
    (TSHIRT_BLACK_L, "Classic Unisex Crewneck T-shirt, L, Black", "9.50", 210),
    (HOODIE_EMBROIDERED, "Premium Unisex Pullover Hoodie, L, Navy, embroidered", "26.00", 620),
    (POSTER_A3, "Poster A3, 200 gsm uncoated", "6.20", 160),
    (POSTER_50X70, "Poster 50x70 cm, enhanced matte", "11.80", 300),
    (MUG, "Ceramic Mug 11 oz, white", "7.40", 420),
    (CARD_A5, "Greeting Card A5, 350 gsm silk, with envelope", "1.90", 25),
    (CANVAS, "Canvas 30x45 cm, slim wooden frame", "21.00", 950),
    (PHOTOBOOK, "Hardcover Photo Book 20x20 cm", "18.00", 780),
)

EU = ("AT", "BE", "CZ", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "LU", "NL", "PL", "PT", "SE")
WORLDWIDE = (*EU, "AU", "BR", "CA", "CH", "GB", "JP", "NO", "NZ", "US")

CARRIERS = {
    carrier.uid: carrier
    for carrier in (
        # Documented by Gelato, uid, name and country (reference, section 11):
        Carrier(
            "dhl_parcel", "DHL Parcel", "normal", ("DE",), Decimal("4.90"), 3, 6,
            tracking_url="https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?submit=1&tracking-id={code}",
            code_format="JJD00{digits}",
        ),
        Carrier(
            "tnt_parcel", "PostNL Standard", "normal", ("NL",), Decimal("4.60"), 2, 4,
            tracking_url="https://jouw.postnl.nl/track-and-trace/{code}",
            code_format="3SNWP{short}",
        ),
        # Everything below is made up (assumption A10); ups_surepost's uid alone is Gelato's.
        Carrier(
            "dpd_classic", "DPD Classic", "normal", EU, Decimal("5.40"), 3, 6,
            tracking_url="https://tracking.dpd.de/status/en_US/parcel/{code}",
            code_format="0{digits}",
        ),
        Carrier(
            "ups_surepost", "UPS SurePost", "normal", ("US",), Decimal("5.90"), 4, 8,
            tracking_url="https://www.ups.com/track?tracknum={code}",
            code_format="1Z5R{digits}",
        ),
        Carrier(
            "royal_mail_tracked_48", "Royal Mail Tracked 48", "normal", ("GB",),
            Decimal("3.90"), 3, 5,
            tracking_url="https://www.royalmail.com/track-your-item#/tracking-results/{code}",
            code_format="WB{short}9GB",
        ),
        Carrier(
            "royal_mail_2nd_class", "Royal Mail 2nd Class (untracked)", "normal", ("GB",),
            Decimal("2.90"), 4, 7, has_tracking=False,
        ),
        Carrier(
            "canada_post_expedited", "Canada Post Expedited Parcel", "normal", ("CA",),
            Decimal("8.90"), 5, 9,
            tracking_url="https://www.canadapost-postescanada.ca/track-reperez/en#/search?searchFor={code}",
            code_format="7023{digits}",
        ),
        Carrier(
            "australia_post_parcel", "Australia Post Parcel Post", "normal", ("AU",),
            Decimal("7.90"), 5, 10,
            tracking_url="https://auspost.com.au/mypost/track/details/{code}",
            code_format="33QJN{digits}",
        ),
        Carrier(
            "correios_pac", "Correios PAC", "normal", ("BR",), Decimal("9.90"), 8, 15,
            tracking_url="https://rastreamento.correios.com.br/app/index.php?objetos={code}",
            code_format="QB{short}1BR",
        ),
        Carrier(
            "japan_post_yu_pack", "Japan Post Yu-Pack", "normal", ("JP",), Decimal("6.90"), 3, 6,
            tracking_url="https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={code}",
            code_format="{digits}",
        ),
        Carrier(
            "postnord_parcel", "PostNord MyPack Home", "normal", ("DK", "FI", "NO", "SE"),
            Decimal("5.90"), 3, 6,
            tracking_url="https://tracking.postnord.com/tracking.html?id={code}",
            code_format="00370{digits}",
        ),
        Carrier(
            "ups_express_saver", "UPS Express Saver", "express", WORLDWIDE, Decimal("14.90"), 2, 3,
            tracking_url="https://www.ups.com/track?tracknum={code}",
            code_format="1Z9X{digits}",
        ),
        Carrier(
            "dhl_express_worldwide", "DHL Express Worldwide", "express", WORLDWIDE,
            Decimal("18.90"), 2, 4,
            tracking_url="https://www.dhl.com/global-en/home/tracking.html?tracking-id={code}",
            code_format="{digits}",
        ),
        Carrier(
            "fedex_priority_overnight", "FedEx Priority Overnight", "express", ("US",),
            Decimal("24.90"), 1, 2,
            tracking_url="https://www.fedex.com/fedextrack/?trknbr={code}",
            code_format="{digits}",
        ),
        Carrier(
            "dhl_freight_pallet", "DHL Freight Pallet", "pallet", ("AT", "BE", "DE", "FR", "NL"),
            Decimal("89.00"), 5, 8, is_private=False,
            tracking_url="https://www.dhl.com/global-en/home/tracking/tracking-freight.html?tracking-id={code}",
            code_format="40{digits}",
        ),
    )
}  # fmt: skip

#: Where the sandbox pretends each destination's orders are made; Germany for the rest.
PRODUCTION_COUNTRY = {"AU": "AU", "BR": "BR", "CA": "CA", "GB": "GB", "JP": "JP", "US": "US"}
DEFAULT_PRODUCTION_COUNTRY = "DE"

#: Grams of packaging a parcel adds to its products.
PACKAGING_WEIGHT = 80

#: Fixed EUR exchange rates; a currency not listed is priced 1:1.
EUR_RATES = {
    "EUR": Decimal("1"),
    "USD": Decimal("1.08"),
    "GBP": Decimal("0.85"),
    "AUD": Decimal("1.65"),
    "CAD": Decimal("1.47"),
    "SEK": Decimal("11.40"),
    "BRL": Decimal("5.40"),
    "JPY": Decimal("160"),
}

#: VAT the sandbox adds: a flat rate inside Europe, none elsewhere.
VAT_RATE = Decimal("0.20")
VAT_COUNTRIES = frozenset({*EU, "GB", "NO", "CH"})


def price(amount_eur: Decimal, currency: str) -> Decimal:
    """An EUR amount in ``currency``, rounded the way the currency is written."""
    places = Decimal("1") if currency == "JPY" else Decimal("0.01")
    return (amount_eur * EUR_RATES.get(currency, Decimal("1"))).quantize(places, ROUND_HALF_UP)


def vat(amount: Decimal, country: str) -> Decimal:
    rate = VAT_RATE if country in VAT_COUNTRIES else Decimal("0")
    return (amount * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)


def production_country(destination: str) -> str:
    return PRODUCTION_COUNTRY.get(destination, DEFAULT_PRODUCTION_COUNTRY)


def parcel_weight(lines: Iterable[dict]) -> int:
    """Grams of one parcel of ``lines`` (each with ``productUid`` and ``quantity``), packed."""
    products = sum(PRODUCTS[line["productUid"]].weight * line["quantity"] for line in lines)
    return products + PACKAGING_WEIGHT


def carriers_for(country: str) -> list[Carrier]:
    """The carrier services that deliver to ``country``, cheapest first."""
    found = [c for c in CARRIERS.values() if country in c.countries]
    return sorted(found, key=lambda c: c.price_eur)


def choose_carrier(requested: str | None, country: str) -> Carrier | None:
    """The carrier a create's ``shipmentMethodUid`` selects for ``country`` (assumption A10)."""
    serving = [c for c in carriers_for(country) if c.type != "pallet"]
    if not requested:
        return next((c for c in serving if c.type == "normal"), serving[0] if serving else None)
    wanted = [uid.strip() for uid in requested.split(",") if uid.strip()]
    matches = []
    for uid in wanted:
        if uid in ("normal", "standard"):
            matches += [c for c in serving if c.type == "normal"]
        elif uid == "express":
            matches += [c for c in serving if c.type == "express"]
        elif uid in CARRIERS and country in CARRIERS[uid].countries:
            matches.append(CARRIERS[uid])
    return min(matches, key=lambda c: c.price_eur) if matches else None
