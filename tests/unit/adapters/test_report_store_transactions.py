"""How the report store reads a cancelled transaction (a stubbed DynamoDB client): a customer whose
item DynamoDB refuses is skipped and listed, an erased customer is left out, the others are
written again without them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import boto3
from botocore.stub import ANY, Stubber

from payments_tracker.adapters.dynamodb.reports import DynamoDBReportStore
from payments_tracker.domain.months import Month
from payments_tracker.domain.report import UserReport

MONTH = Month(2026, 11)


def report_of(user: uuid.UUID) -> UserReport:
    return UserReport(user, MONTH, datetime(2026, 12, 5, 2, tzinfo=UTC), ())


def client_and_stub() -> tuple[object, Stubber]:
    client = boto3.client(
        "dynamodb",
        region_name="eu-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return client, Stubber(client)


def cancelled(stubber: Stubber, codes: list[str], erased_at: int | None = None) -> None:
    reasons: list[dict[str, object]] = [{"Code": code} for code in codes]
    if erased_at is not None:
        reasons[erased_at]["Item"] = {"erasedAt": {"S": "2026-12-01T00:00:00.000000Z"}}
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        service_message="Transaction cancelled",
        http_status_code=400,
        modeled_fields={"CancellationReasons": reasons},
        expected_params={"TransactItems": ANY},
    )


def test_a_refused_item_skips_its_customer_and_the_rest_is_written_again() -> None:
    client, stubber = client_and_stub()
    refused, fine = uuid.uuid4(), uuid.uuid4()
    # Each customer: the fence check, then the report's put.
    cancelled(stubber, ["None", "ValidationError", "None", "None"])
    stubber.add_response("transact_write_items", {}, {"TransactItems": ANY})

    with stubber:
        saved = DynamoDBReportStore(client, "t").save_reports(  # type: ignore[arg-type]
            [report_of(refused), report_of(fine)], "run"
        )
    stubber.assert_no_pending_responses()

    assert saved.failed == {refused}
    assert saved.erased == frozenset()


def test_an_erased_customer_is_left_out_and_not_counted_as_failed() -> None:
    client, stubber = client_and_stub()
    erased, fine = uuid.uuid4(), uuid.uuid4()
    # Three customers, two items each; the second one's fence check fails: it was erased.
    cancelled(stubber, ["None", "None", "ConditionalCheckFailed", "None", "None", "None"], 2)
    stubber.add_response("transact_write_items", {}, {"TransactItems": ANY})

    with stubber:
        saved = DynamoDBReportStore(client, "t").save_reports(  # type: ignore[arg-type]
            [report_of(fine), report_of(erased), report_of(uuid.uuid4())], "run"
        )

    stubber.assert_no_pending_responses()

    assert saved.erased == {erased}
    assert saved.failed == frozenset()
