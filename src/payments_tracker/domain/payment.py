"""A submitted payment: the rules of a submission and the canonical record kept of it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from payments_tracker.domain.description import MAX_LENGTH as DESCRIPTION_MAX_LENGTH
from payments_tracker.domain.description import DescriptionError, normalise_description
from payments_tracker.domain.errors import FieldError, ValidationFailed
from payments_tracker.domain.identifiers import parse_uuid4
from payments_tracker.domain.money import Money, minor_units, parse_amount
from payments_tracker.domain.months import Month
from payments_tracker.domain.timestamps import (
    Timestamp,
    TimestampError,
    check_window,
    parse_timestamp,
)

SUBMISSION_FIELDS = ("paymentId", "userId", "timestamp", "description", "currency", "amount")
VOID_FIELDS = ("reason",)
VOID_REASON_MAX_LENGTH = DESCRIPTION_MAX_LENGTH
"""A void's optional reason follows the rules of a description: NFC, 1-140 characters, not blank,
no invisible or unassigned characters (domain/description.py)."""
RETENTION_MONTHS = 27
"""The report of month M reads payments of M-25 (a week before its window, for the tolerance,
and the month before's own edge: which payments the report of M-1 counted) at its cut-off early
in M+1: they must still be there (ADR 0007)."""
MONTHLY_PAYMENT_LIMIT = 100
"""The most payments one customer may store for one calendar month (voided ones included).

A bound on what one customer can make the monthly run read and store: at this limit the largest
possible report is built, stored (in chunks past DynamoDB's item limit) and read back
(`tests/integration/test_no_customer_blocks_a_month.py`).
A household's recurring payments are a few dozen a month at most (weekly ones count 4-5).
"""


class PaymentStatus(StrEnum):
    """A payment is active until its owner voids it; a voided payment counts nowhere."""

    ACTIVE = "active"
    VOIDED = "voided"


@dataclass(frozen=True)
class Submission:
    """A valid submission in canonical form: NFC description, amount at the currency's scale."""

    payment_id: UUID
    user_id: UUID
    timestamp: Timestamp
    description: str
    money: Money

    @property
    def month(self) -> Month:
        """The calendar month of the payment in the offset the customer submitted."""
        return Month.of(self.timestamp.moment)

    def canonical(self) -> dict[str, str]:
        """The canonical submission, with the timestamp exactly as first submitted (as answered)."""
        return {
            "paymentId": str(self.payment_id),
            "userId": str(self.user_id),
            "timestamp": self.timestamp.text,
            "description": self.description,
            "currency": self.money.currency,
            "amount": self.money.canonical(),
        }

    def replay_form(self) -> dict[str, str]:
        """What an identical replay must equal: `canonical()` with the timestamp's canonical
        spelling (`Timestamp.canonical`: the same instant in the same offset, however spelled)."""
        return {**self.canonical(), "timestamp": self.timestamp.canonical()}


@dataclass(frozen=True)
class Voiding:
    """Who voided a payment, when, whether its month's report was already built, and why."""

    voided_by: str
    voided_at: datetime
    after_month_closed: bool
    reason: str | None = None
    """The customer's own words (NFC, at most VOID_REASON_MAX_LENGTH characters), if given."""


@dataclass(frozen=True)
class Payment:
    """A stored payment: the canonical submission plus what the system recorded."""

    submission: Submission
    received_at: datetime
    status: PaymentStatus = PaymentStatus.ACTIVE
    voiding: Voiding | None = None

    @property
    def expires_at(self) -> datetime:
        """Retention: RETENTION_MONTHS after the start of its month (docs/reports.md §4)."""
        return self.submission.month.plus(RETENTION_MONTHS).start_utc()

    def voided(
        self,
        by: str,
        at: datetime,
        *,
        month_closed_at: datetime | None = None,
        reason: str | None = None,
    ) -> Payment:
        """This payment marked voided by `by` at `at`, for `reason` (a valid one, or None).

        `month_closed_at` is when the payment's month closed: the cut-off of its first report run
        when it has one (a run started by hand fixes an earlier one); by default the scheduled
        close, the 5th of the next month at 02:00 UTC.
        """
        closes = month_closed_at or month_closes_at(self.submission.month)
        closed = at >= closes
        voiding = Voiding(by, at, after_month_closed=closed, reason=reason)
        return replace(self, status=PaymentStatus.VOIDED, voiding=voiding)


MONTH_CLOSES_ON_DAY = 5
MONTH_CLOSES_AT_HOUR_UTC = 2
"""A month closes, and its scheduled report runs, on the 5th of the next month at 02:00 UTC."""


def month_closes_at(month: Month) -> datetime:
    """When a month's scheduled report runs and the month closes: the 5th of M+1, 02:00 UTC."""
    return month.plus(1).start_utc().replace(day=MONTH_CLOSES_ON_DAY, hour=MONTH_CLOSES_AT_HOUR_UTC)


def validate_submission(
    body: dict[str, Any], now: datetime, *, within_window: bool = True
) -> Submission:
    """The canonical Submission of a decoded JSON object, or ValidationFailed listing every rule."""
    errors: list[FieldError] = []
    for name in body:
        if name not in SUBMISSION_FIELDS:
            errors.append(FieldError(name, "unknown-field", "is not a field of a payment"))
    values: dict[str, str] = {}
    for name in SUBMISSION_FIELDS:
        if name not in body:
            errors.append(FieldError(name, "required", "is required"))
        elif not isinstance(body[name], str):
            errors.append(FieldError(name, "type", "must be a JSON string"))
        else:
            values[name] = body[name]

    payment_id = _uuid(values, "paymentId", errors)
    user_id = _uuid(values, "userId", errors)
    timestamp = _timestamp(values, now if within_window else None, errors)
    description = _description(values, errors)
    money = _money(values, errors)
    if errors or not (payment_id and user_id and timestamp and description and money):
        raise ValidationFailed(errors)
    return Submission(payment_id, user_id, timestamp, description, money)


def validate_void_request(body: dict[str, Any]) -> str | None:
    """The reason of a void request's JSON object (None if it gives none), or ValidationFailed.

    `{}` asks for a void without a reason; `reason`, when present, must be a JSON string that
    passes the rules of a description. Any other member is refused.
    """
    errors = [
        FieldError(name, "unknown-field", "is not a field of a void request")
        for name in body
        if name not in VOID_FIELDS
    ]
    reason = None
    if "reason" in body:
        if not isinstance(body["reason"], str):
            errors.append(FieldError("reason", "type", "must be a JSON string"))
        else:
            try:
                reason = normalise_description(body["reason"])
            except DescriptionError as error:
                errors.append(FieldError("reason", error.rule, str(error)))
    if errors:
        raise ValidationFailed(errors)
    return reason


def _uuid(values: dict[str, str], name: str, errors: list[FieldError]) -> UUID | None:
    if name not in values:
        return None
    parsed = parse_uuid4(values[name])
    if parsed is None:
        errors.append(
            FieldError(name, "uuid-v4", "must be a UUID version 4 in canonical lowercase form")
        )
    return parsed


def _timestamp(
    values: dict[str, str], now: datetime | None, errors: list[FieldError]
) -> Timestamp | None:
    if "timestamp" not in values:
        return None
    text = values["timestamp"]
    try:
        moment = parse_timestamp(text)
        if now is not None:
            check_window(moment, now.astimezone(UTC))
    except TimestampError as error:
        errors.append(FieldError("timestamp", error.rule, str(error)))
        return None
    return Timestamp(text, moment)


def _description(values: dict[str, str], errors: list[FieldError]) -> str | None:
    if "description" not in values:
        return None
    try:
        return normalise_description(values["description"])
    except DescriptionError as error:
        errors.append(FieldError("description", error.rule, str(error)))
        return None


def _money(values: dict[str, str], errors: list[FieldError]) -> Money | None:
    currency = values.get("currency")
    units = minor_units(currency) if currency is not None else None
    if currency is not None and units is None:
        errors.append(
            FieldError(
                "currency",
                "iso-4217",
                "must be an ISO 4217 code of a legal-tender currency with minor units",
            )
        )
    if "amount" not in values or units is None:
        return None
    amount = parse_amount(values["amount"], units)
    if amount is None:
        errors.append(
            FieldError(
                "amount",
                "decimal-string",
                f"must be a decimal string with at most {units} decimal place(s) for {currency}, "
                "no sign, exponent or leading zeros",
            )
        )
        return None
    if amount <= 0:
        errors.append(FieldError("amount", "positive", "must be greater than zero"))
        return None
    return Money.of(amount, values["currency"])
