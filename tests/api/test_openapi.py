"""The OpenAPI document: public, OpenAPI 3.1, every route in it, and every error status it names
explained in the knowledge base's API reference. Then schemathesis generates calls to every
operation from the document and checks every answer against it: no 5xx, bodies, statuses, content
types and headers as documented."""

import io
import itertools
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from portal import create_app
from portal.api import PREFIX, api, idempotency, problems
from portal.api.models import LookupAnswer
from tests.conftest import SECRET_KEY
from tests.requests.conftest import JPEG

ARTICLE = Path(__file__).parents[2] / "docs" / "integrations" / "helpdesk-sidebar.md"


def test_the_document_is_public_and_openapi_3_1(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.json
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_every_api_route_is_in_the_document(app):
    routes = {
        (method, re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (method.upper(), path) for path, ops in api.document()["paths"].items() for method in ops
    }
    assert routes == documented


def test_every_error_status_is_explained_once_in_the_reference(client):
    document = api.document()
    used = {
        int(s) for op in document["paths"].values() for o in op.values() for s in o["responses"]
    }
    assert {status for status in used if not 200 <= status < 300} <= set(problems.KINDS)
    page = Path(client.application.config["HELP_CENTER"].site_dir) / "reference/api/index.html"
    html = page.read_text()
    for kind in problems.KINDS.values():
        assert html.count(f'id="{kind.slug}"') == 1, kind.slug
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert f'id="{operation["operationId"]}"' in html, (method, path)


def test_the_helpdesk_articles_sample_answer_is_a_real_answer():
    sample = re.search(r"```json\n(.+?)\n```", ARTICLE.read_text(), re.DOTALL).group(1)
    answer = LookupAnswer.model_validate(json.loads(sample))
    assert answer.orders[0].reference == "NW-1008"


# Generated calls

#: Every operation by method and path, read from the declarations (no app needed to list them),
#: with inputs that fit the document, and, where it takes any, inputs that do not.
OPERATIONS = [
    (method.upper(), path, mode)
    for path, operations in api.document()["paths"].items()
    for method, operation in operations.items()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE
    or operation.get("parameters")
    or operation.get("requestBody")
]


DOCUMENT = "/api/v1/openapi.json"


@pytest.fixture(scope="module")
def served_document(tmp_path_factory, upgraded_database) -> str:
    """The document as an app serves it, read once for every operation's generated calls: it
    is generated from the declarations, the same in every app."""
    database = tmp_path_factory.mktemp("document") / "helpcenter.sqlite3"
    shutil.copyfile(upgraded_database, database)
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": SECRET_KEY})
    try:
        answer = app.test_client().get(DOCUMENT)
    finally:
        app.extensions["store"].close()
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


@pytest.fixture
def schema(app, make_token, served_document):
    """The document the app serves, calling this test's app, and the header of an admin's act
    token, so every operation is reached past its checks; the rate limit is raised out of the
    way."""
    app.config["HELP_CENTER"] = replace(app.config["HELP_CENTER"], api_calls_per_minute=10**6)
    token = make_token("lead", role="admin", scope="act")
    loaded = schemathesis.openapi.from_dict(json.loads(served_document))  # a copy of its own
    loaded.app, loaded.location = app, DOCUMENT  # as schemathesis.openapi.from_wsgi sets them
    return loaded, {"Authorization": f"Bearer {token}"}


@pytest.fixture
def existing(schema, client, order_id):
    """Path values that name something that exists: demo orders (a new one, one the portal can
    still change, a delivered one) and a request with a photo, so generated calls reach the
    rules and checks behind the paths, not only the 404 of a made-up id."""
    _, headers = schema
    made = client.post(
        "/api/v1/requests",
        json={"scenario": "damaged-product", "answers": {"order_number": "NW-1009"}},
        headers=headers,
    ).json
    with_file = client.post(
        f"/api/v1/requests/{made['id']}/files",
        data={"requirement": "photos_item", "file": [(io.BytesIO(JPEG), "glass.jpg")]},
        headers=headers,
    ).json
    return {
        "order_id": itertools.cycle(order_id(ref) for ref in ("NW-1002", "NW-1004", "NW-1009")),
        "draft_id": itertools.repeat(made["id"]),
        "file_id": itertools.repeat(with_file["files"][0]["id"]),
    }


@pytest.mark.parametrize(
    ("method", "path", "mode"), OPERATIONS, ids=[f"{m} {p} {mode}" for m, p, mode in OPERATIONS]
)
def test_generated_calls_get_documented_answers(schema, existing, method, path, mode):
    loaded, headers = schema
    operation = loaded[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case):
        number = next(calls)
        excluded = []
        if mode == GenerationMode.POSITIVE and idempotency.HEADER in (case.headers or {}):
            # Each generated call is a call of its own, as a client's calls are: a key of its
            # own (the same key with other inputs is refused: test_actions_over_http.py).
            case.headers[idempotency.HEADER] = f"generated-{number}"
        if mode == GenerationMode.POSITIVE and case.path_parameters and number % 2:
            # Every other call names what exists, to reach the rules and checks behind it.
            for name in case.path_parameters:
                case.path_parameters[name] = next(existing[name])
        if mode == GenerationMode.POSITIVE and case.path_parameters and method != "GET":
            # Acting on something that exists, the rules and checks past the document (a
            # postcode's shape in its country, a confirmation, which answers a request takes)
            # may refuse a call that fits it: that answer too must be one the document gives.
            excluded = [positive_data_acceptance]
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    calls = itertools.count()
    answers_as_documented()
