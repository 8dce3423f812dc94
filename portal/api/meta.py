"""What the API says about itself: its OpenAPI document, and who a token acts for."""

from __future__ import annotations

from flask import g, jsonify

from portal import context
from portal.api import models
from portal.api.blueprint import api


@api.get("/openapi.json", answer=models.OpenApiDocument, tag="About the API", scope=None)
def openapi_document():
    """This API's OpenAPI 3.1 document.

    Public, since it holds no data: generated from the same models that validate each call.
    """
    return jsonify(api.document())


@api.get("/me", answer=models.Me, tag="About the API")
def me():
    """Who this token acts for, and what it may do.

    A quick way for an integration to check its token before anything else.
    """
    token = g.api_token
    return models.Me(
        agent=g.agent.name,
        role=g.agent.role,
        token=models.TokenOut(
            id=token.id,
            name=token.name,
            scope=token.scope,
            created_at=token.created_at,
            expires_at=token.expires_at,
        ),
        calls_per_minute=context.config().api_calls_per_minute,
    )
