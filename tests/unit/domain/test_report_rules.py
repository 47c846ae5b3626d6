"""The rules of the monthly report (docs/design.md §6, docs/reports.md §1), as pure functions: no
I/O at all. The cadence, identity, correction and standing rules have their own tests
(test_schedule.py, test_identity.py, test_corrections.py, test_standing.py); these are the
report's: what it reads, as of which cut-off, and the document and export it writes."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payments_tracker.domain.identity import COMMITMENT_NAMESPACE, commitment_id, name_key
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from payments_tracker.domain.report import (
    UserReport,
    build_user_report,
    counts_at,
    months_read_for,
    window_of,
)
from payments_tracker.domain.report_run import (
    MonthNotBuildable,
    Run,
    month_of_schedule,
    parse_buildable_month,
    scheduled_cutoff,
)
from payments_tracker.domain.standing import CommitmentStatus
from support.report_payments import CUTOFF, monthly, paid

NOVEMBER = Month(2026, 11)
ALICE = UUID("0b5a4e0e-7a43-4d4f-9b36-1c2a3d4e5f60")
PROPERTY = settings(max_examples=100, deadline=None)


def report_of(payments: list[Payment], month: Month = NOVEMBER) -> UserReport:
    report = build_user_report(ALICE, month, payments, CUTOFF)
    assert report is not None
    return report


def only_commitment(payments: list[Payment], month: Month = NOVEMBER) -> dict[str, Any]:
    (commitment,) = report_of(payments, month).document()["commitments"]
    return dict(commitment)


def gym_id() -> UUID:
    return commitment_id(ALICE, "GBP", name_key("Gym"))


# --- which payments are one commitment --------------------------------------------------------


def test_netflix_with_a_reference_number_and_netflix_are_one_commitment() -> None:
    assert name_key("NETFLIX.COM 8844") == name_key("Netflix.com") == "netflix"
    report = report_of(
        [
            paid(ALICE, "NETFLIX.COM 8844", "2026-10-03T09:00:00Z"),
            paid(ALICE, "Netflix.com", "2026-11-03T09:00:00Z"),
        ]
    )
    assert len(report.commitments) == 1


def test_the_reports_commitment_id_is_uuid5_of_user_currency_and_name_key() -> None:
    expected = uuid5(COMMITMENT_NAMESPACE, f"{ALICE}|GBP|netflix|v2")
    (commitment,) = report_of([paid(ALICE, "Netflix.com", "2026-11-03T09:00:00Z")]).commitments
    assert commitment.commitment_id == expected == commitment_id(ALICE, "GBP", "netflix")


def test_one_description_in_two_currencies_is_two_commitments() -> None:
    report = report_of(
        [
            paid(ALICE, "Netflix", "2026-11-03T09:00:00Z", "9.99", "GBP"),
            paid(ALICE, "Netflix", "2026-11-03T09:00:00Z", "1500", "JPY"),
        ]
    )
    assert sorted(c.currency for c in report.commitments) == ["GBP", "JPY"]


def test_distinct_users_have_distinct_commitment_ids() -> None:
    other = uuid.uuid4()
    assert commitment_id(ALICE, "GBP", "gym") != commitment_id(other, "GBP", "gym")


# --- months, runs and status -----------------------------------------------------------------


def test_the_window_is_24_months_and_the_months_around_it_are_read() -> None:
    window = window_of(NOVEMBER)
    assert (len(window), window[0], window[-1]) == (24, Month(2024, 12), NOVEMBER)
    read = months_read_for(NOVEMBER)
    # and one more month before: which payments the report of the month before counted.
    assert (read[0], read[-1]) == (Month(2024, 10), Month(2026, 12))


def test_a_payment_at_2330_minus_5_on_the_last_day_counts_in_the_customers_month() -> None:
    # 2026-10-31T23:30-05:00 is 04:30 UTC on 1 November: still October for the customer.
    payment = paid(ALICE, "Gym", "2026-10-31T23:30:00-05:00")
    october = only_commitment([payment], Month(2026, 10))
    assert october["status"] == "kept"
    assert october["amountsPaid"] == ["9.99"]
    november = only_commitment([payment], NOVEMBER)
    assert november["status"] == "lapsed"
    assert november["amountsPaid"] == []


def test_a_single_payment_in_the_month_is_kept_without_a_cadence() -> None:
    commitment = only_commitment(monthly(ALICE, "Gym", ["2026-11"]))
    assert (commitment["status"], commitment["cadence"]) == ("kept", "unknown")
    assert commitment["established"] is False


def test_lapsed_when_the_months_due_date_was_missed() -> None:
    commitment = only_commitment(monthly(ALICE, "Gym", ["2026-09", "2026-10"]))
    assert (commitment["cadence"], commitment["status"]) == ("monthly", "lapsed")
    assert commitment["monthsKept"] == 0
    assert commitment["history24"] == "011" + "-" * 21


def test_ended_when_nothing_was_paid_for_60_days() -> None:
    assert only_commitment(monthly(ALICE, "Gym", ["2026-09"]))["status"] == "ended"


def test_a_missed_month_resets_the_run() -> None:
    commitment = only_commitment(
        monthly(ALICE, "Gym", ["2026-06", "2026-07", "2026-08", "2026-10", "2026-11"])
    )
    assert commitment["monthsKept"] == 2
    assert commitment["history24"] == "110111" + "-" * 18


def test_two_payments_for_one_due_date_are_one_kept_month() -> None:
    payments = [
        *monthly(ALICE, "Gym", ["2026-09", "2026-10"], "10.00"),
        paid(ALICE, "Gym", "2026-11-14T08:00:00+01:00", "10.00"),
        paid(ALICE, "Gym", "2026-11-16T08:00:00-05:00", "5.00"),
    ]
    (commitment,) = report_of(payments).commitments
    assert commitment.cadence.value == "monthly"
    assert commitment.history24 == "111" + "-" * 21
    assert commitment.amounts_paid == ("10.00", "5.00")
    assert commitment.amount == "15.00"
    assert commitment.paid_at == "2026-11-16T08:00:00-05:00"


def test_established_at_three_paid_due_dates() -> None:
    two = only_commitment(monthly(ALICE, "Gym", ["2026-10", "2026-11"]))
    three = only_commitment(monthly(ALICE, "Gym", ["2026-09", "2026-10", "2026-11"]))
    assert two["established"] is False
    assert three["established"] is True


def test_payments_before_the_window_and_its_tolerance_count_nowhere() -> None:
    # 15 November 2024 is before the window (December 2024) less a week.
    commitment = only_commitment(monthly(ALICE, "Gym", ["2024-11", "2024-12", "2026-11"]))
    assert commitment["cadence"] == "unknown"  # 23 months apart: no cadence fits
    assert commitment["history24"] == "1" + "0" * 22 + "1"
    assert commitment["firstMonth"] == "2024-12"
    assert commitment["established"] is False


def test_rent_of_the_windows_first_month_paid_the_day_before_it_counts() -> None:
    months = [str(Month(2024, 12).plus(i)) for i in range(24)]
    rent = [paid(ALICE, "Rent", f"{m}-01T09:00:00Z", "950.00") for m in months[1:]]
    rent.append(paid(ALICE, "Rent", "2024-11-30T09:00:00Z", "950.00"))  # December 2024's
    commitment = only_commitment(rent)
    assert commitment["history24"] == "1" * 24
    assert commitment["monthsKept"] == 24


def test_history24_is_newest_first_with_dashes_before_first_seen() -> None:
    commitment = only_commitment(monthly(ALICE, "Gym", ["2026-08", "2026-10", "2026-11"]))
    assert commitment["history24"] == "1101" + "-" * 20
    assert (commitment["firstMonth"], commitment["lastMonth"]) == ("2026-08", "2026-11")


def test_a_payment_of_december_within_the_tolerance_counts_for_november() -> None:
    rent = [
        *[paid(ALICE, "Rent", f"{m}-28T09:00:00Z", "950.00") for m in ["2026-08", "2026-09"]],
        paid(ALICE, "Rent", "2026-10-28T09:00:00Z", "950.00"),
        paid(ALICE, "Rent", "2026-12-02T09:00:00Z", "950.00"),  # November's, 4 days late
    ]
    report = report_of(rent)
    (row,) = report.export_rows()
    assert (row["amount"], row["payments"], row["paidAt"]) == ("950.00", 1, "2026-12-02T09:00:00Z")
    assert (row["history24"], row["nextDue"]) == ("1111" + "-" * 20, "2026-12-28")


def test_a_voided_payment_counts_nowhere() -> None:
    voided = paid(ALICE, "Gym", "2026-11-02T08:00:00Z", voided_at=CUTOFF - timedelta(days=1))
    report = report_of([*monthly(ALICE, "Gym", ["2026-10"]), voided])
    (commitment,) = report.commitments
    assert commitment.status is CommitmentStatus.LAPSED
    assert commitment.amounts_paid == ()
    assert build_user_report(ALICE, NOVEMBER, [voided], CUTOFF) is None


def test_a_void_after_the_cutoff_is_not_seen_by_that_run() -> None:
    voided_later = paid(ALICE, "Gym", "2026-11-02T08:00:00Z", voided_at=CUTOFF + timedelta(days=1))
    assert counts_at(voided_later, CUTOFF)
    assert not counts_at(voided_later, CUTOFF + timedelta(days=2))
    assert only_commitment([voided_later])["status"] == "kept"


def test_a_payment_received_after_the_cutoff_is_not_seen() -> None:
    late = paid(ALICE, "Gym", "2026-11-30T08:00:00Z", received_at=CUTOFF + timedelta(seconds=1))
    assert not counts_at(late, CUTOFF)
    assert build_user_report(ALICE, NOVEMBER, [late], CUTOFF) is None


def test_a_late_payment_received_after_the_cutoff_leaves_its_due_date_to_the_tolerance() -> None:
    # Due 28 November, paid 2 December but received after the cut-off: not seen, and the due
    # date's tolerance (to 5 December) has not ended at the cut-off: pending, not missed.
    rent = [paid(ALICE, "Rent", f"{m}-28T09:00:00Z") for m in ["2026-08", "2026-09", "2026-10"]]
    late = paid(ALICE, "Rent", "2026-12-02T09:00:00Z", received_at=CUTOFF + timedelta(hours=1))
    commitment = only_commitment([*rent, late])
    assert (commitment["status"], commitment["history24"][:4]) == ("kept", "1111")
    assert (commitment["amountsPaid"], commitment["nextDue"]) == ([], "2026-11-28")


def test_name_is_the_description_of_the_latest_payment() -> None:
    report = report_of(
        [
            paid(ALICE, "NETFLIX.COM 8844", "2026-11-03T09:00:00Z"),
            # Earlier in UTC although later on the wall clock: 22:00+14:00 is 08:00 UTC.
            paid(ALICE, "netflix.com", "2026-11-03T22:00:00+14:00"),
            paid(ALICE, "Netflix.com", "2026-10-30T09:00:00Z"),
        ]
    )
    (commitment,) = report.commitments
    assert commitment.name == "NETFLIX.COM 8844"


def test_latest_ties_are_broken_by_the_greater_payment_id() -> None:
    low, high = UUID(int=1, version=4), UUID(int=2**127, version=4)
    assert str(low) < str(high)
    same_instant = "2026-11-03T09:00:00Z"
    report = report_of(
        [
            paid(ALICE, "Gym B", same_instant, payment_id=high),
            paid(ALICE, "gym-b", "2026-11-03T10:00:00+01:00", payment_id=low),
        ]
    )
    assert report.commitments[0].name == "Gym B"


# --- the document and the export ----------------------------------------------------------------


def test_amounts_have_exactly_the_currencys_minor_units() -> None:
    report = report_of(
        [
            *monthly(ALICE, "Rent", ["2026-09", "2026-10", "2026-11"], "950", "GBP"),
            *monthly(ALICE, "Phone", ["2026-09", "2026-10", "2026-11"], "7980", "JPY"),
            *monthly(ALICE, "Water", ["2026-09", "2026-10", "2026-11"], "5.5", "KWD"),
        ]
    )
    amounts = {row["currency"]: row["amount"] for row in report.export_rows()}
    assert amounts == {"GBP": "950.00", "JPY": "7980", "KWD": "5.500"}


FIRST = UUID("1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed")  # sorts before SECOND
SECOND = UUID("6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b")


def test_export_rows_are_the_kept_and_established_commitments() -> None:
    report = report_of(
        [
            *monthly(ALICE, "Gym", ["2026-07", "2026-08", "2026-09", "2026-10"], "10.00"),
            paid(ALICE, "Gym", "2026-11-14T08:00:00+01:00", "10.00", payment_id=SECOND),
            paid(ALICE, "Gym", "2026-11-16T08:00:00-05:00", "5.00", payment_id=FIRST),
            *monthly(ALICE, "Rent", ["2026-10", "2026-11"]),  # kept, not established
            *monthly(ALICE, "Phone", ["2026-08", "2026-09", "2026-10"]),  # lapsed
            paid(ALICE, "Sofa", "2026-11-20T10:00:00Z", "500.00"),  # one-off: never established
        ]
    )
    (row,) = report.export_rows()
    assert row == {
        "userId": str(ALICE),
        "month": "2026-11",
        "commitmentId": str(gym_id()),
        "name": "Gym",
        "currency": "GBP",
        "cadence": "monthly",
        "amount": "15.00",
        "payments": 2,
        "paidAt": "2026-11-16T08:00:00-05:00",
        "nextDue": "2026-12-15",
        "monthsKept": 5,
        "history24": "11111" + "-" * 19,
        "status": "kept",
        "evidence": [str(FIRST), str(SECOND)],
        "evidenceDigest": hashlib.sha256(
            (
                f'[{{"amount":"5.00","currency":"GBP","paymentId":"{FIRST}",'
                '"timestamp":"2026-11-16T08:00:00-05:00"},'
                f'{{"amount":"10.00","currency":"GBP","paymentId":"{SECOND}",'
                '"timestamp":"2026-11-14T08:00:00+01:00"}]'
            ).encode()
        ).hexdigest(),
        "source": "customer-asserted",
    }
    assert list(row) == [
        "userId",
        "month",
        "commitmentId",
        "name",
        "currency",
        "cadence",
        "amount",
        "payments",
        "paidAt",
        "nextDue",
        "monthsKept",
        "history24",
        "status",
        "evidence",
        "evidenceDigest",
        "source",
    ]


def test_a_current_month_with_nothing_due_exports_zero() -> None:
    insurance = [
        paid(ALICE, "Car insurance", "2025-03-10T09:00:00Z", "400.00"),
        paid(ALICE, "Car insurance", "2026-03-12T09:00:00Z", "420.00"),
    ]
    (row,) = report_of(insurance).export_rows()
    assert (row["cadence"], row["amount"], row["payments"], row["paidAt"]) == (
        "annual",
        "0.00",
        0,
        None,
    )
    assert (row["nextDue"], row["monthsKept"]) == ("2027-03-10", 21)


def test_export_rows_are_ordered_by_commitment_id() -> None:
    names = ["Rent", "Gym", "Phone", "Water", "Netflix", "Council Tax"]
    payments = [
        p for name in names for p in monthly(ALICE, name, ["2026-09", "2026-10", "2026-11"])
    ]
    rows = report_of(payments).export_rows()
    ids = [row["commitmentId"] for row in rows]
    assert len(ids) == len(names)
    assert ids == sorted(ids)


def test_the_document_lists_kept_commitments_first_and_is_as_of_the_cutoff() -> None:
    report = report_of(
        [
            *monthly(ALICE, "Zoo", ["2026-11"]),
            *monthly(ALICE, "Art", ["2026-09"]),
            *monthly(ALICE, "Bus", ["2026-09", "2026-10"]),
        ]
    )
    document = report.document()
    assert list(document) == ["month", "userId", "generatedAt", "commitments"]
    assert document["generatedAt"] == "2026-12-05T02:00:00.000000Z"
    assert [c["status"] for c in document["commitments"]] == ["kept", "lapsed", "ended"]
    assert list(document["commitments"][0]) == [
        "commitmentId",
        "name",
        "currency",
        "cadence",
        "status",
        "monthsKept",
        "established",
        "excluded",
        "history24",
        "amountsPaid",
        "currentAmount",
        "previousAmount",
        "nextDue",
        "firstMonth",
        "lastMonth",
    ]


def test_the_document_json_shape() -> None:
    gym = [
        *monthly(ALICE, "Gym", ["2026-08", "2026-09"], "19.99"),
        *monthly(ALICE, "Gym", ["2026-10", "2026-11"], "24.99"),
    ]
    text = report_of(gym).document_json()
    assert ", " not in text
    assert ": " not in text
    (commitment,) = json.loads(text)["commitments"]
    assert commitment == {
        "commitmentId": str(gym_id()),
        "name": "Gym",
        "currency": "GBP",
        "cadence": "monthly",
        "status": "kept",
        "monthsKept": 4,
        "established": True,
        "excluded": False,
        "history24": "1111" + "-" * 20,
        "amountsPaid": ["24.99"],
        "currentAmount": "24.99",
        "previousAmount": "19.99",
        "nextDue": "2026-12-15",
        "firstMonth": "2026-08",
        "lastMonth": "2026-11",
    }


def test_the_same_payments_in_another_order_give_byte_identical_documents() -> None:
    payments = [
        *monthly(ALICE, "Gym", [str(Month(2025, 1).plus(i)) for i in range(23)]),
        *monthly(ALICE, "Rent", ["2026-09", "2026-10", "2026-11"], "950.00"),
        paid(ALICE, "Café Crème", "2026-11-03T22:00:00+14:00", "3.50", "EUR"),
        paid(ALICE, "Gym", "2026-11-16T08:00:00-05:00", "2.00"),
        paid(ALICE, "Late", "2026-11-30T08:00:00Z", received_at=CUTOFF + timedelta(seconds=1)),
    ]
    first = report_of(payments)
    again = report_of([*payments[len(payments) // 2 :], *reversed(payments[: len(payments) // 2])])
    assert again.document_json().encode() == first.document_json().encode()
    assert again.export_rows() == first.export_rows()
    assert "Café Crème" in first.document_json()  # UTF-8, not \\u escapes
    # A payment received after the cut-off changes nothing of that run.
    assert report_of(payments[:-1]).document_json() == first.document_json()


# --- properties -------------------------------------------------------------------------------

paid_month_sets = st.sets(st.integers(min_value=0, max_value=23), min_size=1)


@PROPERTY
@given(paid_month_sets)
def test_history24_months_kept_and_status_agree(offsets: set[int]) -> None:
    months = [str(NOVEMBER.plus(-offset)) for offset in offsets]
    commitment = only_commitment(monthly(ALICE, "Gym", months))
    history = commitment["history24"]
    assert len(history) == 24
    assert set(history) <= set("10.-")
    assert "-" not in history.rstrip("-")  # `-` only before first seen
    assert "." not in history.lstrip(".")  # `.` only after it ended
    assert history.rstrip("-").endswith("1")  # the oldest seen month is paid
    assert NOVEMBER.plus(-max(offsets)) == Month.parse(commitment["firstMonth"])
    kept = commitment["monthsKept"]
    assert history[:kept] == "1" * kept
    assert history[kept : kept + 1] in {"0", ".", "-", ""}  # the run ends at a gap or the start
    expected = {"1": "kept", "0": "lapsed", ".": "ended"}[history[0]]
    assert commitment["status"] == expected


@PROPERTY
@given(st.integers(min_value=1, max_value=24))
def test_a_run_of_monthly_payments_is_established_from_three(count: int) -> None:
    months = [str(NOVEMBER.plus(-offset)) for offset in range(count)]
    commitment = only_commitment(monthly(ALICE, "Gym", months))
    assert commitment["established"] is (count >= 3)
    assert commitment["cadence"] == ("monthly" if count >= 2 else "unknown")
    assert commitment["monthsKept"] == count


@PROPERTY
@given(paid_month_sets)
def test_an_unknown_cadence_is_never_established(offsets: set[int]) -> None:
    months = [str(NOVEMBER.plus(-offset)) for offset in offsets]
    commitment = only_commitment(monthly(ALICE, "Gym", months))
    if commitment["cadence"] == "unknown":
        assert commitment["established"] is False
        assert commitment["nextDue"] is None


# --- when a month can be built, and its cut-off ----------------------------------------------


def test_a_month_can_be_built_from_noon_utc_on_the_first_of_the_next() -> None:
    opens = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert parse_buildable_month("2026-11", opens) == NOVEMBER
    with pytest.raises(MonthNotBuildable, match="2026-12-01T12:00"):
        parse_buildable_month("2026-11", opens - timedelta(microseconds=1))


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-11", "2026-11-01", "", "2026-00"])
def test_a_malformed_month_cannot_be_built(text: str) -> None:
    with pytest.raises(MonthNotBuildable, match="YYYY-MM"):
        parse_buildable_month(text, datetime(2030, 1, 1, tzinfo=UTC))


def test_the_scheduled_run_reports_the_month_before_with_the_fifth_as_cutoff() -> None:
    fired = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert month_of_schedule(fired) == NOVEMBER
    assert scheduled_cutoff(NOVEMBER, fired + timedelta(seconds=3)) == fired
    assert month_of_schedule(datetime(2027, 1, 5, 2, tzinfo=UTC)) == Month(2026, 12)


def test_a_correction_has_its_own_folder_and_names_the_original() -> None:
    original = Run.original(NOVEMBER, CUTOFF)
    assert original.part_key(7) == "2026-11/part-07.jsonl.gz"
    assert original.manifest_key == "2026-11/manifest.json"
    later = CUTOFF + timedelta(days=9)
    correction = original.handed_over(CUTOFF).correction(later)
    assert correction.original_run_id == original.run_id
    assert correction.export_folder == f"2026-11/corrections/{correction.run_id}/"
    assert correction.run_id != original.run_id
