"""Use cases of commitments: the live view, and the customer's corrections (rename, exclude or
include, merge), each keyed by the caller (docs/reports.md §1.3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from payments_tracker.domain.corrections import (
    Correction,
    parse_commitment_id,
    validate_merge,
    validate_patch,
)
from payments_tracker.domain.errors import CommitmentNotFound, FieldError, ValidationFailed
from payments_tracker.domain.evidence import MonthEvidence
from payments_tracker.domain.live import (
    LiveCommitment,
    LiveView,
    live_commitments,
    months_read_now,
)
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment, PaymentStatus
from payments_tracker.domain.report import commitment_months as months_of
from payments_tracker.domain.report import months_read_for
from payments_tracker.domain.standing import own_amount
from payments_tracker.service.callers import caller_id

Clock = Callable[[], datetime]
_ONE_TICK = timedelta(microseconds=1)


class OwnPayments(Protocol):
    """A customer's own payments over a range of months."""

    def payments_between(self, user_id: UUID, first: Month, last: Month) -> list[Payment]:
        """Every payment of the customer dated in `first`..`last` (their own offset)."""


class CorrectionStore(Protocol):
    """Where a customer's corrections are kept (every one, for the audit)."""

    def of_user(self, user_id: UUID) -> list[Correction]:
        """Every correction of the customer."""

    def record(self, correction: Correction) -> None:
        """Keep `correction`; CorrectionLimitReached at the limit, CustomerErased if erased."""


@dataclass(frozen=True)
class CommitmentPorts:
    """What the commitment routes use."""

    payments: OwnPayments
    corrections: CorrectionStore
    clock: Clock


@dataclass(frozen=True)
class _Now:
    """What a route read: the caller's payments and corrections, and the view they make."""

    owner: UUID
    at: datetime
    payments: list[Payment]
    changes: list[Correction]
    view: LiveView

    def find(self, commitment_id: UUID) -> LiveCommitment | None:
        return self.view.find(commitment_id)

    @property
    def active(self) -> list[Payment]:
        return [p for p in self.payments if p.status is PaymentStatus.ACTIVE]

    def recorded(self, correction: Correction) -> _Now:
        """The view with `correction` added, from the same payments (nothing is read again)."""
        changes = [*self.changes, correction]
        view = live_commitments(self.owner, self.payments, changes, self.at)
        return _Now(self.owner, self.at, self.payments, changes, view)


def _now(ports: CommitmentPorts, owner: UUID, now: datetime) -> _Now:
    first, last = months_read_now(now)
    payments = ports.payments.payments_between(owner, first, last)
    changes = ports.corrections.of_user(owner)
    return _Now(owner, now, payments, changes, live_commitments(owner, payments, changes, now))


def list_commitments(ports: CommitmentPorts, caller: str) -> list[LiveCommitment]:
    """The caller's commitments as they stand now."""
    return _now(ports, caller_id(caller), ports.clock()).view.commitments


def _commitment_id(text: str) -> UUID:
    parsed = parse_commitment_id(text)
    if parsed is None:
        raise ValidationFailed(
            [FieldError("commitmentId", "commitment-id", "must be a commitment id (a UUID)")]
        )
    return parsed


def _dated(changes: list[Correction], now: datetime) -> datetime:
    # Strictly after the customer's latest correction, whatever two servers' clocks say: the
    # order recorded is the order applied.
    latest = max((change.at for change in changes), default=None)
    return now if latest is None or now > latest else latest + _ONE_TICK


def correct_commitment(
    ports: CommitmentPorts, caller: str, commitment_id: str, body: dict[str, Any]
) -> LiveCommitment:
    """Rename, exclude or include again one of the caller's commitments (a merged one: its
    target); a request that changes nothing records nothing. Body errors come before 404."""
    patch = validate_patch(body)
    wanted = _commitment_id(commitment_id)
    owner = caller_id(caller)
    now = ports.clock()
    state = _now(ports, owner, now)
    found = state.find(wanted)
    if found is None:
        raise CommitmentNotFound("commitmentId")
    name = patch.name if patch.name is not None and patch.name != found.name else None
    excluded = (
        patch.excluded if patch.excluded is not None and patch.excluded != found.excluded else None
    )
    if name is None and excluded is None:
        return found
    correction = Correction(
        owner,
        found.commitment_id,
        _dated(state.changes, now),
        name=name,
        excluded=excluded,
        amount=own_amount(owner, state.active, found.commitment_id),
    )
    ports.corrections.record(correction)
    return _refreshed(state, correction, found)


def merge_commitments(
    ports: CommitmentPorts, caller: str, commitment_id: str, body: dict[str, Any]
) -> LiveCommitment:
    """Make two of the caller's commitments one: `commitment_id` joins `into` (each followed
    to where earlier merges lead). Answers the commitment they now are."""
    into = validate_merge(body)
    wanted = _commitment_id(commitment_id)
    owner = caller_id(caller)
    now = ports.clock()
    state = _now(ports, owner, now)
    source, target = state.find(wanted), state.find(into)
    if source is None:
        raise CommitmentNotFound("commitmentId")
    if target is None:
        raise CommitmentNotFound("into")
    if source.commitment_id == target.commitment_id:
        raise ValidationFailed(
            [FieldError("into", "same-commitment", "is this commitment (or already merged)")]
        )
    if source.currency != target.currency:
        raise ValidationFailed(
            [
                FieldError(
                    "into",
                    "same-currency",
                    f"is in {target.currency}, this commitment in {source.currency}: "
                    "only commitments in one currency can be merged",
                )
            ]
        )
    correction = Correction(
        owner,
        source.commitment_id,
        _dated(state.changes, now),
        into=target.commitment_id,
        amount=own_amount(owner, state.active, source.commitment_id),
        into_amount=own_amount(owner, state.active, target.commitment_id),
    )
    ports.corrections.record(correction)
    return _refreshed(state, correction, target)


def _refreshed(state: _Now, correction: Correction, corrected: LiveCommitment) -> LiveCommitment:
    """The corrected commitment as the live view now shows it, from the payments already read:
    the same payments make the same streams, so it is there (else, as it was before)."""
    return state.recorded(correction).find(corrected.commitment_id) or corrected


@dataclass(frozen=True)
class CommitmentMonths:
    """The evidence behind each month of one commitment (the one its id stands for)."""

    commitment_id: UUID
    months: list[MonthEvidence]


def commitment_months(ports: CommitmentPorts, caller: str, commitment_id: str) -> CommitmentMonths:
    """The 24 months that end with the month before the current one (the newest a build can
    make), newest first, as a build of that month now would see them: the due dates, their
    outcomes and payments, and why. Reads only the caller's own payments and corrections."""
    wanted = _commitment_id(commitment_id)
    owner = caller_id(caller)
    now = ports.clock()
    month = Month.of(now).plus(-1)
    read = months_read_for(month)  # and the month after, as the live view reads them
    payments = ports.payments.payments_between(owner, read[0], read[-1].plus(1))
    found = months_of(owner, month, payments, now, ports.corrections.of_user(owner), wanted)
    if found is None:
        raise CommitmentNotFound("commitmentId")
    return CommitmentMonths(*found)
