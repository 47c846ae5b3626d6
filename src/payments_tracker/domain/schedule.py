"""How a commitment is paid: its cadence, its due dates, which payment counts for which due date,
and each month's status as a bureau reads it (docs/reports.md §1.1, ADR 0007). Pure rules.

Every date here is a day in the customer's own offset, as a proleptic ordinal (`date.toordinal`):
a payment's day is the date part of its timestamp as submitted, so 23:30-05:00 on the 31st is the
31st. Month arithmetic (the 31st plus one month is the 30th or the 28th/29th) is python-dateutil's
`relativedelta`, always from the schedule's anchor, so due dates never drift.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from dateutil.relativedelta import relativedelta


class Cadence(StrEnum):
    """How often a commitment falls due (Metro 2's Terms Frequency, docs/reports.md §2.1)."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    FOUR_WEEKLY = "fourWeekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Rule:
    """One cadence's period, tolerance and the gaps between payments that suggest it."""

    cadence: Cadence
    days: int
    """The period in days (0 for the calendar cadences, which count `months`)."""
    months: int
    tolerance: int
    """A payment up to this many days before or after a due date counts for it."""
    gaps: tuple[int, int]
    """The median gap between payment days (inclusive range) that makes this cadence a candidate."""
    established_after: int
    """Payments on cadence (paid due dates) before the commitment is established."""
    nominal_days: int
    """The period's length in days, for the `ended` rule and for confidence."""


RULES: tuple[Rule, ...] = (
    # Shorter cadences: about half the period either side (a payment is never nearer another
    # due date than its own).
    Rule(Cadence.WEEKLY, 7, 0, 3, (5, 9), 3, 7),
    Rule(Cadence.BIWEEKLY, 14, 0, 6, (11, 17), 3, 14),
    # Monthly and longer: a week either side (rent due on the 1st paid on the 25th..8th).
    Rule(Cadence.FOUR_WEEKLY, 28, 0, 7, (26, 30), 3, 28),
    Rule(Cadence.MONTHLY, 0, 1, 7, (25, 35), 3, 31),
    Rule(Cadence.QUARTERLY, 0, 3, 7, (80, 100), 3, 92),
    Rule(Cadence.ANNUAL, 0, 12, 7, (350, 380), 2, 366),
)
RULE_OF = {rule.cadence: rule for rule in RULES}
MAX_TOLERANCE = max(rule.tolerance for rule in RULES)
"""How far past a month's edges a report must read payments (a payment on the 31st for the 1st)."""
FIT_PASSES = MAX_TOLERANCE + 1
"""How many times `fit` moves an anchor towards the median distance, at most."""
ENDED_AFTER_DAYS = 60
"""Nothing paid for the longer of two periods and this many days: the customer stopped."""


class Outcome(StrEnum):
    """How a due date ended, as of a day."""

    PAID = "paid"
    MISSED = "missed"
    PENDING = "pending"


@lru_cache(maxsize=65536)
def _month_step(anchor: int, months: int) -> int:
    """The anchor's day moved by `months` calendar months, clamped to the month's last day."""
    return (date.fromordinal(anchor) + relativedelta(months=months)).toordinal()


@lru_cache(maxsize=65536)
def month_index(day: int) -> int:
    """The calendar month of a day as one number (`year * 12 + month - 1`)."""
    moment = date.fromordinal(day)
    return moment.year * 12 + moment.month - 1


@dataclass(frozen=True)
class Schedule:
    """Due dates `anchor + k periods` for every integer k (k may be negative)."""

    rule: Rule
    anchor: int

    def due(self, k: int) -> int:
        """The k-th due date from the anchor."""
        if self.rule.days:
            return self.anchor + k * self.rule.days
        return _month_step(self.anchor, k * self.rule.months)

    def grid(self, first: int, last: int) -> Grid:
        """Every due date from the one before `first` to the one after `last`."""
        rule = self.rule
        if rule.days:
            low = (first - self.anchor) // rule.days - 1
            high = -((self.anchor - last) // rule.days) + 1
        else:
            months = rule.months
            low = (month_index(first) - month_index(self.anchor)) // months - 1
            high = -((month_index(self.anchor) - month_index(last)) // months) + 1
        return Grid(low, [self.due(k) for k in range(low, high + 1)])


@dataclass(frozen=True)
class Grid:
    """A run of consecutive due dates: `days[i]` is due date `first + i`."""

    first: int
    days: list[int]

    def nearest(self, day: int) -> tuple[int, int]:
        """The index k of the due date nearest to `day` (the earlier one on a tie), and the
        signed distance from it in days."""
        days = self.days
        i = bisect.bisect_left(days, day)
        if i == len(days) or (i > 0 and day - days[i - 1] <= days[i] - day):
            i -= 1
        return self.first + i, day - days[i]


def _median_low(values: Sequence[int]) -> int:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


@dataclass(frozen=True)
class Fit:
    """A schedule and which payment days count for which of its due dates."""

    schedule: Schedule
    grid: Grid
    """The due dates around the payment days (from the one before the first)."""
    paid: dict[int, list[int]]
    """Due date index k -> positions of the payment days within its tolerance."""
    off: list[int]
    """Positions of the payment days farther than the tolerance from every due date."""
    span: tuple[int, int] = (0, -1)
    """The indices k of the due dates nearest to the first and the last payment days (paid or
    off schedule)."""

    @property
    def missed(self) -> int:
        """Due dates with no payment from the one nearest the first payment day to the one
        nearest the last: a schedule that leaves the latest payments off misses the due dates up
        to them (else it would win by dropping them: four-weekly with the last rent ignored)."""
        if not self.paid:
            return 0
        low, high = min(self.span[0], *self.paid), max(self.span[1], *self.paid)
        return high - low + 1 - len(self.paid)

    @property
    def score(self) -> int:
        return self.missed + len(self.off)


def fit(rule: Rule, days: Sequence[int]) -> Fit:
    """The schedule of `rule` that the payment days (sorted) fit best, each day assigned to its
    nearest due date.

    Anchored on the latest payment day, then moved by the median of every payment's distance to
    its nearest due date until that is 0 (FIT_PASSES at most: a calendar anchor moved across
    months of different lengths may move a day a pass, when the latest payment was the early or
    late one): one early or late payment does not move the due day.
    """
    schedule = Schedule(rule, days[-1])
    for attempt in range(FIT_PASSES):
        grid = schedule.grid(days[0], days[-1])
        nearest = [grid.nearest(day) for day in days]
        shift = _median_low([distance for _, distance in nearest])
        if shift == 0 or attempt == FIT_PASSES - 1:
            break
        schedule = Schedule(rule, schedule.anchor + shift)
    return _assigned(schedule, grid, nearest)


def assign(schedule: Schedule, days: Sequence[int]) -> Fit:
    """Each payment day (sorted) to its nearest due date of `schedule`, within the tolerance."""
    grid = schedule.grid(days[0], days[-1])
    return _assigned(schedule, grid, [grid.nearest(day) for day in days])


def _assigned(schedule: Schedule, grid: Grid, nearest: list[tuple[int, int]]) -> Fit:
    tolerance = schedule.rule.tolerance
    paid: dict[int, list[int]] = {}
    off: list[int] = []
    for position, (k, distance) in enumerate(nearest):
        if -tolerance <= distance <= tolerance:
            paid.setdefault(k, []).append(position)
        else:
            off.append(position)
    # The days are sorted, so their nearest due dates are too.
    span = (nearest[0][0], nearest[-1][0])
    return Fit(schedule, grid, paid, off, span)


def detect(days: Sequence[int]) -> Fit | None:
    """The cadence and due dates of a commitment from its payment days (sorted), or None.

    Rules (docs/reports.md §1.1): fewer than two distinct days is unknown. The median gap between
    distinct days names the candidates (weekly 5-9 days, biweekly 11-17, four-weekly 26-30,
    monthly 25-35, quarterly 80-100, annual 350-380); with none (payments missed), every cadence
    is a candidate. Each candidate's schedule is fitted; the one with the fewest missed due dates
    plus payments off schedule wins (a tie between four-weekly and monthly goes to monthly). It
    must explain at least two distinct days and more days than it leaves off schedule, and miss no
    more due dates than it sees paid; else unknown.
    """
    distinct = sorted(set(days))
    if len(distinct) < 2:
        return None
    gap = _median_low([b - a for a, b in itertools.pairwise(distinct)])
    candidates = [rule for rule in RULES if rule.gaps[0] <= gap <= rule.gaps[1]] or list(RULES)
    candidates.sort(key=lambda rule: rule.cadence is not Cadence.MONTHLY)  # monthly first
    best: Fit | None = None
    for rule in candidates:
        candidate = fit(rule, distinct)
        if best is None or candidate.score < best.score:
            best = candidate
        if best.score == 0:  # nothing fits better; a tie goes to the earlier (monthly)
            break
    if best is None or len(best.paid) < 2 or len(best.off) * 2 >= len(distinct):
        return None
    if best.missed > len(best.paid):
        return None
    return assign(best.schedule, days) if len(distinct) != len(days) else best


class DueDate(NamedTuple):
    """One due date of a schedule and the payments (their positions) that count for it."""

    day: int
    outcome: Outcome
    payments: tuple[int, ...]
    month: int
    """Its calendar month (`month_index`)."""


def due_dates(found: Fit, as_of: int) -> list[DueDate]:
    """The due dates from the first paid one to the first one after `as_of` and after the last
    paid one (the next due date), each with its outcome as of `as_of`.

    A due date with no payment is missed once its tolerance ended before `as_of` (the customer's
    day at the cut-off), else pending.
    """
    schedule = found.schedule
    tolerance = schedule.rule.tolerance
    paid = found.paid
    last_paid = max(paid)
    k = min(paid)
    grid = found.grid
    answer: list[DueDate] = []
    while True:
        position = k - grid.first
        day = grid.days[position] if position < len(grid.days) else schedule.due(k)
        assigned = paid.get(k)
        if assigned:
            outcome = Outcome.PAID
        elif as_of > day + tolerance:
            outcome = Outcome.MISSED
        else:
            outcome = Outcome.PENDING
        answer.append(DueDate(day, outcome, tuple(assigned) if assigned else (), month_index(day)))
        if day > as_of and k >= last_paid:
            return answer
        k += 1
