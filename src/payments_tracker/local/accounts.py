"""Sign-up and password login on a user pool that allows them (the local pool only,
docs/design.md §2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

_WRONG_CREDENTIALS = {"NotAuthorizedException", "UserNotFoundException", "InvalidPasswordException"}


class AccountError(Exception):
    """The identity provider refused; `reason` is a short code a person can act on."""

    def __init__(self, reason: str, code: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def sign_up_confirmed(
    client: CognitoIdentityProviderClient,
    user_pool_id: str,
    client_id: str,
    email: str,
    password: str,
) -> str:
    """Sign up with an e-mail and confirm the account at once; the new user's `sub`."""
    try:
        result = client.sign_up(
            ClientId=client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
        client.admin_confirm_sign_up(UserPoolId=user_pool_id, Username=email)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", "Error"))
        reason = "exists" if code == "UsernameExistsException" else "refused"
        raise AccountError(reason, code) from None
    except BotoCoreError as error:
        raise AccountError("unreachable", type(error).__name__) from None
    return result["UserSub"]


def password_login(
    client: CognitoIdentityProviderClient, client_id: str, email: str, password: str
) -> str:
    """The access token of a USER_PASSWORD_AUTH login."""
    try:
        result = client.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", "Error"))
        if code in _WRONG_CREDENTIALS:
            raise AccountError("wrong-credentials", code) from None
        if code == "UserNotConfirmedException":
            raise AccountError("not-confirmed", code) from None
        raise AccountError("refused", code) from None
    except BotoCoreError as error:
        raise AccountError("unreachable", type(error).__name__) from None
    authentication = result.get("AuthenticationResult")
    if not authentication or "AccessToken" not in authentication:
        raise AccountError("challenge", str(result.get("ChallengeName")))
    return authentication["AccessToken"]
