"""Lambda TOKEN authorizer: a Cognito access token in, an IAM policy for the whole API out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from payments_tracker.adapters.jwt import (
    MAX_TOKEN_LENGTH,
    AccessTokenClaims,
    AccessTokenVerifier,
    JwksUnavailable,
    RejectionReason,
    TokenRejected,
)
from payments_tracker.composition import root
from payments_tracker.observability import logger

BEARER_SCHEME = "bearer"
MAX_AUTHORIZATION_HEADER_LENGTH = len("Bearer ") + MAX_TOKEN_LENGTH
UNAUTHORIZED = "Unauthorized"
"""The exact message API Gateway turns into a 401."""
KEYS_UNAVAILABLE = "Signing keys unavailable"
"""Any other message is an authorizer failure: API Gateway answers AUTHORIZER_FAILURE (503)."""

# On SnapStart the verifier (and its HTTP client for the JWKS) is built before the snapshot.
root.prepare_for_snapshot(root.token_verifier)


class SigningKeysUnavailable(Exception):
    """No decision is possible: the token's key is not cached and the JWKS cannot be fetched.

    Raised to API Gateway instead of `Unauthorized`, so the caller gets a 503 with `Retry-After`
    (AUTHORIZER_FAILURE) and keeps a session that may be perfectly valid; nothing is allowed.
    """

    def __init__(self) -> None:
        super().__init__(KEYS_UNAVAILABLE)


class InvalidMethodArn(ValueError):
    """The event's methodArn is not an execute-api ARN: a gateway bug, not a caller's fault."""


def bearer_token(authorization: object) -> str:
    """The token of an `Authorization: Bearer <token>` header, else `TokenRejected`."""
    if not isinstance(authorization, str) or not authorization:
        raise TokenRejected(RejectionReason.MISSING)
    if len(authorization) > MAX_AUTHORIZATION_HEADER_LENGTH:
        raise TokenRejected(RejectionReason.TOO_LARGE)
    scheme, separator, token = authorization.partition(" ")
    # The auth-scheme is case-insensitive (RFC 9110 §11.1); the token itself has no spaces.
    if scheme.lower() != BEARER_SCHEME or not separator or not token or " " in token:
        raise TokenRejected(RejectionReason.NOT_BEARER)
    return token


def whole_api_arn(method_arn: object) -> str:
    """`arn:…:<apiId>/<stage>/*/*` for the API and stage of a methodArn."""
    if not isinstance(method_arn, str):
        raise InvalidMethodArn("methodArn missing")
    arn_parts = method_arn.split(":", 5)
    if len(arn_parts) != 6 or arn_parts[0] != "arn" or arn_parts[2] != "execute-api":
        raise InvalidMethodArn("not an execute-api ARN")
    api_id, _, rest = arn_parts[5].partition("/")
    stage = rest.partition("/")[0]
    if not api_id or not stage:
        raise InvalidMethodArn("no API id or stage")
    return ":".join([*arn_parts[:5], f"{api_id}/{stage}/*/*"])


def allow_policy(claims: AccessTokenClaims, method_arn: object) -> dict[str, Any]:
    """The authorizer response: Allow on the whole API, the caller in a flat string context."""
    return {
        "principalId": claims.sub,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": whole_api_arn(method_arn),
                }
            ],
        },
        "context": {
            "sub": claims.sub,
            "username": claims.username,
            "clientId": claims.client_id,
            "scope": claims.scope,
        },
    }


def authorize(event: Mapping[str, Any], verifier: AccessTokenVerifier) -> dict[str, Any]:
    """The policy for a TOKEN authorizer event.

    `TokenRejected` or `InvalidMethodArn` when refused; `JwksUnavailable` when undecidable.
    """
    claims = verifier.verify(bearer_token(event.get("authorizationToken")))
    return allow_policy(claims, event.get("methodArn"))


def decide(event: dict[str, Any], context: LambdaContext) -> dict[str, Any] | str:  # noqa: ARG001
    """The policy for an authorizer event, or the message to fail with (a reason is logged).

    `UNAUTHORIZED` when the token is refused; `KEYS_UNAVAILABLE` when no signing key can be had.
    """
    try:
        policy = authorize(event, root.token_verifier())
    except TokenRejected as rejection:
        # The reason code only: never the token, nor anything read from it.
        logger.info("token rejected", extra={"reason": rejection.reason.value})
        return UNAUTHORIZED
    except JwksUnavailable:
        logger.warning("signing keys unavailable", extra={"reason": "jwks_unavailable"})
        return KEYS_UNAVAILABLE
    except InvalidMethodArn:
        logger.exception("authorizer event has an invalid methodArn")
        return UNAUTHORIZED
    logger.info("token accepted", extra={"client_id": policy["context"]["clientId"]})
    return policy


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point: the Allow policy, else raises.

    Exactly `Unauthorized` (401) for any token that is not accepted; `SigningKeysUnavailable`
    (AUTHORIZER_FAILURE, 503) when no signing key can be had to decide. Never an Allow without a
    verified signature.
    """
    outcome: dict[str, Any] | str = decide(event, context)
    # Raised outside the traced function so a refusal is not logged as a handler crash.
    if outcome == KEYS_UNAVAILABLE:
        raise SigningKeysUnavailable
    if isinstance(outcome, str):
        raise Exception(UNAUTHORIZED)  # API Gateway answers 401 for this exact message
    return outcome
