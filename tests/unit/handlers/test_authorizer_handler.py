"""The Lambda TOKEN authorizer: Allow policy and context for a good token, else `Unauthorized`."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from payments_tracker.adapters.jwt import AccessTokenVerifier, JwksKeyCache, JwksUnavailable
from payments_tracker.composition import root
from payments_tracker.composition.settings import Settings
from payments_tracker.handlers import authorizer
from payments_tracker.local.invokers import LocalLambdaContext

ISSUER = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_TestPool"
CLIENT_ID = "cli-client-id"
KID = "k1"
NOW = 1_800_000_000.0
SUB = "5f0c7a52-3a1e-4c1b-9a55-0c0d2f5e4a11"
EMAIL = "someone@example.com"
METHOD_ARN = "arn:aws:execute-api:eu-west-2:123456789012:a1b2c3d4e5/v1/GET/payments/123"


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    """The pool's key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def verifier(
    signing_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> AccessTokenVerifier:
    """A verifier trusting the pool's key, installed as the handler's verifier."""
    jwk = {**RSAAlgorithm.to_jwk(signing_key.public_key(), as_dict=True), "kid": KID}
    verifier = AccessTokenVerifier(
        issuer=ISSUER,
        allowed_client_ids=[CLIENT_ID],
        keys=JwksKeyCache(lambda: {"keys": [jwk]}, clock=lambda: NOW),
        clock=lambda: NOW,
    )
    monkeypatch.setattr(root, "token_verifier", lambda: verifier)
    return verifier


def access_token(signing_key: rsa.RSAPrivateKey, **overrides: Any) -> str:
    """A Cognito-shaped access token for SUB."""
    claims: dict[str, Any] = {
        "sub": SUB,
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "iat": int(NOW),
        "exp": int(NOW) + 900,
        "username": EMAIL,
        **overrides,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": KID})


def event(authorization: object, method_arn: str = METHOD_ARN) -> dict[str, Any]:
    """A TOKEN authorizer event as API Gateway sends it."""
    return {"type": "TOKEN", "authorizationToken": authorization, "methodArn": method_arn}


def test_valid_token_gets_an_allow_policy_for_the_whole_api_stage(
    verifier: AccessTokenVerifier, signing_key: rsa.RSAPrivateKey
) -> None:
    token = access_token(signing_key)

    response = authorizer.handler(event(f"Bearer {token}"), LocalLambdaContext("authorizer"))

    assert response == {
        "principalId": SUB,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": "arn:aws:execute-api:eu-west-2:123456789012:a1b2c3d4e5/v1/*/*",
                }
            ],
        },
        "context": {
            "sub": SUB,
            "username": EMAIL,
            "clientId": CLIENT_ID,
            "scope": "aws.cognito.signin.user.admin",
        },
    }


def test_context_values_are_flat_strings(
    verifier: AccessTokenVerifier, signing_key: rsa.RSAPrivateKey
) -> None:
    token = access_token(signing_key, scope=None)
    response = authorizer.handler(event(f"Bearer {token}"), LocalLambdaContext("authorizer"))

    assert all(isinstance(value, str) for value in response["context"].values())


@pytest.mark.parametrize(
    ("method_arn", "expected"),
    [
        (
            "arn:aws:execute-api:eu-west-2:123456789012:abc/v1/POST/payments",
            "arn:aws:execute-api:eu-west-2:123456789012:abc/v1/*/*",
        ),
        (
            "arn:aws-cn:execute-api:cn-north-1:123456789012:abc/v1/DELETE/payments/x/y",
            "arn:aws-cn:execute-api:cn-north-1:123456789012:abc/v1/*/*",
        ),
        (
            "arn:aws:execute-api:eu-west-2:123456789012:abc/v1/",
            "arn:aws:execute-api:eu-west-2:123456789012:abc/v1/*/*",
        ),
    ],
)
def test_policy_resource_covers_every_method_and_path_of_the_stage(
    method_arn: str, expected: str
) -> None:
    assert authorizer.whole_api_arn(method_arn) == expected


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_scheme_is_case_insensitive(
    verifier: AccessTokenVerifier, signing_key: rsa.RSAPrivateKey, scheme: str
) -> None:
    token = access_token(signing_key)

    assert (
        authorizer.handler(event(f"{scheme} {token}"), LocalLambdaContext("authorizer"))[
            "principalId"
        ]
        == SUB
    )


def unauthorized(authorization: object, method_arn: str = METHOD_ARN) -> str:
    """The message of the exception the handler raises (fails the test if it returns)."""
    with pytest.raises(Exception) as raised:  # noqa: PT011 - API Gateway needs this bare Exception
        authorizer.handler(event(authorization, method_arn), LocalLambdaContext("authorizer"))
    assert type(raised.value) is Exception
    return str(raised.value)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer  two-spaces",
        "Basic dXNlcjpwYXNz",
        "Token abc.def.ghi",
        "abc.def.ghi",
        "Bearer a.b.c extra",
        "Bearer " + "a" * 9000,
        42,
    ],
    ids=[
        "missing",
        "empty",
        "scheme-only",
        "empty-token",
        "two-spaces",
        "basic",
        "other-scheme",
        "no-scheme",
        "trailing-garbage",
        "oversized",
        "not-a-string",
    ],
)
def test_missing_or_non_bearer_header_raises_exactly_unauthorized(
    verifier: AccessTokenVerifier, authorization: object
) -> None:
    assert unauthorized(authorization) == "Unauthorized"


def test_invalid_token_raises_exactly_unauthorized(
    verifier: AccessTokenVerifier, signing_key: rsa.RSAPrivateKey
) -> None:
    token = access_token(signing_key, token_use="id")

    assert unauthorized(f"Bearer {token}") == "Unauthorized"


def test_event_with_a_broken_method_arn_is_refused_with_unauthorized(
    verifier: AccessTokenVerifier, signing_key: rsa.RSAPrivateKey
) -> None:
    token = access_token(signing_key)

    assert unauthorized(f"Bearer {token}", method_arn="not-an-arn") == "Unauthorized"


def test_logs_carry_the_rejection_reason_but_never_the_token_or_email(
    verifier: AccessTokenVerifier,
    signing_key: rsa.RSAPrivateKey,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = access_token(signing_key)
    bad = access_token(signing_key, client_id="not-allowed")

    authorizer.handler(event(f"Bearer {good}"), LocalLambdaContext("authorizer"))
    unauthorized(f"Bearer {bad}")
    # Every record of every logger, rendered as the JSON lines Powertools writes to stdout.
    formatter = authorizer.logger.registered_formatter
    everything = "\n".join(formatter.format(record) for record in caplog.records)

    assert '"reason":"client_not_allowed"' in everything.replace(" ", "")
    assert "Traceback" not in everything
    for secret in (good, bad, *good.split("."), *bad.split("."), EMAIL):
        assert secret not in everything


def test_verifier_is_built_from_settings() -> None:
    settings = Settings(
        issuer=ISSUER, allowed_client_ids=(CLIENT_ID,), jwks_url="http://127.0.0.1:1/jwks.json"
    )

    built = root.build_verifier(settings)

    assert isinstance(built, AccessTokenVerifier)


def test_verifier_cannot_be_built_without_an_issuer() -> None:
    with pytest.raises(ValueError, match="PAYMENTS_ISSUER"):
        root.build_verifier(Settings(issuer="", allowed_client_ids=(CLIENT_ID,)))


# --- no signing keys to be had (issue 11, point 3) ----------------------------------------------


def _idp_down() -> dict[str, Any]:
    raise JwksUnavailable("connection refused")


@pytest.fixture
def keyless_verifier(monkeypatch: pytest.MonkeyPatch) -> AccessTokenVerifier:
    """A cold verifier whose JWKS endpoint is unreachable, installed as the handler's verifier."""
    verifier = AccessTokenVerifier(
        issuer=ISSUER,
        allowed_client_ids=[CLIENT_ID],
        keys=JwksKeyCache(_idp_down, clock=lambda: NOW),
        clock=lambda: NOW,
    )
    monkeypatch.setattr(root, "token_verifier", lambda: verifier)
    return verifier


def test_no_signing_keys_fails_the_authorizer_rather_than_answering_unauthorized(
    keyless_verifier: AccessTokenVerifier,
    signing_key: rsa.RSAPrivateKey,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = access_token(signing_key)

    with pytest.raises(authorizer.SigningKeysUnavailable) as raised:
        authorizer.handler(event(f"Bearer {token}"), LocalLambdaContext("authorizer"))

    # Any message but `Unauthorized` is API Gateway's AUTHORIZER_FAILURE: 503, the session kept.
    assert str(raised.value) == authorizer.KEYS_UNAVAILABLE != authorizer.UNAUTHORIZED
    formatter = authorizer.logger.registered_formatter
    everything = "\n".join(formatter.format(record) for record in caplog.records)
    assert '"reason":"jwks_unavailable"' in everything.replace(" ", "")
    for secret in (token, *token.split("."), EMAIL):
        assert secret not in everything


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-jwt",
        "Bearer eyJhbGciOiJub25lIiwia2lkIjoiazEifQ.eyJzdWIiOiJ4In0.",
        "Bearer eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2ln",
    ],
    ids=["missing", "other-scheme", "malformed", "alg-none", "hs256"],
)
def test_a_bad_token_stays_unauthorized_while_no_signing_keys_can_be_had(
    keyless_verifier: AccessTokenVerifier, authorization: object
) -> None:
    assert unauthorized(authorization) == "Unauthorized"
