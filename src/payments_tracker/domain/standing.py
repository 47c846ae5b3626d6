"""Where one commitment stands as of a day: its streams of payments, cadence, due dates, the
monthly status of the 24-month window, amounts and the next due date (docs/reports.md §1,
ADR 0007). The monthly report and the live view both read commitments through `streams_of` and
`assess`, so they never disagree. Pure rules.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from payments_tracker.domain.corrections import Correction, Corrections
from payments_tracker.domain.identity import amount_bands, band_label, commitment_id, name_key
from payments_tracker.domain.money import Money
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from payments_tracker.domain.schedule import (
    ENDED_AFTER_DAYS,
    Cadence,
    DueDate,
    Fit,
    Outcome,
    detect,
    due_dates,
    month_index,
)

WINDOW_MONTHS = 24
CURRENT, NOT_CURRENT, ENDED_MARK, NOT_SEEN_YET = "1", "0", ".", "-"


class CommitmentStatus(StrEnum):
    """Where a commitment stands in a month (the report's month, or now in the live view)."""

    KEPT = "kept"
    """Current in the month: every due date of the month paid (or still within its tolerance)."""
    LAPSED = "lapsed"
    """Not current: its latest due date was missed."""
    ENDED = "ended"
    """Nothing paid for the longer of two periods and 60 days: the customer stopped."""


def payment_day(payment: Payment) -> int:
    """The payment's date in the offset it was submitted in, as an ordinal."""
    return payment.submission.timestamp.moment.toordinal()


def day_in_offset_of(moment: datetime, payment: Payment) -> int:
    """The customer's day at `moment`, in the offset of their payment `payment`."""
    offset = payment.submission.timestamp.moment.tzinfo
    return moment.astimezone(offset).toordinal()


def month_first_day(month: Month) -> int:
    return date(month.year, month.month, 1).toordinal()


def month_last_day(month: Month) -> int:
    return month_first_day(month.plus(1)) - 1


@dataclass(frozen=True)
class Stream:
    """One commitment's payments: oldest first (by day, then instant, then payment id)."""

    commitment_id: UUID
    currency: str
    payments: tuple[Payment, ...]


def _order(payment: Payment) -> tuple[int, datetime, int]:
    # Ties by the payment id's number: the same order as its canonical text.
    moment = payment.submission.timestamp.moment
    return moment.toordinal(), moment, payment.submission.payment_id.int


def streams_of(
    user_id: UUID, payments: Iterable[Payment], corrections: Corrections | None = None
) -> list[Stream]:
    """The customer's commitments as streams of payments (identity rules, domain/identity.py),
    merged as the customer's corrections say: a merged commitment joins its target's stream."""
    groups: dict[tuple[str, str], list[Payment]] = {}
    for payment in payments:
        submission = payment.submission
        group = (name_key(submission.description), submission.money.currency)
        groups.setdefault(group, []).append(payment)
    streams: dict[tuple[UUID, str], list[Payment]] = {}
    for (key, currency), members in groups.items():
        for detected, part in _split_by_amount(user_id, key, currency, members):
            target = detected if corrections is None else corrections.target(detected)
            streams.setdefault((target, currency), []).extend(part)
    return [
        Stream(commitment, currency, tuple(sorted(members, key=_order)))
        for (commitment, currency), members in streams.items()
    ]


def own_amount(user_id: UUID, payments: Iterable[Payment], named: UUID) -> Decimal | None:
    """The latest amount of the payments detected as `named` itself, before any merge: what a
    correction of it records (`Correction.amount`), so it follows that stream and not one merged
    into it. None when none of its own payments is read any more."""
    for stream in streams_of(user_id, payments):
        if stream.commitment_id == named:
            return stream.payments[-1].submission.money.amount
    return None


def in_force(
    user_id: UUID,
    payments: Iterable[Payment],
    changes: Iterable[Correction],
    at: datetime | None = None,
) -> Corrections:
    """The customer's corrections in force at `at` (all when None), each following its stream.

    A correction names a commitment id and records the commitment's amount when it was made.
    Where one payee's payments are several streams told apart by amount, the ids of those
    streams depend on which streams there are (the cheapest has the payee's own id): a correction
    of such a payee applies to the stream whose amounts are nearest to its recorded amount, so an
    exclusion stays with the annual plan it was made on when a cheaper monthly one begins. A
    merge also records the amount of the commitment merged into, and follows it the same way.
    """
    recorded = list(changes)
    if not any(c.amount is not None or c.into_amount is not None for c in recorded):
        return Corrections.of(recorded, at)
    groups: dict[tuple[str, str], list[Decimal]] = {}
    for payment in payments:
        money = payment.submission.money
        groups.setdefault((name_key(payment.submission.description), money.currency), []).append(
            money.amount
        )
    bands_of: dict[UUID, list[tuple[Decimal, Decimal, UUID]]] = {}
    single: list[tuple[str, str, Decimal, Decimal]] = []
    for (key, currency), amounts in groups.items():
        bands = amount_bands(amounts)
        if len(bands) < 2:
            single.append((key, currency, *bands[0]))
            continue
        labelled = [
            (low, high, commitment_id(user_id, currency, key, label))
            for (low, high), label in zip(bands, _labels(bands), strict=True)
        ]
        for candidate in (commitment_id(user_id, currency, key), *(i for _, _, i in labelled)):
            bands_of[candidate] = labelled
    _follow_collapsed(user_id, recorded, single, bands_of)
    followed = []
    for change in recorded:
        into = change.into
        followed.append(
            replace(
                change,
                commitment_id=_nearest(bands_of, change.commitment_id, change.amount),
                into=None if into is None else _nearest(bands_of, into, change.into_amount),
            )
        )
    return Corrections.of(followed, at)


_EVERY_LABEL = tuple(
    label + "+" * repeat
    for label in ("~0", *(f"~1e{exponent}" for exponent in range(-1, 16)))
    for repeat in range(3)
)
"""Every label `_labels` can give a band (`band_label`, and `+` when two bands share one)."""


def _follow_collapsed(
    user_id: UUID,
    recorded: list[Correction],
    single: list[tuple[str, str, Decimal, Decimal]],
    bands_of: dict[UUID, list[tuple[Decimal, Decimal, UUID]]],
) -> None:
    """A correction made on a labelled stream of a payee that now has one stream (the others'
    payments left the months read) follows it to the payee's own id."""
    named = {c.commitment_id for c in recorded} | {c.into for c in recorded if c.into}
    plain = [commitment_id(user_id, currency, key) for key, currency, _, _ in single]
    unknown = named - set(bands_of) - set(plain)
    if not unknown:
        return
    for (key, currency, low, high), own in zip(single, plain, strict=True):
        for label in _EVERY_LABEL:
            labelled = commitment_id(user_id, currency, key, label)
            if labelled in unknown:
                bands_of[labelled] = [(low, high, own)]


def _nearest(
    bands_of: dict[UUID, list[tuple[Decimal, Decimal, UUID]]], named: UUID, amount: Decimal | None
) -> UUID:
    """The stream of the payee of `named` whose amounts are nearest to `amount` (or `named`)."""
    streams = bands_of.get(named)
    if streams is None or amount is None:
        return named
    return min(streams, key=lambda stream: _distance(amount, stream))[2]


def _distance(amount: Decimal, band: tuple[Decimal, Decimal, UUID]) -> float:
    low, high, _ = band
    if low <= amount <= high or amount <= 0 or low <= 0:
        return 0.0 if low <= amount <= high else float("inf")
    return min(abs(math.log(amount / low)), abs(math.log(amount / high)))


def _labels(bands: list[tuple[Decimal, Decimal]]) -> list[str]:
    labels: list[str] = []
    for index, (low, _) in enumerate(bands):
        label = "" if index == 0 else band_label(low)
        while label in labels:
            label += "+"
        labels.append(label)
    return labels


def _split_by_amount(
    user_id: UUID, key: str, currency: str, payments: list[Payment]
) -> list[tuple[UUID, list[Payment]]]:
    amounts = [p.submission.money.amount for p in payments]
    bands = amount_bands(amounts)
    if len(bands) == 1:
        return [(commitment_id(user_id, currency, key), payments)]
    highs = [high for _, high in bands]
    members: list[list[Payment]] = [[] for _ in bands]
    for payment, amount in zip(payments, amounts, strict=True):
        members[bisect.bisect_left(highs, amount)].append(payment)
    # The cheapest stream keeps the name's own id; each other one is labelled by its lowest
    # amount's order of magnitude. Ids so stay the same month after month while the payee's
    # streams do; corrections follow their stream by amount when they change (`in_force`).
    parts: list[tuple[UUID, list[Payment]]] = []
    for label, part in zip(_labels(bands), members, strict=True):
        parts.append((commitment_id(user_id, currency, key, label), part))
    return parts


@dataclass(frozen=True)
class Standing:
    """One commitment as of a day, for the month that day closes (or the current month)."""

    cadence: Cadence
    status: CommitmentStatus
    history24: str
    """24 characters, newest first (position 1 is the month): `1` current, `0` not current,
    `.` after the commitment ended, `-` before it was first seen."""
    months_kept: int
    established: bool
    first_paid: Payment
    last_paid: Payment
    current_amount: str
    previous_amount: str | None
    next_due: date | None
    confidence: float
    in_month: tuple[Payment, ...]
    """The payments that count for the month's due dates (those dated in it for an unknown
    cadence), oldest first."""
    due_dates: tuple[DueDate, ...]
    payments: tuple[Payment, ...]
    """The payments assessed, oldest first (`DueDate.payments` index them)."""


def assess(stream: Stream, month: Month, as_of: int, earliest: int) -> Standing | None:
    """Where `stream` stands in `month`, as of the customer's day `as_of`.

    Payments dated after `as_of` or before `earliest` are left out (a report reads a week past
    its window's edges for the tolerance); None when nothing is left in the window's months.
    """
    selected = _selected(stream, month, as_of, earliest)
    if selected is None:
        return None
    payments, days = selected
    newest = month.year * 12 + month.month - 1
    found = detect(days)
    if found is None:
        return _unknown(stream, payments, days, newest, as_of)
    return _scheduled(stream, found, payments, days, newest, as_of)


def kept_and_established(
    stream: Stream, month: Month, as_of: int, earliest: int
) -> tuple[Payment, ...]:
    """`assess(...).in_month` when the standing is kept and established (what an export row of
    the month carries), else nothing: the same rules, without working out the 24 months (the
    build of the next month asks it for its customers' early payments, `report._exported_in`)."""
    selected = _selected(stream, month, as_of, earliest)
    if selected is None:
        return ()
    payments, days = selected
    found = detect(days)
    if found is None:  # no cadence: never established
        return ()
    rule = found.schedule.rule
    if as_of - days[-1] > max(2 * rule.nominal_days, ENDED_AFTER_DAYS):  # ended
        return ()
    newest = month.year * 12 + month.month - 1
    schedule, grid, paid = found.schedule, found.grid, found.paid
    # The due dates from the first paid one (as `due_dates` lists them), by index.
    k = first = min(paid)

    def day(k: int) -> int:
        position = k - grid.first
        return grid.days[position] if position < len(grid.days) else schedule.due(k)

    if sum(1 for k in paid if month_index(day(k)) <= newest) < rule.established_after:
        return ()
    # Current in the month: none of its due dates missed; with none, the latest before it paid.
    latest_before: int | None = None
    while (due_month := month_index(due := day(k))) <= newest:
        missed = k not in paid and as_of > due + rule.tolerance
        if due_month == newest and missed:
            return ()
        if due_month < newest:
            latest_before = k
        k += 1
    if month_index(day(first)) > newest:
        return ()  # not seen yet in the month
    in_month = month_index(day(k - 1)) == newest if k > first else False
    if not in_month and latest_before is not None:
        due = day(latest_before)
        if latest_before not in paid and as_of > due + rule.tolerance:
            return ()
    return _in_month(found, payments, newest)


def _selected(
    stream: Stream, month: Month, as_of: int, earliest: int
) -> tuple[tuple[Payment, ...], list[int]] | None:
    # The payments dated `earliest`..`as_of` and their days; None with none in the window.
    window_start = month_first_day(month.plus(1 - WINDOW_MONTHS))
    window_end = month_last_day(month)
    assessed: list[Payment] = []
    days: list[int] = []
    in_window = False
    for payment in stream.payments:
        day = payment.submission.timestamp.moment.toordinal()  # `payment_day`
        if earliest <= day <= as_of:
            assessed.append(payment)
            days.append(day)
            in_window = in_window or window_start <= day <= window_end
    if not in_window:
        return None
    return tuple(assessed), days


def _in_month(found: Fit, payments: tuple[Payment, ...], newest: int) -> tuple[Payment, ...]:
    # The payments assigned to the due dates in the calendar month `newest`, oldest first.
    grid = found.grid  # every paid due date is on it (`Grid.nearest`)
    days, first = grid.days, grid.first
    positions = sorted(
        position
        for k, assigned in found.paid.items()
        if month_index(days[k - first]) == newest
        for position in assigned
    )
    return tuple(payments[position] for position in positions)


def month_number(payment: Payment) -> int:
    """The payment's calendar month in its own offset, as one number (`year * 12 + month - 1`)."""
    moment = payment.submission.timestamp.moment
    return moment.year * 12 + moment.month - 1


def _amounts(stream: Stream, payments: Sequence[Payment]) -> tuple[str, str | None]:
    latest = payments[-1].submission.money
    previous: Decimal | None = None
    for payment in reversed(payments):
        amount = payment.submission.money.amount
        if amount != latest.amount:
            previous = amount
            break
    shown = None if previous is None else Money.of(previous, stream.currency).canonical()
    return latest.canonical(), shown


def _leading_current(history: str) -> int:
    return len(history) - len(history.lstrip(CURRENT))


def _status(history: str, ended: bool) -> CommitmentStatus:
    if ended:
        return CommitmentStatus.ENDED
    return CommitmentStatus.KEPT if history[0] == CURRENT else CommitmentStatus.LAPSED


def _scheduled(  # noqa: PLR0917 - the one caller passes what `assess` prepared
    stream: Stream,
    found: Fit,
    payments: tuple[Payment, ...],
    days: list[int],
    newest: int,
    as_of: int,
) -> Standing:
    schedule = found.schedule
    rule = schedule.rule
    dues = due_dates(found, as_of)
    ended = as_of - days[-1] > max(2 * rule.nominal_days, ENDED_AFTER_DAYS)
    last_paid_due = schedule.due(max(found.paid))
    # One pass over the due dates: which months saw a miss, the counts behind `established`
    # and `confidence`, the first still pending.
    missed_in: dict[int, bool] = {}
    paid = settled = paid_settled = 0
    pending: int | None = None
    for day, outcome, _, month in dues:
        missed = outcome is Outcome.MISSED
        if month <= newest:
            # An ended commitment misses nothing after its last paid due date: it ended.
            ended_since = ended and day > last_paid_due
            missed_in[month] = missed_in.get(month, False) or (missed and not ended_since)
            if outcome is Outcome.PAID:
                paid += 1
        if outcome is Outcome.PENDING:
            if pending is None:
                pending = day
        elif day <= as_of and (not ended or day <= last_paid_due):
            # After an end, nothing is expected: those due dates do not lower the confidence.
            settled += 1
            paid_settled += not missed
    # Ended: no due date is expected after the last paid one; from the month of the one that
    # followed it, the months are marked ended (but not the month of the last paid one itself,
    # when the next fell in it too: weekly, biweekly, four-weekly).
    after_last_paid = schedule.due(max(found.paid) + 1)
    last_paid_month = month_index(last_paid_due)
    end_month = max(month_index(after_last_paid), last_paid_month + 1) if ended else newest + 1
    # Each month: not current if a due date in it was missed; with none, as the latest before it.
    marks: list[str] = []
    first_seen = dues[0].month
    latest = -1  # the index of the latest due date before the month
    for current in range(newest + 1 - WINDOW_MONTHS, newest + 1):  # oldest first
        while latest + 1 < len(dues) and dues[latest + 1].month < current:
            latest += 1
        if current >= end_month:
            marks.append(ENDED_MARK)
        elif current < first_seen:
            marks.append(NOT_SEEN_YET)
        elif current in missed_in:
            marks.append(NOT_CURRENT if missed_in[current] else CURRENT)
        else:
            marks.append(NOT_CURRENT if dues[latest].outcome is Outcome.MISSED else CURRENT)
    history = "".join(reversed(marks))
    next_due: date | None = None
    if not ended:
        next_due = date.fromordinal(pending if pending is not None else after_last_paid)
    coverage = paid_settled / settled if settled else 1.0
    maturity = min(1.0, len(found.paid) / rule.established_after)
    regularity = (len(days) - len(found.off)) / len(days)
    current_amount, previous_amount = _amounts(stream, payments)
    return Standing(
        cadence=rule.cadence,
        status=_status(history, ended),
        history24=history,
        months_kept=_leading_current(history),
        established=paid >= rule.established_after,
        first_paid=payments[0],
        last_paid=payments[-1],
        current_amount=current_amount,
        previous_amount=previous_amount,
        next_due=next_due,
        confidence=round(coverage * maturity * regularity, 2),
        in_month=_in_month(found, payments, newest),
        due_dates=tuple(dues),
        payments=payments,
    )


def _unknown(
    stream: Stream, payments: tuple[Payment, ...], days: list[int], newest: int, as_of: int
) -> Standing:
    # No cadence: calendar months, as before cadences (a payment in the month is current);
    # never established, so never exported; ended 60 days after the last payment.
    paid_months = {month_number(p) for p in payments}
    first_seen = min(paid_months)
    ended = as_of - days[-1] > ENDED_AFTER_DAYS
    last_month = month_number(payments[-1])
    marks = []
    for current in range(newest, newest - WINDOW_MONTHS, -1):  # newest first
        if current in paid_months:
            marks.append(CURRENT)
        elif ended and current > last_month:
            marks.append(ENDED_MARK)
        elif current > first_seen:
            marks.append(NOT_CURRENT)
        else:
            marks.append(NOT_SEEN_YET)
    history = "".join(marks)
    current_amount, previous_amount = _amounts(stream, payments)
    return Standing(
        cadence=Cadence.UNKNOWN,
        status=_status(history, ended),
        history24=history,
        months_kept=_leading_current(history),
        established=False,
        first_paid=payments[0],
        last_paid=payments[-1],
        current_amount=current_amount,
        previous_amount=previous_amount,
        next_due=None,
        confidence=0.0,
        in_month=tuple(p for p in payments if month_number(p) == newest),
        due_dates=(),
        payments=payments,
    )
