"""The evidence behind each month of a commitment: which due dates fell in it, how each ended,
the payments that count for them and, in words, why the month reads as it does; and the digest
of a row's payments that travels with the export (docs/reports.md §1.5). Pure rules, read from
the `Standing` the report and the live view are built from, so the three never disagree.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from payments_tracker.domain.schedule import RULE_OF, Cadence, DueDate, Outcome
from payments_tracker.domain.standing import (
    CURRENT,
    ENDED_MARK,
    NOT_CURRENT,
    NOT_SEEN_YET,
    WINDOW_MONTHS,
    CommitmentStatus,
    Standing,
)


class MonthStatus(StrEnum):
    """A month of the window as a bureau reads it: the words for its `history24` character."""

    CURRENT = "current"
    NOT_CURRENT = "notCurrent"
    ENDED = "ended"
    NOT_SEEN = "notSeen"


_STATUS_OF_CODE = {
    CURRENT: MonthStatus.CURRENT,
    NOT_CURRENT: MonthStatus.NOT_CURRENT,
    ENDED_MARK: MonthStatus.ENDED,
}


@dataclass(frozen=True)
class DueEvidence:
    """One due date of the month, how it ended and the payments that count for it."""

    due_date: date
    outcome: Outcome
    payments: tuple[Payment, ...]
    why: str

    def document(self) -> dict[str, Any]:
        """The due date as `GET /commitments/{commitmentId}/months` shows it."""
        return {
            "dueDate": self.due_date.isoformat(),
            "outcome": self.outcome.value,
            "why": self.why,
            "payments": [_payment_document(p) for p in self.payments],
        }


@dataclass(frozen=True)
class MonthEvidence:
    """One month of the window: its character, its status, its due dates and why."""

    month: Month
    code: str
    status: MonthStatus
    due_dates: tuple[DueEvidence, ...]
    why: str
    unscheduled: tuple[Payment, ...] = ()
    """Without a cadence: the payments dated in the month (they count for it)."""

    @property
    def payments(self) -> tuple[Payment, ...]:
        """What counts for the month, oldest first: the report's `amountsPaid` of that month."""
        if self.unscheduled:
            return self.unscheduled
        return tuple(p for due in self.due_dates for p in due.payments)

    def document(self) -> dict[str, Any]:
        """The month as `GET /commitments/{commitmentId}/months` shows it."""
        return {
            "month": str(self.month),
            "code": self.code,
            "status": self.status.value,
            "why": self.why,
            "dueDates": [due.document() for due in self.due_dates],
            "payments": [_payment_document(p) for p in self.payments],
        }


def _payment_document(payment: Payment) -> dict[str, str]:
    # As GET /payments/{paymentId} shows them: the timestamp exactly as submitted, the amount
    # at the currency's minor units. The digest of a row is over the same objects.
    submission = payment.submission
    return {
        "paymentId": str(submission.payment_id),
        "timestamp": submission.timestamp.text,
        "amount": submission.money.canonical(),
        "currency": submission.money.currency,
    }


def month_evidence(standing: Standing, month: Month) -> list[MonthEvidence]:
    """The 24 months of the window that ends with `month`, newest first, for a commitment that
    stands as `standing` in `month` (its `history24` read position by position)."""
    newest = month.year * 12 + month.month - 1
    if standing.cadence is Cadence.UNKNOWN:
        return [_unknown_month(standing, newest - back, back) for back in range(WINDOW_MONTHS)]
    tolerance = RULE_OF[standing.cadence].tolerance
    expected = _expected(standing)
    answer = []
    for back in range(WINDOW_MONTHS):
        index = newest - back
        code = standing.history24[back]
        status = _STATUS_OF_CODE.get(code, MonthStatus.NOT_SEEN)
        in_month: tuple[DueDate, ...] = ()
        if status in {MonthStatus.CURRENT, MonthStatus.NOT_CURRENT}:
            in_month = tuple(due for due in expected if due.month == index)
        dues = tuple(_due_evidence(standing, due, tolerance) for due in in_month)
        why = _why(standing, status, dues, [due for due in expected if due.month < index])
        answer.append(MonthEvidence(_month_of(index), code, status, dues, why))
    return answer


def not_seen_months(month: Month) -> list[MonthEvidence]:
    """The window that ends with `month` for a commitment first paid after it."""
    newest = month.year * 12 + month.month - 1
    why = "Not seen yet: before the first payment."
    return [
        MonthEvidence(_month_of(newest - back), NOT_SEEN_YET, MonthStatus.NOT_SEEN, (), why)
        for back in range(WINDOW_MONTHS)
    ]


def _expected(standing: Standing) -> list[DueDate]:
    # The due dates a bureau would expect: none after the last paid one once it has ended.
    dues = list(standing.due_dates)
    if standing.status is CommitmentStatus.ENDED:
        paid = [due.day for due in dues if due.outcome is Outcome.PAID]
        dues = [due for due in dues if paid and due.day <= paid[-1]]
    return dues


def _month_of(index: int) -> Month:
    return Month(index // 12, index % 12 + 1)


def _due_evidence(standing: Standing, due: DueDate, tolerance: int) -> DueEvidence:
    day = date.fromordinal(due.day)
    payments = tuple(standing.payments[position] for position in due.payments)
    if due.outcome is Outcome.PAID:
        why = _paid_why(day, payments, tolerance)
    elif due.outcome is Outcome.MISSED:
        why = (
            f"nothing paid by {date.fromordinal(due.day + tolerance)}, "
            f"the last of the {tolerance} days allowed after it"
        )
    else:
        why = (
            f"not paid yet: a payment until {date.fromordinal(due.day + tolerance)} "
            "still counts for it"
        )
    return DueEvidence(day, due.outcome, payments, why)


def _paid_why(day: date, payments: Sequence[Payment], tolerance: int) -> str:
    dates = [p.submission.timestamp.moment.date() for p in payments]
    distinct = list(dict.fromkeys(dates))
    if len(distinct) > 2:  # a bounded sentence, however many payments
        shown = f"from {distinct[0]} to {distinct[-1]}"
    else:
        shown = " and ".join(str(d) for d in distinct)
    how = f"paid on {shown}" if len(payments) == 1 else f"paid in {len(payments)} payments, {shown}"
    distance = (dates[-1] - day).days
    which = "" if len(payments) == 1 else "the last "
    if distance == 0:
        return f"{how}, {which}on the due date"
    side = "before" if distance < 0 else "after"
    days = "1 day" if abs(distance) == 1 else f"{abs(distance)} days"
    return f"{how}, {which}{days} {side} the due date (up to {tolerance} days either side count)"


def _why(
    standing: Standing,
    status: MonthStatus,
    dues: tuple[DueEvidence, ...],
    earlier: list[DueDate],
) -> str:
    if status is MonthStatus.NOT_SEEN:
        return "Not seen yet: before the first due date paid."
    if status is MonthStatus.ENDED:
        last = standing.last_paid.submission.timestamp.moment.date()
        return f"Ended: nothing paid since {last}; no due date is expected any more."
    if dues:
        missed = [str(due.due_date) for due in dues if due.outcome is Outcome.MISSED]
        if missed:
            return f"Not current: due {', '.join(missed)} missed."
        if any(due.outcome is Outcome.PENDING for due in dues):
            return "Current: every due date of the month paid, or still within its tolerance."
        if standing.status is CommitmentStatus.ENDED and dues[-1].due_date == _last_paid_due(
            standing
        ):
            last = standing.last_paid.submission.timestamp.moment.date()
            return f"Current: paid up to the last payment, on {last}; it ended after that."
        return "Current: every due date of the month paid."
    latest = earlier[-1] if earlier else None
    if latest is None:  # never: a month after the first paid due date has one before it
        return "Not due this month."
    how = {
        Outcome.MISSED: "was missed",
        Outcome.PAID: "was paid",
        Outcome.PENDING: "is still within its tolerance",
    }[latest.outcome]
    reads = "Not current" if status is MonthStatus.NOT_CURRENT else "Current"
    return (
        f"{reads}: not due this month; the latest due date, {date.fromordinal(latest.day)}, {how}."
    )


def _last_paid_due(standing: Standing) -> date | None:
    paid = [due.day for due in standing.due_dates if due.outcome is Outcome.PAID]
    return date.fromordinal(paid[-1]) if paid else None


def _unknown_month(standing: Standing, index: int, back: int) -> MonthEvidence:
    code = standing.history24[back]
    status = _STATUS_OF_CODE.get(code, MonthStatus.NOT_SEEN)
    dated = tuple(p for p in standing.payments if _month_index(p) == index)
    paid = len(dated)
    if status is MonthStatus.CURRENT:
        why = f"No cadence yet: {paid} payment{'s' if paid != 1 else ''} dated in this month."
    elif status is MonthStatus.NOT_CURRENT:
        why = "No cadence yet: no payment dated in this month."
    elif status is MonthStatus.ENDED:
        last = standing.last_paid.submission.timestamp.moment.date()
        why = f"Ended: nothing paid since {last}."
    else:
        why = "Not seen yet: before the first payment."
    return MonthEvidence(_month_of(index), code, status, (), why, dated)


def _month_index(payment: Payment) -> int:
    moment = payment.submission.timestamp.moment
    return moment.year * 12 + moment.month - 1


def evidence_of(payments: Sequence[Payment]) -> tuple[tuple[str, ...], str]:
    """The ids of `payments`, sorted, and their digest (docs/reports.md §2.1): the lowercase hex
    SHA-256 of the UTF-8 compact JSON array of `{"amount", "currency", "paymentId",
    "timestamp"}` objects, keys sorted, objects sorted by `paymentId`, `amount` and `timestamp`
    as submitted, non-ASCII characters as themselves (`[]` with none)."""
    objects = sorted((_payment_document(p) for p in payments), key=lambda item: item["paymentId"])
    text = json.dumps(objects, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    ids = tuple(item["paymentId"] for item in objects)
    return ids, hashlib.sha256(text.encode("utf-8")).hexdigest()
