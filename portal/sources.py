"""Where each rule and claim of the help center comes from.

An agent trusts an article because it says what Gelato says, so a sentence that is only this help
center's own reading must say so. Every entry of the order rules, the support scenarios and the
contact facts names its sources from the list below; the knowledge base prints them under what
they back, the portal can show them beside its answers, and a test fails when an entry names none.
A source is one of: Gelato's customer-service guide, an article of Gelato's help center, Gelato's
API documentation, a numbered assumption of this help center about Gelato's API (listed in
``portal/gelato/assumptions.py``), or our own practice.

When Gelato corrects one of its documents, the entries that cite it are found by searching for its
name here.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The kinds of source, from the most to the least authoritative for an agent: Gelato's guide to
#: customer service (which wins for contact details and what a support request contains), an
#: article of Gelato's help center (which wins for Dashboard steps and time limits), Gelato's API
#: documentation, an assumption this help center makes where Gelato is silent, and a rule of this
#: help center's own.
GUIDE = "guide"
HELP_CENTER = "help-center"
API = "api"
ASSUMPTION = "assumption"
PRACTICE = "practice"
KINDS = (GUIDE, HELP_CENTER, API, ASSUMPTION, PRACTICE)

#: The knowledge base's page that lists every source, the assumptions and our own practice.
PAGE = "reference/sources.md"
PAGE_URL = "/reference/sources/"


@dataclass(frozen=True)
class Source:
    """A document (and the part of it) that a rule or a sentence rests on."""

    #: Stable id: the anchor of this source on the sources page.
    slug: str
    kind: str
    #: What a "Source:" line shows: short, and names who says it.
    label: str
    #: The document's own title, as a reader finds it by searching Gelato's sites.
    document: str
    #: The part of the document relied on.
    section: str = ""
    #: Where the document can be read; empty when it cannot be linked (our own practice).
    url: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.slug}: unknown kind {self.kind!r}")

    @property
    def page_url(self) -> str:
        """This source's entry on the knowledge base's sources page."""
        return f"{PAGE_URL}#{self.slug}"

    @property
    def href(self) -> str:
        """Where a reader follows it: Gelato's own page when there is one, else its entry on the
        sources page."""
        return self.url or self.page_url

    @property
    def is_gelato(self) -> bool:
        """Whether Gelato itself says it (rather than this help center)."""
        return self.kind in (GUIDE, HELP_CENTER, API)


#: The sources of one entry, in the order a reader should check them.
Sources = tuple[Source, ...]


@dataclass(frozen=True)
class Reading:
    """What one source says on a question where Gelato's sources differ."""

    source: Source
    says: str


@dataclass(frozen=True)
class Disagreement:
    """A question on which Gelato's own documents differ, and the reading this help center
    follows, with the reason: an agent who finds the other reading should know it was seen."""

    slug: str
    question: str
    readings: tuple[Reading, ...]
    #: The reading the rules follow.
    followed: str
    why: str


_OLDER_HELP_CENTER = "Gelato's older help center (apisupport.gelato.com)"
_API_DOCS = "https://dashboard.gelato.com/docs"


def _help_center(slug: str, topic: str, document: str, url: str, section: str = "") -> Source:
    where = "Gelato's older help center" if section == _OLDER_HELP_CENTER else "Gelato help center"
    return Source(slug, HELP_CENTER, f"{where}: {topic}", document, section, url)


def _api(slug: str, topic: str, section: str, url: str = f"{_API_DOCS}/") -> Source:
    return Source(slug, API, f"Gelato API: {topic}", "Gelato API documentation (v4)", section, url)


# Gelato's guide to customer service, in its current and its earlier edition. Both carry the title
# "Getting Started with Gelato Customer Service".

GUIDE_CURRENT = Source(
    "guide",
    GUIDE,
    "Gelato's customer-service guide",
    "Getting Started with Gelato Customer Service",
    "Gelato help center (support.gelato.com)",
    "https://support.gelato.com/en/articles/8996018-getting-started-with-gelato-customer-service",
)
GUIDE_EARLIER = Source(
    "guide-earlier",
    GUIDE,
    "Gelato's older customer-service guide",
    "Getting Started with Gelato Customer Service",
    _OLDER_HELP_CENTER,
    "https://apisupport.gelato.com/hc/en-us/articles/"
    "360009983840-Getting-Started-with-Gelato-Customer-Service",
)

# Articles of Gelato's help center, one per topic the self-service actions rely on.

HC_STATUS_FLOW = _help_center(
    "help-center-status-flow",
    "Order status flow",
    "What is the typical flow of an order and its possible statuses?",
    "https://apisupport.gelato.com/hc/en-us/articles/"
    "360010311840-What-is-the-typical-flow-of-an-order-and-its-possible-statuses-",
    _OLDER_HELP_CENTER,
)
HC_PRINT_TIMING = _help_center(
    "help-center-print-timing",
    "When an order goes to print",
    "Can my customer change or cancel the order after it was placed?",
    "https://apisupport.gelato.com/hc/en-us/articles/"
    "360010053120-Can-my-customer-change-or-cancel-the-order-after-it-was-placed-",
    _OLDER_HELP_CENTER,
)
HC_CHECK_STATUS = _help_center(
    "help-center-check-status",
    "Check order status",
    "How do I check the order status in the Gelato Dashboard?",
    "https://apisupport.gelato.com/hc/en-us/categories/360002762900-Ordering-process",
    _OLDER_HELP_CENTER,
)
HC_LATE_ORDER = _help_center(
    "help-center-late-order",
    "Late orders",
    "What if an order is late?",
    "https://support.gelato.com/en/articles/8996605-what-if-an-order-is-late",
)
HC_TRACKING_UPDATES = _help_center(
    "help-center-tracking-updates",
    "Tracking updates",
    "Tracking Updates",
    "https://support.gelato.com/en/articles/8996604-tracking-updates",
)
HC_LOST_PARCEL = _help_center(
    "help-center-lost-parcel",
    "Lost in the mail",
    "What if an order is lost in the mail?",
    "https://apisupport.gelato.com/hc/en-us/articles/"
    "360016133840-What-if-an-order-is-lost-in-the-mail-",
    _OLDER_HELP_CENTER,
)
HC_CHANGE_ADDRESS = _help_center(
    "help-center-change-address",
    "Change the shipping address",
    "How do I change a shipping address for an order?",
    "https://support.gelato.com/en/articles/8996602-how-do-i-change-a-shipping-address-for-an-order",
)
HC_CHANGE_OR_CANCEL = _help_center(
    "help-center-change-or-cancel",
    "Change or cancel an order",
    "Can my customer change or cancel the order after it was placed?",
    "https://support.gelato.com/en/articles/"
    "8996057-can-my-customer-change-or-cancel-the-order-after-it-was-placed",
)
HC_CANCEL_EARLIER = _help_center(
    "help-center-cancel-earlier",
    "Cancel an order",
    "How do I cancel an order via the Gelato Dashboard?",
    "https://apisupport.gelato.com/hc/en-us/articles/"
    "360011034900-How-do-I-cancel-an-order-via-the-Gelato-Dashboard-",
    _OLDER_HELP_CENTER,
)
HC_REORDER = _help_center(
    "help-center-reorder",
    "Place a reorder",
    "How do I place a reorder via the Gelato Dashboard?",
    "https://support.gelato.com/en/articles/8996046-how-do-i-place-a-reorder-via-the-gelato-dashboard",
)
HC_REPORT_PROBLEM = _help_center(
    "help-center-report-problem",
    "Report a problem",
    "How do I report a problem with my order?",
    "https://support.gelato.com/en/articles/8996049-how-do-i-report-a-problem-with-my-order",
)
HC_ON_HOLD = _help_center(
    "help-center-on-hold",
    "Order on hold",
    "Email Notification from Gelato: Order [123] is on hold - Action required",
    "https://support.gelato.com/en/articles/"
    "8996577-email-notification-from-gelato-order-123-is-on-hold-action-required",
)

# Gelato's API documentation (version 4), by the part relied on.

API_BASICS = _api("api-basics", "Errors", "Status codes and error answers")
API_STATUSES = _api(
    "api-statuses",
    "Order statuses",
    "How orders work: order statuses and their lifecycle",
    f"{_API_DOCS}/orders/order_details/",
)
API_CANCEL = _api(
    "api-cancel",
    "Cancel order",
    "Cancel order (POST /v4/orders/{id}:cancel)",
    f"{_API_DOCS}/orders/v4/cancel/",
)
API_CREATE = _api("api-create", "Create order", "Create order: the request body")
API_PLACED_ORDERS = _api(
    "api-placed-orders",
    "Placed orders",
    "The order endpoints: no call changes a placed order's address or shipping method",
)
API_DRAFTS = _api("api-drafts", "Draft orders", "Patch and delete a draft order")
API_SHIPMENT_METHODS = _api(
    "api-shipment-methods",
    "Shipment methods",
    "Shipment methods: type and hasTracking",
    f"{_API_DOCS}/shipment/methods/",
)
API_PACKAGES = _api(
    "api-packages", "Shipment packages", "The order's shipment: packages and tracking"
)
API_WEBHOOKS = _api(
    "api-webhooks",
    "Webhooks",
    "Webhooks: the order events, their fields, and the retries (3 tries, 5 seconds apart)",
    f"{_API_DOCS}/webhooks/",
)


def assumption(number: int, topic: str) -> Source:
    """One of this help center's numbered assumptions about Gelato's API, made where Gelato's
    documentation is silent (``portal/gelato/assumptions.py`` holds them all)."""
    return Source(
        f"a{number}",
        ASSUMPTION,
        f"Assumption A{number}",
        "This help center's assumptions about the Gelato API",
        f"A{number}: {topic}",
    )


#: What the cancel call refuses and accepts, where Gelato documents only the refusal for a printed
#: item.
A4_CANCEL = assumption(4, "what cancel refuses")
#: How Gelato's webhook calls prove where they come from, which Gelato does not document.
A22_WEBHOOK_SECRET = assumption(22, "webhook authentication")
#: How events are ordered when Gelato's retries deliver them out of order.
A25_EVENT_TIMES = assumption(25, "webhook event times")

#: A rule of this help center's own: stricter than Gelato, or where Gelato says nothing.
OUR_PRACTICE = Source(
    "our-practice",
    PRACTICE,
    "Our practice",
    "This help center's own policy, not Gelato's",
)

#: Every source, in the order the sources page lists them.
ALL: Sources = (
    GUIDE_CURRENT,
    GUIDE_EARLIER,
    HC_STATUS_FLOW,
    HC_PRINT_TIMING,
    HC_CHECK_STATUS,
    HC_LATE_ORDER,
    HC_TRACKING_UPDATES,
    HC_LOST_PARCEL,
    HC_CHANGE_ADDRESS,
    HC_CHANGE_OR_CANCEL,
    HC_CANCEL_EARLIER,
    HC_REORDER,
    HC_REPORT_PROBLEM,
    HC_ON_HOLD,
    API_BASICS,
    API_STATUSES,
    API_CANCEL,
    API_CREATE,
    API_PLACED_ORDERS,
    API_DRAFTS,
    API_SHIPMENT_METHODS,
    API_PACKAGES,
    API_WEBHOOKS,
    A4_CANCEL,
    A22_WEBHOOK_SECRET,
    A25_EVENT_TIMES,
    OUR_PRACTICE,
)

_BY_SLUG = {source.slug: source for source in ALL}


def source(slug: str) -> Source:
    """The source named by ``slug``; KeyError if there is none."""
    return _BY_SLUG[slug]
