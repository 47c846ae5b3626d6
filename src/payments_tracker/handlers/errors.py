"""How the api answers each exception: one table, exception → status, type, title, detail, field
errors, headers and metric; `register` installs it on the resolver.

The exceptions live with the code that raises them: the domain's rules (domain/errors.py), the
use cases' (service/payments.py, service/consent.py, service/own_reports.py), the ports'
(service/ports.py), and the request reader's (handlers/requests.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.metrics import MetricUnit

from payments_tracker.domain.errors import (
    CommitmentNotFound,
    CorrectionLimitReached,
    FieldError,
    ForbiddenUser,
    MonthlyLimitReached,
    PaymentConflict,
    PaymentNotFound,
    ValidationFailed,
)
from payments_tracker.handlers.http import RETRY_AFTER_SECONDS, request_id
from payments_tracker.handlers.problems import problem
from payments_tracker.handlers.requests import RequestRejected
from payments_tracker.observability import logger, metrics, stack_frames
from payments_tracker.service.consent import ConsentConflict
from payments_tracker.service.own_reports import MalformedMonth, ReportNotBuilt
from payments_tracker.service.payments import BadQuery
from payments_tracker.service.ports import CustomerErased, StorageUnavailable

E = TypeVar("E", bound=Exception)

REJECTED = "rejected"
"""The metric of a refused submission or consent change: `PaymentRejected` or `ConsentRejected`,
named after what the request was for."""


@dataclass(frozen=True)
class Answer(Generic[E]):
    """The problem+json answer to one kind of exception."""

    status: int | Callable[[E], int]
    slug: str | Callable[[E], str]
    title: str | Callable[[E], str]
    detail: str | Callable[[E], str]
    errors: Callable[[E], list[FieldError]] | None = None
    headers: dict[str, str] | None = None
    metric: str | None = None
    """A metric to count the answer by (`REJECTED`: named after the route's resource)."""


def _named(errors: list[FieldError]) -> str:
    return ", ".join(sorted({error.field for error in errors}))


def _first(error: RequestRejected) -> str:
    first = error.errors[0]
    return f"{first.field}: {first.message}"


ANSWERS: dict[type[Exception], Answer[Any]] = {
    RequestRejected: Answer[RequestRejected](
        status=lambda e: e.status,
        slug=lambda e: e.slug,
        title=lambda e: e.title,
        detail=_first,
        errors=lambda e: e.errors,
        metric=REJECTED,
    ),
    ValidationFailed: Answer[ValidationFailed](
        status=422,
        slug="validation",
        title="Validation failed",
        detail=lambda e: f"Rules broken in: {_named(e.errors)}",
        errors=lambda e: e.errors,
        metric=REJECTED,
    ),
    MonthlyLimitReached: Answer[MonthlyLimitReached](
        status=422,
        slug="monthly-limit",
        title="Monthly limit reached",
        detail=lambda e: (
            f"timestamp: {e.month} already holds the most payments one customer may store for "
            f"a month ({e.limit})"
        ),
        errors=lambda e: [
            FieldError(
                "timestamp",
                "monthly-limit",
                f"its month already holds {e.limit} payments of yours, the most per month",
            )
        ],
        metric=REJECTED,
    ),
    ForbiddenUser: Answer[ForbiddenUser](
        status=403,
        slug="forbidden-user",
        title="Forbidden user",
        detail="userId must be your own user id (the `sub` of your token)",
        errors=lambda _: [FieldError("userId", "caller", "must equal the caller's user id")],
        metric=REJECTED,
    ),
    BadQuery: Answer[BadQuery](
        status=400,
        slug="bad-query",
        title="Bad query parameter",
        detail=lambda e: f"Check: {_named(e.errors)}",
        errors=lambda e: e.errors,
    ),
    MalformedMonth: Answer[MalformedMonth](
        status=400,
        slug="bad-month",
        title="Bad month",
        detail="month must be a month as YYYY-MM",
        errors=lambda e: e.errors,
    ),
    ReportNotBuilt: Answer[ReportNotBuilt](
        status=404,
        slug="report-not-found",
        title="Report not found",
        detail="No report of yours for this month: it is built on the 5th of the next month",
    ),
    CorrectionLimitReached: Answer[CorrectionLimitReached](
        status=422,
        slug="correction-limit",
        title="Correction limit reached",
        detail=lambda e: f"You have recorded the most corrections one customer may ({e.limit})",
        errors=lambda e: [
            FieldError(
                "commitmentId",
                "correction-limit",
                f"you have recorded {e.limit} corrections, the most per customer",
            )
        ],
        metric=REJECTED,
    ),
    CommitmentNotFound: Answer[CommitmentNotFound](
        status=404,
        slug="commitment-not-found",
        title="Commitment not found",
        detail="No commitment of yours has this id",
        errors=lambda e: [
            FieldError(
                e.field,
                "exists",
                "no commitment of yours has this id",
            )
        ],
    ),
    PaymentNotFound: Answer[PaymentNotFound](
        status=404, slug="not-found", title="Not found", detail="No payment of yours has this id"
    ),
    PaymentConflict: Answer[PaymentConflict](
        status=409,
        slug="payment-conflict",
        title="Payment id already used",
        detail="This paymentId already holds a different submission; use a new paymentId",
        errors=lambda _: [
            FieldError("paymentId", "unique", "already holds a different submission")
        ],
        metric="PaymentConflict",
    ),
    ConsentConflict: Answer[ConsentConflict](
        status=409,
        slug="consent-conflict",
        title="Consent changed concurrently",
        detail="Another request changed your consent at the same time; read it and retry",
    ),
    # The token was issued before the customer was erased: it is no longer good for anything.
    CustomerErased: Answer[CustomerErased](
        status=401,
        slug="unauthorized",
        title="Unauthorized",
        detail="This account was closed and its data erased; nothing was written.",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        metric="ErasedCustomerRefused",
    ),
    StorageUnavailable: Answer[StorageUnavailable](
        status=503,
        slug="storage-unavailable",
        title="Service unavailable",
        detail="Storage is unavailable; nothing was written. Retry later.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        metric="StorageUnavailable",
    ),
    # A bug, not a client error: logged by its type and frames only (no message, no request data).
    Exception: Answer[Exception](
        status=500,
        slug="internal",
        title="Internal error",
        detail="An internal error occurred; quote the instance id",
    ),
}


def _value(part: Any, error: Exception) -> Any:
    return part(error) if callable(part) else part


def register(app: APIGatewayRestResolver) -> None:
    """Answer every exception of `ANSWERS` with its problem+json, and an unknown route with 404."""

    def answer_with(
        kind: type[Exception], answer: Answer[Any]
    ) -> Callable[[Exception], Response[Any]]:
        def answer_to(error: Exception) -> Response[Any]:
            _log(kind, error)
            if answer.metric is not None:
                metrics.add_metric(name=_metric(app, answer.metric), unit=MetricUnit.Count, value=1)
            return problem(
                _value(answer.status, error),
                _value(answer.slug, error),
                _value(answer.title, error),
                _value(answer.detail, error),
                request_id(app),
                errors=answer.errors(error) if answer.errors else None,
                headers=answer.headers,
            )

        return answer_to

    for kind, answer in ANSWERS.items():
        app.exception_handler(kind)(answer_with(kind, answer))

    @app.not_found
    def _unknown_route(_: Exception) -> Response[Any]:
        return problem(404, "not-found", "Not found", "No such resource", request_id(app))


def _metric(app: APIGatewayRestResolver, name: str) -> str:
    if name != REJECTED:
        return name
    refused = "Consent" if app.current_event.resource.startswith("/consent") else "Payment"
    return f"{refused}Rejected"


def _log(kind: type[Exception], error: Exception) -> None:
    if kind is StorageUnavailable:
        logger.warning("storage unavailable", extra={"reason": str(error)})
    elif kind is Exception:
        logger.error(
            "unhandled error",
            extra={"error_type": type(error).__name__, "frames": stack_frames(error)},
        )
