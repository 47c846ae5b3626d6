"""The API's documented shapes (pydantic v2): they carry every constraint into the OpenAPI document.

The handler checks requests with the domain's own validation (which names each rule) and serialises
responses with `payment_view`; a contract test proves these models describe exactly that.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from payments_tracker.domain.consent import TERMS_VERSION_PATTERN, ConsentChange
from payments_tracker.domain.description import MAX_LENGTH
from payments_tracker.domain.identifiers import UUID4_PATTERN
from payments_tracker.domain.money import AMOUNT_PATTERN, accepted_currencies
from payments_tracker.domain.months import MONTH_PATTERN
from payments_tracker.domain.payment import Payment, PaymentStatus
from payments_tracker.domain.timestamps import TIMESTAMP_PATTERN, rfc3339_text

CurrencyCode = StrEnum(  # type: ignore[misc]
    "CurrencyCode", {code: code for code in sorted(accepted_currencies())}
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PaymentSubmission(_Strict):
    """A payment as a customer submits it."""

    paymentId: str = Field(
        pattern=UUID4_PATTERN, description="UUID v4, canonical lowercase; the idempotency key"
    )
    userId: str = Field(pattern=UUID4_PATTERN, description="The caller's own id (token `sub`)")
    timestamp: str = Field(
        pattern=TIMESTAMP_PATTERN,
        json_schema_extra={"format": "date-time"},
        description="RFC 3339 date-time with an explicit offset (-12:00..+14:00), not in the "
        "future (5 min tolerance), not older than 24 months; no leap second, no -00:00",
    )
    description: str = Field(
        min_length=1,
        max_length=MAX_LENGTH,
        description="1-140 characters after NFC, not blank; no control, format (except ZWJ/ZWNJ), "
        "private-use, surrogate or unassigned characters",
    )
    currency: CurrencyCode = Field(
        description="ISO 4217 code of a legal-tender currency with minor units"
    )
    amount: str = Field(
        pattern=AMOUNT_PATTERN,
        description="Decimal string > 0 with at most the currency's minor units (JPY 0, GBP 2, "
        "KWD 3), no sign, exponent or leading zeros",
        examples=["12.99"],
    )


class PaymentView(_Strict):
    """A stored payment: the canonical submission and what the system recorded."""

    paymentId: str = Field(pattern=UUID4_PATTERN)
    userId: str = Field(pattern=UUID4_PATTERN)
    timestamp: str = Field(description="Exactly as submitted")
    description: str = Field(description="As submitted, in NFC")
    currency: str
    amount: str = Field(description="Quantised to the currency's minor units")
    month: str = Field(pattern=MONTH_PATTERN, description="Month of `timestamp` in its own offset")
    status: Literal["active", "voided"]
    receivedAt: str = Field(json_schema_extra={"format": "date-time"})
    voidedAt: str | None = Field(default=None, json_schema_extra={"format": "date-time"})
    voidedBy: str | None = None
    voidedAfterMonthClosed: bool | None = Field(
        default=None, description="Voided after the month's report was built: a correction"
    )


class PaymentPage(_Strict):
    """One page of a month's payments, newest first."""

    items: list[PaymentView]
    nextCursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end"
    )


class ConsentUpdate(_Strict):
    """Give or withdraw consent to sharing kept commitments with the customer's credit file."""

    creditFileSharing: bool = Field(description="true gives consent, false withdraws it")
    termsVersion: str | None = Field(
        default=None,
        pattern=TERMS_VERSION_PATTERN,
        description="The version of the sharing terms the customer accepted; required with "
        "`creditFileSharing: true`; a withdrawal without it refers to the current terms",
        examples=["2026-11"],
    )


class ConsentChangeView(_Strict):
    """One recorded change of the consent."""

    creditFileSharing: bool
    termsVersion: str | None
    changedAt: str = Field(json_schema_extra={"format": "date-time"})


class ConsentView(_Strict):
    """The consent in force and its history (before any answer: not shared, no history)."""

    creditFileSharing: bool = Field(description="Whether kept commitments may be exported")
    termsVersion: str | None = Field(description="Terms of the current answer; null before any")
    updatedAt: str | None = Field(
        json_schema_extra={"format": "date-time"},
        description="When the current answer was recorded; null before any",
    )
    history: list[ConsentChangeView] = Field(
        description="Every change, newest first (the latest 100; older ones are kept, not shown)"
    )


class CommitmentReport(_Strict):
    """One commitment (payments grouped by normalised description and currency) in a month."""

    commitmentId: str = Field(description="uuid5 of user, currency and key: stable across months")
    name: str = Field(description="Description of the commitment's latest payment (NFC)")
    currency: str
    status: Literal["kept", "lapsed", "ended"] = Field(
        description="kept: paid in the month; lapsed: paid the month before but not in it; "
        "ended: last paid earlier"
    )
    monthsKept: int = Field(ge=0, description="Consecutive months paid, ending in this month")
    established: bool = Field(description="Paid in at least 3 distinct months of the window")
    history24: str = Field(
        pattern=r"^[01-]{24}$",
        description="24 months, newest first: 1 paid, 0 not paid, - before first seen",
    )
    amountsPaid: list[str] = Field(
        description="One per active payment in the month, with the currency's minor units"
    )
    firstMonth: str = Field(pattern=MONTH_PATTERN)
    lastMonth: str = Field(pattern=MONTH_PATTERN)


class MonthReport(_Strict):
    """A customer's monthly report of kept commitments, as the monthly run built it."""

    month: str = Field(pattern=MONTH_PATTERN)
    userId: str = Field(pattern=UUID4_PATTERN)
    generatedAt: str = Field(json_schema_extra={"format": "date-time"})
    commitments: list[CommitmentReport]


class FieldProblem(_Strict):
    """One broken rule."""

    field: str
    rule: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = Field(description="The request id")
    errors: list[FieldProblem] | None = None


def payment_view(payment: Payment) -> dict[str, Any]:
    """The JSON object of a payment, as PaymentView describes it."""
    submission = payment.submission
    view: dict[str, Any] = submission.canonical()
    view["month"] = str(submission.month)
    view["status"] = payment.status.value
    view["receivedAt"] = rfc3339_text(payment.received_at)
    if payment.voiding is not None and payment.status is PaymentStatus.VOIDED:
        view["voidedAt"] = rfc3339_text(payment.voiding.voided_at)
        view["voidedBy"] = payment.voiding.voided_by
        view["voidedAfterMonthClosed"] = payment.voiding.after_month_closed
    return view


def consent_change_view(change: ConsentChange) -> dict[str, Any]:
    """The JSON object of one consent change, as ConsentChangeView describes it."""
    return {
        "creditFileSharing": change.credit_file_sharing,
        "termsVersion": change.terms_version,
        "changedAt": rfc3339_text(change.changed_at),
    }


def consent_view(current: ConsentChange | None, history: list[ConsentChange]) -> dict[str, Any]:
    """The JSON object of a customer's consent, as ConsentView describes it."""
    return {
        "creditFileSharing": current is not None and current.credit_file_sharing,
        "termsVersion": current.terms_version if current else None,
        "updatedAt": rfc3339_text(current.changed_at) if current else None,
        "history": [consent_change_view(change) for change in history],
    }
