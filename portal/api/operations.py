"""The API's operations, declared once: each names its models, and from them the route validates
its input and answers, and the OpenAPI 3.1 document describes it.

Pydantic validates the input and writes the JSON Schema (draft 2020-12, the dialect OpenAPI 3.1
uses unchanged), so the document cannot say one thing while the code checks another. ``document``
assembles the operations into one OpenAPI document; nothing in it is typed by hand twice.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

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

    @property
    def openapi_path(self) -> str:
        return PREFIX + _FLASK_PARAMETER.sub(r"{\1}", self.path)

    @property
    def statuses(self) -> tuple[int, ...]:
        found = set(self.problems)
        if self.scope is not None:
            found.update(_AUTHENTICATED)
        if self.scope == "act" or self.admin:
            found.add(403)
        if self.query is not None or self.parameters:
            found.add(422)
        if self.parameters:
            found.add(404)
        return tuple(sorted(found))


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

    def _route(
        self,
        method: str,
        path: str,
        *,
        answer: type[BaseModel],
        tag: str,
        scope: str | None = "read",
        admin: bool = False,
        query: type[BaseModel] | None = None,
        problems: tuple[int, ...] = (),
        parameters: dict[str, str] | None = None,
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
            )
            self.operations.append(operation)

            @functools.wraps(view)
            def handle(**path_values):
                inputs = {}
                if query is not None:
                    inputs["query"] = _validated(query, request.args.to_dict(), "query")
                result = view(**path_values, **inputs)
                if isinstance(result, Response):
                    return result
                return Response(result.model_dump_json(), mimetype="application/json")

            self.blueprint.add_url_rule(path, view.__name__, handle, methods=[method])
            return handle

        return declare

    # The document

    def document(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document of every operation declared."""
        models: list[tuple[type[BaseModel], str]] = [(Problem, "serialization")]
        for op in self.operations:
            models.append((op.answer, "serialization"))
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
                    "schema": {"type": "string", "pattern": PATH_VALUE},
                }
                for name, meaning in op.parameters.items()
            ]
            if op.query is not None:
                parameters += _query_parameters(op.query, schemas)
            described = {
                "operationId": op.endpoint.rpartition(".")[2],
                "summary": op.summary,
                "description": _describe_access(op) + (" " + op.description).rstrip(),
                "tags": [op.tag],
                "security": [] if op.scope is None else [{"token": []}],
                "responses": {
                    "200": {
                        "description": op.answer.__doc__.strip().splitlines()[0]
                        if op.answer.__doc__
                        else "OK",
                        "content": {
                            "application/json": {"schema": refs[(op.answer, "serialization")]}
                        },
                    },
                    **{
                        str(status): {"$ref": f"#/components/responses/{status}"}
                        for status in op.statuses
                    },
                },
            }
            if parameters:
                described["parameters"] = parameters
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


__all__ = ["Api", "ApiProblem", "Operation"]
