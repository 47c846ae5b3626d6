"""The API's documented shapes (pydantic v2): they carry every constraint into the OpenAPI document.

The handler checks requests with the domain's own validation (which names each rule) and serialises
responses with `payment_view`; a contract test proves these models describe exactly that.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from payments_tracker.domain.consent import TERMS_VERSION_PATTERN, ConsentChange
from payments_tracker.domain.corrections import COMMITMENT_ID_PATTERN, CORRECTION_LIMIT
from payments_tracker.domain.description import MAX_LENGTH
from payments_tracker.domain.identifiers import UUID4_PATTERN
from payments_tracker.domain.money import AMOUNT_PATTERN, MAX_INTEGER_DIGITS, accepted_currencies
from payments_tracker.domain.months import MONTH_PATTERN
from payments_tracker.domain.payment import (
    MONTHLY_PAYMENT_LIMIT,
    VOID_REASON_MAX_LENGTH,
    Payment,
    PaymentStatus,
)
from payments_tracker.domain.standing import WINDOW_MONTHS
from payments_tracker.domain.timestamps import TIMESTAMP_PATTERN, rfc3339_text
from payments_tracker.service.consent import HISTORY_LIMIT
from payments_tracker.service.cursor import CURSOR_PATTERN, MAX_CURSOR_LENGTH
from payments_tracker.service.payments import MAX_LIMIT

# The longest text of each pattern-bound field (tests/contract/test_limits.py checks each against
# the domain: the longest valid value is accepted, one character more is refused).
UUID_LENGTH: Final = 36
"""8-4-4-4-12 hexadecimal digits and 4 hyphens."""
MONTH_LENGTH: Final = 7
"""YYYY-MM."""
TIMESTAMP_MAX_LENGTH: Final = len("2026-11-03T09:30:00.123456+01:00")
"""Date, time, 6 fraction digits at most, and an offset."""
AMOUNT_MAX_LENGTH: Final = MAX_INTEGER_DIGITS + len(".999")
"""13 integer digits, a point and 3 minor-unit digits at most (KWD)."""
CURRENCY_PATTERN: Final = r"^[A-Z]{3}$"
TEXT_PATTERN: Final = r"^[^\u0000-\u001f\u007f-\u009f]+$"
"""No control character (category Cc): the one rule of a description (and of a void's reason) that
a pattern states the same way in every regex dialect; NFC, format, line and paragraph separators,
private-use, unassigned and blank are checked in code and named in the field's description. The
pattern also bounds what the API answers, where text stored before a rule was added may remain."""
REQUEST_ID_PATTERN: Final = r"^[A-Za-z0-9-]+$"
TERMS_VERSION_MAX_LENGTH: Final = 64
UUID_PATTERN: Final = COMMITMENT_ID_PATTERN
"""Any RFC 9562 UUID in canonical lowercase (a commitment id is a UUID v5)."""
PROBLEM_TYPE_PATTERN: Final = r"^/problems/[a-z0-9-]+$"
PROBLEM_TITLE_MAX_LENGTH: Final = 100
PROBLEM_MESSAGE_MAX_LENGTH: Final = 500
"""A rule's message is a fixed sentence (with a number, a code point or a currency code)."""
PROBLEM_ECHO_MAX_LENGTH: Final = 16 * 1024
"""A problem may name what the request sent (an unknown field or query parameter): a request body
is at most 8 KiB here and API Gateway caps the request line and headers at 10 KB, so no `detail`,
`field` or list of `errors` reaches this bound."""
REQUEST_ID_MAX_LENGTH: Final = 128
AMOUNTS_PAID_MAX_ITEMS: Final = MONTHLY_PAYMENT_LIMIT * 3
"""The payments that count for a month's due dates are dated in it or within the tolerance (a week)
of its edges: in three calendar months at most, each holding at most the monthly limit."""
COMMITMENTS_MAX_ITEMS: Final = MONTHLY_PAYMENT_LIMIT * WINDOW_MONTHS
"""Each commitment of a report has a payment in the report's 24-month window."""


def _date_time(description: str | None = None) -> Any:
    """An instant as the API writes it (RFC 3339, `Z` for UTC)."""
    return Field(
        pattern=TIMESTAMP_PATTERN,
        max_length=TIMESTAMP_MAX_LENGTH,
        json_schema_extra={"format": "date-time"},
        description=description,
    )


CurrencyCode = StrEnum(  # type: ignore[misc]
    "CurrencyCode", {code: code for code in sorted(accepted_currencies())}
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PaymentSubmission(_Strict):
    """A payment as a customer submits it."""

    paymentId: str = Field(
        pattern=UUID4_PATTERN,
        max_length=UUID_LENGTH,
        description="UUID v4, canonical lowercase; the idempotency key",
    )
    userId: str = Field(
        pattern=UUID4_PATTERN,
        max_length=UUID_LENGTH,
        description="The caller's own id (token `sub`)",
    )
    timestamp: str = Field(
        pattern=TIMESTAMP_PATTERN,
        max_length=TIMESTAMP_MAX_LENGTH,
        json_schema_extra={"format": "date-time"},
        description="RFC 3339 date-time with an explicit offset (-12:00..+14:00), not in the "
        "future (5 min tolerance), not older than 24 months; no leap second, no -00:00",
    )
    description: str = Field(
        min_length=1,
        max_length=MAX_LENGTH,
        pattern=TEXT_PATTERN,
        description="1-140 characters after NFC, not blank (not only whitespace, combining marks "
        "or fillers such as U+3164 HANGUL FILLER and U+2800 BRAILLE PATTERN BLANK); no control, "
        "format (except ZWJ/ZWNJ), line or paragraph separator (U+2028, U+2029), private-use, "
        "surrogate or unassigned characters",
    )
    currency: CurrencyCode = Field(
        description="ISO 4217 code of a legal-tender currency with minor units"
    )
    amount: str = Field(
        pattern=AMOUNT_PATTERN,
        max_length=AMOUNT_MAX_LENGTH,
        description="Decimal string > 0 with at most the currency's minor units (JPY 0, GBP 2, "
        "KWD 3), no sign, exponent or leading zeros",
        examples=["12.99"],
    )


class VoidRequest(_Strict):
    """Why a payment is voided: optional; no body, or `{}`, voids it without a reason."""

    reason: (
        Annotated[
            str,
            StringConstraints(
                min_length=1, max_length=VOID_REASON_MAX_LENGTH, pattern=TEXT_PATTERN
            ),
        ]
        | SkipJsonSchema[None]
    ) = Field(
        default=None,
        description=f"1-{VOID_REASON_MAX_LENGTH} characters after NFC, not blank; the rules of a "
        "payment's `description`. Kept with the voiding and shown as `voidReason`",
        examples=["Entered twice"],
    )


class PaymentView(_Strict):
    """A stored payment: the canonical submission and what the system recorded."""

    paymentId: str = Field(pattern=UUID4_PATTERN, max_length=UUID_LENGTH)
    userId: str = Field(pattern=UUID4_PATTERN, max_length=UUID_LENGTH)
    timestamp: str = Field(
        pattern=TIMESTAMP_PATTERN,
        max_length=TIMESTAMP_MAX_LENGTH,
        description="Exactly as submitted",
    )
    description: str = Field(
        min_length=1,
        max_length=MAX_LENGTH,
        pattern=TEXT_PATTERN,
        description="As submitted, in NFC",
    )
    currency: str = Field(pattern=CURRENCY_PATTERN, max_length=3)
    amount: str = Field(
        pattern=AMOUNT_PATTERN,
        max_length=AMOUNT_MAX_LENGTH,
        description="Quantised to the currency's minor units",
    )
    month: str = Field(
        pattern=MONTH_PATTERN,
        max_length=MONTH_LENGTH,
        description="Month of `timestamp` in its own offset",
    )
    status: Literal["active", "voided"]
    receivedAt: str = _date_time()
    voidedAt: str | None = Field(
        default=None,
        pattern=TIMESTAMP_PATTERN,
        max_length=TIMESTAMP_MAX_LENGTH,
        json_schema_extra={"format": "date-time"},
    )
    voidedBy: str | None = Field(default=None, pattern=UUID4_PATTERN, max_length=UUID_LENGTH)
    voidedAfterMonthClosed: bool | None = Field(
        default=None, description="Voided after the month's report was built: a correction"
    )
    voidReason: str | None = Field(
        default=None,
        min_length=1,
        max_length=VOID_REASON_MAX_LENGTH,
        pattern=TEXT_PATTERN,
        description="The reason given when it was voided (NFC); null if none was given",
    )


class PaymentPage(_Strict):
    """One page of a month's payments, newest first."""

    items: list[PaymentView] = Field(max_length=MAX_LIMIT, description="At most `limit` payments")
    nextCursor: str | None = Field(
        pattern=CURSOR_PATTERN,
        max_length=MAX_CURSOR_LENGTH,
        description="Pass as `cursor` for the next page; null at the end",
    )


class ConsentUpdate(_Strict):
    """Give or withdraw consent to sharing kept commitments with the customer's credit file."""

    creditFileSharing: bool = Field(description="true gives consent, false withdraws it")
    termsVersion: str | None = Field(
        default=None,
        pattern=TERMS_VERSION_PATTERN,
        max_length=TERMS_VERSION_MAX_LENGTH,
        description="The version of the sharing terms the customer accepted; required with "
        "`creditFileSharing: true`; a withdrawal without it refers to the current terms",
        examples=["2026-11"],
    )


class ConsentChangeView(_Strict):
    """One recorded change of the consent."""

    creditFileSharing: bool
    termsVersion: str | None = Field(
        pattern=TERMS_VERSION_PATTERN, max_length=TERMS_VERSION_MAX_LENGTH
    )
    changedAt: str = _date_time()


class ConsentView(_Strict):
    """The consent in force and its history (before any answer: not shared, no history)."""

    creditFileSharing: bool = Field(description="Whether kept commitments may be exported")
    termsVersion: str | None = Field(
        pattern=TERMS_VERSION_PATTERN,
        max_length=TERMS_VERSION_MAX_LENGTH,
        description="Terms of the current answer; null before any",
    )
    updatedAt: str | None = _date_time("When the current answer was recorded; null before any")
    history: list[ConsentChangeView] = Field(
        max_length=HISTORY_LIMIT,
        description=f"Every change, newest first (the latest {HISTORY_LIMIT}; older ones are "
        "kept, not shown)",
    )


CadenceName = Literal[
    "weekly", "biweekly", "fourWeekly", "monthly", "quarterly", "annual", "unknown"
]
_CADENCE = (
    "How often it falls due, detected from the payments alone (unknown below two payments "
    "or when no cadence fits; docs/reports.md §1.1)"
)
_HISTORY24 = (
    "24 months, newest first: 1 current (every due date of the month paid, or still within its "
    "tolerance; in a month with none, the latest one before it paid), 0 not current (a due date "
    "missed), . after the commitment ended, - before it was first seen"
)
_STATUS = (
    "kept: current in the month; lapsed: its latest due date was missed; ended: nothing paid for "
    "the longer of two periods and 60 days"
)
_ESTABLISHED = "At least 3 payments on cadence (2 for an annual commitment)"


def _amount(description: str) -> Any:
    return Field(pattern=AMOUNT_PATTERN, max_length=AMOUNT_MAX_LENGTH, description=description)


def _commitment_id(description: str) -> Any:
    return Field(pattern=UUID_PATTERN, max_length=UUID_LENGTH, description=description)


def _date(description: str) -> Any:
    return Field(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        max_length=10,
        json_schema_extra={"format": "date"},
        description=description,
    )


def _name() -> Any:
    return Field(
        min_length=1,
        max_length=MAX_LENGTH,
        pattern=TEXT_PATTERN,
        description="The name the customer gave it, else its latest payment's description (NFC)",
    )


class CommitmentReport(_Strict):
    """One commitment in a month: payments of one payee (name variants, price changes and the
    customer's merges included) and currency, on a cadence."""

    commitmentId: str = _commitment_id(
        "Stable across months (uuid5 of user, currency and the payee's name key); a merged "
        "commitment's payments appear under the id it was merged into"
    )
    name: str = _name()
    currency: str = Field(pattern=CURRENCY_PATTERN, max_length=3)
    cadence: CadenceName = Field(description=_CADENCE)
    status: Literal["kept", "lapsed", "ended"] = Field(description=_STATUS)
    monthsKept: int = Field(
        ge=0,
        le=WINDOW_MONTHS,
        json_schema_extra={"format": "int32"},
        description="Consecutive current months, ending in this month",
    )
    established: bool = Field(description=_ESTABLISHED)
    excluded: bool = Field(description="The customer keeps it out of every export")
    history24: str = Field(
        pattern=r"^[01.-]{24}$",
        min_length=WINDOW_MONTHS,
        max_length=WINDOW_MONTHS,
        description=_HISTORY24,
    )
    amountsPaid: list[
        Annotated[str, Field(pattern=AMOUNT_PATTERN, max_length=AMOUNT_MAX_LENGTH)]
    ] = Field(
        max_length=AMOUNTS_PAID_MAX_ITEMS,
        description="One per payment that counts for the month's due dates (for an unknown "
        "cadence: dated in the month), with the currency's minor units",
    )
    currentAmount: str = _amount("The latest amount paid")
    previousAmount: str | None = _amount("The amount before the latest change; null if none")
    nextDue: str | None = _date(
        "The predicted next due date in the customer's offset; null while the cadence is "
        "unknown or after the commitment ended"
    )
    firstMonth: str = Field(pattern=MONTH_PATTERN, max_length=MONTH_LENGTH)
    lastMonth: str = Field(pattern=MONTH_PATTERN, max_length=MONTH_LENGTH)


class LiveCommitmentView(_Strict):
    """One commitment as it stands now, computed from your payments on read."""

    commitmentId: str = _commitment_id("Stable (the id the reports and exports use)")
    name: str = _name()
    currency: str = Field(pattern=CURRENCY_PATTERN, max_length=3)
    cadence: CadenceName = Field(description=_CADENCE)
    status: Literal["kept", "lapsed", "ended"] = Field(description=_STATUS)
    currentAmount: str = _amount("The latest amount paid")
    previousAmount: str | None = _amount("The amount before the latest change; null if none")
    firstPaid: str = _date(
        "The date of its first payment read: the 24 months up to now and the week before them, "
        "for the tolerance (your offset)"
    )
    lastPaid: str = _date("The date of its latest payment (your offset)")
    nextDue: str | None = _date(
        "The predicted next due date; null while the cadence is unknown or after it ended"
    )
    established: bool = Field(description=_ESTABLISHED)
    confidence: float = Field(
        ge=0,
        le=1,
        description="How sure the detection is (docs/reports.md §1.4): due dates paid over due "
        "dates settled, times maturity (payments on cadence over the 3 (2) needed, at most 1), "
        "times payments on schedule over payments; 0 for an unknown cadence",
    )
    excluded: bool = Field(description="You keep it out of every export from the next cut-off")
    monthsKept: int = Field(ge=0, le=WINDOW_MONTHS, json_schema_extra={"format": "int32"})
    history24: str = Field(
        pattern=r"^[01.-]{24}$",
        min_length=WINDOW_MONTHS,
        max_length=WINDOW_MONTHS,
        description=_HISTORY24 + " (position 1 is the current month)",
    )
    mergedFrom: list[Annotated[str, Field(pattern=UUID_PATTERN, max_length=UUID_LENGTH)]] = Field(
        max_length=CORRECTION_LIMIT,
        description="The detected commitments you merged into this one",
    )


class CommitmentsView(_Strict):
    """Your commitments as they stand now, kept first."""

    commitments: list[LiveCommitmentView] = Field(max_length=COMMITMENTS_MAX_ITEMS)


WHY_MAX_LENGTH: Final = 300
DUE_DATES_MAX_ITEMS: Final = 5
"""The most due dates one calendar month can hold (a weekly commitment: 31 days / 7)."""


class EvidencePaymentView(_Strict):
    """A payment that counts for a due date, as `GET /payments/{paymentId}` shows it."""

    paymentId: str = Field(pattern=UUID4_PATTERN, max_length=UUID_LENGTH)
    timestamp: str = Field(
        pattern=TIMESTAMP_PATTERN,
        max_length=TIMESTAMP_MAX_LENGTH,
        description="Exactly as submitted",
    )
    amount: str = _amount("As stored: the submitted amount at the currency's minor units")
    currency: str = Field(pattern=CURRENCY_PATTERN, max_length=3)


class DueDateView(_Strict):
    """One due date of the month, how it ended, and the payments that count for it."""

    dueDate: str = _date("The due date, in the commitment's offset")
    outcome: Literal["paid", "missed", "pending"] = Field(
        description="paid: a payment within the tolerance counts for it; missed: none by the end "
        "of the tolerance; pending: the tolerance had not ended"
    )
    why: str = Field(
        max_length=WHY_MAX_LENGTH,
        pattern=TEXT_PATTERN,
        description="In words: when it was paid, or not",
    )
    payments: list[EvidencePaymentView] = Field(max_length=AMOUNTS_PAID_MAX_ITEMS)


class MonthView(_Strict):
    """One month of the 24-month window: its `history24` character and what stands behind it."""

    month: str = Field(pattern=MONTH_PATTERN, max_length=MONTH_LENGTH)
    code: Literal["1", "0", ".", "-"] = Field(description="The month's `history24` character")
    status: Literal["current", "notCurrent", "ended", "notSeen"] = Field(
        description="current (1), notCurrent (0), ended (.), notSeen (-)"
    )
    why: str = Field(
        max_length=WHY_MAX_LENGTH,
        pattern=TEXT_PATTERN,
        description="Why the month reads as it does",
    )
    dueDates: list[DueDateView] = Field(
        max_length=DUE_DATES_MAX_ITEMS,
        description="The due dates that fell in the month (none for a month between an annual or "
        "quarterly commitment's due dates, before it was seen, after it ended, or without a "
        "cadence)",
    )
    payments: list[EvidencePaymentView] = Field(
        max_length=AMOUNTS_PAID_MAX_ITEMS,
        description="What counts for the month, oldest first (the report's `amountsPaid`): the "
        "due dates' payments, or without a cadence the payments dated in the month",
    )


class CommitmentMonthsView(_Strict):
    """The evidence behind each month of one of your commitments, newest first."""

    commitmentId: str = _commitment_id("The commitment (a merged id answers for its target)")
    months: list[MonthView] = Field(min_length=WINDOW_MONTHS, max_length=WINDOW_MONTHS)


class CommitmentPatchBody(_Strict):
    """A correction: a new name, excluded from (or included again in) the export, or both."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    name: (
        Annotated[str, StringConstraints(min_length=1, max_length=MAX_LENGTH, pattern=TEXT_PATTERN)]
        | SkipJsonSchema[None]
    ) = Field(
        default=None,
        description="The name to show (the rules of a description: NFC, 1-140 characters, "
        "not blank, no invisible or unassigned characters)",
    )
    excluded: bool | SkipJsonSchema[None] = Field(
        default=None, description="true keeps it out of every export from the next cut-off"
    )


class MergeBody(_Strict):
    """Make this commitment part of another: one history, one streak."""

    into: str = _commitment_id("The commitment to merge into (same currency)")


class MonthReport(_Strict):
    """A customer's monthly report of kept commitments, as the monthly run built it."""

    month: str = Field(pattern=MONTH_PATTERN, max_length=MONTH_LENGTH)
    userId: str = Field(pattern=UUID4_PATTERN, max_length=UUID_LENGTH)
    generatedAt: str = _date_time()
    commitments: list[CommitmentReport] = Field(max_length=COMMITMENTS_MAX_ITEMS)


class FieldProblem(_Strict):
    """One broken rule."""

    field: str = Field(
        max_length=PROBLEM_ECHO_MAX_LENGTH, description="The field, parameter or header"
    )
    rule: str = Field(
        pattern=r"^[a-z0-9-]+$", max_length=64, description="The rule's name, e.g. `uuid-v4`"
    )
    message: str = Field(max_length=PROBLEM_MESSAGE_MAX_LENGTH)


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(pattern=PROBLEM_TYPE_PATTERN, max_length=100)
    title: str = Field(max_length=PROBLEM_TITLE_MAX_LENGTH)
    status: int = Field(ge=400, le=599, json_schema_extra={"format": "int32"})
    detail: str = Field(max_length=PROBLEM_ECHO_MAX_LENGTH)
    instance: str | None = Field(
        pattern=REQUEST_ID_PATTERN, max_length=REQUEST_ID_MAX_LENGTH, description="The request id"
    )
    errors: list[FieldProblem] | None = Field(default=None, max_length=PROBLEM_ECHO_MAX_LENGTH)


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
        view["voidReason"] = payment.voiding.reason
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
