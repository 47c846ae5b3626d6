"""The one builder of RFC 9457 `application/problem+json` responses."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response

from payments_tracker.domain.errors import FieldError

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_body(
    status: int,
    slug: str,
    title: str,
    detail: str,
    instance: str | None,
    *,
    errors: list[FieldError] | None = None,
) -> dict[str, Any]:
    """The problem document: `type`, `title`, `status`, `detail`, `instance` and maybe `errors`."""
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = [
            {"field": error.field, "rule": error.rule, "message": error.message} for error in errors
        ]
    return body


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    instance: str | None,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """A problem+json response."""
    return Response(
        status_code=status,
        content_type=PROBLEM_CONTENT_TYPE,
        body=json.dumps(problem_body(status, slug, title, detail, instance, errors=errors)),
        headers=headers,
    )
