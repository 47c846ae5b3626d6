"""The live view: a customer's commitments as they stand now, computed on read from their own
payments and corrections with the same rules as the monthly report (domain/standing.py).
Pure rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from payments_tracker.domain.corrections import Correction, Corrections
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment, PaymentStatus
from payments_tracker.domain.schedule import MAX_TOLERANCE
from payments_tracker.domain.standing import (
    WINDOW_MONTHS,
    CommitmentStatus,
    Standing,
    assess,
    day_in_offset_of,
    in_force,
    month_first_day,
    streams_of,
)

_STATUS_ORDER = {CommitmentStatus.KEPT: 0, CommitmentStatus.LAPSED: 1, CommitmentStatus.ENDED: 2}


def months_read_now(now: datetime) -> tuple[Month, Month]:
    """The months of payments the live view reads: the 24 months up to now, the month before
    them (for the tolerance), and the next one (a customer east of UTC may be in it already)."""
    current = Month.of(now)
    return current.plus(-WINDOW_MONTHS), current.plus(1)


@dataclass(frozen=True)
class LiveCommitment:
    """One commitment as it stands now."""

    commitment_id: UUID
    name: str
    currency: str
    excluded: bool
    standing: Standing
    merged_from: tuple[UUID, ...]
    """The detected commitments the customer merged into this one."""

    def document(self) -> dict[str, Any]:
        """As `GET /commitments` shows it."""
        standing = self.standing
        return {
            "commitmentId": str(self.commitment_id),
            "name": self.name,
            "currency": self.currency,
            "cadence": standing.cadence.value,
            "status": standing.status.value,
            "currentAmount": standing.current_amount,
            "previousAmount": standing.previous_amount,
            "firstPaid": _day(standing.first_paid),
            "lastPaid": _day(standing.last_paid),
            "nextDue": None if standing.next_due is None else standing.next_due.isoformat(),
            "established": standing.established,
            "confidence": standing.confidence,
            "excluded": self.excluded,
            "monthsKept": standing.months_kept,
            "history24": standing.history24,
            "mergedFrom": [str(merged) for merged in self.merged_from],
        }


def _day(payment: Payment) -> str:
    return payment.submission.timestamp.moment.date().isoformat()


@dataclass(frozen=True)
class LiveView:
    """The customer's commitments now, and the corrections in force they were read with."""

    commitments: list[LiveCommitment]
    corrections: Corrections

    def find(self, commitment_id: UUID) -> LiveCommitment | None:
        """The live commitment `commitment_id` stands for (itself, or its merge target)."""
        target = self.corrections.target(commitment_id)
        return next((c for c in self.commitments if c.commitment_id == target), None)


def live_commitments(
    user_id: UUID, payments: Iterable[Payment], changes: Iterable[Correction], now: datetime
) -> LiveView:
    """The customer's commitments now: active payments of the months read, every correction."""
    active = [p for p in payments if p.status is PaymentStatus.ACTIVE]
    corrections = in_force(user_id, active, changes)
    merged_into: dict[UUID, list[UUID]] = {}
    for source in corrections.merged:
        merged_into.setdefault(corrections.target(source), []).append(source)
    answer: list[LiveCommitment] = []
    for stream in streams_of(user_id, active, corrections):
        as_of = day_in_offset_of(now, stream.payments[-1])
        today = date.fromordinal(as_of)
        month = Month(today.year, today.month)
        earliest = month_first_day(month.plus(1 - WINDOW_MONTHS)) - MAX_TOLERANCE
        standing = assess(stream, month, as_of, earliest)
        if standing is None:
            continue
        answer.append(
            LiveCommitment(
                commitment_id=stream.commitment_id,
                name=corrections.names.get(
                    stream.commitment_id, standing.last_paid.submission.description
                ),
                currency=stream.currency,
                excluded=stream.commitment_id in corrections.excluded,
                standing=standing,
                merged_from=tuple(sorted(merged_into.get(stream.commitment_id, []), key=str)),
            )
        )
    answer.sort(
        key=lambda c: (
            _STATUS_ORDER[c.standing.status],
            c.name.casefold(),
            c.currency,
            str(c.commitment_id),
        )
    )
    return LiveView(answer, corrections)
