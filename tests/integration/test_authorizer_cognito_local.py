"""The authorizer handler against real tokens from cognito-local, and tokens forged to fool it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from payments_tracker.composition import root
from payments_tracker.composition.settings import get_settings
from payments_tracker.handlers import authorizer
from payments_tracker.local.invokers import LocalLambdaContext
from payments_tracker.local.services import PROJECT_ROOT

pytestmark = pytest.mark.integration

COGNITO_LOCAL_KEYS = PROJECT_ROOT / "node_modules" / "cognito-local" / "lib" / "keys"
KID = "CognitoLocal"
API_ARN = "arn:aws:execute-api:us-east-1:000000000000:local"


@pytest.fixture
def configured(cognito: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The authorizer configured, as on AWS, through its environment: this session's pool."""
    monkeypatch.setenv("PAYMENTS_ISSUER", cognito.issuer)
    monkeypatch.setenv("PAYMENTS_JWKS_URL", cognito.jwks_url)
    monkeypatch.setenv("PAYMENTS_ALLOWED_CLIENT_IDS", cognito.client_id)
    get_settings.cache_clear()
    root.token_verifier.cache_clear()
    yield
    get_settings.cache_clear()
    root.token_verifier.cache_clear()


@pytest.fixture(scope="module")
def user(cognito: Any) -> Any:
    """One signed-up, logged-in user of the session's pool."""
    return cognito.create_user()


@pytest.fixture(scope="module")
def cognito_local_pem() -> str:
    """The private key cognito-local signs with: it ships in the npm package, so anyone has it."""
    keys = json.loads((COGNITO_LOCAL_KEYS / "cognitoLocal.private.json").read_text())
    return str(keys["pem"])


@pytest.fixture(scope="module")
def cognito_local_public_pem() -> bytes:
    """cognito-local's public key as PEM, the key an HS256 confusion attack would use."""
    public = json.loads((COGNITO_LOCAL_KEYS / "cognitoLocal.public.json").read_text())
    public_key = jwt.PyJWK(public["jwk"]).key
    assert isinstance(public_key, rsa.RSAPublicKey)
    return public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def claims_of(token: str) -> dict[str, Any]:
    """The unverified claims of a token (to forge a variant of it)."""
    return dict(jwt.decode(token, options={"verify_signature": False}))


def call(authorization: str, method: str = "GET", path: str = "payments/123") -> dict[str, Any]:
    """Invoke the handler as API Gateway would for `<method> /v1/<path>`."""
    event = {
        "type": "TOKEN",
        "authorizationToken": authorization,
        "methodArn": f"{API_ARN}/v1/{method}/{path}",
    }
    return authorizer.handler(event, LocalLambdaContext("authorizer"))  # type: ignore[no-any-return]


def assert_unauthorized(token: str, caplog: pytest.LogCaptureFixture, reason: str) -> None:
    """The handler raises exactly `Exception("Unauthorized")` and logs `reason` as the cause."""
    caplog.clear()
    with pytest.raises(Exception) as raised:  # noqa: PT011 - API Gateway needs this bare Exception
        call(f"Bearer {token}")
    assert type(raised.value) is Exception
    assert str(raised.value) == "Unauthorized"
    logged = [getattr(record, "reason", None) for record in caplog.records]
    assert logged == [reason]


def b64url_json(value: object) -> str:
    """A JSON value as a base64url JWS segment."""
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_real_access_token_is_allowed_on_the_whole_stage_with_the_callers_context(
    configured: None, cognito: Any, user: Any
) -> None:
    response = call(f"Bearer {user.access_token}", method="POST", path="payments")

    assert response["principalId"] == user.sub
    assert response["policyDocument"]["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{API_ARN}/v1/*/*"}
    ]
    assert response["context"] == {
        "sub": user.sub,
        "username": claims_of(user.access_token)["username"],
        "clientId": cognito.client_id,
        "scope": "aws.cognito.signin.user.admin",
    }


def test_real_id_token_is_rejected(
    configured: None, user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert_unauthorized(user.id_token, caplog, "wrong_token_use")


def test_real_refresh_token_is_rejected(
    configured: None, user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # cognito-local's refresh token is a kid-less JWT (Cognito's is a JWE: "malformed").
    assert_unauthorized(user.refresh_token, caplog, "unknown_key")


def test_real_access_token_with_a_tampered_signature_is_rejected(
    configured: None, user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    header, payload, signature = user.access_token.split(".")
    flipped = "A" if signature[0] != "A" else "B"

    assert_unauthorized(f"{header}.{payload}.{flipped}{signature[1:]}", caplog, "bad_signature")


def test_real_access_token_with_a_tampered_payload_is_rejected(
    configured: None, user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    header, _, signature = user.access_token.split(".")
    forged = b64url_json({**claims_of(user.access_token), "sub": "someone-else"})

    assert_unauthorized(f"{header}.{forged}.{signature}", caplog, "bad_signature")


def test_token_forged_with_the_shipped_key_and_right_claims_is_accepted(
    configured: None, user: Any, cognito_local_pem: str
) -> None:
    """The control for the forgeries below: only the claim each one changes makes it fail."""
    token = jwt.encode(claims_of(user.access_token), cognito_local_pem, "RS256", {"kid": KID})

    assert call(f"Bearer {token}")["principalId"] == user.sub


@pytest.mark.parametrize(
    "forgery",
    [
        ({"client_id": "some-other-app-client"}, "client_not_allowed"),
        ({"iss": "http://127.0.0.1:1/local_other-pool"}, "wrong_issuer"),
        ({"exp": int(time.time()) - 60, "iat": int(time.time()) - 3600}, "expired"),
        ({"nbf": int(time.time()) + 3600}, "not_yet_valid"),
        ({"token_use": "id"}, "wrong_token_use"),
    ],
    ids=["wrong-client", "wrong-issuer", "expired", "not-yet-valid", "id-token-use"],
)
def test_token_forged_with_the_shipped_key_but_wrong_claims_is_rejected(
    configured: None,
    user: Any,
    cognito_local_pem: str,
    forgery: tuple[dict[str, Any], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    changes, reason = forgery
    claims = {**claims_of(user.access_token), **changes}

    assert_unauthorized(
        jwt.encode(claims, cognito_local_pem, "RS256", {"kid": KID}), caplog, reason
    )


def test_token_signed_by_another_key_with_kid_cognito_local_is_rejected(
    configured: None, user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    attacker_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    assert_unauthorized(
        jwt.encode(claims_of(user.access_token), attacker_key, "RS256", {"kid": KID}),
        caplog,
        "bad_signature",
    )


def test_alg_none_token_with_real_claims_is_rejected(
    configured: None, user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    header = b64url_json({"alg": "none", "typ": "JWT", "kid": KID})

    assert_unauthorized(
        f"{header}.{b64url_json(claims_of(user.access_token))}.", caplog, "unsupported_algorithm"
    )


def test_hs256_token_keyed_with_cognito_locals_public_key_is_rejected(
    configured: None, user: Any, cognito_local_public_pem: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    signing_input = (
        f"{b64url_json({'alg': 'HS256', 'typ': 'JWT', 'kid': KID})}."
        f"{b64url_json(claims_of(user.access_token))}"
    )
    signature = hmac.new(cognito_local_public_pem, signing_input.encode(), hashlib.sha256).digest()
    encoded = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()

    assert_unauthorized(f"{signing_input}.{encoded}", caplog, "unsupported_algorithm")
