"""CustomerLogins on a Cognito user pool (or cognito-local): delete an account by its `sub`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from botocore.exceptions import BotoCoreError, ClientError

from payments_tracker.service.ports import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


class CognitoLogins:
    """The accounts of one user pool."""

    def __init__(
        self,
        client: CognitoIdentityProviderClient,
        user_pool_id: str,
        *,
        global_sign_out: bool = True,
    ) -> None:
        self._client = client
        self._pool = user_pool_id
        self._global_sign_out = global_sign_out

    def sign_out_everywhere(self, user_id: UUID) -> bool:
        """AdminUserGlobalSignOut by `sub`: every refresh token of the account is revoked.

        cognito-local has no such call (it answers HTTP 500): the local stack builds this adapter
        with `global_sign_out=False`, and the call is then skipped (reported as done: the local
        pool's tokens die with the login, which is deleted next).
        """
        if not self._global_sign_out:
            return True
        return _on_the_account(self._client.admin_user_global_sign_out, self._pool, user_id)

    def delete_login(self, user_id: UUID) -> bool:
        """AdminDeleteUser by `sub` (the user name of an e-mail sign-in pool); False if none."""
        return _on_the_account(self._client.admin_delete_user, self._pool, user_id)


def _on_the_account(call: Callable[..., object], pool: str, user_id: UUID) -> bool:
    """An Admin* call on the account whose user name is `user_id`: False if there is none; any
    other failure of the identity provider is StorageUnavailable (the operator runs it again)."""
    try:
        call(UserPoolId=pool, Username=str(user_id))
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code"))
        if code == "UserNotFoundException":
            return False
        raise StorageUnavailable(code) from error
    except BotoCoreError as error:
        raise StorageUnavailable(type(error).__name__) from error
    return True
