"""The commitment use cases over in-memory ports: the live view, corrections, their order of
checks (body, then id, then what the id finds) and their audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from payments_tracker.domain.errors import (
    CommitmentNotFound,
    CorrectionLimitReached,
    ValidationFailed,
)
from payments_tracker.service.commitments import (
    CommitmentPorts,
    commitment_months,
    correct_commitment,
    list_commitments,
    merge_commitments,
)
from support.memory import InMemoryCorrections, InMemoryPaymentRepository
from support.report_payments import paid

ALICE = UUID("0b5a4e0e-7a43-4d4f-9b36-1c2a3d4e5f60")
BOB = UUID("5d1c8a52-55d4-4f39-8a0f-3f2f0e6f1b2a")
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
MONTHS = ["2026-08", "2026-09", "2026-10", "2026-11"]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def ports_with(*owners: UUID) -> tuple[CommitmentPorts, InMemoryCorrections, Clock]:
    payments = InMemoryPaymentRepository()
    for owner in owners:
        for month in MONTHS:
            payments.insert(paid(owner, "PureGym", f"{month}-03T10:00:00Z", "19.99"))
            payments.insert(paid(owner, "Landlord J Smith", f"{month}-01T09:00:00Z", "950.00"))
        payments.insert(paid(owner, "Rent to Mr Smith", "2026-12-01T09:00:00Z", "950.00"))
        payments.insert(paid(owner, "Tokyo gym", "2026-11-20T09:00:00Z", "5000", "JPY"))
    corrections = InMemoryCorrections()
    clock = Clock()
    return CommitmentPorts(payments, corrections, clock), corrections, clock


def by_name(ports: CommitmentPorts, owner: UUID = ALICE) -> dict[str, str]:
    return {c.name: str(c.commitment_id) for c in list_commitments(ports, str(owner))}


def test_the_live_view_shows_each_commitment_with_its_cadence_and_next_due_date() -> None:
    ports, _, _ = ports_with(ALICE)
    shown = {c.name: c.document() for c in list_commitments(ports, str(ALICE))}
    gym = shown["PureGym"]
    assert (gym["cadence"], gym["status"], gym["established"]) == ("monthly", "kept", True)
    assert (gym["currentAmount"], gym["previousAmount"]) == ("19.99", None)
    assert (gym["firstPaid"], gym["lastPaid"], gym["nextDue"]) == (
        "2026-08-03",
        "2026-11-03",
        "2026-12-03",
    )
    assert gym["history24"].startswith("11111-")  # December is current: its due date is pending
    assert 0 < gym["confidence"] <= 1
    assert shown["Tokyo gym"]["cadence"] == "unknown"
    assert shown["Tokyo gym"]["confidence"] == 0


def test_a_rename_is_audited_shown_at_once_and_a_repeat_records_nothing() -> None:
    ports, corrections, clock = ports_with(ALICE)
    gym = by_name(ports)["PureGym"]

    renamed = correct_commitment(ports, str(ALICE), gym, {"name": "My gym"})
    clock.now += timedelta(minutes=1)
    again = correct_commitment(ports, str(ALICE), gym, {"name": "My gym"})

    assert renamed.name == again.name == "My gym"
    assert str(renamed.commitment_id) == gym
    (change,) = corrections.of_user(ALICE)
    assert (change.name, change.excluded, change.into, change.at) == ("My gym", None, None, NOW)


def test_exclude_then_include_are_two_audited_changes_dated_in_order() -> None:
    ports, corrections, clock = ports_with(ALICE)
    gym = by_name(ports)["PureGym"]

    assert correct_commitment(ports, str(ALICE), gym, {"excluded": True}).excluded
    clock.now -= timedelta(seconds=5)  # a server whose clock is behind the one before
    assert not correct_commitment(ports, str(ALICE), gym, {"excluded": False}).excluded

    first, second = corrections.of_user(ALICE)
    assert (first.excluded, second.excluded) == (True, False)
    assert second.at > first.at


def test_a_merge_makes_one_commitment_and_the_merged_id_answers_for_it() -> None:
    ports, _, _ = ports_with(ALICE)
    ids = by_name(ports)
    rent, landlord = ids["Rent to Mr Smith"], ids["Landlord J Smith"]

    merged = merge_commitments(ports, str(ALICE), rent, {"into": landlord})

    assert str(merged.commitment_id) == landlord
    assert [str(m) for m in merged.merged_from] == [rent]
    assert merged.standing.cadence.value == "monthly"
    assert len(merged.standing.payments) == len(MONTHS) + 1
    assert set(by_name(ports).values()) == {
        ids["PureGym"],
        landlord,
        ids["Tokyo gym"],
    }
    # The merged id still names it: a rename through it renames the target.
    renamed = correct_commitment(ports, str(ALICE), rent, {"name": "Rent"})
    assert (str(renamed.commitment_id), renamed.name) == (landlord, "Rent")


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({}, "name", "required"),
        ({"name": "   "}, "name", "not-blank"),
        ({"name": "x" * 141}, "name", "length"),
        ({"name": "a\u0007b"}, "name", "allowed-characters"),
        ({"name": 7}, "name", "string"),
        ({"excluded": "yes"}, "excluded", "boolean"),
        ({"colour": "red"}, "colour", "unknown-field"),
    ],
)
def test_a_bad_correction_names_the_field_and_rule_before_looking_up_the_id(
    body: dict[str, object], field: str, rule: str
) -> None:
    ports, corrections, _ = ports_with(ALICE)
    with pytest.raises(ValidationFailed) as refused:
        correct_commitment(ports, str(ALICE), "not-even-an-id", body)
    assert (field, rule) in {(e.field, e.rule) for e in refused.value.errors}
    assert corrections.of_user(ALICE) == []


def test_a_malformed_id_is_422_and_another_customers_commitment_is_404() -> None:
    ports, _, _ = ports_with(ALICE, BOB)
    bobs_gym = by_name(ports, BOB)["PureGym"]
    with pytest.raises(ValidationFailed) as refused:
        correct_commitment(ports, str(ALICE), "PUREGYM", {"name": "Mine"})
    assert refused.value.errors[0].field == "commitmentId"
    with pytest.raises(CommitmentNotFound):
        correct_commitment(ports, str(ALICE), bobs_gym, {"name": "Mine"})
    with pytest.raises(CommitmentNotFound) as missing:
        merge_commitments(ports, str(ALICE), by_name(ports)["PureGym"], {"into": bobs_gym})
    assert missing.value.field == "into"


@pytest.mark.parametrize(
    ("into", "rule"),
    [("self", "same-commitment"), ("Tokyo gym", "same-currency"), (None, "required")],
)
def test_a_merge_into_itself_or_across_currencies_is_refused(into: str | None, rule: str) -> None:
    ports, corrections, _ = ports_with(ALICE)
    ids = by_name(ports)
    body = {} if into is None else {"into": ids["PureGym"] if into == "self" else ids[into]}
    with pytest.raises(ValidationFailed) as refused:
        merge_commitments(ports, str(ALICE), ids["PureGym"], body)
    assert [(e.field, e.rule) for e in refused.value.errors] == [("into", rule)]
    assert corrections.of_user(ALICE) == []


def test_the_store_refuses_corrections_past_the_limit() -> None:
    ports, corrections, clock = ports_with(ALICE)
    gym = by_name(ports)["PureGym"]
    for number in range(500):
        clock.now += timedelta(seconds=1)
        correct_commitment(ports, str(ALICE), gym, {"name": f"Gym {number}"})
    with pytest.raises(CorrectionLimitReached):
        correct_commitment(ports, str(ALICE), gym, {"name": "One too many"})
    assert len(corrections.of_user(ALICE)) == 500


def test_what_was_excluded_stays_out_of_the_export_when_merged_into_another() -> None:
    ports, _, clock = ports_with(ALICE)
    ids = by_name(ports)
    rent, landlord = ids["Rent to Mr Smith"], ids["Landlord J Smith"]
    correct_commitment(ports, str(ALICE), rent, {"excluded": True})
    clock.now += timedelta(seconds=1)

    merged = merge_commitments(ports, str(ALICE), rent, {"into": landlord})
    assert merged.excluded
    clock.now += timedelta(seconds=1)
    assert not correct_commitment(ports, str(ALICE), landlord, {"excluded": False}).excluded


def test_an_ended_commitments_confidence_is_not_lowered_by_the_months_after_it_ended() -> None:
    payments = InMemoryPaymentRepository()
    for month in ["2026-01", "2026-02", "2026-03", "2026-04"]:
        payments.insert(paid(ALICE, "Old phone", f"{month}-10T10:00:00Z", "20.00"))
    ports = CommitmentPorts(payments, InMemoryCorrections(), lambda: NOW)
    (phone,) = list_commitments(ports, str(ALICE))
    assert phone.standing.status.value == "ended"
    assert phone.standing.confidence == 1.0


def test_a_correction_records_the_amount_of_its_own_payments_not_of_those_merged_into_it() -> None:
    # Apple: a 2.99 monthly plan (the payee's own id) and a 99.00 annual one (labelled). The
    # customer merged "Apple Family" (150.00) into the monthly plan, whose latest payment is
    # then 150.00. Merging "Apple TV" into the monthly plan, and renaming it, must record 2.99:
    # recorded as 150.00 they would follow the amount to the annual plan.
    payments = InMemoryPaymentRepository()
    for month in MONTHS:
        payments.insert(paid(ALICE, "Apple", f"{month}-07T10:00:00Z", "2.99"))
    payments.insert(paid(ALICE, "APPLE.COM", "2025-12-20T10:00:00Z", "99.00"))
    payments.insert(paid(ALICE, "APPLE.COM", "2026-11-21T10:00:00Z", "99.00"))
    payments.insert(paid(ALICE, "Apple Family", "2026-11-30T10:00:00Z", "150.00"))
    payments.insert(paid(ALICE, "Apple TV", "2026-11-28T10:00:00Z", "8.99"))
    corrections = InMemoryCorrections()
    clock = Clock()
    ports = CommitmentPorts(payments, corrections, clock)
    ids = {
        c.standing.current_amount: str(c.commitment_id) for c in list_commitments(ports, str(ALICE))
    }
    monthly, annual = ids["2.99"], ids["99.00"]
    merge_commitments(ports, str(ALICE), ids["150.00"], {"into": monthly})
    clock.now += timedelta(minutes=1)

    joined = merge_commitments(ports, str(ALICE), ids["8.99"], {"into": monthly})
    clock.now += timedelta(minutes=1)
    renamed = correct_commitment(ports, str(ALICE), monthly, {"name": "Apple One"})

    assert str(joined.commitment_id) == monthly
    assert (renamed.name, str(renamed.commitment_id)) == ("Apple One", monthly)
    recorded = corrections.of_user(ALICE)
    assert [(c.amount, c.into_amount) for c in recorded] == [
        (Decimal("150.00"), Decimal("2.99")),
        (Decimal("8.99"), Decimal("2.99")),
        (Decimal("2.99"), None),
    ]
    shown = {str(c.commitment_id): c for c in list_commitments(ports, str(ALICE))}
    assert shown[annual].name == "APPLE.COM"  # the annual plan is left alone
    assert len(shown[monthly].standing.payments) == 6  # 4 monthly, Apple Family, Apple TV


def test_the_months_of_a_commitment_come_from_the_callers_own_data_newest_first() -> None:
    ports, _, _ = ports_with(ALICE, BOB)
    alice = by_name(ports)

    found = commitment_months(ports, str(ALICE), alice["PureGym"])

    assert str(found.commitment_id) == alice["PureGym"]
    assert [str(m.month) for m in found.months[:2]] == ["2026-11", "2026-10"]  # NOW is December
    assert "".join(m.code for m in found.months[:5]) == "1111-"
    (due,) = found.months[0].due_dates
    (payment,) = due.payments
    assert (payment.submission.user_id, str(due.due_date)) == (ALICE, "2026-11-03")


def test_the_months_answer_for_a_merge_target_and_refuse_bad_or_foreign_ids() -> None:
    ports, _, _ = ports_with(ALICE, BOB)
    alice, bob = by_name(ports), by_name(ports, BOB)
    landlord = alice["Landlord J Smith"]
    merge_commitments(ports, str(ALICE), alice["Rent to Mr Smith"], {"into": landlord})

    merged = commitment_months(ports, str(ALICE), alice["Rent to Mr Smith"])

    assert str(merged.commitment_id) == landlord
    with pytest.raises(ValidationFailed) as refused:
        commitment_months(ports, str(ALICE), "not-an-id")
    assert [(e.field, e.rule) for e in refused.value.errors] == [("commitmentId", "commitment-id")]
    with pytest.raises(CommitmentNotFound) as missing:
        commitment_months(ports, str(ALICE), bob["PureGym"])
    assert missing.value.field == "commitmentId"
