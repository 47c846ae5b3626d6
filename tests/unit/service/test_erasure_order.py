"""Erasure: the fence first, then sign-out everywhere, the login, the items and the audit; the
global sign-out through the identity port, against a stubbed Cognito client (cognito-local has
no AdminUserGlobalSignOut: it answers HTTP 500)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

import boto3
import pytest
from botocore.stub import Stubber

from payments_tracker.adapters.cognito.logins import CognitoLogins
from payments_tracker.service.erasure import erase_customer
from payments_tracker.service.ports import ErasedItems, StorageUnavailable

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Recorder:
    """CustomerData and CustomerLogins that write down the order of the calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def fence(self, user_id: UUID, at: datetime) -> None:  # noqa: ARG002
        self.calls.append("fence")

    def delete_customer_items(self, user_id: UUID) -> ErasedItems:  # noqa: ARG002
        self.calls.append("items")
        return ErasedItems(payments=2)

    def record_erasure(
        self,
        user_id: UUID,
        erased_at: datetime,  # noqa: ARG002
        operator: str,  # noqa: ARG002
        erased: ErasedItems,  # noqa: ARG002
        login_deleted: bool | None,  # noqa: ARG002
    ) -> str:
        self.calls.append("audit")
        return f"AUDIT#ERASE/{user_id}"

    def sign_out_everywhere(self, user_id: UUID) -> bool:  # noqa: ARG002
        self.calls.append("sign-out")
        return True

    def delete_login(self, user_id: UUID) -> bool:  # noqa: ARG002
        self.calls.append("login")
        return True


def test_the_fence_comes_first_and_the_sign_out_before_the_login_is_deleted() -> None:
    recorder = Recorder()

    receipt = erase_customer(recorder, recorder, str(uuid.uuid4()), "ops", lambda: AT)

    assert recorder.calls == ["fence", "sign-out", "login", "items", "audit"]
    assert receipt.login_deleted is True


def test_keeping_the_login_still_fences_first() -> None:
    recorder = Recorder()

    erase_customer(recorder, None, str(uuid.uuid4()), "ops", lambda: AT)

    assert recorder.calls == ["fence", "items", "audit"]


def cognito() -> tuple[Stubber, CognitoLogins]:
    client = boto3.client(
        "cognito-idp",
        region_name="eu-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return Stubber(client), CognitoLogins(client, "eu-west-2_pool")


def test_sign_out_everywhere_is_cognitos_admin_global_sign_out_by_sub() -> None:
    stubber, logins = cognito()
    user = uuid.uuid4()
    stubber.add_response(
        "admin_user_global_sign_out", {}, {"UserPoolId": "eu-west-2_pool", "Username": str(user)}
    )

    with stubber:
        assert logins.sign_out_everywhere(user) is True
    stubber.assert_no_pending_responses()


def test_sign_out_of_a_missing_account_is_false_and_an_outage_is_storage_unavailable() -> None:
    stubber, logins = cognito()
    stubber.add_client_error("admin_user_global_sign_out", "UserNotFoundException")
    stubber.add_client_error(
        "admin_user_global_sign_out", "InternalErrorException", http_status_code=500
    )

    with stubber:
        assert logins.sign_out_everywhere(uuid.uuid4()) is False
        with pytest.raises(StorageUnavailable):
            logins.sign_out_everywhere(uuid.uuid4())


def test_the_local_pool_skips_the_call_cognito_local_lacks() -> None:
    client = boto3.client(
        "cognito-idp",
        region_name="eu-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    stubber = Stubber(client)  # no response queued: any call would fail the test

    with stubber:
        assert CognitoLogins(client, "pool", global_sign_out=False).sign_out_everywhere(
            uuid.uuid4()
        )
