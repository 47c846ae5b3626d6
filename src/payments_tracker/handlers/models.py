"""The API's documented shapes (pydantic v2): they carry every constraint into the OpenAPI document.

The handler checks requests with the domain's own validation (which names each rule) and serialises
responses with `payment_view`; a contract test proves these models describe exactly that.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from payments_tracker.domain.description import MAX_LENGTH
from payments_tracker.domain.identifiers import UUID4_PATTERN
from payments_tracker.domain.money import AMOUNT_PATTERN, accepted_currencies
from payments_tracker.domain.months import MONTH_PATTERN
from payments_tracker.domain.payment import Payment, PaymentStatus
from payments_tracker.domain.timestamps import TIMESTAMP_PATTERN

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
    view["receivedAt"] = _instant(payment)
    if payment.voiding is not None and payment.status is PaymentStatus.VOIDED:
        view["voidedAt"] = payment.voiding.voided_at.isoformat().replace("+00:00", "Z")
        view["voidedBy"] = payment.voiding.voided_by
        view["voidedAfterMonthClosed"] = payment.voiding.after_month_closed
    return view


def _instant(payment: Payment) -> str:
    return payment.received_at.isoformat().replace("+00:00", "Z")
