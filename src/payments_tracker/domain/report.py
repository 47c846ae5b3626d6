"""The monthly report of one customer and its credit-file export rows
(docs/design.md §6). Pure rules."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from payments_tracker.domain.corrections import Correction, Corrections
from payments_tracker.domain.evidence import (
    MonthEvidence,
    evidence_of,
    month_evidence,
    not_seen_months,
)
from payments_tracker.domain.identity import name_key
from payments_tracker.domain.live import live_commitments, months_read_now
from payments_tracker.domain.money import Money
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment, PaymentStatus
from payments_tracker.domain.schedule import MAX_TOLERANCE, Cadence
from payments_tracker.domain.standing import (
    WINDOW_MONTHS,
    CommitmentStatus,
    Standing,
    Stream,
    assess,
    day_in_offset_of,
    kept_and_established,
    month_first_day,
    month_last_day,
    month_number,
    payment_day,
    streams_of,
)
from payments_tracker.domain.standing import in_force as corrections_in_force
from payments_tracker.domain.timestamps import utc_text

SOURCE = "customer-asserted"
_STATUS_ORDER = {CommitmentStatus.KEPT: 0, CommitmentStatus.LAPSED: 1, CommitmentStatus.ENDED: 2}


def window_of(month: Month) -> list[Month]:
    """The report window of `month`: the 23 months before it and the month, oldest first."""
    return [month.plus(offset) for offset in range(1 - WINDOW_MONTHS, 1)]


def months_read_for(month: Month) -> list[Month]:
    """The months of payments a report of `month` reads: its window and one month either side,
    for the tolerance (rent due on the 1st of the window's first month, paid on the 31st before;
    the month's last due date paid a few days into the next month), and one more month before,
    so the build can tell which payments the report of the month before counted (a payment is
    counted in one month's rows only: `build_user_report`)."""
    return [month.plus(offset) for offset in range(-WINDOW_MONTHS - 1, 2)]


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


@dataclass(frozen=True)
class Commitment:
    """One commitment of a customer as the report of a month sees it: values only, never the
    payments themselves (a shard holds many reports before it stores them)."""

    commitment_id: UUID
    name: str
    currency: str
    excluded: bool
    cadence: Cadence
    status: CommitmentStatus
    months_kept: int
    established: bool
    history24: str
    amounts_paid: tuple[str, ...]
    """The payments that count for the month's due dates, oldest first, at the currency's scale."""
    amount: str
    """Their sum ("0.00" with none: a current month with nothing due)."""
    paid_at: str | None
    """The latest one's timestamp exactly as submitted (None with none)."""
    current_amount: str
    previous_amount: str | None
    next_due: str | None
    first_month: Month
    last_month: Month
    evidence: tuple[str, ...] = ()
    """The ids of the payments in `amounts_paid`, sorted (worked out for exported rows only)."""
    evidence_digest: str | None = None
    """Their digest (`evidence.evidence_of`; for exported rows only)."""

    @classmethod
    def of(
        cls,
        commitment_id: UUID,
        name: str,
        currency: str,
        *,
        excluded: bool,
        standing: Standing,
        months: tuple[Month, Month],
    ) -> Commitment:
        in_month = standing.in_month
        total = sum((p.submission.money.amount for p in in_month), Decimal(0))
        exported = (
            standing.status is CommitmentStatus.KEPT and standing.established and not excluded
        )
        evidence, digest = evidence_of(in_month) if exported else ((), None)
        return cls(
            commitment_id=commitment_id,
            name=name,
            currency=currency,
            excluded=excluded,
            cadence=standing.cadence,
            status=standing.status,
            months_kept=standing.months_kept,
            established=standing.established,
            history24=standing.history24,
            amounts_paid=tuple(p.submission.money.canonical() for p in in_month),
            amount=Money.of(total, currency).canonical(),
            paid_at=in_month[-1].submission.timestamp.text if in_month else None,
            current_amount=standing.current_amount,
            previous_amount=standing.previous_amount,
            next_due=None if standing.next_due is None else standing.next_due.isoformat(),
            first_month=months[0],
            last_month=months[1],
            evidence=evidence,
            evidence_digest=digest,
        )

    @property
    def exported(self) -> bool:
        """Current in the month, established and not excluded by the customer: a row of the
        credit-file export (if the customer consents)."""
        return self.status is CommitmentStatus.KEPT and self.established and not self.excluded

    def document(self) -> dict[str, Any]:
        """The commitment as `GET /reports/{month}` shows it."""
        return {
            "commitmentId": str(self.commitment_id),
            "name": self.name,
            "currency": self.currency,
            "cadence": self.cadence.value,
            "status": self.status.value,
            "monthsKept": self.months_kept,
            "established": self.established,
            "excluded": self.excluded,
            "history24": self.history24,
            "amountsPaid": list(self.amounts_paid),
            "currentAmount": self.current_amount,
            "previousAmount": self.previous_amount,
            "nextDue": self.next_due,
            "firstMonth": str(self.first_month),
            "lastMonth": str(self.last_month),
        }


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
                "cadence": commitment.cadence.value,
                "amount": commitment.amount,
                "payments": len(commitment.amounts_paid),
                "paidAt": commitment.paid_at,
                "nextDue": commitment.next_due,
                "monthsKept": commitment.months_kept,
                "history24": commitment.history24,
                "status": commitment.status.value,
                "evidence": list(commitment.evidence),
                "evidenceDigest": commitment.evidence_digest,
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
    user_id: UUID,
    month: Month,
    payments: Iterable[Payment],
    cutoff: datetime,
    corrections: Iterable[Correction] = (),
    *,
    before: MonthBefore | None = None,
) -> UserReport | None:
    """The customer's report of `month` as of `cutoff`, or None with no counting payment.

    `payments` may be any of the customer's payments, in any order: those outside the months
    read (`months_read_for`), received after the cut-off or voided by it are left out. The
    customer's corrections count as they stood at the cut-off. Memory grows with one customer's
    payments of the window (at most MONTHLY_PAYMENT_LIMIT a month).

    A payment is exported in one month's rows only. Near a month's start a payment may count
    for the month's first due date while the export of the month before (`before`: its first
    run) counted it for that month's last due date: each build fits the schedule to the payments
    it sees, and a later build sees more. Such a payment stays with the month before: it is left
    out of this month's `amountsPaid`, `amount`, `payments` and `paidAt` (docs/reports.md §1.1).
    With `before` None (the month before was never built), nothing is left out.
    """
    newest = month.year * 12 + month.month - 1
    first, last = newest - WINDOW_MONTHS, newest + 1  # `months_read_for`, as numbers
    read: list[Payment] = []
    counting = []
    for payment in payments:
        moment = payment.submission.timestamp.moment
        number = moment.year * 12 + moment.month - 1  # `month_number`
        if first - 1 <= number <= last:
            read.append(payment)
            if number >= first and counts_at(payment, cutoff):
                counting.append(payment)
    if not counting:
        return None
    changes = list(corrections)
    in_force, standings = standings_at(user_id, month, counting, cutoff, changes)
    if not standings:
        return None
    if before is not None:
        # Payments the month before may have exported: within the tolerance after its last day.
        edge = month_last_day(month.plus(-1)) + MAX_TOLERANCE
        early = {
            payment.submission.payment_id
            for _, standing in standings
            for payment in standing.in_month
            if payment_day(payment) <= edge and counts_at(payment, before.cutoff)
        }
        if early:
            counted = _exported_in(user_id, month.plus(-1), read, before.cutoff, changes, early)
            if counted and before.shared():
                standings = [
                    (stream, _without(standing, counted)) for stream, standing in standings
                ]
    commitments = []
    for stream, standing in standings:
        months = [m for p in standing.payments if first < (m := month_number(p)) < last]
        commitments.append(
            Commitment.of(
                stream.commitment_id,
                in_force.names.get(stream.commitment_id, standing.last_paid.submission.description),
                stream.currency,
                excluded=stream.commitment_id in in_force.excluded,
                standing=standing,
                months=(
                    Month(min(months) // 12, min(months) % 12 + 1),
                    Month(max(months) // 12, max(months) % 12 + 1),
                ),
            )
        )
    commitments.sort(key=_report_order)
    return UserReport(user_id, month, cutoff, tuple(commitments))


@dataclass(frozen=True)
class MonthBefore:
    """The run of the month before whose export a build must not repeat: its cut-off, and
    whether the customer's rows went into it (their consent stood at that cut-off; asked only
    when one of their payments is in question)."""

    cutoff: datetime
    shared: Callable[[], bool]


def _days_assessed(month: Month) -> tuple[int, int]:
    """The first day a report of `month` assesses, and the day after the last (`assess`): its
    window and the longest tolerance either side."""
    return (
        month_first_day(month.plus(1 - WINDOW_MONTHS)) - MAX_TOLERANCE,
        month_last_day(month) + MAX_TOLERANCE + 1,
    )


def _counting(payments: Iterable[Payment], month: Month, cutoff: datetime) -> list[Payment]:
    """The payments of the months a report of `month` assesses (its window and a month either
    side) that count at `cutoff`."""
    newest = month.year * 12 + month.month - 1
    first, last = newest - WINDOW_MONTHS, newest + 1
    return [p for p in payments if first <= month_number(p) <= last and counts_at(p, cutoff)]


def standings_at(
    user_id: UUID,
    month: Month,
    counting: list[Payment],
    cutoff: datetime,
    changes: list[Correction],
) -> tuple[Corrections, list[tuple[Stream, Standing]]]:
    """The corrections in force at `cutoff` and each commitment's standing in `month` as of it,
    from the payments of the months read that count at the cut-off: what the report of `month`
    is built from, and the evidence behind its months (`commitment_months`)."""
    in_force = corrections_in_force(user_id, counting, changes, at=cutoff)
    earliest, latest = _days_assessed(month)
    standings: list[tuple[Stream, Standing]] = []
    for stream in streams_of(user_id, counting, in_force):
        as_of = min(day_in_offset_of(cutoff, stream.payments[-1]), latest)
        standing = assess(stream, month, as_of, earliest)
        if standing is not None:
            standings.append((stream, standing))
    return in_force, standings


def commitment_months(  # noqa: PLR0917 - the report's inputs, and the id asked for
    user_id: UUID,
    month: Month,
    payments: Iterable[Payment],
    now: datetime,
    changes: Iterable[Correction],
    commitment_id: UUID,
) -> tuple[UUID, list[MonthEvidence]] | None:
    """The evidence behind each month of the window that ends with `month`, newest first, for
    the commitment `commitment_id` stands for (a merged id: its target), as a report of `month`
    with the cut-off `now` would show it; None when the customer has no such commitment.

    The id may come from the live view, which groups the payments of a window one month later:
    where that splits a payee's amounts otherwise, the commitment is the one holding most of the
    live commitment's payments. One whose payments all fall after `month` has every month not
    seen yet."""
    read = list(payments)
    changes = list(changes)
    newest = month.year * 12 + month.month - 1
    counting = _counting(read, month, now)
    in_force, standings = standings_at(user_id, month, counting, now, changes)
    target = in_force.target(commitment_id)
    for stream, standing in standings:
        if stream.commitment_id == target:
            return target, month_evidence(standing, month)
    # Rare: the id is one the live view gave, grouped over its own window (a month later).
    first_live, last_live = months_read_now(now)
    live = [p for p in read if first_live <= p.submission.month <= last_live]
    seen = live_commitments(user_id, live, changes, now).find(commitment_id)
    if seen is None:
        return None
    target = seen.commitment_id
    ids = {p.submission.payment_id for p in seen.standing.payments}
    overlap, best = max(
        (
            (sum(p.submission.payment_id in ids for p in stream.payments), (stream, standing))
            for stream, standing in standings
        ),
        default=(0, None),
        key=lambda found: found[0],
    )
    if best is not None and overlap:
        return target, month_evidence(best[1], month)
    if all(month_number(p) > newest for p in seen.standing.payments):
        return target, not_seen_months(month)
    return None


def _name_of(payment: Payment) -> tuple[str, str]:
    submission = payment.submission
    return name_key(submission.description), submission.money.currency


def _without(standing: Standing, counted: set[UUID]) -> Standing:
    kept = tuple(p for p in standing.in_month if p.submission.payment_id not in counted)
    return replace(standing, in_month=kept) if len(kept) != len(standing.in_month) else standing


def _exported_in(  # noqa: PLR0917 - the month before's run, as `build_user_report` has it
    user_id: UUID,
    month: Month,
    payments: list[Payment],
    cutoff: datetime,
    corrections: list[Correction],
    candidates: set[UUID],
) -> set[UUID]:
    """Which of `candidates` the rows of `month` as of `cutoff` exported (if the customer
    shared): the same rules, on the payments and corrections that counted at that cut-off (so
    the same answer as that month's own build), assessing only the streams that hold one."""
    counting = _counting(payments, month, cutoff)
    if not any(change.into is not None for change in corrections):
        # With no merge, a stream is made of one name's payments: only the names of the
        # candidates need grouping and assessing.
        names = {_name_of(p) for p in counting if p.submission.payment_id in candidates}
        counting = [payment for payment in counting if _name_of(payment) in names]
    if not counting:
        return set()
    in_force = corrections_in_force(user_id, counting, corrections, at=cutoff)
    earliest, latest = _days_assessed(month)
    counted: set[UUID] = set()
    for stream in streams_of(user_id, counting, in_force):
        if not any(p.submission.payment_id in candidates for p in stream.payments):
            continue
        if stream.commitment_id in in_force.excluded:
            continue
        as_of = min(day_in_offset_of(cutoff, stream.payments[-1]), latest)
        counted.update(
            p.submission.payment_id
            for p in kept_and_established(stream, month, as_of, earliest)
            if p.submission.payment_id in candidates
        )
    return counted
