"""Facts about Gelato Support, each defined once.

The knowledge base renders them into its articles at build time (``docs/hooks.py``) and the portal
shows them in its pages, so when Gelato changes one of them the correction is a one-line change
here and reaches every article and page at once. They restate what Gelato documents for merchants,
and each names the document it comes from (``portal/sources.py``), so a reader can check it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType

from portal import sources
from portal.sources import GUIDE_CURRENT, GUIDE_EARLIER, Sources


@dataclass(frozen=True)
class Article:
    """An article of the knowledge base, so that the portal can link to it and a test can check
    that it exists."""

    #: Its source file under ``docs/``.
    path: str
    #: Its title, which is also its first heading.
    title: str

    @property
    def url(self) -> str:
        """Where the site serves it (MkDocs' directory URLs)."""
        stem = self.path.removesuffix(".md")
        if stem == "index":
            return "/"
        return "/" + stem.removesuffix("/index") + "/"


CONTACT = Article("contact.md", "Contact Gelato Support")
STATUS_GLOSSARY = Article("reference/statuses.md", "Order statuses")
WHERE_IS_MY_ORDER = Article("questions/where-is-my-order.md", "Where is my order?")
ON_HOLD_OR_FAILED = Article("questions/on-hold-or-failed.md", "Order on hold or failed")
#: The articles of the support requests that the order rules point to as a next step; the
#: scenarios of those requests use the same objects.
ADDRESS_PROBLEM_ARTICLE = Article(
    "support/address-problem.md", "Incorrect or undeliverable address"
)
DAMAGED_PRODUCT_ARTICLE = Article("support/damaged-product.md", "Damaged or defective product")
#: Every source the rules and articles cite, the assumptions, and what is our own practice.
SOURCES = Article(sources.PAGE, "Sources")


@dataclass(frozen=True)
class SupportContact:
    """How a merchant's team reaches Gelato Support, and how quickly it can expect an answer."""

    #: The address Gelato gives for writing to its support team directly.
    email: str
    #: When the team can be reached.
    hours: str
    #: The label of the button in Gelato's help center that opens a chat or an email form.
    contact_button: str
    help_center_name: str
    help_center_url: str
    #: How quickly an email is answered, in the words an agent can pass on to a colleague.
    email_response: str
    #: How quickly a chat is answered.
    chat_response: str
    #: Where each of the facts above comes from, by field name.
    sources: Mapping[str, Sources]

    @property
    def mailto(self) -> str:
        return f"mailto:{self.email}"

    @property
    def facts(self) -> tuple[str, ...]:
        """The names of the fields that state a fact (all but ``sources``)."""
        return tuple(f.name for f in fields(self) if f.name != "sources")

    @property
    def all_sources(self) -> Sources:
        """Every source of the contact facts, each once, in the order first cited."""
        return tuple(dict.fromkeys(s for fact in self.facts for s in self.sources[fact]))


GELATO_SUPPORT = SupportContact(
    email="apisupport@gelato.com",
    hours="24/7",
    contact_button="contact us",
    help_center_name="Gelato's help center",
    help_center_url="https://support.gelato.com",
    email_response="usually within 8 hours, often quicker",
    chat_response="usually at once",
    sources=MappingProxyType(
        {
            # The current guide names the chat only; the earlier one also the address and the
            # answer times.
            "email": (GUIDE_EARLIER,),
            "hours": (GUIDE_CURRENT, GUIDE_EARLIER),
            "contact_button": (GUIDE_CURRENT, GUIDE_EARLIER),
            "help_center_name": (GUIDE_CURRENT,),
            "help_center_url": (GUIDE_CURRENT,),
            "email_response": (GUIDE_EARLIER,),
            "chat_response": (GUIDE_EARLIER,),
        }
    ),
)

#: Gelato Support serves the merchant only. Agents must know this before they promise a customer
#: anything: the customer's answer always comes from the merchant's own team.
WHO_GELATO_SUPPORT_SERVES = (
    "Gelato Support serves you, the merchant: it offers no customer service to your end customers "
    "and never contacts them directly. Your customers get their answers from your team."
)
WHO_GELATO_SUPPORT_SERVES_SOURCES: Sources = (GUIDE_CURRENT, GUIDE_EARLIER)

#: Days after the customer received the item within which Gelato takes a report of a damaged or
#: defective product ("Report a problem" on the order's page).
DAMAGE_REPORT_WINDOW_DAYS = 30
DAMAGE_REPORT_WINDOW_SOURCES: Sources = (GUIDE_CURRENT,)


@dataclass(frozen=True)
class Recommendation:
    """A one-time setup step Gelato recommends, with the reason an admin will want to do it."""

    title: str
    why: str
    sources: Sources = ()


SETUP_RECOMMENDATIONS = (
    Recommendation(
        title="Invite your support agents to your Gelato account",
        why=(
            "Gelato recommends it so that they can manage your orders in the Gelato Dashboard "
            "themselves, which is where most customer requests are solved."
        ),
        sources=(GUIDE_CURRENT, GUIDE_EARLIER),
    ),
    Recommendation(
        title="Give Gelato your team's support email address",
        why=(
            "Gelato asks for the address to which it can send the messages it starts, such as a "
            "file concern from its production team or an undeliverable address."
        ),
        sources=(GUIDE_CURRENT, GUIDE_EARLIER),
    ),
)
