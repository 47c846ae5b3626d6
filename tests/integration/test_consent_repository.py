"""The consent adapter against the real DynamoDB Local: history kept, the consent at a cut-off."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest

from payments_tracker.adapters.dynamodb.consent import DynamoDBConsentRepository
from payments_tracker.domain.consent import ConsentChange
from payments_tracker.local.bootstrap import TABLE_NAME, dynamodb_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

GIVEN_AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WITHDRAWN_AT = datetime(2026, 12, 10, 9, 30, tzinfo=UTC)
CUTOFF = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def client(dynamodb_endpoint: str) -> DynamoDBClient:
    return dynamodb_client(dynamodb_endpoint)


@pytest.fixture
def consents(client: DynamoDBClient) -> DynamoDBConsentRepository:
    return DynamoDBConsentRepository(client, TABLE_NAME)


def give(at: datetime, terms: str = "2026-11") -> ConsentChange:
    return ConsentChange(credit_file_sharing=True, terms_version=terms, changed_at=at)


def withdraw(at: datetime, terms: str = "2026-11") -> ConsentChange:
    return ConsentChange(credit_file_sharing=False, terms_version=terms, changed_at=at)


def test_a_customer_who_never_answered_has_no_history_and_no_consent(
    consents: DynamoDBConsentRepository,
) -> None:
    user = uuid.uuid4()

    assert consents.history(user, 100) == []
    assert consents.consent_standing_at(user, CUTOFF) is False


def test_every_change_is_kept_in_the_history_newest_first(
    consents: DynamoDBConsentRepository, client: DynamoDBClient
) -> None:
    user = uuid.uuid4()
    given, withdrawn = give(GIVEN_AT), withdraw(WITHDRAWN_AT)

    assert consents.record(user, given, None)
    assert consents.record(user, withdrawn, given)

    assert consents.history(user, 100) == [withdrawn, given]
    current = client.get_item(
        TableName=TABLE_NAME,
        Key={"PK": {"S": f"USER#{user}"}, "SK": {"S": "CONSENT"}},
        ConsistentRead=True,
    )["Item"]
    assert current["creditFileSharing"] == {"BOOL": False}
    keys = client.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user}"}},
    )["Items"]
    assert sorted(item["SK"]["S"] for item in keys) == [
        "CONSENT",
        "CONSENT#2026-11-20T12:00:00.000000Z",
        "CONSENT#2026-12-10T09:30:00.000000Z",
    ]


def test_a_stale_change_is_refused_and_writes_nothing(
    consents: DynamoDBConsentRepository,
) -> None:
    user = uuid.uuid4()
    given = give(GIVEN_AT)
    consents.record(user, given, None)

    assert consents.record(user, withdraw(WITHDRAWN_AT), None) is False
    assert consents.record(user, withdraw(WITHDRAWN_AT), give(GIVEN_AT - timedelta(1))) is False
    assert consents.history(user, 100) == [given]


def test_consent_standing_at_the_cutoff_is_the_latest_change_at_or_before_it(
    consents: DynamoDBConsentRepository,
) -> None:
    user = uuid.uuid4()
    given, withdrawn = give(GIVEN_AT), withdraw(WITHDRAWN_AT)
    consents.record(user, given, None)
    consents.record(user, withdrawn, given)

    assert consents.consent_standing_at(user, GIVEN_AT - timedelta(microseconds=1)) is False
    assert consents.consent_standing_at(user, GIVEN_AT) is True  # at the cut-off counts
    assert consents.consent_standing_at(user, CUTOFF) is True  # withdrawn only after it
    assert consents.consent_standing_at(user, WITHDRAWN_AT) is False
    assert consents.consent_standing_at(user, WITHDRAWN_AT + timedelta(days=30)) is False


def test_a_cutoff_in_another_offset_means_the_same_instant(
    consents: DynamoDBConsentRepository,
) -> None:
    user = uuid.uuid4()
    consents.record(user, give(GIVEN_AT), None)
    paris = timezone(timedelta(hours=1))

    assert consents.consent_standing_at(user, GIVEN_AT.astimezone(paris)) is True
    assert consents.consent_standing_at(user, datetime(2026, 11, 20, 12, 59, tzinfo=paris)) is False


def test_withdrawing_then_giving_again_shares_from_the_new_consent_on(
    consents: DynamoDBConsentRepository,
) -> None:
    user = uuid.uuid4()
    first, withdrawn = give(GIVEN_AT), withdraw(GIVEN_AT + timedelta(days=1))
    again = give(GIVEN_AT + timedelta(days=2), terms="2026-12")
    consents.record(user, first, None)
    consents.record(user, withdrawn, first)
    consents.record(user, again, withdrawn)

    assert consents.consent_standing_at(user, GIVEN_AT + timedelta(days=1, hours=1)) is False
    assert consents.consent_standing_at(user, GIVEN_AT + timedelta(days=2)) is True
    assert [c.terms_version for c in consents.history(user, 2)] == ["2026-12", "2026-11"]


def test_one_users_consent_says_nothing_of_another(
    consents: DynamoDBConsentRepository,
) -> None:
    user, other = uuid.uuid4(), uuid.uuid4()
    consents.record(user, give(GIVEN_AT), None)

    assert consents.consent_standing_at(other, CUTOFF) is False
    assert consents.history(other, 100) == []
