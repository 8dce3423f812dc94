"""The situations in which a merchant's team and Gelato Support contact each other, and what a
complete request contains in each.

A request that holds everything Gelato lists needs no second round of questions, so this list is
the single statement of "complete": the knowledge base renders each scenario's checklist from it,
and the portal's request form enforces exactly the same entries. Change a requirement here and both
follow. Each scenario and each requirement names its sources (``portal/sources.py``): what Gelato's
guide lists is required, and an item this help center asks for on top of it says that it is our
practice.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.knowledge import (
    ADDRESS_PROBLEM_ARTICLE,
    CONTACT,
    DAMAGE_REPORT_WINDOW_DAYS,
    DAMAGE_REPORT_WINDOW_SOURCES,
    DAMAGED_PRODUCT_ARTICLE,
    WHERE_IS_MY_ORDER,
    Article,
)
from portal.requests import kinds
from portal.requests.kinds import DeliveryWindow, Kind
from portal.sources import (
    API_CREATE,
    GUIDE_CURRENT,
    GUIDE_EARLIER,
    HC_CHANGE_ADDRESS,
    HC_LATE_ORDER,
    HC_LOST_PARCEL,
    HC_REPORT_PROBLEM,
    OUR_PRACTICE,
    Sources,
)

#: Who writes first: the merchant's team, or Gelato (its production or shipping team).
MERCHANT = "merchant"
GELATO = "gelato"


DAMAGE_REPORT_WINDOW = DeliveryWindow(
    DAMAGE_REPORT_WINDOW_DAYS, "damage reports", DAMAGE_REPORT_WINDOW_SOURCES
)


@dataclass(frozen=True)
class ScenarioRequirement:
    """One thing a complete request contains."""

    #: Stable name of the form field and of the request's part.
    key: str
    label: str
    #: Whether Gelato cannot act without it. The others are asked for when they apply.
    mandatory: bool
    #: What exactly to give, in one or two sentences for the agent.
    help: str
    #: What kind of answer it asks for, so that the form gives it a fitting field, the check and
    #: the email treat it as what it is (``portal/requests/kinds.py``); a kind or its name.
    kind: Kind = kinds.TEXT
    choices: tuple[str, ...] = ()
    #: For an optional requirement: ``(key, answer)`` when it becomes needed because another
    #: requirement of the scenario was answered so (a corrected file, once you say you have one).
    needed_when: tuple[str, str] | None = None
    #: The answer a new request starts with (a confirmation ticked by default: "yes").
    default: str = ""
    #: Where the requirement comes from: Gelato's list, or our own practice.
    sources: Sources = ()
    #: For a date: the time limit that counts from it (the damage window).
    window: DeliveryWindow | None = None
    #: For an order number: the key of the order it is a reorder of. The check holds it to be
    #: another, newer order; the email's subject calls it the reorder; the form can place it.
    reorder_of: str = ""
    #: What Gelato knows of the request's order that fills this answer while it is empty: an
    #: attribute of ``OrderFacts`` (the delivery date, the estimate, the shipping address).
    from_order: str = ""

    def __post_init__(self):
        if not isinstance(self.kind, Kind):
            try:
                object.__setattr__(self, "kind", kinds.kind(self.kind))
            except ValueError as error:
                raise ValueError(f"{self.key}: {error}") from None
        if (self.kind is kinds.CHOICE) != bool(self.choices):
            raise ValueError(f"{self.key}: choices go with kind 'choice', and only with it")
        if self.needed_when and self.mandatory:
            raise ValueError(f"{self.key}: only an optional requirement can be needed when")
        if self.window is not None and self.kind is not kinds.DATE:
            raise ValueError(f"{self.key}: a window counts from a date")
        if self.reorder_of and not self.kind.names_order:
            raise ValueError(f"{self.key}: only an order number names a reorder")


@dataclass(frozen=True)
class Scenario:
    """A reason for contact, as the agent meets it."""

    slug: str
    title: str
    summary: str
    #: ``MERCHANT`` or ``GELATO``.
    started_by: str
    #: What the request (or, when Gelato starts, the answer) must contain.
    requirements: tuple[ScenarioRequirement, ...]
    #: For scenarios Gelato starts: who writes, and what the message contains.
    notice_from: str = ""
    notice: tuple[str, ...] = ()
    #: The article that explains it. Left out, it is the scenario's own article,
    #: ``support/<slug>.md``, under the scenario's title.
    article: Article | None = None
    #: Where the scenario comes from: who contacts whom, and what Gelato's message contains.
    sources: Sources = ()
    #: The Material icon of its card in the knowledge base.
    icon: str = "material-message-question-outline"

    def __post_init__(self):
        if self.started_by not in (MERCHANT, GELATO):
            raise ValueError(f"{self.slug}: started_by is {MERCHANT!r} or {GELATO!r}")
        for item in self.requirements:
            if item.needed_when:
                key, answer = item.needed_when
                if answer not in self.requirement(key).choices:
                    raise ValueError(f"{self.slug}: {item.key} waits for an answer {key} lacks")
            if item.reorder_of:
                self.requirement(item.reorder_of)  # KeyError: a reorder of nothing
        if self.article is None:
            object.__setattr__(self, "article", Article(f"support/{self.slug}.md", self.title))

    @property
    def portal_path(self) -> str:
        """The portal's form that prepares this request."""
        return f"/portal/requests/new/{self.slug}/"

    @property
    def mandatory(self) -> tuple[ScenarioRequirement, ...]:
        return tuple(r for r in self.requirements if r.mandatory)

    def requirement(self, key: str) -> ScenarioRequirement:
        for item in self.requirements:
            if item.key == key:
                return item
        raise KeyError(key)

    @property
    def reorder(self) -> ScenarioRequirement | None:
        """The requirement that names a reorder of the request's order, if it has one."""
        return next((item for item in self.requirements if item.reorder_of), None)


def _order_number(
    label: str = "Order number",
    help: str = "",
    mandatory: bool = True,
    sources: Sources = (),
):
    return ScenarioRequirement(
        "order_number",
        label,
        mandatory,
        help or "Gelato's order number, or your own order reference for it.",
        kind=kinds.ORDER_NUMBER,
        sources=sources,
    )


def _reorder_number(help: str, sources: Sources) -> ScenarioRequirement:
    return ScenarioRequirement(
        "reorder_number",
        "Reorder number",
        False,
        help,
        kinds.ORDER_NUMBER,
        sources=sources,
        reorder_of="order_number",
    )


DAMAGED_PRODUCT = Scenario(
    slug="damaged-product",
    icon="material-package-variant-remove",
    title="Damaged or defective product",
    article=DAMAGED_PRODUCT_ARTICLE,
    summary="The customer received a damaged or faulty item: report it, or reorder and claim.",
    started_by=MERCHANT,
    sources=(GUIDE_CURRENT, GUIDE_EARLIER, HC_REPORT_PROBLEM),
    requirements=(
        _order_number(
            "Original order number",
            "The order that arrived damaged or defective.",
            sources=(GUIDE_EARLIER, HC_REPORT_PROBLEM),
        ),
        ScenarioRequirement(
            "delivery_date",
            "Delivery date",
            False,
            "When the customer received the parcel. Gelato does not ask for it; our practice is "
            f"to give it, so the request shows it falls within the {DAMAGE_REPORT_WINDOW.days} "
            "days after delivery in which Gelato takes damage reports.",
            kinds.DATE,
            sources=(OUR_PRACTICE, GUIDE_CURRENT),
            window=DAMAGE_REPORT_WINDOW,
            from_order="delivered_on",
        ),
        ScenarioRequirement(
            "damage_description",
            "Description of the damage, including the packaging",
            True,
            "What is wrong with the item, and the state the packaging arrived in (crushed, torn, "
            "wet or intact).",
            kinds.LONG_TEXT,
            sources=(GUIDE_CURRENT, GUIDE_EARLIER),
        ),
        ScenarioRequirement(
            "photos_item",
            "Photos of the item",
            True,
            "Clear photos in which the damage or defect can be seen.",
            kinds.PHOTOS,
            sources=(GUIDE_CURRENT, GUIDE_EARLIER),
        ),
        ScenarioRequirement(
            "photos_packaging_outside",
            "Photos of the packaging, outside",
            True,
            "The parcel as it arrived, from the outside, with any dents, tears or stains.",
            kinds.PHOTOS,
            sources=(GUIDE_CURRENT,),
        ),
        ScenarioRequirement(
            "photos_packaging_inside",
            "Photos of the packaging, inside",
            True,
            "The inside of the parcel: how the item was packed and protected.",
            kinds.PHOTOS,
            sources=(GUIDE_CURRENT,),
        ),
        _reorder_number(
            "If you already placed a reorder and claim a refund for it: the reorder's number.",
            sources=(GUIDE_EARLIER,),
        ),
    ),
)

#: The kinds of file concern Gelato's production team names.
FILE_CONCERN_KINDS = ("Spelling error", "Image problem", "Cropping", "Other")
PROCEED_AS_IS = "Proceed as it is"
CORRECTED_FILE = "Use the corrected file and reorder"

FILE_CONCERN = Scenario(
    slug="file-concern",
    icon="material-image-broken-variant",
    title="File or quality concern raised by Gelato",
    summary="Gelato's production team found a problem in a file: give direction, or fix it.",
    started_by=GELATO,
    sources=(GUIDE_CURRENT, GUIDE_EARLIER),
    notice_from="Gelato, on behalf of its production team",
    notice=(
        "the customer order number",
        "what the concern is: a spelling error, an image problem, cropping or the like",
        "a request for your direction, or the suggestion that you correct the issue and reorder",
    ),
    requirements=(
        _order_number(
            "Customer order number",
            "The order number quoted in Gelato's message.",
            sources=(GUIDE_CURRENT, GUIDE_EARLIER),
        ),
        ScenarioRequirement(
            "concern_kind",
            "Kind of concern",
            True,
            "What Gelato's message is about: a spelling error, an image problem, cropping, or "
            "something else.",
            kinds.CHOICE,
            choices=FILE_CONCERN_KINDS,
            sources=(GUIDE_CURRENT, OUR_PRACTICE),
        ),
        ScenarioRequirement(
            "concern",
            "The concern as Gelato described it",
            True,
            "Quote Gelato's message, so that your answer is read next to the question.",
            kinds.LONG_TEXT,
            sources=(OUR_PRACTICE,),
        ),
        ScenarioRequirement(
            "direction",
            "Your direction",
            True,
            "Print the order as it is; or replace the file with a corrected one and reorder.",
            kinds.CHOICE,
            choices=(PROCEED_AS_IS, CORRECTED_FILE),
            sources=(GUIDE_CURRENT, GUIDE_EARLIER),
        ),
        ScenarioRequirement(
            "corrected_file",
            "The corrected file",
            False,
            "When you send a corrected file: attach it, or give a link Gelato can download it "
            "from.",
            kinds.FILES,
            needed_when=("direction", CORRECTED_FILE),
            sources=(OUR_PRACTICE,),
        ),
        ScenarioRequirement(
            "direction_details",
            "Details for the production team",
            False,
            "Anything else the team should know: why the file is right as it is, or what you "
            "changed.",
            kinds.LONG_TEXT,
            sources=(OUR_PRACTICE,),
        ),
        _reorder_number(
            "If you corrected the file and placed a reorder: the reorder's number.",
            sources=(GUIDE_EARLIER, OUR_PRACTICE),
        ),
    ),
)

REORDER_TO_CORRECTED = "Correct the address and send the order again"
CORRECT_ONLY = "Correct the address only, no reorder"

ADDRESS_PROBLEM = Scenario(
    slug="address-problem",
    icon="material-home-alert-outline",
    title="Incorrect or undeliverable address",
    article=ADDRESS_PROBLEM_ARTICLE,
    summary="Gelato's shipping team cannot deliver to the address: correct it and reorder.",
    started_by=GELATO,
    sources=(GUIDE_CURRENT, GUIDE_EARLIER, HC_CHANGE_ADDRESS),
    notice_from="an automated email, sent when Gelato's shipping team finds the problem",
    notice=(
        "the order number",
        "what went wrong, for example an address error",
        "a link that opens the order in the Gelato Dashboard, where you correct it and reorder",
    ),
    requirements=(
        _order_number(
            help="The order number named in the email.", sources=(GUIDE_CURRENT, GUIDE_EARLIER)
        ),
        ScenarioRequirement(
            "error_description",
            "The error named in the email",
            True,
            "Copy the error description exactly as the email gives it.",
            kinds.LONG_TEXT,
            sources=(GUIDE_CURRENT, GUIDE_EARLIER),
        ),
        ScenarioRequirement(
            "corrected_address",
            "The corrected address, confirmed with the customer",
            True,
            "The full address in the same country: the country of an order can never be changed.",
            kinds.ADDRESS,
            sources=(HC_CHANGE_ADDRESS, OUR_PRACTICE),
            from_order="address",
        ),
        ScenarioRequirement(
            "reorder",
            "Whether to reorder",
            True,
            "Whether Gelato should send the order again to the corrected address, or only "
            "correct the address of the order as it is.",
            kinds.CHOICE,
            choices=(REORDER_TO_CORRECTED, CORRECT_ONLY),
            sources=(GUIDE_CURRENT, HC_CHANGE_ADDRESS),
        ),
        ScenarioRequirement(
            "dashboard_problem",
            "What the Dashboard showed",
            False,
            "If the Dashboard did not let you correct the address or reorder: what it showed.",
            kinds.LONG_TEXT,
            sources=(HC_CHANGE_ADDRESS, OUR_PRACTICE),
        ),
        _reorder_number(
            "If you placed a reorder from the email's link: the reorder's number.",
            sources=(GUIDE_CURRENT, OUR_PRACTICE),
        ),
    ),
)

API_SUBMISSION_FAILURE = Scenario(
    slug="api-submission-failure",
    icon="material-api-off",
    title="Order cannot be submitted through the API",
    summary="Your integration cannot place an order through the Gelato API: send the logs.",
    started_by=MERCHANT,
    sources=(GUIDE_CURRENT, GUIDE_EARLIER),
    requirements=(
        ScenarioRequirement(
            "order_number",
            "Customer order number",
            True,
            "Your own reference for the order: the orderReferenceId sent in the API call.",
            kinds.ORDER_REFERENCE,
            sources=(GUIDE_CURRENT, API_CREATE),
        ),
        ScenarioRequirement(
            "error_description",
            "Description of the error",
            True,
            "What the integration tried to do, when, and what went wrong: status code and message.",
            kinds.LONG_TEXT,
            sources=(GUIDE_CURRENT, GUIDE_EARLIER),
        ),
        ScenarioRequirement(
            "api_logs",
            "Logs of the API call and its response",
            True,
            "The request (method, address, body) and the complete response. They let Gelato find "
            "the cause quickly. Take the API key out first.",
            kinds.LOGS,
            sources=(GUIDE_CURRENT, GUIDE_EARLIER, OUR_PRACTICE),
        ),
        ScenarioRequirement(
            "correct_and_reorder",
            "Request to correct the issue and reorder",
            False,
            "In most cases, ask Gelato to correct the issue and place the order.",
            kinds.CONFIRM,
            default="yes",
            sources=(GUIDE_CURRENT, GUIDE_EARLIER),
        ),
    ),
)

DELIVERY_PROBLEM = Scenario(
    slug="delivery-problem",
    icon="material-map-search-outline",
    title="Late, stuck or lost order",
    article=WHERE_IS_MY_ORDER,
    summary="An order is late, not dispatched, stuck in transit or lost.",
    started_by=MERCHANT,
    sources=(HC_LATE_ORDER, HC_LOST_PARCEL),
    requirements=(
        _order_number(sources=(OUR_PRACTICE,)),
        ScenarioRequirement(
            "estimated_delivery_date",
            "Estimated delivery date",
            True,
            "As shown on the order's page.",
            kinds.DATE,
            sources=(HC_LATE_ORDER, OUR_PRACTICE),
            from_order="estimated_delivery",
        ),
        ScenarioRequirement(
            "tracking_summary",
            "What the tracking shows",
            True,
            "The tracking link with the date and text of its latest update, or that there is no "
            "tracking link yet.",
            kinds.LONG_TEXT,
            sources=(HC_LATE_ORDER, OUR_PRACTICE),
        ),
        ScenarioRequirement(
            "address_confirmed",
            "Address confirmed with the customer",
            False,
            "For a parcel that seems lost, Gelato may first ask you to confirm the address with "
            "the customer, and the customer to ask at their local post office.",
            kinds.CONFIRM,
            sources=(HC_LOST_PARCEL,),
        ),
    ),
)

SOMETHING_ELSE = Scenario(
    slug="something-else",
    icon="material-message-question-outline",
    title="Something else",
    article=CONTACT,
    summary="Any other question for Gelato Support, once self-service cannot solve it.",
    started_by=MERCHANT,
    sources=(GUIDE_CURRENT, OUR_PRACTICE),
    requirements=(
        _order_number(
            help="If the request is about an order: its number.",
            mandatory=False,
            sources=(OUR_PRACTICE,),
        ),
        ScenarioRequirement(
            "subject",
            "Subject",
            True,
            "One line that says what you need; the order number is added to it.",
            sources=(OUR_PRACTICE,),
        ),
        ScenarioRequirement(
            "description",
            "What you need",
            True,
            "What happened, what the customer asked for, and what you need from Gelato.",
            kinds.LONG_TEXT,
            sources=(OUR_PRACTICE,),
        ),
        ScenarioRequirement(
            "already_tried",
            "What you already tried",
            False,
            "The self-service actions and articles you already used, so they are not suggested "
            "again.",
            kinds.LONG_TEXT,
            sources=(OUR_PRACTICE,),
        ),
        ScenarioRequirement(
            "attachments",
            "Attachments",
            False,
            "Screenshots, photos or documents that show what you describe.",
            kinds.FILES,
            sources=(OUR_PRACTICE,),
        ),
    ),
)

#: Every scenario, in the order the knowledge base presents them.
SCENARIOS = (
    DAMAGED_PRODUCT,
    FILE_CONCERN,
    ADDRESS_PROBLEM,
    API_SUBMISSION_FAILURE,
    DELIVERY_PROBLEM,
    SOMETHING_ELSE,
)

_BY_SLUG = {scenario.slug: scenario for scenario in SCENARIOS}


def scenario(slug: str) -> Scenario:
    """The scenario named by ``slug``; KeyError if there is none."""
    return _BY_SLUG[slug]
