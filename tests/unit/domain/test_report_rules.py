"""The rules of the monthly report (docs/design.md §6), as pure functions: no I/O at all."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments_tracker.domain.commitments import (
    COMMITMENT_NAMESPACE,
    commitment_id,
    commitment_key,
)
from payments_tracker.domain.months import Month
from payments_tracker.domain.report import (
    CommitmentStatus,
    UserReport,
    build_user_report,
    history24,
    months_kept,
    status_in,
)
from payments_tracker.domain.report_run import (
    MonthNotBuildable,
    Run,
    month_of_schedule,
    parse_buildable_month,
    scheduled_cutoff,
)
from support.report_payments import CUTOFF, monthly, paid

NOVEMBER = Month(2026, 11)
ALICE = UUID("0b5a4e0e-7a43-4d4f-9b36-1c2a3d4e5f60")


def report_of(payments: list[Any], month: Month = NOVEMBER) -> UserReport:
    report = build_user_report(ALICE, month, payments, CUTOFF)
    assert report is not None
    return report


def only_commitment(payments: list[Any], month: Month = NOVEMBER) -> dict[str, Any]:
    (commitment,) = report_of(payments, month).document()["commitments"]
    return dict(commitment)


# --- commitment keys ------------------------------------------------------------------------


def test_netflix_with_a_reference_number_and_netflix_are_one_commitment() -> None:
    assert commitment_key("NETFLIX.COM 8844") == "netflix com"
    assert commitment_key("Netflix.com") == "netflix com"
    report = report_of(
        [
            paid(ALICE, "NETFLIX.COM 8844", "2026-10-03T09:00:00Z"),
            paid(ALICE, "Netflix.com", "2026-11-03T09:00:00Z"),
        ]
    )
    assert len(report.commitments) == 1


def test_short_or_leading_numbers_are_part_of_the_name() -> None:
    assert commitment_key("24 Hour Fitness") == "24 hour fitness"
    assert commitment_key("Flat 12") == "flat 12"
    assert commitment_key("Gym 123") == "gym 123"  # 3 digits: not a reference number


def test_a_number_alone_is_the_name_not_a_reference() -> None:
    assert commitment_key("8844") == "8844"
    assert commitment_key("#12345") == "12345"


def test_reference_digits_of_any_script_are_dropped() -> None:
    assert commitment_key("Gym \u0668\u0668\u0664\u0664") == "gym"  # Arabic-Indic 8844
    assert commitment_key("Gym \uff18\uff18\uff14\uff14") == "gym"  # full-width, NFKC'd


def test_punctuation_symbols_and_emoji_separate_words() -> None:
    assert commitment_key("  Spotify\u2014Premium 🎵!! ") == "spotify premium"
    full_width = "\uff33\uff30\uff2f\uff34\uff29\uff26\uff39"  # NFKC folds it to SPOTIFY
    assert commitment_key(full_width) == "spotify"
    assert commitment_key("Straße") == commitment_key("STRASSE")  # casefold


def test_descriptions_without_letters_or_digits_share_the_empty_key() -> None:
    assert commitment_key("🎵 !!") == ""
    assert commitment_key("---") == ""


def test_commitment_id_is_uuid5_of_user_currency_and_key() -> None:
    expected = uuid5(COMMITMENT_NAMESPACE, f"{ALICE}|GBP|netflix com|v1")
    assert commitment_id(ALICE, "GBP", "netflix com") == expected
    (commitment,) = report_of([paid(ALICE, "Netflix.com", "2026-11-03T09:00:00Z")]).commitments
    assert commitment.commitment_id == expected


def test_one_description_in_two_currencies_is_two_commitments() -> None:
    report = report_of(
        [
            paid(ALICE, "Netflix", "2026-11-03T09:00:00Z", "9.99", "GBP"),
            paid(ALICE, "Netflix", "2026-11-03T09:00:00Z", "1500", "JPY"),
        ]
    )
    assert sorted(c.currency for c in report.commitments) == ["GBP", "JPY"]


words = st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=6), min_size=1, max_size=4)


@given(words, st.sampled_from([" ", " - ", ".", "  /  ", "🎵", "_"]))
def test_any_run_of_separators_is_one_space(parts: list[str], separator: str) -> None:
    assert commitment_key(separator.join(parts)) == " ".join(parts)


@given(words, st.integers(min_value=1000, max_value=10**12))
def test_a_trailing_reference_number_never_changes_the_key(parts: list[str], ref: int) -> None:
    description = " ".join(parts)
    assert commitment_key(f"{description} {ref}") == commitment_key(description)


@given(st.text(max_size=40))
def test_a_key_is_words_separated_by_single_spaces(description: str) -> None:
    key = commitment_key(description)
    assert key == key.strip()
    assert "  " not in key
    assert key == " ".join(key.split(" "))


# --- months, runs and status -----------------------------------------------------------------


def test_a_payment_at_2330_minus_5_on_the_last_day_counts_in_the_customers_month() -> None:
    # 2026-10-31T23:30-05:00 is 04:30 UTC on 1 November: still October for the customer.
    payment = paid(ALICE, "Gym", "2026-10-31T23:30:00-05:00")
    october = only_commitment([payment], Month(2026, 10))
    assert october["status"] == "kept"
    assert october["amountsPaid"] == ["9.99"]
    november = only_commitment([payment], NOVEMBER)
    assert november["status"] == "lapsed"
    assert november["amountsPaid"] == []


def test_kept_when_paid_in_the_month() -> None:
    assert only_commitment(monthly(ALICE, "Gym", ["2026-11"]))["status"] == "kept"


def test_lapsed_when_paid_the_month_before_but_not_in_the_month() -> None:
    commitment = only_commitment(monthly(ALICE, "Gym", ["2026-09", "2026-10"]))
    assert commitment["status"] == "lapsed"
    assert commitment["monthsKept"] == 0


def test_ended_when_last_paid_before_the_month_before() -> None:
    assert only_commitment(monthly(ALICE, "Gym", ["2026-09"]))["status"] == "ended"


def test_a_gap_month_resets_the_run() -> None:
    commitment = only_commitment(
        monthly(ALICE, "Gym", ["2026-06", "2026-07", "2026-08", "2026-10", "2026-11"])
    )
    assert commitment["monthsKept"] == 2
    assert commitment["history24"].startswith("11011")


def test_two_payments_in_one_month_are_one_kept_month() -> None:
    payments = [
        paid(ALICE, "Gym", "2026-11-01T08:00:00Z", "10.00"),
        paid(ALICE, "Gym", "2026-11-20T08:00:00+01:00", "2.5"),
        *monthly(ALICE, "Gym", ["2026-10"]),
    ]
    report = report_of(payments)
    (commitment,) = report.commitments
    assert commitment.months_kept == 2
    assert commitment.history24.startswith("11-")
    assert sorted(commitment.amounts_paid) == ["10.00", "2.50"]
    assert commitment.established is False


def test_established_at_three_distinct_months_of_the_window() -> None:
    two = only_commitment(monthly(ALICE, "Gym", ["2026-10", "2026-11"]))
    three = only_commitment(monthly(ALICE, "Gym", ["2026-01", "2026-10", "2026-11"]))
    assert two["established"] is False
    assert three["established"] is True


def test_months_before_the_window_count_nowhere() -> None:
    commitment = only_commitment(monthly(ALICE, "Gym", ["2024-11", "2024-12", "2026-11"]))
    assert commitment["history24"] == "1" + "0" * 22 + "1"
    assert commitment["firstMonth"] == "2024-12"
    assert commitment["established"] is False


def test_history24_is_newest_first_with_dashes_before_first_seen() -> None:
    commitment = only_commitment(monthly(ALICE, "Gym", ["2026-08", "2026-10", "2026-11"]))
    assert commitment["history24"] == "1101" + "-" * 20
    assert (commitment["firstMonth"], commitment["lastMonth"]) == ("2026-08", "2026-11")


def test_a_voided_payment_counts_nowhere() -> None:
    voided = paid(ALICE, "Gym", "2026-11-02T08:00:00Z", voided_at=CUTOFF - timedelta(days=1))
    report = report_of([*monthly(ALICE, "Gym", ["2026-10"]), voided])
    (commitment,) = report.commitments
    assert commitment.status is CommitmentStatus.LAPSED
    assert commitment.amounts_paid == ()
    assert build_user_report(ALICE, NOVEMBER, [voided], CUTOFF) is None


def test_a_void_after_the_cutoff_is_not_seen_by_that_run() -> None:
    voided_later = paid(ALICE, "Gym", "2026-11-02T08:00:00Z", voided_at=CUTOFF + timedelta(days=1))
    assert only_commitment([voided_later])["status"] == "kept"


def test_a_payment_received_after_the_cutoff_is_not_seen() -> None:
    late = paid(ALICE, "Gym", "2026-11-30T08:00:00Z", received_at=CUTOFF + timedelta(seconds=1))
    assert build_user_report(ALICE, NOVEMBER, [late], CUTOFF) is None


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


def test_export_rows_are_the_kept_and_established_commitments() -> None:
    report = report_of(
        [
            *monthly(ALICE, "Gym", ["2026-09", "2026-10"]),
            paid(ALICE, "Gym", "2026-11-02T08:00:00+01:00", "10.00"),
            paid(ALICE, "Gym", "2026-11-20T08:00:00-05:00", "2.50"),
            *monthly(ALICE, "Rent", ["2026-10", "2026-11"]),  # kept, not established
            *monthly(ALICE, "Phone", ["2026-08", "2026-09", "2026-10"]),  # lapsed
        ]
    )
    (row,) = report.export_rows()
    assert row == {
        "userId": str(ALICE),
        "month": "2026-11",
        "commitmentId": str(commitment_id(ALICE, "GBP", "gym")),
        "name": "Gym",
        "currency": "GBP",
        "amount": "12.50",
        "payments": 2,
        "paidAt": "2026-11-20T08:00:00-05:00",
        "monthsKept": 3,
        "history24": "111" + "-" * 21,
        "status": "kept",
        "source": "customer-asserted",
    }


def test_the_document_lists_kept_commitments_first_and_is_as_of_the_cutoff() -> None:
    report = report_of([*monthly(ALICE, "Zoo", ["2026-11"]), *monthly(ALICE, "Art", ["2026-09"])])
    document = report.document()
    assert list(document) == ["month", "userId", "generatedAt", "commitments"]
    assert document["generatedAt"] == "2026-12-05T02:00:00.000000Z"
    assert [c["status"] for c in document["commitments"]] == ["kept", "ended"]
    assert list(document["commitments"][0]) == [
        "commitmentId",
        "name",
        "currency",
        "status",
        "monthsKept",
        "established",
        "history24",
        "amountsPaid",
        "firstMonth",
        "lastMonth",
    ]


paid_month_sets = st.sets(st.integers(min_value=0, max_value=23), min_size=1)


@given(paid_month_sets)
def test_history24_months_kept_and_status_agree(offsets: set[int]) -> None:
    paid_months = {NOVEMBER.plus(-offset) for offset in offsets}
    history = history24(paid_months, NOVEMBER)
    assert len(history) == 24
    assert history.count("1") == len(paid_months)
    assert history.rstrip("-").endswith("1")  # the oldest seen month is paid
    assert "-" not in history.rstrip("-")
    kept = months_kept(paid_months, NOVEMBER)
    assert history[:kept] == "1" * kept
    assert history[kept : kept + 1] in {"0", "-", ""}  # the run ends at a gap or the start
    status = status_in(paid_months, NOVEMBER)
    expected = {"1": "kept"}.get(history[0]) or ("lapsed" if history[1] == "1" else "ended")
    assert status.value == expected


@given(paid_month_sets)
def test_established_iff_three_paid_months(offsets: set[int]) -> None:
    months = [str(NOVEMBER.plus(-offset)) for offset in offsets]
    assert only_commitment(monthly(ALICE, "Gym", months))["established"] is (len(offsets) >= 3)


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


def test_distinct_users_have_distinct_commitment_ids() -> None:
    other = uuid.uuid4()
    assert commitment_id(ALICE, "GBP", "gym") != commitment_id(other, "GBP", "gym")
