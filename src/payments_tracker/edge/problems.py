"""The one builder of RFC 9457 `application/problem+json` documents: the functions' answers and
API Gateway's own (its gateway responses, and the local gateway's) are all built here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from payments_tracker.domain.errors import FieldError

PROBLEM_CONTENT_TYPE: Final = "application/problem+json"
PROBLEM_TYPE_PREFIX: Final = "/problems/"


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
        "type": f"{PROBLEM_TYPE_PREFIX}{slug}",
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
