"""Facts about Gelato Support, each defined once.

The knowledge base renders them into its articles at build time (``docs/hooks.py``) and the portal
shows them in its pages, so when Gelato changes one of them the correction is a one-line change
here and reaches every article and page at once. They restate what Gelato documents for merchants;
nothing here is a promise of our own.
"""

from __future__ import annotations

from dataclasses import dataclass


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

    @property
    def mailto(self) -> str:
        return f"mailto:{self.email}"


GELATO_SUPPORT = SupportContact(
    email="apisupport@gelato.com",
    hours="24/7",
    contact_button="contact us",
    help_center_name="Gelato's help center",
    help_center_url="https://support.gelato.com",
    email_response="usually within 8 hours, often quicker",
    chat_response="usually at once",
)

#: Gelato Support serves the merchant only. Agents must know this before they promise a customer
#: anything: the customer's answer always comes from the merchant's own team.
WHO_GELATO_SUPPORT_SERVES = (
    "Gelato Support works for you, the merchant, and never for your end customers: it does not "
    "answer them and never contacts them. Every word your customer hears comes from your team."
)

#: Days after delivery within which a damaged or defective product can be reported to Gelato.
DAMAGE_REPORT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Recommendation:
    """A one-time setup step Gelato recommends, with the reason an admin will want to do it."""

    title: str
    why: str


SETUP_RECOMMENDATIONS = (
    Recommendation(
        title="Invite your support agents to your Gelato account",
        why=(
            "With their own access they open orders and run the self-service actions in the "
            "Gelato Dashboard themselves, without waiting for a colleague or for Gelato."
        ),
    ),
    Recommendation(
        title="Give Gelato your team's support email address",
        why=(
            "Gelato sends its notices (file concerns, undeliverable addresses, orders on hold) to "
            "that address, so they reach the people who can act on them."
        ),
    ),
)
