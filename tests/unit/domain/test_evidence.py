"""The evidence behind each month (issue 16): for each cadence, the month's character, its due
dates and their payments, and the sentence that says why; and the digest an export row carries,
recomputed here from its canonical form as docs/reports.md states it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid5

from payments_tracker.domain.corrections import Correction
from payments_tracker.domain.evidence import MonthEvidence, MonthStatus, evidence_of
from payments_tracker.domain.identity import commitment_id
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from payments_tracker.domain.report import build_user_report, commitment_months
from payments_tracker.domain.schedule import Outcome
from payments_tracker.domain.standing import streams_of
from support.report_payments import CUTOFF, paid

ALICE = UUID("0b5a4e0e-7a43-4d4f-9b36-1c2a3d4e5f60")
NOVEMBER = Month(2026, 11)


def on(description: str, days: list[str], amount: str = "10.00") -> list[Payment]:
    """Payments at 10:00 UTC on each day, with ids made from the day (so tests can name them)."""
    return [
        paid(ALICE, description, f"{day}T10:00:00Z", amount, payment_id=uuid5(ALICE, day))
        for day in days
    ]


def months(
    payments: list[Payment], named: str, changes: list[Correction] | None = None
) -> list[MonthEvidence]:
    wanted = commitment_id(ALICE, "GBP", named)
    found = commitment_months(ALICE, NOVEMBER, payments, CUTOFF, changes or [], wanted)
    assert found is not None
    return found[1]


def of(evidence: list[MonthEvidence], month: str) -> MonthEvidence:
    (found,) = [m for m in evidence if str(m.month) == month]
    return found


def ids(month: MonthEvidence) -> list[list[str]]:
    return [[str(p.submission.payment_id) for p in due.payments] for due in month.due_dates]


def test_rent_paid_on_the_31st_counts_for_the_1st_of_the_next_month() -> None:
    days = ["2026-07-01", "2026-08-01", "2026-08-31", "2026-10-01", "2026-11-01"]
    evidence = months(on("Rent", days, "950.00"), "rent")

    assert len(evidence) == 24
    assert [str(m.month) for m in evidence[:3]] == ["2026-11", "2026-10", "2026-09"]
    september = of(evidence, "2026-09")
    assert (september.code, september.status) == ("1", MonthStatus.CURRENT)
    (due,) = september.due_dates
    assert (due.due_date, due.outcome) == (date(2026, 9, 1), Outcome.PAID)
    assert ids(september) == [[str(uuid5(ALICE, "2026-08-31"))]]
    assert (
        due.why == "paid on 2026-08-31, 1 day before the due date (up to 7 days either side count)"
    )
    august = of(evidence, "2026-08")
    assert ids(august) == [[str(uuid5(ALICE, "2026-08-01"))]]  # not the 31st: that is September's
    assert of(evidence, "2026-06").status is MonthStatus.NOT_SEEN
    assert of(evidence, "2026-06").why == "Not seen yet: before the first due date paid."


def test_a_weekly_commitment_with_one_week_missed() -> None:
    days = [f"2026-10-{d:02d}" for d in (3, 10, 17, 24, 31)] + ["2026-11-07", "2026-11-21"]
    days += ["2026-11-28"]
    november = of(months(on("Cleaner", days, "40.00"), "cleaner"), "2026-11")

    assert (november.code, november.status) == ("0", MonthStatus.NOT_CURRENT)
    assert [(d.due_date.day, d.outcome) for d in november.due_dates] == [
        (7, Outcome.PAID),
        (14, Outcome.MISSED),
        (21, Outcome.PAID),
        (28, Outcome.PAID),
    ]
    assert november.why == "Not current: due 2026-11-14 missed."
    missed = november.due_dates[1]
    assert missed.payments == ()
    assert missed.why == "nothing paid by 2026-11-17, the last of the 3 days allowed after it"


def test_an_annual_commitment_has_months_with_nothing_due() -> None:
    evidence = months(on("Car insurance", ["2025-03-14", "2026-03-16"], "480.00"), "carinsurance")

    march = of(evidence, "2026-03")
    # Due on the 14th (the lower middle of the two days), paid two days late.
    assert [(d.due_date, d.outcome) for d in march.due_dates] == [(date(2026, 3, 14), Outcome.PAID)]
    assert march.due_dates[0].why == (
        "paid on 2026-03-16, 2 days after the due date (up to 7 days either side count)"
    )
    july = of(evidence, "2026-07")
    assert (july.code, july.status, july.due_dates) == ("1", MonthStatus.CURRENT, ())
    assert july.why == "Current: not due this month; the latest due date, 2026-03-14, was paid."


def test_a_price_rise_keeps_one_commitment_and_each_month_shows_what_was_paid() -> None:
    payments = on("PureGym", ["2026-08-03", "2026-09-03"], "19.99")
    payments += on("PUREGYM LTD", ["2026-10-03", "2026-11-03"], "24.99")
    evidence = months(payments, "puregym")

    amounts = [
        [p.submission.money.canonical() for d in of(evidence, m).due_dates for p in d.payments]
        for m in ("2026-08", "2026-09", "2026-10", "2026-11")
    ]
    assert amounts == [["19.99"], ["19.99"], ["24.99"], ["24.99"]]


def test_a_merged_commitment_answers_for_its_target_with_one_history() -> None:
    payments = on("Landlord J Smith", ["2026-08-01", "2026-09-01"], "950.00")
    payments += on("Rent to Mr Smith", ["2026-10-01", "2026-11-01"], "950.00")
    source = commitment_id(ALICE, "GBP", "renttomrsmith")
    target = commitment_id(ALICE, "GBP", "landlordjsmith")
    merge = Correction(ALICE, source, datetime(2026, 11, 2, tzinfo=UTC), into=target)

    found = commitment_months(ALICE, NOVEMBER, payments, CUTOFF, [merge], source)

    assert found is not None
    assert found[0] == target
    assert "".join(m.code for m in found[1][:5]) == "1111-"


def test_an_ended_commitment_reads_ended_with_no_due_date_expected() -> None:
    evidence = months(on("Gym", ["2026-03-05", "2026-04-05", "2026-05-05"]), "gym")

    june, july = of(evidence, "2026-06"), of(evidence, "2026-07")
    assert (june.code, june.status, june.due_dates) == (".", MonthStatus.ENDED, ())
    assert july.why == "Ended: nothing paid since 2026-05-05; no due date is expected any more."
    assert of(evidence, "2026-05").status is MonthStatus.CURRENT


def test_a_commitment_without_a_cadence_reads_its_calendar_months() -> None:
    evidence = months(on("Sofa", ["2026-11-20"], "500.00"), "sofa")

    november = of(evidence, "2026-11")
    assert (november.code, november.due_dates) == ("1", ())
    assert november.why == "No cadence yet: 1 payment dated in this month."


def test_the_months_agree_with_the_report_built_at_the_same_cut_off() -> None:
    payments = on("Rent", ["2026-07-01", "2026-08-01", "2026-08-31", "2026-10-01", "2026-11-01"])
    report = build_user_report(ALICE, NOVEMBER, payments, CUTOFF)
    assert report is not None
    (commitment,) = report.commitments

    evidence = months(payments, "rent")

    assert "".join(m.code for m in evidence) == commitment.history24
    november_paid = [p for due in evidence[0].due_dates for p in due.payments]
    assert tuple(p.submission.money.canonical() for p in november_paid) == commitment.amounts_paid


def test_an_unknown_id_has_no_months() -> None:
    payments = on("Rent", ["2026-10-01", "2026-11-01"])
    unknown = commitment_id(ALICE, "GBP", "nothing")
    assert commitment_months(ALICE, NOVEMBER, payments, CUTOFF, [], unknown) is None


def test_the_digest_is_sha256_of_the_canonical_json_of_the_payments() -> None:
    payments = [
        paid(ALICE, "Café", "2026-11-03T09:00:00+01:00", "4.5", payment_id=UUID(int=2, version=4)),
        paid(ALICE, "Café", "2026-11-01T09:00:00Z", "12.00", payment_id=UUID(int=1, version=4)),
    ]
    evidence, digest = evidence_of(payments)

    first, second = str(UUID(int=1, version=4)), str(UUID(int=2, version=4))
    assert evidence == (first, second)
    canonical = (
        f'[{{"amount":"12.00","currency":"GBP","paymentId":"{first}",'
        '"timestamp":"2026-11-01T09:00:00Z"},'
        f'{{"amount":"4.50","currency":"GBP","paymentId":"{second}",'
        '"timestamp":"2026-11-03T09:00:00+01:00"}]'
    )
    assert digest == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert evidence_of([]) == ((), hashlib.sha256(b"[]").hexdigest())
    # The same form, by the standard library: keys sorted, compact, non-ASCII as itself.
    objects = json.loads(canonical)
    again = json.dumps(objects, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert again == canonical
    assert Decimal(objects[1]["amount"]) == Decimal("4.5")


def test_a_due_date_paid_in_many_parts_has_a_bounded_sentence() -> None:
    days = ["2026-09-01", "2026-10-01"] + [f"2026-11-{d:02d}" for d in range(1, 7)]
    november = of(months(on("Rent", days, "100.00"), "rent"), "2026-11")

    (due,) = november.due_dates
    assert len(due.payments) == 6
    assert due.why == (
        "paid in 6 payments, from 2026-11-01 to 2026-11-06, the last 4 days after the due date "
        "(up to 7 days either side count)"
    )


def test_an_id_from_the_live_view_finds_its_payments_though_the_window_splits_them_otherwise() -> (
    None
):
    # A 1.00 payment in the month before the route's window (but in the months it reads) splits
    # "Gym" into two amount bands there; the live view, a month later, sees one stream. Its id
    # still answers with that stream's months.
    payments = [paid(ALICE, "Gym", "2024-11-20T10:00:00Z", "1.00")]
    payments += on("Gym", [f"{Month(2025, 5).plus(i)}-10" for i in range(19)], "100.00")
    assert len(streams_of(ALICE, payments)) == 2  # as the route's months read them
    live_id = commitment_id(ALICE, "GBP", "gym")

    found = commitment_months(ALICE, NOVEMBER, payments, CUTOFF, [], live_id)

    assert found is not None
    assert found[0] == live_id
    assert "".join(m.code for m in found[1]) == "1" * 19 + "-" * 5


def test_a_commitment_paid_only_before_the_window_is_not_found() -> None:
    payments = on("Gym", ["2024-11-20"], "10.00")  # read for the tolerance, not in the window
    assert (
        commitment_months(ALICE, NOVEMBER, payments, CUTOFF, [], commitment_id(ALICE, "GBP", "gym"))
        is None
    )


def test_the_month_an_ended_weekly_commitment_stopped_in_says_so() -> None:
    days = [f"2026-02-{d:02d}" for d in (5, 12, 19, 26)] + ["2026-03-05", "2026-03-12"]
    march = of(months(on("Cleaner", days, "40.00"), "cleaner"), "2026-03")

    assert (march.code, [d.due_date.day for d in march.due_dates]) == ("1", [5, 12])
    assert march.why == "Current: paid up to the last payment, on 2026-03-12; it ended after that."
