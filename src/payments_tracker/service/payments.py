"""Use cases of payments: submit, get, list and void — each keyed by the caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from payments_tracker.domain.errors import (
    FieldError,
    ForbiddenUser,
    InvalidCursor,
    PaymentConflict,
    PaymentNotFound,
    ValidationFailed,
)
from payments_tracker.domain.identifiers import parse_uuid4
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import (
    Payment,
    PaymentStatus,
    validate_submission,
    validate_void_request,
)
from payments_tracker.service.callers import caller_id
from payments_tracker.service.cursor import CursorCodec, CursorContext
from payments_tracker.service.ports import MonthClosings, PaymentRepository

Clock = Callable[[], datetime]

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


class BadQuery(Exception):
    """A query parameter or cursor a client got wrong (HTTP 400)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(f"{len(errors)} bad query parameter(s)")
        self.errors = errors


@dataclass(frozen=True)
class Submitted:
    """The stored payment, and whether this call created it (False: an identical replay)."""

    payment: Payment
    created: bool


@dataclass(frozen=True)
class PaymentList:
    """One page of a month's payments and the cursor of the next page, if any."""

    payments: list[Payment]
    next_cursor: str | None


def submit_payment(
    repository: PaymentRepository, body: dict[str, Any], caller: str, clock: Clock
) -> Submitted:
    """Validate and store the caller's submission; an identical replay returns the stored one."""
    now = clock()
    try:
        submission = validate_submission(body, now)
    except ValidationFailed as failure:
        replayed = _replay_of_an_aged_payment(repository, body, caller, failure, now)
        if replayed is None:
            raise
        return Submitted(replayed, created=False)
    if str(submission.user_id) != caller:
        raise ForbiddenUser("userId is not the caller")
    payment = Payment(submission=submission, received_at=now)
    existing = repository.insert(payment)
    if existing is None:
        return Submitted(payment, created=True)
    if existing.submission.replay_form() != submission.replay_form():
        raise PaymentConflict("paymentId already holds a different submission")
    return Submitted(existing, created=False)


def _replay_of_an_aged_payment(
    repository: PaymentRepository,
    body: dict[str, Any],
    caller: str,
    failure: ValidationFailed,
    now: datetime,
) -> Payment | None:
    """The stored payment if `body` replays it exactly and only its age broke a rule.

    A payment stays stored until its TTL (RETENTION_MONTHS after the start of its month) while
    new submissions must be within 24 months: an identical replay in between is still answered
    200 (docs/design.md §4).
    """
    if not failure.errors or any(e.rule != "within-24-months" for e in failure.errors):
        return None
    submission = validate_submission(body, now, within_window=False)
    if str(submission.user_id) != caller:
        return None
    stored = repository.get(submission.user_id, submission.payment_id)
    if stored is None or stored.submission.replay_form() != submission.replay_form():
        return None
    return stored


def get_payment(repository: PaymentRepository, payment_id: str, caller: str) -> Payment:
    """The caller's payment with this id; PaymentNotFound for any other (or malformed) id."""
    owner, parsed_id = caller_id(caller), parse_uuid4(payment_id)
    if parsed_id is None:
        raise PaymentNotFound(payment_id)
    payment = repository.get(owner, parsed_id)
    if payment is None:
        raise PaymentNotFound(payment_id)
    return payment


def void_payment(
    repository: PaymentRepository,
    payment_id: str,
    caller: str,
    clock: Clock,
    closings: MonthClosings | None = None,
    *,
    request: dict[str, Any] | None = None,
) -> Payment:
    """Mark the caller's payment voided (audited, never deleted); voiding twice changes nothing.

    `request` is the void request's JSON object (`{"reason": …}`, optional: None or `{}` give no
    reason); ValidationFailed names each broken rule before anything is read. A payment already
    voided is answered as it is stored: its first voiding, and reason, stand.
    `voidedAfterMonthClosed` follows the cut-off of the month's first report run when there is
    one (`closings`); without a run, the scheduled close (the 5th, 02:00 UTC).
    """
    reason = validate_void_request(request or {})
    for _ in range(3):
        payment = get_payment(repository, payment_id, caller)
        if payment.status is PaymentStatus.VOIDED:
            return payment
        closed_at = closings.month_closed_at(payment.submission.month) if closings else None
        voided = payment.voided(by=caller, at=clock(), month_closed_at=closed_at, reason=reason)
        if repository.replace_active(voided):
            return voided
    # Three lost races in a row against a concurrent void: whatever is stored now is the answer.
    return get_payment(repository, payment_id, caller)


def list_payments(
    repository: PaymentRepository,
    codec: CursorCodec,
    caller: str,
    query: dict[str, str],
    clock: Clock,
) -> PaymentList:
    """The caller's payments of `query["month"]`, newest first, one page at a time."""
    month_text = query.get("month")
    errors: list[FieldError] = []
    month = None
    if month_text is None:
        errors.append(FieldError("month", "required", "is required, as YYYY-MM"))
    else:
        month = Month.parse(month_text)
        if month is None:
            errors.append(FieldError("month", "month-format", "must be a month as YYYY-MM"))
    cursor = query.get("cursor")
    limit = _limit(query.get("limit"), cursor, codec, errors)
    for name in sorted(set(query) - {"month", "limit", "cursor"}):
        errors.append(FieldError(name, "unknown-parameter", "is not a parameter of this listing"))
    if errors or month is None or limit is None:
        raise BadQuery(errors)
    owner = caller_id(caller)

    now = clock()
    context = CursorContext(subject=caller, month=str(month), limit=limit)
    start = None
    if cursor is not None:
        try:
            start = codec.open(cursor, context, now)
        except InvalidCursor as error:
            raise BadQuery(
                [FieldError("cursor", f"cursor-{error.reason}", _CURSOR_MESSAGES[error.reason])]
            ) from None
    page = repository.list_month(owner, month, limit, start)
    next_cursor = codec.seal(page.next_key, context, now) if page.next_key else None
    return PaymentList(page.payments, next_cursor)


_CURSOR_MESSAGES = {
    "malformed": "is not a cursor this API issued",
    "tampered": "is not a cursor this API issued",
    "foreign": "belongs to another listing (caller or month)",
    "limit-changed": "was issued for another limit: repeat the limit or omit it",
    "expired": "has expired: start the listing again",
}


def _limit(
    text: str | None, cursor: str | None, codec: CursorCodec, errors: list[FieldError]
) -> int | None:
    if text is None:
        if cursor is not None:
            return codec.limit_of(cursor) or DEFAULT_LIMIT
        return DEFAULT_LIMIT
    # The length check first: int() of thousands of digits raises instead of answering 400.
    if (
        not text.isascii()
        or not text.isdigit()
        or len(text) > len(str(MAX_LIMIT))
        or not 1 <= int(text) <= MAX_LIMIT
    ):
        errors.append(FieldError("limit", "range", f"must be an integer from 1 to {MAX_LIMIT}"))
        return None
    return int(text)
