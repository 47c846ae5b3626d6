"""The rules of consent to credit-file sharing, without I/O: they read like the business rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from payments_tracker.domain.consent import (
    ConsentChange,
    ConsentRequest,
    consent_in_force,
    next_change,
    validate_consent_request,
)
from payments_tracker.domain.errors import ValidationFailed

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CUTOFF = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def rules_broken(body: dict[str, Any]) -> set[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as raised:
        validate_consent_request(body)
    return {(error.field, error.rule) for error in raised.value.errors}


def test_giving_consent_needs_the_terms_version_the_customer_accepted() -> None:
    assert validate_consent_request({"creditFileSharing": True, "termsVersion": "2026-11"}) == (
        ConsentRequest(True, "2026-11")
    )
    assert rules_broken({"creditFileSharing": True}) == {("termsVersion", "required")}
    assert rules_broken({"creditFileSharing": True, "termsVersion": None}) == {
        ("termsVersion", "required")
    }


def test_withdrawing_needs_no_terms_version() -> None:
    assert validate_consent_request({"creditFileSharing": False}) == ConsentRequest(False, None)


@pytest.mark.parametrize(
    ("body", "broken"),
    [
        ({}, {("creditFileSharing", "required")}),
        ({"creditFileSharing": "true", "termsVersion": "v1"}, {("creditFileSharing", "boolean")}),
        ({"creditFileSharing": 1, "termsVersion": "v1"}, {("creditFileSharing", "boolean")}),
        ({"creditFileSharing": True, "termsVersion": 3}, {("termsVersion", "string")}),
        (
            {"creditFileSharing": True, "termsVersion": ""},
            {("termsVersion", "terms-version-format")},
        ),
        (
            {"creditFileSharing": True, "termsVersion": "v" * 65},
            {("termsVersion", "terms-version-format")},
        ),
        (
            {"creditFileSharing": True, "termsVersion": "v1\n"},
            {("termsVersion", "terms-version-format")},
        ),
        (
            {"creditFileSharing": True, "termsVersion": "v1", "email": "a@b.c"},
            {("email", "unknown-field")},
        ),
    ],
)
def test_a_bad_consent_names_each_field_and_rule(
    body: dict[str, Any], broken: set[tuple[str, str]]
) -> None:
    assert rules_broken(body) == broken


def test_the_first_answer_is_always_recorded_even_a_refusal() -> None:
    change = next_change(None, ConsentRequest(False, None), NOW)

    assert change == ConsentChange(False, None, NOW)


def test_an_answer_that_changes_nothing_records_nothing() -> None:
    current = ConsentChange(True, "2026-11", NOW)

    assert next_change(current, ConsentRequest(True, "2026-11"), NOW + timedelta(1)) is None


def test_accepting_new_terms_is_a_change() -> None:
    current = ConsentChange(True, "2026-11", NOW)

    change = next_change(current, ConsentRequest(True, "2027-01"), NOW + timedelta(1))

    assert change == ConsentChange(True, "2027-01", NOW + timedelta(1))


def test_a_withdrawal_without_terms_refers_to_the_terms_it_withdraws() -> None:
    current = ConsentChange(True, "2026-11", NOW)

    change = next_change(current, ConsentRequest(False, None), NOW + timedelta(1))

    assert change == ConsentChange(False, "2026-11", NOW + timedelta(1))


def test_a_change_is_never_dated_at_or_before_the_one_it_follows() -> None:
    current = ConsentChange(True, "2026-11", NOW)
    slow_clock = NOW - timedelta(seconds=2)  # another server's clock, behind

    change = next_change(current, ConsentRequest(False, None), slow_clock)

    assert change is not None
    assert change.changed_at == NOW + timedelta(microseconds=1)


def test_a_change_is_recorded_in_utc() -> None:
    paris = datetime(2026, 11, 20, 13, 0, tzinfo=timezone(timedelta(hours=1)))

    change = next_change(None, ConsentRequest(True, "v1"), paris)

    assert change is not None
    assert change.changed_at.utcoffset() == timedelta(0)
    assert change.changed_at == NOW


def test_before_any_answer_nothing_is_shared() -> None:
    assert consent_in_force([], CUTOFF) is False


def test_the_consent_in_force_is_the_latest_change_at_or_before_the_cutoff() -> None:
    given = ConsentChange(True, "v1", NOW)
    withdrawn = ConsentChange(False, "v1", CUTOFF + timedelta(seconds=1))
    history = [withdrawn, given]  # any order

    assert consent_in_force(history, NOW - timedelta(microseconds=1)) is False
    assert consent_in_force(history, NOW) is True
    assert consent_in_force(history, CUTOFF) is True
    assert consent_in_force(history, CUTOFF + timedelta(seconds=1)) is False


def test_a_withdrawal_before_the_cutoff_stops_the_export() -> None:
    history = [ConsentChange(True, "v1", NOW), ConsentChange(False, "v1", CUTOFF)]

    assert consent_in_force(history, CUTOFF) is False


def test_a_naive_cutoff_is_a_bug() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        consent_in_force([], datetime(2026, 12, 5, 2, 0))
