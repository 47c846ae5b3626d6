"""Issue 13, commitments, on DynamoDB Local: one real month built through the real adapters, with a
customer for each case of cadence, identity and correction, read back as the stored report and the
export rows.

Every date is relative to the clock: the month built is the one before the current one, so no
payment is old enough for DynamoDB Local's TTL sweeper (a payment expires 27 months after the start
of its month; the oldest here is 21 months before the month built).
"""

from __future__ import annotations

import calendar
import gzip
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pytest

from payments_tracker.adapters.dynamodb.consent import DynamoDBConsentRepository
from payments_tracker.adapters.dynamodb.corrections import DynamoDBCorrections
from payments_tracker.adapters.dynamodb.report_documents import DynamoDBReportDocuments
from payments_tracker.adapters.dynamodb.repository import DynamoDBPaymentRepository
from payments_tracker.domain.consent import ConsentChange
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment, month_closes_at
from payments_tracker.domain.sharding import SHARD_COUNT
from payments_tracker.service.commitments import (
    CommitmentPorts,
    commitment_months,
    correct_commitment,
    list_commitments,
    merge_commitments,
)
from payments_tracker.service.reports import build_shard, start_or_join_run, write_manifest
from support.report_payments import paid
from support.report_tables import fresh_table, ports_of

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator
    from pathlib import Path

    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

M = Month.of(datetime.now(UTC)).plus(-1)
"""The month built: the one before the current one."""
CUTOFF = month_closes_at(M)
"""The scheduled cut-off (the 5th of M+1, 02:00 UTC): late payments of the 1st-4th count."""
BEFORE_CUTOFF = CUTOFF - timedelta(days=2)
AFTER_CUTOFF = CUTOFF + timedelta(hours=1)


def month(offset: int) -> Month:
    """The month `offset` months from the month built."""
    return M.plus(offset)


def last_day(of: Month) -> int:
    return calendar.monthrange(of.year, of.month)[1]


def on(offset: int, day: int, clock: str = "10:00:00Z") -> str:
    """A timestamp on `day` of month M+`offset`."""
    return f"{month(offset)}-{day:02d}T{clock}"


def at(day: date, clock: str = "10:00:00Z") -> str:
    return f"{day.isoformat()}T{clock}"


def marks(newest_first: str) -> str:
    """A history24: the marks given, newest first, then `-` (not seen yet) to 24."""
    assert len(newest_first) <= 24
    return newest_first.ljust(24, "-")


def history_of(first_seen: Month, zero_in: Collection[Month] = ()) -> str:
    """`1` for each month from `first_seen` to M (`0` for those in `zero_in`), newest first."""
    months = []
    current = M
    while current >= first_seen:
        months.append("0" if current in zero_in else "1")
        current = current.plus(-1)
    return marks("".join(months))


@dataclass
class Built:
    """The month as built: each customer's stored report and export rows, by scenario name."""

    users: dict[str, UUID]
    documents: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    all_rows: list[dict[str, Any]] = field(default_factory=list)
    parts: list[list[dict[str, Any]]] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    """Commitment ids the live view gave before the corrections, by `scenario/name`."""
    at_cutoff: CommitmentPorts | None = None
    """The commitment use cases on the same table, with the clock at the month's cut-off."""
    stored: dict[str, Payment] = field(default_factory=dict)
    """Every payment stored, read back from the table, by payment id."""

    def commitments(self, scenario: str) -> list[dict[str, Any]]:
        document = self.documents[scenario]
        assert document is not None, f"{scenario}: no report stored"
        commitments: list[dict[str, Any]] = document["commitments"]
        return commitments

    def only(self, scenario: str) -> dict[str, Any]:
        (commitment,) = self.commitments(scenario)
        return commitment

    def named(self, scenario: str, name: str) -> dict[str, Any]:
        (commitment,) = [c for c in self.commitments(scenario) if c["name"] == name]
        return commitment

    def row(self, scenario: str) -> dict[str, Any]:
        (row,) = self.rows[scenario]
        return row


# -- the customers ----------------------------------------------------------------------------


def rent_early() -> list[tuple[str, str, str]]:
    """Rent due on the 1st for 12 months; M-3's paid on the last day of M-4."""
    payments = [(on(k, 1, "09:00:00Z"), "Rent", "950.00") for k in range(-11, 1) if k != -3]
    payments.append((on(-4, last_day(month(-4)), "09:00:00Z"), "Rent", "950.00"))
    return payments


def rent_early_in_the_month() -> list[tuple[str, str, str]]:
    """Rent due on the 1st for 6 months; M's own paid on the last day of M-1."""
    payments = [(on(k, 1, "09:00:00Z"), "Rent", "950.00") for k in range(-5, 0)]
    payments.append((on(-1, last_day(month(-1)), "18:00:00Z"), "Rent", "950.00"))
    return payments


def rent_late() -> list[tuple[str, str, str]]:
    """Rent due on the 28th: M-4..M-1 on time, M's paid on the 2nd of M+1."""
    payments = [(on(k, 28, "09:00:00Z"), "Rent", "950.00") for k in range(-4, 0)]
    payments.append((on(1, 2, "09:00:00Z"), "Rent", "950.00"))
    return payments


def annual() -> list[tuple[str, str, str]]:
    """Car insurance paid once a year: M-14 and M-2 (two months before the month built)."""
    return [
        (on(-14, 10), "Car insurance", "400.00"),
        (on(-2, 10), "Car insurance", "420.00"),
    ]


def quarterly() -> list[tuple[str, str, str]]:
    """Water every three months on the 15th, M-21..M."""
    return [(on(k, 15), "Water", "80.00") for k in range(-21, 1, 3)]


WEEKLY_LAST = date(M.year, M.month, last_day(M)) - timedelta(days=4)
WEEKLY_DAYS = [WEEKLY_LAST - timedelta(days=7 * (25 - i)) for i in range(26)]
WEEKLY_MISSED = WEEKLY_DAYS[20]


def weekly() -> list[tuple[str, str, str]]:
    """A cleaner paid weekly for 26 weeks up to the end of M, one week missed."""
    return [(at(day), "Cleaner", "40.00") for day in WEEKLY_DAYS if day != WEEKLY_MISSED]


FOUR_WEEKLY_LAST = date(M.year, M.month, 20)
FOUR_WEEKLY_DAYS = [FOUR_WEEKLY_LAST - timedelta(days=28 * (11 - i)) for i in range(12)]


def four_weekly() -> list[tuple[str, str, str]]:
    """A magazine every 28 days, the last on the 20th of M."""
    return [(at(day), "Magazine", "5.00") for day in FOUR_WEEKLY_DAYS]


GYM_NAMES = ("PureGym", "PUREGYM LTD", "Pure Gym 88441")


def price_rise() -> list[tuple[str, str, str]]:
    """A gym for 11 months under three spellings, its day drifting 3rd-5th, 19.99 then 24.99."""
    return [
        (on(k, 3 + k % 3), GYM_NAMES[k % 3], "19.99" if k < -4 else "24.99") for k in range(-10, 1)
    ]


def split_rent() -> list[tuple[str, str, str]]:
    """Rent of 950.00 due on the 1st; M's paid in two parts, on the 1st and the 3rd."""
    return [
        *[(on(k, 1), "Rent", "950.00") for k in range(-5, 0)],
        (on(0, 1), "Rent", "500.00"),
        (on(0, 3, "11:00:00+01:00"), "Rent", "450.00"),
    ]


def one_off() -> list[tuple[str, str, str]]:
    return [(on(0, 15), "Sofa shop", "500.00")]


def two_from_apple() -> list[tuple[str, str, str]]:
    """Apple's 2.99 monthly and APPLE.COM's 99.00 annual: one payee, two commitments."""
    return [
        *[(on(k, 7), "Apple", "2.99") for k in range(-10, 1)],
        (on(-18, 20), "APPLE.COM", "99.00"),
        (on(-6, 21), "APPLE.COM", "99.00"),
    ]


def genuine_miss() -> list[tuple[str, str, str]]:
    """A phone bill on the 20th for 11 months; M-3's never paid."""
    return [(on(k, 20), "Phone", "30.00") for k in range(-10, 1) if k != -3]


def stopped() -> list[tuple[str, str, str]]:
    """Netflix monthly M-10..M-5, then nothing."""
    return [(on(k, 7), "Netflix", "9.99") for k in range(-10, -4)]


def corrected() -> list[tuple[str, str, str]]:
    """Six commitments over M-5..M, each corrected one way (see `record_corrections`)."""
    return [
        *[(on(k, 1, "08:00:00Z"), "Landlord J Smith", "950.00") for k in range(-5, -2)],
        *[(on(k, 1, "08:00:00Z"), "Rent to Mr Smith", "950.00") for k in range(-2, 1)],
        *[(on(k, 10), "Spotify", "11.99") for k in range(-5, 1)],
        *[(on(k, 12), "Gym", "30.00") for k in range(-5, 1)],
        *[(on(k, 18), "Water", "25.00") for k in range(-5, 1)],
        *[(on(k, 20), "Phone", "15.00") for k in range(-5, 1)],
        *[(on(k, 25), "Council tax", "120.00") for k in range(-5, -2)],
        *[(on(k, 25), "City council", "120.00") for k in range(-2, 1)],
    ]


APPLE_MONTHLY_LATER = [(on(k, 7), "Apple", "2.99") for k in range(-2, 1)]


def apple_annual() -> list[tuple[str, str, str]]:
    """APPLE.COM's 99.00 annual alone; an Apple 2.99 monthly begins later (stored after the
    customer's correction, `exclude_before_a_cheaper_stream`)."""
    return [(on(-18, 20), "APPLE.COM", "99.00"), (on(-6, 21), "APPLE.COM", "99.00")]


SCENARIOS = {
    "rent_early": rent_early,
    "rent_early_in_the_month": rent_early_in_the_month,
    "rent_late": rent_late,
    "annual": annual,
    "quarterly": quarterly,
    "weekly": weekly,
    "four_weekly": four_weekly,
    "price_rise": price_rise,
    "split_rent": split_rent,
    "one_off": one_off,
    "apple": two_from_apple,
    "genuine_miss": genuine_miss,
    "stopped": stopped,
    "corrected": corrected,
    "cheaper_stream_later": apple_annual,
}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def record_corrections(client: DynamoDBClient, name: str, user: UUID, built: Built) -> None:
    """Through the use cases and the real adapters, as PATCH and merge would: five corrections
    before the cut-off (merge, rename, exclude, exclude then include) and two after it (a rename
    with an exclusion, a merge)."""
    clock = Clock(BEFORE_CUTOFF)
    ports = CommitmentPorts(
        DynamoDBPaymentRepository(client, name), DynamoDBCorrections(client, name), clock
    )
    caller = str(user)
    ids = {c.name: str(c.commitment_id) for c in list_commitments(ports, caller)}
    built.ids.update({f"corrected/{n}": i for n, i in ids.items()})
    merged = merge_commitments(
        ports, caller, ids["Rent to Mr Smith"], {"into": ids["Landlord J Smith"]}
    )
    assert str(merged.commitment_id) == ids["Landlord J Smith"]
    clock.now += timedelta(minutes=1)
    correct_commitment(ports, caller, ids["Spotify"], {"name": "Music"})
    clock.now += timedelta(minutes=1)
    correct_commitment(ports, caller, ids["Gym"], {"excluded": True})
    clock.now += timedelta(minutes=1)
    correct_commitment(ports, caller, ids["Water"], {"excluded": True})
    clock.now += timedelta(minutes=1)
    correct_commitment(ports, caller, ids["Water"], {"excluded": False})
    clock.now = AFTER_CUTOFF  # recorded after the cut-off: the month's run does not see it
    late = correct_commitment(ports, caller, ids["Phone"], {"name": "Mobile", "excluded": True})
    assert (late.name, late.excluded) == ("Mobile", True)  # the live view sees it at once
    clock.now += timedelta(minutes=1)
    merge_commitments(ports, caller, ids["City council"], {"into": ids["Council tax"]})
    assert len(DynamoDBCorrections(client, name).of_user(user)) == 7


def exclude_before_a_cheaper_stream(
    client: DynamoDBClient, name: str, user: UUID, built: Built
) -> None:
    """The customer excludes their APPLE.COM annual plan (the only Apple commitment then, three
    months before M); later an Apple 2.99 monthly begins."""
    repository = DynamoDBPaymentRepository(client, name)
    then = datetime(month(-3).year, month(-3).month, 10, 12, 0, tzinfo=UTC)
    ports = CommitmentPorts(repository, DynamoDBCorrections(client, name), Clock(then))
    (annual_then,) = list_commitments(ports, str(user))
    assert annual_then.standing.cadence.value == "annual"
    built.ids["cheaper_stream_later/APPLE.COM"] = str(annual_then.commitment_id)
    correct_commitment(ports, str(user), str(annual_then.commitment_id), {"excluded": True})
    for timestamp, description, amount in APPLE_MONTHLY_LATER:
        assert repository.insert(paid(user, description, timestamp, amount)) is None


def parts_in(folder: Path) -> list[list[dict[str, Any]]]:
    """Each part's rows (one part a shard), in the file's order."""
    return [
        [json.loads(line) for line in gzip.decompress(part.read_bytes()).splitlines()]
        for part in sorted(folder.glob("part-*.jsonl.gz"))
    ]


@pytest.fixture(scope="module")
def built(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """Every customer stored, consenting, corrected; the month built once, read back."""
    exports = tmp_path_factory.mktemp("exports")
    with fresh_table(dynamodb_endpoint, "commitments") as (client, name):
        repository = DynamoDBPaymentRepository(client, name)
        consent = DynamoDBConsentRepository(client, name)
        users = {scenario: uuid.uuid4() for scenario in SCENARIOS}
        result = Built(users)
        for scenario, payments_of in SCENARIOS.items():
            user = users[scenario]
            for timestamp, description, amount in payments_of():
                payment: Payment = paid(user, description, timestamp, amount)
                assert repository.insert(payment) is None, (scenario, timestamp)
            shares = ConsentChange(True, "2026-09", CUTOFF - timedelta(days=400))
            assert consent.record(user, shares, None)
        record_corrections(client, name, users["corrected"], result)
        exclude_before_a_cheaper_stream(client, name, users["cheaper_stream_later"], result)

        ports = ports_of(client, name, exports)
        run = start_or_join_run(ports.runs, str(M), CUTOFF)
        assert run.cutoff == CUTOFF
        for shard in range(SHARD_COUNT):
            build_shard(ports, run, shard)
        write_manifest(ports, str(M), CUTOFF)

        documents = DynamoDBReportDocuments(client, name)
        for scenario, user in users.items():
            text = documents.month_report(user, M)
            result.documents[scenario] = None if text is None else json.loads(text)
        result.parts = parts_in(exports / str(M))
        result.all_rows = [row for part in result.parts for row in part]
        for scenario, user in users.items():
            result.rows[scenario] = [r for r in result.all_rows if r["userId"] == str(user)]
        result.manifest = json.loads((exports / str(M) / "manifest.json").read_text())
        result.at_cutoff = CommitmentPorts(
            repository, DynamoDBCorrections(client, name), Clock(CUTOFF)
        )
        for user in users.values():
            for payment in repository.payments_between(user, month(-24), month(1)):
                result.stored[str(payment.submission.payment_id)] = payment
        yield result


# -- the cases ----------------------------------------------------------------------------------


def test_rent_paid_on_the_last_day_of_the_month_before_keeps_the_streak(built: Built) -> None:
    rent = built.only("rent_early")

    assert (rent["cadence"], rent["status"], rent["established"]) == ("monthly", "kept", True)
    assert rent["history24"] == marks("1" * 12)
    assert rent["monthsKept"] == 12
    assert rent["nextDue"] == f"{month(1)}-01"
    assert (rent["firstMonth"], rent["lastMonth"]) == (str(month(-11)), str(M))
    row = built.row("rent_early")
    assert (row["cadence"], row["amount"], row["payments"]) == ("monthly", "950.00", 1)
    assert row["paidAt"] == on(0, 1, "09:00:00Z")
    assert row["nextDue"] == f"{month(1)}-01"
    assert (row["monthsKept"], row["history24"], row["status"]) == (12, marks("1" * 12), "kept")


def test_the_months_own_rent_paid_the_day_before_it_begins_counts_for_the_month(
    built: Built,
) -> None:
    rent = built.only("rent_early_in_the_month")

    assert (rent["status"], rent["history24"]) == ("kept", marks("1" * 6))
    assert rent["amountsPaid"] == ["950.00"]
    row = built.row("rent_early_in_the_month")
    assert (row["amount"], row["payments"]) == ("950.00", 1)
    assert row["paidAt"] == on(-1, last_day(month(-1)), "18:00:00Z")  # in M-1, for M's 1st


def test_rent_paid_a_few_days_into_the_next_month_counts_for_the_month(built: Built) -> None:
    rent = built.only("rent_late")

    assert (rent["cadence"], rent["status"]) == ("monthly", "kept")
    assert rent["history24"] == marks("1" * 5)
    assert rent["nextDue"] == f"{month(1)}-28"
    row = built.row("rent_late")
    assert (row["amount"], row["payments"], row["paidAt"]) == (
        "950.00",
        1,
        on(1, 2, "09:00:00Z"),
    )
    assert row["nextDue"] == f"{month(1)}-28"


def test_an_annual_commitment_is_current_in_months_without_a_due_date_and_not_ended(
    built: Built,
) -> None:
    insurance = built.only("annual")

    assert (insurance["cadence"], insurance["status"]) == ("annual", "kept")
    assert insurance["history24"] == history_of(month(-14))  # M-14..M, 15 months
    assert insurance["monthsKept"] == 15
    assert insurance["established"] is True
    assert (insurance["currentAmount"], insurance["previousAmount"]) == ("420.00", "400.00")
    assert insurance["nextDue"] == f"{month(10)}-10"
    assert insurance["amountsPaid"] == []  # nothing due in M
    row = built.row("annual")
    assert (row["cadence"], row["amount"], row["payments"], row["paidAt"]) == (
        "annual",
        "0.00",
        0,
        None,
    )
    assert row["nextDue"] == f"{month(10)}-10"


def test_a_quarterly_commitment(built: Built) -> None:
    water = built.only("quarterly")

    assert (water["cadence"], water["status"], water["established"]) == (
        "quarterly",
        "kept",
        True,
    )
    assert water["history24"] == history_of(month(-21))
    assert water["nextDue"] == f"{month(3)}-15"
    row = built.row("quarterly")
    assert (row["cadence"], row["amount"], row["payments"], row["paidAt"]) == (
        "quarterly",
        "80.00",
        1,
        on(0, 15),
    )


def test_a_weekly_commitment_with_one_week_missed_marks_exactly_that_month(
    built: Built,
) -> None:
    cleaner = built.only("weekly")
    missed_month = Month(WEEKLY_MISSED.year, WEEKLY_MISSED.month)
    first = Month(WEEKLY_DAYS[0].year, WEEKLY_DAYS[0].month)

    assert (cleaner["cadence"], cleaner["status"]) == ("weekly", "kept")
    assert cleaner["history24"] == history_of(first, {missed_month})
    assert cleaner["history24"].count("0") == 1
    assert cleaner["nextDue"] == (WEEKLY_LAST + timedelta(days=7)).isoformat()
    in_m = [day for day in WEEKLY_DAYS if (day.year, day.month) == (M.year, M.month)]
    assert missed_month != M
    row = built.row("weekly")
    assert (row["cadence"], row["payments"]) == ("weekly", len(in_m))
    assert row["amount"] == f"{40 * len(in_m)}.00"
    assert row["paidAt"] == at(WEEKLY_LAST)


def test_a_four_weekly_commitment(built: Built) -> None:
    magazine = built.only("four_weekly")
    first = Month(FOUR_WEEKLY_DAYS[0].year, FOUR_WEEKLY_DAYS[0].month)

    assert (magazine["cadence"], magazine["status"], magazine["established"]) == (
        "fourWeekly",
        "kept",
        True,
    )
    assert magazine["history24"] == history_of(first)
    assert magazine["nextDue"] == (FOUR_WEEKLY_LAST + timedelta(days=28)).isoformat()
    row = built.row("four_weekly")
    assert (row["cadence"], row["amount"], row["payments"], row["paidAt"]) == (
        "fourWeekly",
        "5.00",
        1,
        at(FOUR_WEEKLY_LAST),
    )


def test_a_price_rise_under_name_variants_stays_one_commitment_with_its_streak(
    built: Built,
) -> None:
    gym = built.only("price_rise")

    assert gym["name"] == GYM_NAMES[0]  # the latest payment's (M is k=0)
    assert (gym["cadence"], gym["status"]) == ("monthly", "kept")
    assert (gym["currentAmount"], gym["previousAmount"]) == ("24.99", "19.99")
    assert gym["history24"] == marks("1" * 11)
    assert gym["monthsKept"] == 11
    row = built.row("price_rise")
    assert (row["amount"], row["payments"], row["paidAt"]) == ("24.99", 1, on(0, 3))
    assert row["commitmentId"] == gym["commitmentId"]


def test_a_due_date_paid_in_two_parts_is_one_row_with_their_sum(built: Built) -> None:
    rent = built.only("split_rent")

    assert (rent["cadence"], rent["status"], rent["history24"]) == (
        "monthly",
        "kept",
        marks("1" * 6),
    )
    assert rent["amountsPaid"] == ["500.00", "450.00"]
    row = built.row("split_rent")
    assert (row["amount"], row["payments"]) == ("950.00", 2)
    assert row["paidAt"] == on(0, 3, "11:00:00+01:00")  # the latest, exactly as submitted


def test_a_one_off_payment_has_no_cadence_and_is_not_exported(built: Built) -> None:
    sofa = built.only("one_off")

    assert (sofa["cadence"], sofa["established"], sofa["nextDue"]) == ("unknown", False, None)
    assert (sofa["status"], sofa["history24"]) == ("kept", marks("1"))
    assert sofa["amountsPaid"] == ["500.00"]
    assert built.rows["one_off"] == []


def test_two_commitments_from_one_merchant_are_told_apart_by_amount(built: Built) -> None:
    monthly = built.named("apple", "Apple")
    yearly = built.named("apple", "APPLE.COM")

    assert monthly["commitmentId"] != yearly["commitmentId"]
    assert (monthly["cadence"], monthly["currentAmount"], monthly["history24"]) == (
        "monthly",
        "2.99",
        marks("1" * 11),
    )
    assert (yearly["cadence"], yearly["currentAmount"], yearly["history24"]) == (
        "annual",
        "99.00",
        history_of(month(-18)),
    )
    assert yearly["nextDue"] == f"{month(6)}-20"
    rows = {row["commitmentId"]: row for row in built.rows["apple"]}
    assert set(rows) == {monthly["commitmentId"], yearly["commitmentId"]}
    assert (rows[monthly["commitmentId"]]["amount"], rows[monthly["commitmentId"]]["paidAt"]) == (
        "2.99",
        on(0, 7),
    )
    assert (rows[yearly["commitmentId"]]["amount"], rows[yearly["commitmentId"]]["payments"]) == (
        "0.00",
        0,
    )


def test_a_genuine_miss_is_a_zero_then_the_streak_starts_again(built: Built) -> None:
    phone = built.only("genuine_miss")

    assert (phone["status"], phone["monthsKept"]) == ("kept", 3)
    assert phone["history24"] == history_of(month(-10), {month(-3)})
    assert phone["history24"].startswith("1110")
    row = built.row("genuine_miss")
    assert (row["monthsKept"], row["amount"], row["paidAt"]) == (3, "30.00", on(0, 20))


def test_a_customer_who_stopped_paying_has_an_ended_commitment(built: Built) -> None:
    netflix = built.only("stopped")

    assert (netflix["cadence"], netflix["status"]) == ("monthly", "ended")
    assert netflix["history24"] == marks("." * 5 + "1" * 6)
    assert (netflix["monthsKept"], netflix["nextDue"]) == (0, None)
    assert built.rows["stopped"] == []


def test_corrections_recorded_before_the_cutoff_apply_and_one_after_it_does_not(
    built: Built,
) -> None:
    ids = {name.split("/")[1]: i for name, i in built.ids.items() if name.startswith("corrected/")}
    by_id = {c["commitmentId"]: c for c in built.commitments("corrected")}
    rows = {row["commitmentId"]: row for row in built.rows["corrected"]}

    # Merged: one commitment (the target's id), one history, one row.
    assert ids["Rent to Mr Smith"] not in by_id
    assert ids["Rent to Mr Smith"] not in rows
    rent = by_id[ids["Landlord J Smith"]]
    assert (rent["name"], rent["cadence"], rent["history24"]) == (
        "Rent to Mr Smith",  # the latest payment's name: no rename was asked for
        "monthly",
        marks("1" * 6),
    )
    assert rows[ids["Landlord J Smith"]]["history24"] == marks("1" * 6)
    # Renamed: the report and the export show the customer's name.
    assert by_id[ids["Spotify"]]["name"] == "Music"
    assert rows[ids["Spotify"]]["name"] == "Music"
    # Excluded: in the report, marked; not in the export.
    gym = by_id[ids["Gym"]]
    assert (gym["excluded"], gym["status"], gym["established"]) == (True, "kept", True)
    assert ids["Gym"] not in rows
    # Excluded then included again before the cut-off: exported.
    assert by_id[ids["Water"]]["excluded"] is False
    assert ids["Water"] in rows
    # Renamed and excluded after the cut-off: not seen by this month's run.
    phone = by_id[ids["Phone"]]
    assert (phone["name"], phone["excluded"]) == ("Phone", False)
    assert rows[ids["Phone"]]["name"] == "Phone"
    # Merged after the cut-off: still two commitments in this month's report.
    assert {ids["Council tax"], ids["City council"]} <= set(by_id)
    assert by_id[ids["City council"]]["history24"] == marks("1" * 3)
    assert set(rows) == {
        ids["Landlord J Smith"],
        ids["Spotify"],
        ids["Water"],
        ids["Phone"],
        ids["City council"],
    }


def test_an_exclusion_stays_with_its_commitment_when_a_cheaper_stream_of_the_payee_begins(
    built: Built,
) -> None:
    excluded_id = built.ids["cheaper_stream_later/APPLE.COM"]
    yearly = built.named("cheaper_stream_later", "APPLE.COM")
    monthly = built.named("cheaper_stream_later", "Apple")

    # The cheaper stream now has the payee's own id (the one the exclusion named); the
    # exclusion follows the stream it was made on, by its recorded amount (99.00).
    assert (monthly["commitmentId"], monthly["excluded"]) == (excluded_id, False)
    assert monthly["cadence"] == "monthly"
    assert (yearly["commitmentId"] != excluded_id, yearly["excluded"]) == (True, True)
    assert [row["name"] for row in built.rows["cheaper_stream_later"]] == ["Apple"]


def test_the_export_is_sorted_complete_and_each_row_says_its_source(built: Built) -> None:
    assert len(built.parts) == SHARD_COUNT
    for part in built.parts:  # each shard's part in (user id text, commitment id) order
        order = [(r["userId"], r["commitmentId"]) for r in part]
        assert order == sorted(order)
    assert built.manifest["rowCount"] == len(built.all_rows)
    assert {r["month"] for r in built.all_rows} == {str(M)}
    assert {r["source"] for r in built.all_rows} == {"customer-asserted"}
    assert {r["status"] for r in built.all_rows} == {"kept"}
    expected_rows = {
        "rent_early": 1,
        "rent_early_in_the_month": 1,
        "rent_late": 1,
        "annual": 1,
        "quarterly": 1,
        "weekly": 1,
        "four_weekly": 1,
        "price_rise": 1,
        "one_off": 0,
        "apple": 2,
        "genuine_miss": 1,
        "stopped": 0,
        "split_rent": 1,
        "corrected": 5,
        "cheaper_stream_later": 1,
    }
    assert {s: len(rows) for s, rows in built.rows.items()} == expected_rows


# -- the evidence behind each month (issue 16) -------------------------------------------------


def test_every_export_row_carries_its_payments_and_their_digest_recomputed_from_the_table(
    built: Built,
) -> None:
    assert built.all_rows
    for row in built.all_rows:
        stored = [built.stored[payment_id] for payment_id in row["evidence"]]
        assert row["evidence"] == sorted(row["evidence"])
        assert len(stored) == row["payments"]
        # The canonical form of docs/reports.md, written out here on its own.
        objects = sorted(
            (
                {
                    "amount": p.submission.money.canonical(),
                    "currency": p.submission.money.currency,
                    "paymentId": str(p.submission.payment_id),
                    "timestamp": p.submission.timestamp.text,
                }
                for p in stored
            ),
            key=lambda item: item["paymentId"],
        )
        text = json.dumps(objects, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert row["evidenceDigest"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert sum(Decimal(o["amount"]) for o in objects) == Decimal(row["amount"])


def test_the_months_route_the_live_view_and_the_built_report_agree_on_every_month(
    built: Built,
) -> None:
    # The use case of GET /commitments/{id}/months with the clock at the cut-off: its newest month
    # is the month built, and it sees what the build saw.
    ports = built.at_cutoff
    assert ports is not None
    compared = compared_live = 0
    for scenario, user in built.users.items():
        document = built.documents[scenario]
        if document is None:
            continue
        live = {str(c.commitment_id): c for c in list_commitments(ports, str(user))}
        for commitment in document["commitments"]:
            found = commitment_months(ports, str(user), commitment["commitmentId"])
            codes = "".join(m.code for m in found.months)
            assert codes == commitment["history24"], (scenario, commitment["name"])
            paid_in_month = [p.submission.money.canonical() for p in found.months[0].payments]
            assert paid_in_month == commitment["amountsPaid"], scenario
            seen_live = live.get(commitment["commitmentId"])
            # The live view applies every correction at once, the month's build those made by
            # its cut-off: they differ for the customer who corrected after it.
            if seen_live is not None and scenario != "corrected":  # live position 1 is M+1
                assert seen_live.standing.history24[1:] == codes[:23], (scenario, commitment)
                compared_live += 1
            compared += 1
    assert compared >= 20, compared
    assert compared_live >= 15, compared_live
