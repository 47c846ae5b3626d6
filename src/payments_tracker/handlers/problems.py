"""The api function's problem+json responses (Powertools `Response`s of `edge/problems.py`'s
documents)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response

from payments_tracker.edge.problems import PROBLEM_CONTENT_TYPE, problem_body

if TYPE_CHECKING:
    from payments_tracker.domain.errors import FieldError

__all__ = ["PROBLEM_CONTENT_TYPE", "problem", "problem_body"]


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
