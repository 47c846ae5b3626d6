"""The payment use cases (submit, get, void, list) on the in-memory repository, fixed clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from payments_tracker.domain.errors import (
    ForbiddenUser,
    PaymentConflict,
    PaymentNotFound,
    ValidationFailed,
)
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import PaymentStatus
from payments_tracker.service.cursor import CursorCodec
from payments_tracker.service.payments import (
    DEFAULT_LIMIT,
    BadQuery,
    PaymentList,
    get_payment,
    list_payments,
    submit_payment,
    void_payment,
)
from support.memory import InMemoryPaymentRepository

CALLER = "5f0c7a52-3a1e-4c1b-9a55-0c0d2f5e4a11"
OTHER_USER = "9d1b2c3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e"
PAYMENT_ID = "0b7e6a0c-3a5c-4f2e-9a9b-1c2d3e4f5a6b"
CURSOR_TTL_SECONDS = 600
START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock that stands still until a test moves it."""

    now: datetime = START
    calls: list[datetime] = field(default_factory=list)

    def __call__(self) -> datetime:
        self.calls.append(self.now)
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repository() -> InMemoryPaymentRepository:
    return InMemoryPaymentRepository()


@pytest.fixture
def codec() -> CursorCodec:
    return CursorCodec(b"use-case-test-key", CURSOR_TTL_SECONDS)


def submission(**changes: Any) -> dict[str, Any]:
    """A valid submission of CALLER's, with `changes`."""
    return {
        "paymentId": PAYMENT_ID,
        "userId": CALLER,
        "timestamp": "2026-11-03T09:30:00+01:00",
        "description": "Coffee with Sam",
        "currency": "GBP",
        "amount": "12.90",
        **changes,
    }


def payment_id(number: int) -> str:
    """A deterministic canonical UUID v4."""
    return str(uuid.UUID(int=number, version=4))


# --- submit -------------------------------------------------------------------------------------


def test_submit_stores_the_canonical_payment_and_reports_it_created(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    result = submit_payment(repository, submission(amount="12.9"), CALLER, clock)

    assert result.created is True
    stored = repository.get(uuid.UUID(CALLER), uuid.UUID(PAYMENT_ID))
    assert stored == result.payment
    assert stored.submission.canonical()["amount"] == "12.90"
    assert stored.received_at == START
    assert stored.status is PaymentStatus.ACTIVE
    assert stored.voiding is None


def test_identical_replay_returns_the_stored_payment_and_writes_nothing(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    first = submit_payment(repository, submission(), CALLER, clock)
    before = dict(repository.payments)
    clock.advance(timedelta(hours=1))

    replay = submit_payment(repository, submission(), CALLER, clock)

    assert replay.created is False
    assert replay.payment == first.payment
    assert replay.payment.received_at == START
    assert repository.payments == before


@pytest.mark.parametrize(
    ("first", "again"),
    [
        pytest.param({"amount": "12.90"}, {"amount": "12.9"}, id="amount-trailing-zero"),
        pytest.param({"amount": "12"}, {"amount": "12.00"}, id="amount-integer"),
        pytest.param(
            {"description": "Caf\u00e9"}, {"description": "Cafe\u0301"}, id="description-nfd"
        ),
        pytest.param(
            {"timestamp": "2026-11-03T09:30:00+01:00"},
            {"timestamp": "2026-11-03t09:30:00+01:00"},
            id="timestamp-lowercase-t",
        ),
        pytest.param(
            {"timestamp": "2026-11-03T09:30:00+01:00"},
            {"timestamp": "2026-11-03T09:30:00.000+01:00"},
            id="timestamp-zero-fraction",
        ),
        pytest.param(
            {"timestamp": "2026-11-03T09:30:00.5+01:00"},
            {"timestamp": "2026-11-03t09:30:00.500000+01:00"},
            id="timestamp-fraction-digits",
        ),
        pytest.param(
            {"timestamp": "2026-11-03T08:30:00Z"},
            {"timestamp": "2026-11-03T08:30:00z"},
            id="timestamp-lowercase-z",
        ),
        pytest.param(
            {"timestamp": "2026-11-03T08:30:00Z"},
            {"timestamp": "2026-11-03T08:30:00.000+00:00"},
            id="timestamp-z-is-plus-zero",
        ),
        pytest.param(
            {"timestamp": "2026-11-03T08:30:00+00:00"},
            {"timestamp": "2026-11-03T08:30:00Z"},
            id="timestamp-plus-zero-is-z",
        ),
    ],
)
def test_a_replay_differing_only_in_non_canonical_form_is_identical(
    repository: InMemoryPaymentRepository,
    clock: Clock,
    first: dict[str, str],
    again: dict[str, str],
) -> None:
    original = submit_payment(repository, submission(**first), CALLER, clock)
    before = dict(repository.payments)

    replay = submit_payment(repository, submission(**again), CALLER, clock)

    assert replay.created is False
    assert replay.payment == original.payment
    assert replay.payment.submission.canonical()["timestamp"] == submission(**first)["timestamp"]
    assert repository.payments == before


def test_an_aged_replay_spelled_another_way_is_still_a_replay(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    first = submit_payment(repository, submission(), CALLER, clock)
    clock.advance(timedelta(days=24 * 31))

    replay = submit_payment(
        repository, submission(timestamp="2026-11-03t09:30:00.000000+01:00"), CALLER, clock
    )

    assert replay.created is False
    assert replay.payment == first.payment


def test_an_identical_replay_is_answered_even_after_the_payment_left_the_24_month_window(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    first = submit_payment(repository, submission(), CALLER, clock)
    clock.advance(timedelta(days=24 * 31))  # still stored (TTL: 27 months after its month starts)

    replay = submit_payment(repository, submission(), CALLER, clock)

    assert replay.created is False
    assert replay.payment == first.payment


def test_an_aged_submission_that_replays_nothing_still_breaks_the_window_rule(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    submit_payment(repository, submission(), CALLER, clock)
    clock.advance(timedelta(days=24 * 31))

    for body in (submission(amount="13.00"), submission(paymentId=payment_id(7))):
        with pytest.raises(ValidationFailed) as failure:
            submit_payment(repository, body, CALLER, clock)
        assert [(e.field, e.rule) for e in failure.value.errors] == [
            ("timestamp", "within-24-months")
        ]
    with pytest.raises(ValidationFailed):  # another caller never sees the stored payment
        submit_payment(repository, submission(userId=OTHER_USER), OTHER_USER, clock)


@pytest.mark.parametrize(
    "difference",
    [
        pytest.param({"amount": "12.91"}, id="amount"),
        pytest.param({"currency": "EUR"}, id="currency"),
        pytest.param({"description": "Tea with Sam"}, id="description"),
        pytest.param({"timestamp": "2026-11-03T08:30:00Z"}, id="same-instant-other-offset"),
        pytest.param(
            {"timestamp": "2026-11-03t10:30:00.000+02:00"}, id="same-instant-other-offset-spelling"
        ),
        pytest.param({"timestamp": "2026-11-03T09:30:00.001+01:00"}, id="another-millisecond"),
        pytest.param({"timestamp": "2026-11-03T09:30:00+01:30"}, id="another-offset"),
    ],
)
def test_the_same_payment_id_with_a_different_body_is_a_conflict(
    repository: InMemoryPaymentRepository, clock: Clock, difference: dict[str, str]
) -> None:
    submit_payment(repository, submission(), CALLER, clock)
    before = dict(repository.payments)

    with pytest.raises(PaymentConflict):
        submit_payment(repository, submission(**difference), CALLER, clock)
    assert repository.payments == before


def test_a_submission_for_another_user_is_forbidden_and_writes_nothing(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    with pytest.raises(ForbiddenUser):
        submit_payment(repository, submission(userId=OTHER_USER), CALLER, clock)
    assert repository.payments == {}


def test_an_invalid_submission_lists_its_rules_and_writes_nothing(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    with pytest.raises(ValidationFailed) as failure:
        submit_payment(repository, submission(amount="0", currency="XTS"), CALLER, clock)

    assert [(e.field, e.rule) for e in failure.value.errors] == [("currency", "iso-4217")]
    assert repository.payments == {}


def test_the_time_window_is_checked_against_the_clock(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 3, 8, 24, 59, tzinfo=UTC)  # payment 5 min 1 s ahead

    with pytest.raises(ValidationFailed) as failure:
        submit_payment(repository, submission(), CALLER, clock)
    assert [(e.field, e.rule) for e in failure.value.errors] == [("timestamp", "not-in-future")]


def test_two_users_may_use_the_same_payment_id(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    submit_payment(repository, submission(), CALLER, clock)

    other = submit_payment(repository, submission(userId=OTHER_USER), OTHER_USER, clock)

    assert other.created is True
    assert len(repository.payments) == 2


# --- get ----------------------------------------------------------------------------------------


def test_get_returns_the_callers_own_payment(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    created = submit_payment(repository, submission(), CALLER, clock).payment

    assert get_payment(repository, PAYMENT_ID, CALLER) == created


def test_another_users_payment_is_not_found(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    submit_payment(repository, submission(userId=OTHER_USER), OTHER_USER, clock)

    with pytest.raises(PaymentNotFound):
        get_payment(repository, PAYMENT_ID, CALLER)


@pytest.mark.parametrize(
    "requested",
    [PAYMENT_ID.upper(), "{" + PAYMENT_ID + "}", "not-a-uuid", "", payment_id(99)],
    ids=["uppercase", "braces", "garbage", "empty", "unknown"],
)
def test_a_malformed_or_unknown_payment_id_is_not_found(
    repository: InMemoryPaymentRepository, clock: Clock, requested: str
) -> None:
    submit_payment(repository, submission(), CALLER, clock)

    with pytest.raises(PaymentNotFound):
        get_payment(repository, requested, CALLER)


# --- void ---------------------------------------------------------------------------------------


def test_void_marks_the_payment_voided_with_who_and_when_and_keeps_it(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    submit_payment(repository, submission(), CALLER, clock)
    clock.advance(timedelta(minutes=10))

    voided = void_payment(repository, PAYMENT_ID, CALLER, clock)

    assert voided.status is PaymentStatus.VOIDED
    assert voided.voiding is not None
    assert voided.voiding.voided_by == CALLER
    assert voided.voiding.voided_at == START + timedelta(minutes=10)
    assert get_payment(repository, PAYMENT_ID, CALLER) == voided
    assert len(repository.payments) == 1


def test_voiding_twice_changes_nothing(repository: InMemoryPaymentRepository, clock: Clock) -> None:
    submit_payment(repository, submission(), CALLER, clock)
    first = void_payment(repository, PAYMENT_ID, CALLER, clock)
    before = dict(repository.payments)
    clock.advance(timedelta(days=30))

    again = void_payment(repository, PAYMENT_ID, CALLER, clock)

    assert again == first
    assert repository.payments == before


def test_void_keeps_the_requests_reason_in_nfc_and_a_second_void_keeps_the_first(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    submit_payment(repository, submission(), CALLER, clock)

    first = void_payment(repository, PAYMENT_ID, CALLER, clock, request={"reason": "cafe\u0301"})
    again = void_payment(repository, PAYMENT_ID, CALLER, clock, request={"reason": "other"})

    assert first.voiding is not None
    assert first.voiding.reason == "caf\u00e9"
    assert again == first


def test_a_bad_void_request_is_refused_before_the_payment_is_read(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        void_payment(repository, PAYMENT_ID, CALLER, clock, request={"reason": "", "x": 1})

    assert [(e.field, e.rule) for e in refused.value.errors] == [
        ("x", "unknown-field"),
        ("reason", "length"),
    ]


def test_voiding_another_users_payment_is_not_found_and_changes_nothing(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    submit_payment(repository, submission(userId=OTHER_USER), OTHER_USER, clock)
    before = dict(repository.payments)

    with pytest.raises(PaymentNotFound):
        void_payment(repository, PAYMENT_ID, CALLER, clock)
    assert repository.payments == before


def test_voiding_a_malformed_id_is_not_found(
    repository: InMemoryPaymentRepository, clock: Clock
) -> None:
    with pytest.raises(PaymentNotFound):
        void_payment(repository, "../../etc/passwd", CALLER, clock)


@pytest.mark.parametrize(
    ("voided_at", "after_month_closed"),
    [
        pytest.param(datetime(2026, 11, 1, 0, 0, tzinfo=UTC), False, id="start-of-next-month"),
        pytest.param(
            datetime(2026, 11, 5, 1, 59, 59, 999999, tzinfo=UTC), False, id="just-before-close"
        ),
        pytest.param(datetime(2026, 11, 5, 2, 0, tzinfo=UTC), True, id="at-close"),
        pytest.param(datetime(2027, 1, 1, tzinfo=UTC), True, id="months-later"),
    ],
)
def test_a_void_counts_as_a_correction_only_after_the_month_closed_on_the_5th_at_0200_utc(
    repository: InMemoryPaymentRepository,
    clock: Clock,
    voided_at: datetime,
    after_month_closed: bool,
) -> None:
    # 23:30 on 31 October in New York is already 1 November in UTC: the payment is October's.
    clock.now = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    submit_payment(repository, submission(timestamp="2026-10-31T23:30:00-05:00"), CALLER, clock)
    clock.now = voided_at

    voided = void_payment(repository, PAYMENT_ID, CALLER, clock)

    assert voided.voiding is not None
    assert voided.voiding.after_month_closed is after_month_closed


class ClosedEarly:
    """MonthClosings of a month whose first run was started by hand on 2 November, 09:00 UTC."""

    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def month_closed_at(self, month: Month) -> datetime | None:
        return self.at if month == Month(2026, 10) else None


@pytest.mark.parametrize(
    ("voided_at", "after_month_closed"),
    [
        (datetime(2026, 11, 2, 8, 59, tzinfo=UTC), False),
        (datetime(2026, 11, 2, 9, 0, tzinfo=UTC), True),  # before the 5th: the run's cut-off
        (datetime(2026, 11, 4, 12, 0, tzinfo=UTC), True),
    ],
)
def test_a_void_follows_the_cutoff_of_the_months_first_run_when_it_has_one(
    repository: InMemoryPaymentRepository,
    clock: Clock,
    voided_at: datetime,
    after_month_closed: bool,
) -> None:
    clock.now = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    submit_payment(repository, submission(timestamp="2026-10-31T23:30:00-05:00"), CALLER, clock)
    clock.now = voided_at

    voided = void_payment(repository, PAYMENT_ID, CALLER, clock, ClosedEarly())

    assert voided.voiding is not None
    assert voided.voiding.after_month_closed is after_month_closed


class RaceLosingRepository(InMemoryPaymentRepository):
    """A store where another request voids the payment between our read and our write."""

    def replace_active(self, payment: Any) -> bool:
        rival = self.payments[(payment.submission.user_id, payment.submission.payment_id)]
        self.payments[(payment.submission.user_id, payment.submission.payment_id)] = rival.voided(
            by="rival", at=START
        )
        return False


def test_a_void_that_loses_a_race_answers_with_the_winning_void(clock: Clock) -> None:
    repository = RaceLosingRepository()
    submit_payment(repository, submission(), CALLER, clock)

    voided = void_payment(repository, PAYMENT_ID, CALLER, clock)

    assert voided.status is PaymentStatus.VOIDED
    assert voided.voiding is not None
    assert voided.voiding.voided_by == "rival"


# --- list ---------------------------------------------------------------------------------------


def submit_many(
    repository: InMemoryPaymentRepository, clock: Clock, count: int, *, owner: str = CALLER
) -> list[str]:
    """`count` payments of November 2026, one hour apart; their ids newest first."""
    ids = []
    for number in range(count):
        paid_at = datetime(2026, 11, 2, tzinfo=UTC) + timedelta(hours=number)
        body = submission(
            paymentId=payment_id(number + (1000 if owner != CALLER else 0)),
            userId=owner,
            timestamp=paid_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        submit_payment(repository, body, owner, clock)
        ids.append(body["paymentId"])
    return list(reversed(ids))


def ids_of(page: PaymentList) -> list[str]:
    return [str(payment.submission.payment_id) for payment in page.payments]


def test_list_returns_the_callers_payments_of_the_month_newest_first(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    newest_first = submit_many(repository, clock, 4)
    submit_many(repository, clock, 3, owner=OTHER_USER)
    submit_payment(
        repository,
        submission(paymentId=payment_id(500), timestamp="2026-10-15T10:00:00Z"),
        CALLER,
        clock,
    )

    page = list_payments(repository, codec, CALLER, {"month": "2026-11"}, clock)

    assert ids_of(page) == newest_first
    assert page.next_cursor is None


def test_list_orders_by_utc_instant_not_by_the_local_wall_time(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    earlier_but_later_wall_clock = submission(
        paymentId=payment_id(1), timestamp="2026-11-10T20:00:00+10:00"
    )  # 10:00 UTC
    later_but_earlier_wall_clock = submission(
        paymentId=payment_id(2), timestamp="2026-11-10T08:00:00-05:00"
    )  # 13:00 UTC
    submit_payment(repository, earlier_but_later_wall_clock, CALLER, clock)
    submit_payment(repository, later_but_earlier_wall_clock, CALLER, clock)

    page = list_payments(repository, codec, CALLER, {"month": "2026-11"}, clock)

    assert ids_of(page) == [payment_id(2), payment_id(1)]


def test_list_puts_a_payment_in_the_month_of_the_customers_offset(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    clock.now = datetime(2026, 12, 2, tzinfo=UTC)
    submit_payment(repository, submission(timestamp="2026-11-30T23:30:00-05:00"), CALLER, clock)

    november = list_payments(repository, codec, CALLER, {"month": "2026-11"}, clock)
    december = list_payments(repository, codec, CALLER, {"month": "2026-12"}, clock)

    assert ids_of(november) == [PAYMENT_ID]
    assert ids_of(december) == []


def test_list_includes_voided_payments_with_their_status(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    newest_first = submit_many(repository, clock, 2)
    void_payment(repository, newest_first[0], CALLER, clock)

    page = list_payments(repository, codec, CALLER, {"month": "2026-11"}, clock)

    assert [p.status for p in page.payments] == [PaymentStatus.VOIDED, PaymentStatus.ACTIVE]


def test_list_pages_through_every_payment_exactly_once(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    newest_first = submit_many(repository, clock, 7)
    pages: list[list[str]] = []
    query = {"month": "2026-11", "limit": "3"}

    while True:
        page = list_payments(repository, codec, CALLER, query, clock)
        pages.append(ids_of(page))
        if page.next_cursor is None:
            break
        query = {"month": "2026-11", "limit": "3", "cursor": page.next_cursor}

    assert [len(ids) for ids in pages] == [3, 3, 1]
    assert [i for ids in pages for i in ids] == newest_first


def test_a_page_that_ends_exactly_at_the_last_payment_has_no_next_cursor(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    submit_many(repository, clock, 3)

    page = list_payments(repository, codec, CALLER, {"month": "2026-11", "limit": "3"}, clock)

    assert len(page.payments) == 3
    assert page.next_cursor is None


def test_the_default_limit_is_50(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    submit_many(repository, clock, DEFAULT_LIMIT + 1)

    page = list_payments(repository, codec, CALLER, {"month": "2026-11"}, clock)

    assert len(page.payments) == 50
    assert page.next_cursor is not None


def test_a_request_with_a_cursor_may_omit_the_limit(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    newest_first = submit_many(repository, clock, 5)
    first = list_payments(repository, codec, CALLER, {"month": "2026-11", "limit": "2"}, clock)
    assert first.next_cursor is not None

    second = list_payments(
        repository, codec, CALLER, {"month": "2026-11", "cursor": first.next_cursor}, clock
    )

    assert ids_of(second) == newest_first[2:4]
    assert second.next_cursor is not None


def next_cursor_of_first_page(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> str:
    submit_many(repository, clock, 5)
    first = list_payments(repository, codec, CALLER, {"month": "2026-11", "limit": "2"}, clock)
    assert first.next_cursor is not None
    return first.next_cursor


def bad_query(
    repository: InMemoryPaymentRepository,
    codec: CursorCodec,
    query: dict[str, str],
    clock: Clock,
    caller: str = CALLER,
) -> list[tuple[str, str]]:
    """The (field, rule) pairs of the BadQuery the listing raises."""
    with pytest.raises(BadQuery) as failure:
        list_payments(repository, codec, caller, query, clock)
    return [(e.field, e.rule) for e in failure.value.errors]


def test_another_callers_cursor_is_a_bad_query_and_never_their_data(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    cursor = next_cursor_of_first_page(repository, clock, codec)
    query = {"month": "2026-11", "limit": "2", "cursor": cursor}

    assert bad_query(repository, codec, query, clock, caller=OTHER_USER) == [
        ("cursor", "cursor-foreign")
    ]


def test_another_months_cursor_is_a_bad_query(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    cursor = next_cursor_of_first_page(repository, clock, codec)
    query = {"month": "2026-10", "limit": "2", "cursor": cursor}

    assert bad_query(repository, codec, query, clock) == [("cursor", "cursor-foreign")]


def test_a_cursor_sent_with_another_limit_is_a_bad_query(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    cursor = next_cursor_of_first_page(repository, clock, codec)
    query = {"month": "2026-11", "limit": "3", "cursor": cursor}

    assert bad_query(repository, codec, query, clock) == [("cursor", "cursor-limit-changed")]


def test_an_expired_cursor_is_a_bad_query(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    cursor = next_cursor_of_first_page(repository, clock, codec)
    clock.advance(timedelta(seconds=CURSOR_TTL_SECONDS + 1))

    assert bad_query(repository, codec, {"month": "2026-11", "cursor": cursor}, clock) == [
        ("cursor", "cursor-expired")
    ]


def test_a_tampered_cursor_is_a_bad_query(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    cursor = next_cursor_of_first_page(repository, clock, codec)
    tampered = cursor[:50] + ("A" if cursor[50] != "A" else "B") + cursor[51:]

    assert bad_query(repository, codec, {"month": "2026-11", "cursor": tampered}, clock) == [
        ("cursor", "cursor-tampered")
    ]


def test_a_garbage_cursor_is_a_bad_query(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    assert bad_query(repository, codec, {"month": "2026-11", "cursor": "garbage!"}, clock) == [
        ("cursor", "cursor-malformed")
    ]


@pytest.mark.parametrize(
    "limit", ["0", "101", "abc", "-1", "", "1.5", " 5", "\u0665", "1e2", "0100", "9" * 5000]
)
def test_a_limit_outside_1_to_100_is_a_bad_query(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec, limit: str
) -> None:
    assert bad_query(repository, codec, {"month": "2026-11", "limit": limit}, clock) == [
        ("limit", "range")
    ]


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limits_of_1_and_100_are_accepted(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec, limit: str
) -> None:
    submit_many(repository, clock, 2)

    page = list_payments(repository, codec, CALLER, {"month": "2026-11", "limit": limit}, clock)

    assert len(page.payments) == min(int(limit), 2)


def test_a_missing_month_is_a_bad_query(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    assert bad_query(repository, codec, {}, clock) == [("month", "required")]


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "", "0000-01", "2026-11-01"]
)
def test_a_malformed_month_is_a_bad_query(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec, month: str
) -> None:
    assert bad_query(repository, codec, {"month": month}, clock) == [("month", "month-format")]


def test_an_unknown_query_parameter_is_a_bad_query(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    assert bad_query(repository, codec, {"month": "2026-11", "userId": OTHER_USER}, clock) == [
        ("userId", "unknown-parameter")
    ]


def test_every_bad_query_parameter_is_listed(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    assert bad_query(repository, codec, {"month": "nope", "limit": "0"}, clock) == [
        ("month", "month-format"),
        ("limit", "range"),
    ]


def test_a_month_with_no_payments_is_an_empty_page(
    repository: InMemoryPaymentRepository, clock: Clock, codec: CursorCodec
) -> None:
    page = list_payments(repository, codec, CALLER, {"month": "2026-11"}, clock)

    assert page.payments == []
    assert page.next_cursor is None
