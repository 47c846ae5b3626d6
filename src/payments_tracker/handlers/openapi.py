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
                Server(url="http://127.0.0.1:3000", description="The local stack (make run)"),
                Server(
                    url="https://{apiId}.execute-api.{region}.amazonaws.com/v1",
                    description="AWS, stage v1 (see the CDK outputs)",
                    variables={
                        "apiId": ServerVariable(default="example"),
                        "region": ServerVariable(default="eu-west-1"),
                    },
                ),
            ],
            security_schemes={"bearer": HTTPBearer(bearerFormat="JWT")},
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
