"""No input makes the portal answer 5xx or log a traceback.

Every route that takes a POST is found in the app's URL map, so a form added later is covered
without a line here. Each is sent generated input, signed in as an admin with a valid form token:
the form's own field names and buttons (read from its page) and invented ones, every kind of
text, files with any name and content, and bodies in odd encodings. The public feedback endpoint
gets generated JSON and raw bytes. A 4xx is a fine answer to nonsense; a 5xx, or an error logged
with its traceback, is a bug.

The app answers as in production here (not in testing mode), so an unexpected error becomes the
500 page and its logged traceback, which is what the assertions look for.
"""

from __future__ import annotations

import io
import logging
import re
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from portal.requests.scenarios import SCENARIOS
from tests.conftest import form_token

#: Examples per form, and for the feedback endpoint.
EXAMPLES_PER_FORM = 25
FEEDBACK_EXAMPLES = 60

SETTINGS = settings(
    max_examples=EXAMPLES_PER_FORM,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text of every kind a browser can send: any character but lone surrogates (which no browser
# encodes), with the troublemakers drawn more often.
TROUBLE = [
    "",
    " ",
    "\x00",
    "NW-1009",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%n{0}{{7*7}}",
    "\u202egnp.exe",
    "🙂" * 50,
    "9" * 400,
    "-1",
    "2026-02-30",
    "a@b",
    "\r\n\r\n",
    "x" * 60_000,
]
any_text = st.one_of(
    st.sampled_from(TROUBLE),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
)
field_name_text = st.text(string.ascii_letters + string.digits + "_-[]. ", min_size=1, max_size=30)


@pytest.fixture
def environ(environ):
    # Generated sign-ins fail; they must not lock the test's own admin out.
    return {**environ, "SIGN_IN_ATTEMPTS_PER_ADDRESS": "1000000", "FEEDBACK_PER_ADDRESS": "1000000"}


@pytest.fixture
def logged():
    """Every record logged at WARNING or above while the test runs."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    yield records
    root.removeHandler(handler)


def server_errors(records: list[logging.LogRecord]) -> list[str]:
    """The records that show an unexpected error: logged as errors, or with a traceback."""
    found = []
    for record in records:
        message = record.getMessage()
        if record.levelno >= logging.ERROR or record.exc_info or "Traceback" in message:
            # The first line says where, the last lines what: keep both of a long traceback.
            shown = message if len(message) < 2500 else f"{message[:500]}\n...\n{message[-2000:]}"
            found.append(f"{record.name}: {shown}")
    return found


class SignedInAdmin:
    """An admin's browser: signed in, with the form token of its session; signs in again when a
    generated form signed it out (sign-out, a password reset)."""

    def __init__(self, app, sign_in, account):
        self.app, self._sign_in, self.account = app, sign_in, account
        self.client = app.test_client()
        self.token = ""
        self.ensure()

    def ensure(self) -> None:
        home = self.client.get("/portal/")
        if home.status_code != 200:
            self._sign_in(self.client, *self.account)
            home = self.client.get("/portal/")
        assert home.status_code == 200, "the admin could not sign in again"
        self.token = form_token(home.get_data(as_text=True))


@pytest.fixture
def admin(app, sign_in, admin_account):
    from portal import agents

    store = app.extensions["store"]
    agents.create_agent(store, *admin_account, "admin", actor="tests")
    agents.create_agent(store, "ana", "ana-password-0123", "agent", actor="tests")
    app.testing = False  # unexpected errors answered and logged as in production
    return SignedInAdmin(app, sign_in, admin_account)


def post_rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    return sorted(rules, key=lambda rule: rule.rule)


def known_values(sandbox) -> list[str]:
    """Values a URL's text parts take in real use: scenario slugs, order ids and references,
    agent names."""
    values = [scenario.slug for scenario in SCENARIOS]
    for reference in ("NW-1002", "NW-1004", "NW-1005", "NW-1009", "NW-1019"):
        values += [order["id"] for order in sandbox.orders_with_reference(reference)]
        values.append(reference)
    return [*values, "ana", "nobody"]


def fresh_draft(app) -> int:
    """A draft to aim the routes that take a draft id at: a new one per example, since a
    generated discard or send may have used up the last."""
    return app.extensions["store"].drafts.create(
        scenario="something-else", agent="lead", fields="{}", status="draft"
    )


def form_vocabulary(client, url: str) -> tuple[list[str], list[str]]:
    """The field names of the forms on the page at ``url``, and the values of its buttons."""
    page = client.get(url)
    if page.status_code != 200 or "html" not in page.content_type:
        return [], []
    html = page.get_data(as_text=True)
    names = sorted(set(re.findall(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', html)))
    buttons = sorted(set(re.findall(r'<button[^>]*\bname="step"[^>]*\bvalue="([^"]+)"', html)))
    return [name for name in names if name != "csrf_token"], buttons


def url_strategy(rule, known: list[str]):
    """The rule's URL with each part drawn from values that lead to a page, or generated ones."""
    parts = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):  # "draft": a draft made for the example
            parts[name] = st.one_of(
                st.just("draft"), st.integers(min_value=0, max_value=2**70).map(str)
            )
        else:
            generated = any_text.filter(lambda text: text != "")
            parts[name] = st.sampled_from(known) | st.sampled_from(known) | generated
    return st.fixed_dictionaries(parts)


def leading_to_a_page(rule, app, client, known: list[str]) -> list[str]:
    """The known values that, in every text part of the rule's URL, make its page answer 200:
    a cancel form's order is an order's id, a request form's slug a scenario's. A route that
    only takes POST keeps them all."""
    text_parts = [
        name
        for name, converter in rule._converters.items()
        if not isinstance(converter, IntegerConverter)
    ]
    if not text_parts or "GET" not in (rule.methods or ()):
        return known
    draft_id = fresh_draft(app)
    found = [
        value
        for value in known
        if client.get(build_url(rule, dict.fromkeys(rule.arguments, value), draft_id)).status_code
        == 200
    ]
    return found or known


def build_url(rule, parts: dict, draft_id: int) -> str:
    url = rule.rule
    for name, value in parts.items():
        value = str(draft_id) if value == "draft" else value
        url = re.sub(rf"<(?:[a-z]+:)?{name}>", quote(value, safe=""), url)
    return url


def upload():
    return st.tuples(
        st.one_of(
            st.binary(max_size=2000),
            st.sampled_from([b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40, b"GIF89a"]),
        ),
        st.one_of(
            st.sampled_from(["photo.jpg", "../../x.png", "", "a" * 300, "ログ.txt", "x\x00.jpg"]),
            st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
        ),
    )


def body_strategy(names: list[str], buttons: list[str]):
    """What a POST carries: ``(kind, fields, files, raw)`` for the kinds a test client sends."""
    field_names = st.sampled_from(names) if names else field_name_text
    field_names = st.one_of(field_names, field_name_text)
    values = st.one_of(any_text, st.sampled_from(buttons)) if buttons else any_text
    fields = st.lists(st.tuples(field_names, values), max_size=12)
    files = st.lists(st.tuples(field_names, upload()), max_size=3)
    raw = st.one_of(
        st.binary(max_size=500),
        st.sampled_from(
            [b"%FF%FE=%C0%80", b"a=%", b"=&&==", b"name=\xff\xfe", b"--x\r\nbroken", b"{}"]
        ),
    )
    raw_type = st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "multipart/form-data; boundary=x",
            "multipart/form-data",
            "application/json",
            "text/plain; charset=utf-16",
        ]
    )
    return st.one_of(
        st.tuples(st.just("form"), fields, st.just([]), st.none()),
        st.tuples(st.just("multipart"), fields, files, st.none()),
        st.tuples(st.just("raw"), st.just([]), st.just([]), st.tuples(raw, raw_type)),
    )


def send(admin: SignedInAdmin, url: str, body, *, with_token: bool, query: str):
    kind, fields, files, raw = body
    target = f"{url}?{query}" if query else url
    if kind == "raw":
        data, content_type = raw
        token = {"X-CSRFToken": admin.token} if with_token else {}
        return admin.client.post(target, data=data, content_type=content_type, headers=token)
    data: dict[str, list] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    if with_token:
        data["csrf_token"] = [admin.token]
    if kind == "multipart":
        for name, (content, filename) in files:
            data.setdefault(name, []).append((io.BytesIO(content), filename))
        return admin.client.post(target, data=data, content_type="multipart/form-data")
    return admin.client.post(target, data=data)


def test_every_form_is_found(app, admin):
    """The enumeration finds the forms (were it to find none, the test below would prove
    nothing)."""
    endpoints = {rule.endpoint for rule in post_rules(app)}
    assert {"auth.sign_in", "admin.create_agent", "orders.cancel", "requests.edit"} <= endpoints
    assert "feedback.record" in endpoints


def generated_posts(rule, app, admin: SignedInAdmin, known: list[str], logged):
    """A Hypothesis test of one route: any URL of it, any body, mostly with the form token."""
    known = leading_to_a_page(rule, app, admin.client, known)
    sample = build_url(rule, dict.fromkeys(rule.arguments, known[0]), fresh_draft(app))
    names, buttons = form_vocabulary(admin.client, sample)

    @SETTINGS
    @given(
        parts=url_strategy(rule, known),
        body=body_strategy(names, buttons),
        with_token=st.sampled_from([True, True, True, False]),
        query=st.sampled_from(["", "return_to=/portal/", "next=//evil.test"]),
    )
    def post_anything(parts, body, with_token, query):
        url = build_url(rule, parts, fresh_draft(app))
        before = len(logged)
        response = send(admin, url, body, with_token=with_token, query=query)
        errors = server_errors(logged[before:])
        admin.ensure()
        answered = f"POST {url} answered {response.status_code}\n" + "\n".join(errors)
        assert response.status_code < 500, answered
        assert not errors, answered

    return post_anything


def test_no_form_answers_5xx_or_logs_a_traceback(app, admin, sandbox, logged):
    known = known_values(sandbox)
    found = []
    for rule in post_rules(app):
        if rule.endpoint == "feedback.record":
            continue  # its own test below sends it JSON
        try:
            generated_posts(rule, app, admin, known, logged)()
        except AssertionError as failure:
            found.append(f"{rule.rule}: {failure}")
    assert not found, "\n\n".join(found)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=20,
)
feedback_bodies = st.one_of(
    st.fixed_dictionaries(
        {"page": st.one_of(st.sampled_from(["/", "/contact/", "/nope/"]), any_text)},
        optional={"helpful": json_values, "comment": json_values},
    ),
    json_values,
)


@settings(SETTINGS, max_examples=FEEDBACK_EXAMPLES)
@given(
    body=st.one_of(
        feedback_bodies.map(lambda value: ("json", value)),
        st.binary(max_size=3000).map(lambda raw: ("raw", raw)),
        st.integers(1, 20_000).map(lambda depth: ("raw", b"[" * depth + b"]" * depth)),
    ),
    content_type=st.sampled_from(["application/json", "application/json; charset=latin-1", ""]),
    origin=st.sampled_from([None, "http://localhost", "https://evil.test", "null", "::"]),
)
def test_the_feedback_endpoint_answers_any_body_without_5xx(
    app_for_feedback, body, content_type, origin
):
    app, records = app_for_feedback
    kind, value = body
    headers = {"Origin": origin} if origin else {}
    client = app.test_client()
    before = len(records)
    if kind == "json":
        response = client.post("/api/feedback", json=value, headers=headers)
    else:
        response = client.post(
            "/api/feedback", data=value, content_type=content_type, headers=headers
        )
    errors = server_errors(records[before:])
    assert response.status_code < 500, response.get_data(as_text=True)
    assert not errors, "\n".join(errors)


@pytest.fixture(scope="module")
def app_for_feedback(tmp_path_factory):
    """One app for every example (Hypothesis runs them all in one test call)."""
    from portal import create_app
    from tests.conftest import SECRET_KEY

    database = tmp_path_factory.mktemp("feedback") / "helpcenter.sqlite3"
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": SECRET_KEY,
            "FEEDBACK_PER_ADDRESS": "1000000",
        }
    )
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(logging.WARNING)
    logging.getLogger().addHandler(handler)
    yield app, records
    logging.getLogger().removeHandler(handler)
    app.extensions["store"].close()


# What the generated input found, pinned


def test_a_draft_number_past_any_row_id_is_not_found(admin):
    response = admin.client.post(
        "/portal/requests/9223372036854775808/discard", data={"csrf_token": admin.token}
    )
    assert response.status_code == 404


def test_an_order_id_in_any_script_is_not_found(admin):
    response = admin.client.post("/portal/orders/%C4%80/cancel", data={"csrf_token": admin.token})
    assert response.status_code == 404


def test_a_file_sent_in_place_of_a_text_field_is_not_read_as_text(app, admin):
    response = admin.client.post(
        "/portal/requests/new/something-else/",
        data={
            "csrf_token": admin.token,
            "description": (io.BytesIO(b"not text"), "description.txt"),
            "step": "save",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [draft] = app.extensions["store"].drafts.list()
    assert "not text" not in draft.fields


def test_a_json_body_sent_to_a_form_is_not_read_as_its_fields(admin):
    response = admin.client.post(
        "/portal/requests/new/something-else/",
        data=b"[1]",
        content_type="application/json",
        headers={"X-CSRFToken": admin.token},
    )
    assert response.status_code < 500
