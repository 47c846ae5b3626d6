"""The OpenAPI 3.1 document of API v1, generated from the code: `python -m ...handlers.openapi`."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server, ServerVariable

from payments_tracker.handlers.api import app

TITLE = "payments-tracker API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Recurring monthly payments of a bank's customers. Every operation needs "
    "`Authorization: Bearer <Cognito access token>`; every error is RFC 9457 "
    "`application/problem+json`."
)
BEARER_DESCRIPTION = (
    "A Cognito access token, a JWT handled as RFC8725 (JSON Web Token Best Current Practices) "
    "asks: the algorithm is pinned to RS256 before any key lookup (`none`, HMAC and every other "
    "`alg` are refused, RFC 8725 §3.1), the signature is checked with the user pool's published "
    "keys only, `iss` must be the pool, `exp` is required and checked with at most 30 s of "
    "leeway (`nbf`, `iat` too when present), `token_use` must be `access` so an ID token is "
    "refused (§3.11, as Cognito tokens carry no `typ`), and `client_id` must be an app client of "
    "this API (Cognito access tokens carry no `aud`, §3.9). Tokens over 8 KiB are refused unread."
)
# Powertools adds FastAPI-style validation schemas; this API answers with Problem instead.
# ResponseValidationError refers to ValidationError: left alone, its $ref would dangle.
_UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def openapi_document() -> dict[str, Any]:
    """The document: Powertools' generation, plus the bearer scheme, minus unused parts."""
    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            description=DESCRIPTION,
            servers=[
                Server(
                    url="http://127.0.0.1:3000",
                    description="The local stack (make run): loopback only, for development",
                    **{"x-internal": True},
                ),
                Server(
                    url="https://{apiId}.execute-api.{region}.amazonaws.com/v1",
                    description="AWS, stage v1 (see the CDK outputs): the customers' API",
                    variables={
                        "apiId": ServerVariable(default="example"),
                        "region": ServerVariable(default="eu-west-1"),
                    },
                    **{"x-internal": False},
                ),
            ],
            security_schemes={
                "bearer": HTTPBearer(bearerFormat="JWT", description=BEARER_DESCRIPTION)
            },
            security=[{"bearer": []}],
        )
    )
    schemas = document.get("components", {}).get("schemas", {})
    for name in _UNUSED_SCHEMAS:
        schemas.pop(name, None)
    document["paths"].pop("/swagger", None)
    return document


def render() -> str:
    """The document as committed in docs/api/openapi.json."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
