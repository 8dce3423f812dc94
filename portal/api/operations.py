"""The API's operations, declared once: each names its models, and from them the route validates
its input and answers, and the OpenAPI 3.1 document describes it.

Pydantic validates the input and writes the JSON Schema (draft 2020-12, the dialect OpenAPI 3.1
uses unchanged), so the document cannot say one thing while the code checks another. ``document``
assembles the operations into one OpenAPI document; nothing in it is typed by hand twice.

An operation takes its input from the query string (``query``), a JSON body (``body``, read
strictly: ``"true"`` is not a boolean, ``"1"`` not a number) or a multipart form with files
(``form``); one that changes something may take an ``Idempotency-Key`` header
(``portal.api.idempotency``), which the operation then requires or merely accepts.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, request
from pydantic import BaseModel, RootModel, ValidationError
from pydantic.json_schema import models_json_schema

from portal.api import idempotency as keys
from portal.api import problems
from portal.api.problems import KINDS, ApiProblem, Problem

PREFIX = "/api/v1"
VERSION = "1.0.0"
_REF = "#/components/schemas/{model}"
_FLASK_PARAMETER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
#: What a path parameter may hold: the printable ASCII of ids (Gelato's are UUIDs), no slash.
PATH_VALUE = r"^[!-.0-~]{1,100}$"

#: Every call with a token may end in these.
_AUTHENTICATED = (401, 429)
#: Whether an operation takes an ``Idempotency-Key``: it must be sent, or it may be.
REQUIRED = "required"
OPTIONAL = "optional"
JSON = "application/json"
MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class Operation:
    method: str
    #: As Flask writes it, under PREFIX: ``/orders/<order_id>``.
    path: str
    endpoint: str
    summary: str
    description: str
    tag: str
    answer: type[BaseModel]
    #: None: public (no token). read or act: the least scope a token needs.
    scope: str | None
    admin: bool = False
    query: type[BaseModel] | None = None
    #: The statuses it may answer besides 200 and those every call with a token may.
    problems: tuple[int, ...] = ()
    #: Path parameters: name and meaning.
    parameters: dict[str, str] = field(default_factory=dict)
    #: The JSON body it takes, or the multipart form (files and their fields).
    body: type[BaseModel] | None = None
    form: type[BaseModel] | None = None
    #: ``REQUIRED`` or ``OPTIONAL``: it takes an Idempotency-Key header. None: it does not.
    idempotency: str | None = None
    #: The status of a successful answer, and its media type when it is not the JSON of
    #: ``answer`` (an .eml file: ``answer`` is then None).
    success: int = 200
    media_type: str = JSON

    @property
    def openapi_path(self) -> str:
        return PREFIX + _FLASK_PARAMETER.sub(r"{\1}", self.path)

    @property
    def integer_parameters(self) -> set[str]:
        """Path parameters Flask reads as integers (``<int:draft_id>``)."""
        return set(re.findall(r"<int:([a-z_]+)>", self.path))

    @property
    def statuses(self) -> tuple[int, ...]:
        found = set(self.problems)
        if self.scope is not None:
            found.update(_AUTHENTICATED)
        if self.scope == "act" or self.admin:
            found.add(403)
        if self.query is not None or self.parameters or self.takes_input:
            found.add(422)
        if self.parameters:
            found.add(404)
        if self.body is not None:
            found.add(400)
        if self.form is not None:
            found.add(413)
        if self.idempotency is not None:
            found.add(409)
        return tuple(sorted(found))

    @property
    def takes_input(self) -> bool:
        return self.body is not None or self.form is not None or self.idempotency is not None


class Api:
    """The operations of one blueprint, in the order they were declared."""

    def __init__(self, blueprint: Blueprint, *, title: str, description: str):
        self.blueprint = blueprint
        self.title = title
        self.description = description
        self.operations: list[Operation] = []

    def by_endpoint(self, endpoint: str | None) -> Operation | None:
        return next((op for op in self.operations if op.endpoint == endpoint), None)

    def get(self, path: str, **options) -> Callable:
        return self._route("GET", path, **options)

    def post(self, path: str, **options) -> Callable:
        """An operation that acts: a token with the act scope, unless ``scope`` says otherwise."""
        return self._route("POST", path, **{"scope": "act", **options})

    def patch(self, path: str, **options) -> Callable:
        return self._route("PATCH", path, **{"scope": "act", **options})

    def delete(self, path: str, **options) -> Callable:
        return self._route("DELETE", path, **{"scope": "act", **options})

    def _route(
        self,
        method: str,
        path: str,
        *,
        answer: type[BaseModel] | None,
        tag: str,
        scope: str | None = "read",
        admin: bool = False,
        query: type[BaseModel] | None = None,
        problems: tuple[int, ...] = (),
        parameters: dict[str, str] | None = None,
        body: type[BaseModel] | None = None,
        form: type[BaseModel] | None = None,
        idempotency: str | None = None,
        success: int = 200,
        media_type: str = JSON,
    ) -> Callable:
        def declare(view: Callable[..., BaseModel | Response]) -> Callable:
            summary, _, description = (view.__doc__ or "").strip().partition("\n")
            operation = Operation(
                method=method,
                path=path,
                endpoint=f"{self.blueprint.name}.{view.__name__}",
                summary=summary.strip(),
                description=" ".join(description.split()),
                tag=tag,
                answer=answer,
                scope=scope,
                admin=admin,
                query=query,
                problems=problems,
                parameters=parameters or {},
                body=body,
                form=form,
                idempotency=idempotency,
                success=success,
                media_type=media_type,
            )
            self.operations.append(operation)

            @functools.wraps(view)
            def handle(**path_values):
                key = None
                if idempotency is not None:
                    key = _idempotency_key(required=idempotency == REQUIRED)
                inputs = {}
                if query is not None:
                    inputs["query"] = _validated(query, request.args.to_dict(), "query")
                if body is not None:
                    inputs["body"] = _validated_json(body)
                if form is not None:
                    inputs["form"] = _validated_form(form)

                def answer_call() -> Response:
                    result = view(**path_values, **inputs)
                    if isinstance(result, Response):
                        return result
                    return Response(result.model_dump_json(), status=success, mimetype=JSON)

                if key is None:
                    return answer_call()
                return keys.answer_once(key, _fingerprint(inputs), answer_call)

            self.blueprint.add_url_rule(path, view.__name__, handle, methods=[method])
            return handle

        return declare

    # The document

    def document(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document of every operation declared."""
        models: list[tuple[type[BaseModel], str]] = [(Problem, "serialization")]
        for op in self.operations:
            if op.answer is not None:
                models.append((op.answer, "serialization"))
            for model in (op.body, op.form):
                if model is not None:
                    models.append((model, "validation"))
        refs, definitions = models_json_schema(models, ref_template=_REF)
        schemas = dict(definitions.get("$defs", {}))
        paths: dict[str, dict] = {}
        for op in self.operations:
            parameters = [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "description": meaning,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
                    if name in op.integer_parameters
                    else {"type": "string", "pattern": PATH_VALUE},
                }
                for name, meaning in op.parameters.items()
            ]
            if op.idempotency is not None:
                parameters.append(_idempotency_parameter(op.idempotency == REQUIRED))
            if op.query is not None:
                parameters += _query_parameters(op.query, schemas)
            described = {
                "operationId": op.endpoint.rpartition(".")[2],
                "summary": op.summary,
                "description": _describe_access(op) + (" " + op.description).rstrip(),
                "tags": [op.tag],
                "security": [] if op.scope is None else [{"token": []}],
                "responses": {
                    str(op.success): _success_response(op, refs),
                    **{
                        str(status): {"$ref": f"#/components/responses/{status}"}
                        for status in op.statuses
                    },
                },
            }
            if parameters:
                described["parameters"] = parameters
            if op.body is not None:
                described["requestBody"] = {
                    "required": True,
                    "content": {JSON: {"schema": refs[(op.body, "validation")]}},
                }
            if op.form is not None:
                described["requestBody"] = {
                    "required": True,
                    "content": {MULTIPART: {"schema": refs[(op.form, "validation")]}},
                }
            paths.setdefault(op.openapi_path, {})[op.method.lower()] = described
        used = sorted({s for op in self.operations for s in op.statuses})
        return {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": VERSION, "description": self.description},
            "servers": [{"url": "/"}],
            "tags": [{"name": tag} for tag in dict.fromkeys(op.tag for op in self.operations)],
            "paths": paths,
            "components": {
                "schemas": schemas,
                "responses": {
                    str(status): _problem_response(status, refs[(Problem, "serialization")])
                    for status in used
                },
                "securitySchemes": {
                    "token": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal API token, made under Portal → API tokens "
                        "or with `flask tokens create`: Authorization: Bearer ghc_…",
                    }
                },
            },
        }


def _success_response(op: Operation, refs: dict) -> dict[str, Any]:
    if op.answer is None:
        return {
            "description": "The file.",
            "content": {op.media_type: {"schema": {"type": "string"}}},
        }
    doc = op.answer.__doc__
    answer: dict[str, Any] = {
        "description": doc.strip().splitlines()[0] if doc else "OK",
        "content": {JSON: {"schema": refs[(op.answer, "serialization")]}},
    }
    if op.idempotency is not None:
        answer["headers"] = {
            keys.REPLAYED: {
                "description": "true: this is the answer of an earlier call with the same "
                f"{keys.HEADER}, which was not carried out again.",
                "schema": {"type": "string", "enum": ["true"]},
            }
        }
    return answer


def _idempotency_parameter(required: bool) -> dict[str, Any]:
    return {
        "name": keys.HEADER,
        "in": "header",
        "required": required,
        "description": keys.DESCRIPTION
        + ("" if required else " Optional here: without it, each call is carried out."),
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": keys.MAX_LENGTH,
            "pattern": keys.PATTERN,
        },
    }


def _describe_access(op: Operation) -> str:
    if op.scope is None:
        return "Public: no token needed."
    who = "An admin's token" if op.admin else "A token"
    return f"{who} with scope {op.scope}{' or act' if op.scope == 'read' else ''}."


def _problem_response(status: int, schema: dict[str, str]) -> dict[str, Any]:
    kind = KINDS[status]
    answer: dict[str, Any] = {
        "description": f"{kind.title}: {kind.meaning}",
        "content": {problems.MEDIA_TYPE: {"schema": schema}},
    }
    headers = {}
    if status in (429, 503):
        headers["Retry-After"] = {
            "description": "Seconds to wait before calling again.",
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        }
    if status == 401:
        headers["WWW-Authenticate"] = {
            "description": "Bearer: how to authenticate.",
            "schema": {"type": "string"},
        }
    if status == 405:
        headers["Allow"] = {
            "description": "The methods the path takes.",
            "schema": {"type": "string"},
        }
    if headers:
        answer["headers"] = headers
    return answer


def _query_parameters(model: type[BaseModel], schemas: dict) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=_REF, mode="validation")
    schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = _without_null(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or has a value: never JSON's null."""
    schema = dict(schema)
    options = schema.get("anyOf")
    if options:
        kept = [option for option in options if option.get("type") != "null"]
        if len(kept) == 1:
            schema.pop("anyOf")
            schema = {**kept[0], **schema}
        else:
            schema["anyOf"] = kept
    if schema.get("default") is None:
        schema.pop("default", None)
    return schema


def _validated(model: type[BaseModel], data: dict[str, Any], location: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise problems.from_validation(error, location) from None


def _validated_json(model: type[BaseModel]) -> BaseModel:
    """The body, read as JSON whatever Content-Type says (an empty body is ``{}``), then
    validated strictly: JSON has its own booleans and numbers, so no string stands in for one."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raw = b"{}"
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise problems.unreadable_json(str(error).partition(":")[0]) from None
    if not isinstance(data, dict):
        raise problems.unreadable_json(f"a JSON {type(data).__name__.replace('dict', 'object')}")
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as error:
        tagged = issubclass(model, RootModel)
        raise problems.from_validation(error, "body", tagged=tagged) from None


def _validated_form(model: type[BaseModel]) -> BaseModel:
    """A multipart form: its text fields, and each file field as the list of its files' bytes
    (read again by the view for their names)."""
    data: dict[str, Any] = request.form.to_dict()
    for name in request.files:
        data[name] = [upload.read() for upload in request.files.getlist(name)]
        for upload in request.files.getlist(name):
            upload.stream.seek(0)
    return _validated(model, data, "body")


def _idempotency_key(*, required: bool) -> str | None:
    try:
        return keys.key_in(request.headers, required=required)
    except ValueError as error:
        raise ApiProblem(
            422,
            str(error),
            errors=[problems.FieldError(location="header", field=keys.HEADER, message=str(error))],
        ) from None


def _fingerprint(inputs: dict[str, BaseModel]) -> str:
    """What a call asked for, as the key remembers it: method, path and the validated inputs."""
    asked = {name: model.model_dump(mode="json") for name, model in inputs.items()}
    return keys.fingerprint(request.method, request.path, asked)


__all__ = ["OPTIONAL", "REQUIRED", "Api", "ApiProblem", "Operation"]
