"""The customer's corrections to their commitments (domain/corrections.py), and what a report does
with them: rename, exclude, include again, merge (docs/reports.md §1.3, ADR 0007)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from payments_tracker.domain.corrections import (
    Correction,
    Corrections,
    parse_commitment_id,
    validate_merge,
    validate_patch,
)
from payments_tracker.domain.errors import ValidationFailed
from payments_tracker.domain.identity import commitment_id, name_key
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment
from payments_tracker.domain.report import UserReport, build_user_report
from support.report_payments import CUTOFF, paid

ALICE = UUID("0b5a4e0e-7a43-4d4f-9b36-1c2a3d4e5f60")
NOVEMBER = Month(2026, 11)
BEFORE = CUTOFF - timedelta(days=3)
A, B, C = (UUID(f"{n}0000000-0000-5000-8000-000000000000") for n in (1, 2, 3))


def cid(description: str) -> UUID:
    return commitment_id(ALICE, "GBP", name_key(description))


def change(commitment: UUID, at: datetime = BEFORE, **values: Any) -> Correction:
    return Correction(ALICE, commitment, at, **values)


def on(dom: int, description: str, months: list[str], amount: str = "900.00") -> list[Payment]:
    return [paid(ALICE, description, f"{m}-{dom:02d}T12:00:00Z", amount) for m in months]


GYM = on(15, "Gym", ["2026-08", "2026-09", "2026-10", "2026-11"], "20.00")
LANDLORD = on(1, "Landlord J Smith", ["2026-06", "2026-07", "2026-08"])
MR_SMITH = on(1, "Rent to Mr Smith", ["2026-09", "2026-10", "2026-11"])
FLAT = on(1, "Flat rent", ["2026-03", "2026-04", "2026-05"])


def report(payments: list[Payment], changes: list[Correction]) -> UserReport:
    built = build_user_report(ALICE, NOVEMBER, payments, CUTOFF, changes)
    assert built is not None
    return built


# --- the corrections in force -----------------------------------------------------------------


def test_corrections_apply_in_the_order_recorded() -> None:
    state = Corrections.of(
        [
            change(A, BEFORE + timedelta(hours=2), name="Second"),
            change(A, BEFORE, name="First", excluded=True),
            change(A, BEFORE + timedelta(hours=1), excluded=False),
        ]
    )
    assert state.names == {A: "Second"}
    assert state.excluded == set()


def test_corrections_after_the_moment_are_not_in_force() -> None:
    changes = [change(A, CUTOFF, name="At"), change(A, CUTOFF + timedelta(seconds=1), name="After")]
    assert Corrections.of(changes, at=CUTOFF).names == {A: "At"}
    assert Corrections.of(changes).names == {A: "After"}


def test_merge_targets_follow_chains() -> None:
    state = Corrections.of([change(A, into=B), change(B, BEFORE + timedelta(hours=1), into=C)])
    assert state.target(A) == C
    assert state.target(B) == C
    assert state.target(C) == C


def test_a_merge_that_would_close_a_cycle_is_ignored() -> None:
    state = Corrections.of(
        [
            change(A, into=B),
            change(B, BEFORE + timedelta(hours=1), into=C),
            change(C, BEFORE + timedelta(hours=2), into=A),  # A already stands for C
        ]
    )
    assert state.merged == {A: B, B: C}
    assert state.target(A) == C


def test_the_audit_shows_only_what_a_correction_changed() -> None:
    assert change(A, name="Rent").document() == {
        "commitmentId": str(A),
        "at": BEFORE,
        "name": "Rent",
    }
    assert change(A, excluded=False, into=B).document() == {
        "commitmentId": str(A),
        "at": BEFORE,
        "excluded": False,
        "into": str(B),
    }


# --- in a report ------------------------------------------------------------------------------


def test_rename_names_the_commitment_in_the_report_and_the_export() -> None:
    renamed = report(GYM, [change(cid("Gym"), name="My gym")])
    (commitment,) = renamed.commitments
    assert commitment.name == "My gym"
    assert commitment.commitment_id == cid("Gym")
    assert [row["name"] for row in renamed.export_rows()] == ["My gym"]


def test_an_excluded_commitment_stays_in_the_report_but_is_not_exported() -> None:
    excluded = report(GYM, [change(cid("Gym"), excluded=True)])
    (commitment,) = excluded.document()["commitments"]
    assert commitment["excluded"] is True
    assert (commitment["status"], commitment["established"]) == ("kept", True)
    assert excluded.export_rows() == []


def test_an_excluded_commitment_included_again_is_exported() -> None:
    changes = [
        change(cid("Gym"), excluded=True),
        change(cid("Gym"), BEFORE + timedelta(hours=1), excluded=False),
    ]
    included = report(GYM, changes)
    assert included.document()["commitments"][0]["excluded"] is False
    assert len(included.export_rows()) == 1


def test_two_commitments_merged_have_one_history_and_one_streak() -> None:
    apart = report(LANDLORD + MR_SMITH, [])
    assert sorted(c.history24[:6] for c in apart.commitments) == ["...111", "111---"]
    merged = report(
        LANDLORD + MR_SMITH, [change(cid("Landlord J Smith"), into=cid("Rent to Mr Smith"))]
    )
    (commitment,) = merged.commitments
    assert commitment.commitment_id == cid("Rent to Mr Smith")
    assert commitment.name == "Rent to Mr Smith"
    assert commitment.history24 == "111111" + "-" * 18
    assert commitment.months_kept == 6
    assert (str(commitment.first_month), str(commitment.last_month)) == ("2026-06", "2026-11")
    (row,) = merged.export_rows()
    assert row["monthsKept"] == 6


def test_a_chain_of_merges_is_one_commitment() -> None:
    changes = [
        change(cid("Flat rent"), into=cid("Landlord J Smith")),
        change(cid("Landlord J Smith"), BEFORE + timedelta(hours=1), into=cid("Rent to Mr Smith")),
    ]
    (commitment,) = report(FLAT + LANDLORD + MR_SMITH, changes).commitments
    assert commitment.commitment_id == cid("Rent to Mr Smith")
    assert commitment.history24 == "1" * 9 + "-" * 15
    assert commitment.months_kept == 9


def test_a_merged_commitment_keeps_its_targets_new_name() -> None:
    changes = [
        change(cid("Landlord J Smith"), into=cid("Rent to Mr Smith")),
        change(cid("Rent to Mr Smith"), name="Rent"),
    ]
    (commitment,) = report(LANDLORD + MR_SMITH, changes).commitments
    assert commitment.name == "Rent"


def test_corrections_after_the_cutoff_are_not_applied() -> None:
    late = CUTOFF + timedelta(seconds=1)
    changes = [
        change(cid("Landlord J Smith"), late, into=cid("Rent to Mr Smith")),
        change(cid("Rent to Mr Smith"), late, name="Rent", excluded=True),
    ]
    built = report(LANDLORD + MR_SMITH, changes)
    assert len(built.commitments) == 2
    assert {c.name for c in built.commitments} == {"Landlord J Smith", "Rent to Mr Smith"}
    assert not any(c.excluded for c in built.commitments)
    at_cutoff = report(
        LANDLORD + MR_SMITH, [change(cid("Landlord J Smith"), CUTOFF, into=cid("Rent to Mr Smith"))]
    )
    assert len(at_cutoff.commitments) == 1


# --- validation -------------------------------------------------------------------------------


def broken(error: ValidationFailed) -> list[tuple[str, str]]:
    return [(e.field, e.rule) for e in error.errors]


def test_a_patch_renames_excludes_or_both() -> None:
    patch = validate_patch({"name": "Cafe\u0301", "excluded": True})
    assert (patch.name, patch.excluded) == ("Caf\u00e9", True)  # NFC
    assert validate_patch({"excluded": False}).name is None
    assert validate_patch({"name": "Rent"}).excluded is None


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, [("name", "required")]),
        ({"colour": "red"}, [("colour", "unknown-field")]),
        (
            {"name": "Rent", "into": "x", "a": 1},
            [("a", "unknown-field"), ("into", "unknown-field")],
        ),
        ({"name": 5}, [("name", "string")]),
        ({"name": None}, [("name", "string")]),
        ({"name": ""}, [("name", "length")]),
        ({"name": "x" * 141}, [("name", "length")]),
        ({"name": "a\nb"}, [("name", "allowed-characters")]),
        ({"name": "   "}, [("name", "not-blank")]),
        ({"excluded": "yes"}, [("excluded", "boolean")]),
        ({"excluded": 1}, [("excluded", "boolean")]),
        ({"name": 5, "excluded": None}, [("name", "string"), ("excluded", "boolean")]),
    ],
)
def test_a_bad_patch_names_every_broken_rule(
    body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        validate_patch(body)
    assert broken(raised.value) == errors


def test_a_merge_names_the_commitment_to_merge_into() -> None:
    assert validate_merge({"into": str(B)}) == B


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, [("into", "required")]),
        ({"into": None}, [("into", "commitment-id")]),
        ({"into": 5}, [("into", "commitment-id")]),
        ({"into": "not-a-uuid"}, [("into", "commitment-id")]),
        ({"into": str(cid("Gym")).upper()}, [("into", "commitment-id")]),
        ({"into": "00000000-0000-0000-0000-000000000000"}, [("into", "commitment-id")]),
        ({"into": str(B), "name": "x"}, [("name", "unknown-field")]),
        ({"name": "x"}, [("name", "unknown-field"), ("into", "required")]),
    ],
)
def test_a_bad_merge_names_every_broken_rule(
    body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        validate_merge(body)
    assert broken(raised.value) == errors


def test_commitment_ids_are_canonical_lowercase_uuids() -> None:
    assert parse_commitment_id(str(cid("Gym"))) == cid("Gym")
    assert parse_commitment_id(str(cid("Gym")).upper()) is None
    assert parse_commitment_id("{" + str(cid("Gym")) + "}") is None
    assert parse_commitment_id(cid("Gym").hex) is None
    assert parse_commitment_id(str(UUID(int=0))) is None
