"""The monthly report of one customer and its credit-file export rows
(docs/design.md §6). Pure rules."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from payments_tracker.domain.commitments import commitment_id, commitment_key
from payments_tracker.domain.money import Money
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment, PaymentStatus
from payments_tracker.domain.timestamps import utc_text

WINDOW_MONTHS = 24
ESTABLISHED_MONTHS = 3
"""Paid in at least this many distinct months of the window: an established commitment."""
SOURCE = "customer-asserted"
PAID, NOT_PAID, NOT_SEEN_YET = "1", "0", "-"


class CommitmentStatus(StrEnum):
    """Where a commitment stands in the report's month."""

    KEPT = "kept"
    """Paid in the month."""
    LAPSED = "lapsed"
    """Paid in the month before, not in the month."""
    ENDED = "ended"
    """Last paid before the month before."""


_STATUS_ORDER = {CommitmentStatus.KEPT: 0, CommitmentStatus.LAPSED: 1, CommitmentStatus.ENDED: 2}


def window_of(month: Month) -> list[Month]:
    """The report window of `month`: the 23 months before it and the month, oldest first."""
    return [month.plus(offset) for offset in range(1 - WINDOW_MONTHS, 1)]


def counts_at(payment: Payment, cutoff: datetime) -> bool:
    """Whether a payment counts in a run with this cut-off: received by then, not voided by then.

    A void recorded after the cut-off is not seen by that run (a re-run with the same cut-off
    gives the same export); a later correction run, with a later cut-off, sees it.
    """
    if payment.received_at > cutoff:
        return False
    if payment.status is PaymentStatus.VOIDED:
        return payment.voiding is not None and payment.voiding.voided_at > cutoff
    return True


def latest_first_order(payment: Payment) -> tuple[datetime, str]:
    """The order of "latest": by UTC instant, ties broken by the greater payment id."""
    return payment.submission.timestamp.moment.astimezone(UTC), str(payment.submission.payment_id)


def history24(paid_months: set[Month], month: Month) -> str:
    """24 characters, newest first: `1` paid, `0` not paid, `-` before the first month seen."""
    first_seen = min(paid_months)
    marks = []
    for offset in range(WINDOW_MONTHS):
        current = month.plus(-offset)
        if current in paid_months:
            marks.append(PAID)
        elif current > first_seen:
            marks.append(NOT_PAID)
        else:
            marks.append(NOT_SEEN_YET)
    return "".join(marks)


def months_kept(paid_months: set[Month], month: Month) -> int:
    """The run of consecutive paid months that ends in `month` (0 when `month` is not paid)."""
    run = 0
    while month.plus(-run) in paid_months:
        run += 1
    return run


def status_in(paid_months: set[Month], month: Month) -> CommitmentStatus:
    """Kept when paid in `month`, lapsed when paid the month before only, else ended."""
    if month in paid_months:
        return CommitmentStatus.KEPT
    if month.plus(-1) in paid_months:
        return CommitmentStatus.LAPSED
    return CommitmentStatus.ENDED


def is_established(paid_months: set[Month]) -> bool:
    """Paid in at least 3 distinct months of the window."""
    return len(paid_months) >= ESTABLISHED_MONTHS


@dataclass
class _Tally:
    """What the report needs of one commitment's payments: never the payments themselves."""

    paid_months: set[Month] = field(default_factory=set)
    latest: Payment | None = None
    in_month: list[Payment] = field(default_factory=list)

    def add(self, payment: Payment, month: Month) -> None:
        self.paid_months.add(payment.submission.month)
        if self.latest is None or latest_first_order(payment) > latest_first_order(self.latest):
            self.latest = payment
        if payment.submission.month == month:
            self.in_month.append(payment)


@dataclass(frozen=True)
class Commitment:
    """One commitment of a customer as the report of a month sees it."""

    commitment_id: UUID
    name: str
    currency: str
    status: CommitmentStatus
    months_kept: int
    established: bool
    history24: str
    amounts_paid: tuple[str, ...]
    """One per active payment in the month, oldest first, exactly at the currency's scale."""
    first_month: Month
    last_month: Month
    amount: str | None
    """The sum paid in the month (None when not paid in it)."""
    paid_at: str | None
    """The timestamp of the latest payment in the month exactly as submitted (None if unpaid)."""

    @property
    def exported(self) -> bool:
        """Kept and established: a row of the credit-file export (if the customer consents)."""
        return self.status is CommitmentStatus.KEPT and self.established

    def document(self) -> dict[str, Any]:
        """The commitment as `GET /reports/{month}` shows it."""
        return {
            "commitmentId": str(self.commitment_id),
            "name": self.name,
            "currency": self.currency,
            "status": self.status.value,
            "monthsKept": self.months_kept,
            "established": self.established,
            "history24": self.history24,
            "amountsPaid": list(self.amounts_paid),
            "firstMonth": str(self.first_month),
            "lastMonth": str(self.last_month),
        }


def _commitment(user_id: UUID, currency: str, key: str, tally: _Tally, month: Month) -> Commitment:
    assert tally.latest is not None  # noqa: S101 - a tally exists only once a payment was added
    paid_months = tally.paid_months
    in_month = sorted(tally.in_month, key=latest_first_order)
    amount = paid_at = None
    if in_month:
        total = sum((p.submission.money.amount for p in in_month), Decimal(0))
        amount = Money.of(total, currency).canonical()
        paid_at = in_month[-1].submission.timestamp.text
    return Commitment(
        commitment_id=commitment_id(user_id, currency, key),
        name=tally.latest.submission.description,
        currency=currency,
        status=status_in(paid_months, month),
        months_kept=months_kept(paid_months, month),
        established=is_established(paid_months),
        history24=history24(paid_months, month),
        amounts_paid=tuple(p.submission.money.canonical() for p in in_month),
        first_month=min(paid_months),
        last_month=max(paid_months),
        amount=amount,
        paid_at=paid_at,
    )


def _report_order(commitment: Commitment) -> tuple[int, str, str, str]:
    return (
        _STATUS_ORDER[commitment.status],
        commitment.name.casefold(),
        commitment.currency,
        str(commitment.commitment_id),
    )


@dataclass(frozen=True)
class UserReport:
    """A customer's report of a month: every commitment seen in the window, kept ones first."""

    user_id: UUID
    month: Month
    generated_at: datetime
    """The run's cut-off: the report is as of that instant, so a re-run reproduces it exactly."""
    commitments: tuple[Commitment, ...]

    def document(self) -> dict[str, Any]:
        """The report as `GET /reports/{month}` returns it."""
        return {
            "month": str(self.month),
            "userId": str(self.user_id),
            "generatedAt": utc_text(self.generated_at),
            "commitments": [commitment.document() for commitment in self.commitments],
        }

    def document_json(self) -> str:
        """The document as compact JSON text (UTF-8, key order as above): what is stored."""
        return json.dumps(self.document(), ensure_ascii=False, separators=(",", ":"))

    def export_rows(self) -> list[dict[str, Any]]:
        """The credit-file rows of the kept and established commitments, by commitment id."""
        rows = [
            {
                "userId": str(self.user_id),
                "month": str(self.month),
                "commitmentId": str(commitment.commitment_id),
                "name": commitment.name,
                "currency": commitment.currency,
                "amount": commitment.amount,
                "payments": len(commitment.amounts_paid),
                "paidAt": commitment.paid_at,
                "monthsKept": commitment.months_kept,
                "history24": commitment.history24,
                "status": commitment.status.value,
                "source": SOURCE,
            }
            for commitment in self.commitments
            if commitment.exported
        ]
        rows.sort(key=lambda row: str(row["commitmentId"]))
        return rows

    def count(self, status: CommitmentStatus) -> int:
        """How many commitments stand at `status`."""
        return sum(1 for commitment in self.commitments if commitment.status is status)


def build_user_report(
    user_id: UUID, month: Month, payments: Iterable[Payment], cutoff: datetime
) -> UserReport | None:
    """The customer's report of `month` as of `cutoff`, or None with no counting payment.

    `payments` may be any of the customer's payments, in any order: those outside the window,
    received after the cut-off or voided by it are left out. Only a running tally per commitment
    is kept, so memory grows with commitments, not payments.
    """
    first, last = month.plus(1 - WINDOW_MONTHS), month
    tallies: dict[tuple[str, str], _Tally] = {}
    for payment in payments:
        submission = payment.submission
        if not first <= submission.month <= last or not counts_at(payment, cutoff):
            continue
        group = (commitment_key(submission.description), submission.money.currency)
        tally = tallies.get(group)
        if tally is None:
            tally = tallies[group] = _Tally()
        tally.add(payment, month)
    if not tallies:
        return None
    commitments = [
        _commitment(user_id, currency, key, tally, month)
        for (key, currency), tally in tallies.items()
    ]
    commitments.sort(key=_report_order)
    return UserReport(user_id, month, cutoff, tuple(commitments))
