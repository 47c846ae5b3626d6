"""Cadences, due dates and which payment counts for which due date (domain/schedule.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from payments_tracker.domain.schedule import (
    MAX_TOLERANCE,
    RULE_OF,
    Cadence,
    DueDate,
    Fit,
    Grid,
    Outcome,
    Schedule,
    assign,
    detect,
    due_dates,
    fit,
    month_index,
)


def day(year: int, month: int, dom: int) -> int:
    return date(year, month, dom).toordinal()


def every(start: date, step_days: int, count: int, skip: frozenset[int] = frozenset()) -> list[int]:
    return [
        (start + timedelta(days=step_days * i)).toordinal() for i in range(count) if i not in skip
    ]


def monthly_on(dom: int, months: list[tuple[int, int]]) -> list[int]:
    return [day(year, month, dom) for year, month in months]


def months_of(year: int, first: int, last: int) -> list[tuple[int, int]]:
    return [(year, month) for month in range(first, last + 1)]


def detected(days: list[int]) -> Fit:
    found = detect(days)
    assert found is not None
    return found


def dues(days: list[int], as_of: date) -> list[tuple[date, Outcome]]:
    return [
        (date.fromordinal(due.day), due.outcome)
        for due in due_dates(detected(days), as_of.toordinal())
    ]


# --- the rules' table -----------------------------------------------------------------------


def test_cadences_are_named_as_the_report_writes_them() -> None:
    assert [c.value for c in Cadence] == [
        "weekly",
        "biweekly",
        "fourWeekly",
        "monthly",
        "quarterly",
        "annual",
        "unknown",
    ]


def test_tolerances_are_a_week_for_monthly_and_longer_and_half_a_period_below() -> None:
    tolerances = {cadence: rule.tolerance for cadence, rule in RULE_OF.items()}
    assert tolerances == {
        Cadence.WEEKLY: 3,
        Cadence.BIWEEKLY: 6,
        Cadence.FOUR_WEEKLY: 7,
        Cadence.MONTHLY: 7,
        Cadence.QUARTERLY: 7,
        Cadence.ANNUAL: 7,
    }
    assert MAX_TOLERANCE == 7


def test_established_after_three_paid_due_dates_two_for_annual() -> None:
    assert {c: r.established_after for c, r in RULE_OF.items()} == {
        Cadence.WEEKLY: 3,
        Cadence.BIWEEKLY: 3,
        Cadence.FOUR_WEEKLY: 3,
        Cadence.MONTHLY: 3,
        Cadence.QUARTERLY: 3,
        Cadence.ANNUAL: 2,
    }


# --- schedules and grids --------------------------------------------------------------------


def test_monthly_due_dates_are_counted_from_the_anchor_so_they_never_drift() -> None:
    schedule = Schedule(RULE_OF[Cadence.MONTHLY], day(2026, 1, 31))
    assert [date.fromordinal(schedule.due(k)) for k in range(-1, 4)] == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),  # clamped to the month's last day...
        date(2026, 3, 31),  # ...and back to the 31st the month after
        date(2026, 4, 30),
    ]


def test_weekly_and_annual_due_dates() -> None:
    weekly = Schedule(RULE_OF[Cadence.WEEKLY], day(2026, 11, 6))
    assert [date.fromordinal(weekly.due(k)) for k in (-1, 0, 1)] == [
        date(2026, 10, 30),
        date(2026, 11, 6),
        date(2026, 11, 13),
    ]
    annual = Schedule(RULE_OF[Cadence.ANNUAL], day(2024, 2, 29))
    assert date.fromordinal(annual.due(1)) == date(2025, 2, 28)
    assert date.fromordinal(annual.due(4)) == date(2028, 2, 29)


def test_a_grid_spans_one_due_date_either_side() -> None:
    schedule = Schedule(RULE_OF[Cadence.MONTHLY], day(2026, 5, 1))
    grid = schedule.grid(day(2026, 3, 1), day(2026, 5, 1))
    assert [date.fromordinal(d) for d in grid.days] == [date(2026, m, 1) for m in range(2, 7)]
    assert grid.first == -3


def test_nearest_due_date_takes_the_earlier_on_a_tie() -> None:
    grid = Grid(0, [10, 20, 30])
    assert grid.nearest(15) == (0, 5)
    assert grid.nearest(16) == (1, -4)
    assert grid.nearest(9) == (0, -1)
    assert grid.nearest(31) == (2, 1)


def test_month_index_is_year_times_twelve_plus_month() -> None:
    assert month_index(day(2026, 11, 30)) == 2026 * 12 + 10
    assert month_index(day(2026, 12, 1)) == 2026 * 12 + 11


# --- detection --------------------------------------------------------------------------------


def test_fewer_than_two_distinct_days_is_unknown() -> None:
    assert detect([day(2026, 11, 1)]) is None
    assert detect([day(2026, 11, 1), day(2026, 11, 1)]) is None


def test_irregular_days_are_unknown() -> None:
    days = [day(2026, 1, 1), day(2026, 1, 4), day(2026, 2, 20), day(2026, 2, 21), day(2026, 7, 9)]
    assert detect(days) is None


def test_more_missed_due_dates_than_paid_ones_is_unknown() -> None:
    assert detect([day(2026, 1, 15), day(2026, 10, 15), day(2026, 11, 15)]) is None


@pytest.mark.parametrize(
    ("days", "cadence"),
    [
        (every(date(2026, 6, 5), 7, 20), Cadence.WEEKLY),
        (every(date(2026, 6, 3), 14, 12), Cadence.BIWEEKLY),
        (every(date(2026, 1, 2), 28, 13), Cadence.FOUR_WEEKLY),
        (monthly_on(20, months_of(2026, 1, 11)), Cadence.MONTHLY),
        (
            monthly_on(15, [(2025, 2), (2025, 5), (2025, 8), (2025, 11), (2026, 2)]),
            Cadence.QUARTERLY,
        ),
        ([day(2025, 3, 10), day(2026, 3, 12)], Cadence.ANNUAL),
    ],
)
def test_each_cadence_is_detected_from_the_days_alone(days: list[int], cadence: Cadence) -> None:
    found = detected(days)
    assert found.schedule.rule.cadence is cadence
    assert found.off == []
    assert found.missed == 0


def test_four_weekly_over_a_year_is_not_mistaken_for_monthly() -> None:
    # 13 payments in 12 months: a monthly schedule would drift a month off.
    assert detected(every(date(2026, 1, 2), 28, 13)).schedule.rule.cadence is Cadence.FOUR_WEEKLY


def test_three_four_weekly_payments_fit_monthly_too_and_the_tie_goes_to_monthly() -> None:
    assert detected(every(date(2026, 1, 2), 28, 3)).schedule.rule.cadence is Cadence.MONTHLY


def test_one_early_payment_does_not_move_the_due_day() -> None:
    days = sorted([*monthly_on(1, months_of(2026, 1, 11)), day(2026, 7, 31)])
    days.remove(day(2026, 8, 1))
    found = detected(days)
    assert date.fromordinal(found.schedule.anchor).day == 1
    early = days.index(day(2026, 7, 31))
    (k,) = [k for k, positions in found.paid.items() if early in positions]
    assert date.fromordinal(found.schedule.due(k)) == date(2026, 8, 1)


def test_a_fitted_schedule_settles_on_the_median_due_day() -> None:
    days = monthly_on(10, months_of(2026, 1, 6))
    days[-1] += 3  # the latest paid on the 13th: the anchor moves back to the 10th
    found = fit(RULE_OF[Cadence.MONTHLY], days)
    assert date.fromordinal(found.schedule.anchor) == date(2026, 6, 10)


def test_the_latest_payment_being_the_early_one_does_not_move_the_due_day() -> None:
    # April's rent paid on 29 March: the anchor starts there and moves a day a pass (the months
    # differ in length) until it settles on the 1st.
    found = detected([day(2026, 2, 1), day(2026, 3, 1), day(2026, 3, 29)])
    assert date.fromordinal(found.schedule.anchor) == date(2026, 4, 1)


def test_a_schedule_leaving_the_latest_payment_off_misses_the_due_dates_up_to_it() -> None:
    # Rent on the 1st (August's on 31 July), September and October missed, November paid.
    days = [*monthly_on(1, months_of(2026, 4, 7)), day(2026, 7, 31), day(2026, 11, 1)]
    four_weekly = fit(RULE_OF[Cadence.FOUR_WEEKLY], days)
    assert four_weekly.off == [5]  # 1 November fits no four-weekly due date...
    assert four_weekly.missed == 3  # ...so the three due dates before it are missed
    found = detected(days)
    assert found.schedule.rule.cadence is Cadence.MONTHLY
    assert (found.missed, found.off) == (2, [])


def test_two_payments_for_one_due_date_both_count_for_it() -> None:
    days = [*monthly_on(15, months_of(2026, 7, 10)), day(2026, 11, 14), day(2026, 11, 16)]
    found = detected(days)
    assert found.schedule.rule.cadence is Cadence.MONTHLY
    assert sorted(found.paid.values())[-1] == [4, 5]


def test_assign_counts_repeated_days_by_position() -> None:
    days = [day(2026, 9, 1), day(2026, 10, 1), day(2026, 10, 1), day(2026, 11, 1)]
    found = detect(days)
    assert found is not None
    assert sorted(found.paid.values()) == [[0], [1, 2], [3]]
    assert assign(found.schedule, days).paid == found.paid


def test_a_payment_beyond_the_tolerance_is_off_schedule() -> None:
    schedule = Schedule(RULE_OF[Cadence.BIWEEKLY], day(2026, 11, 6))
    found = assign(schedule, [day(2026, 10, 23), day(2026, 10, 29), day(2026, 11, 6)])
    assert found.off == []  # the 29th is 6 days after the 23rd: within the tolerance
    found = assign(schedule, [day(2026, 10, 23), day(2026, 10, 30), day(2026, 11, 6)])
    assert found.off == [1]  # 7 days from both the 23rd and the 6th


def test_no_day_is_off_a_weekly_schedule() -> None:
    # Three days either side of every due date covers the whole week.
    schedule = Schedule(RULE_OF[Cadence.WEEKLY], day(2026, 11, 6))
    assert assign(schedule, list(range(day(2026, 10, 1), day(2026, 11, 6)))).off == []


# --- due dates across month ends and at the cut-off -------------------------------------------


def test_early_rent_across_a_month_end_pays_the_next_months_due_date() -> None:
    days = [*monthly_on(1, months_of(2026, 1, 7)), day(2026, 7, 31), *monthly_on(1, [(2026, 9)])]
    assert dues(days, date(2026, 9, 20))[6:] == [
        (date(2026, 7, 1), Outcome.PAID),
        (date(2026, 8, 1), Outcome.PAID),  # by the payment of 31 July
        (date(2026, 9, 1), Outcome.PAID),
        (date(2026, 10, 1), Outcome.PENDING),
    ]


def test_a_late_payment_across_a_month_end_pays_the_due_date_before() -> None:
    days = [*monthly_on(28, months_of(2026, 7, 10)), day(2026, 12, 2)]
    assert dues(days, date(2026, 12, 5))[-3:] == [
        (date(2026, 10, 28), Outcome.PAID),
        (date(2026, 11, 28), Outcome.PAID),  # by the payment of 2 December
        (date(2026, 12, 28), Outcome.PENDING),
    ]


def test_a_due_date_is_pending_until_its_tolerance_ends_then_missed() -> None:
    days = monthly_on(28, months_of(2026, 7, 10))
    # Due 28 November, tolerance to 5 December inclusive.
    assert dues(days, date(2026, 12, 5))[-2:] == [
        (date(2026, 11, 28), Outcome.PENDING),
        (date(2026, 12, 28), Outcome.PENDING),
    ]
    assert dues(days, date(2026, 12, 6))[-2:] == [
        (date(2026, 11, 28), Outcome.MISSED),
        (date(2026, 12, 28), Outcome.PENDING),
    ]


def test_weekly_tolerance_is_three_days() -> None:
    days = every(date(2026, 10, 2), 7, 5)  # Fridays to 30 October
    assert dues(days, date(2026, 11, 9))[-2] == (date(2026, 11, 6), Outcome.PENDING)
    assert dues(days, date(2026, 11, 10))[-2] == (date(2026, 11, 6), Outcome.MISSED)


def test_due_dates_run_from_the_first_paid_to_the_first_after_the_as_of_day() -> None:
    found = detected(monthly_on(15, months_of(2026, 8, 10)))
    listed = due_dates(found, day(2026, 12, 5))
    assert listed[0] == DueDate(day(2026, 8, 15), Outcome.PAID, (0,), 2026 * 12 + 7)
    assert [date.fromordinal(d.day) for d in listed] == [
        date(2026, 8, 15),
        date(2026, 9, 15),
        date(2026, 10, 15),
        date(2026, 11, 15),
        date(2026, 12, 15),
    ]
    assert [d.outcome for d in listed[-2:]] == [Outcome.MISSED, Outcome.PENDING]
