"""Hostile tokens at the gateway, over HTTP: each is a 401 problem+json and the api never runs.

The verifier's own unit tests (tests/unit/adapters/test_token_verification.py) and the authorizer
against cognito-local (tests/integration/test_authorizer_cognito_local.py) cover the same attacks
one layer down; here the whole path runs: HTTP → local gateway → authorizer worker → gateway
response. Each token is new (a fresh `jti` or user), so the gateway's authorizer cache has never
seen it, and the gateway's log line for the request id proves `integration=-`: no api handler call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from payments_tracker.local.services import PROJECT_ROOT
from support.http_api import assert_problem
from support.reliability import gateway_log_integrations, submission

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import CognitoLocal, CognitoUser

pytestmark = pytest.mark.e2e

COGNITO_LOCAL_KEYS = PROJECT_ROOT / "node_modules" / "cognito-local" / "lib" / "keys"
KID = "CognitoLocal"


@dataclass(frozen=True)
class ForgingKeys:
    """cognito-local's shipped key pair (anyone has it) and an RSA key the JWKS does not hold."""

    private_pem: str
    public_pem: bytes
    stranger: rsa.RSAPrivateKey


@pytest.fixture(scope="module")
def keys() -> ForgingKeys:
    """The keys an attacker (or a test) can sign with."""
    private = json.loads((COGNITO_LOCAL_KEYS / "cognitoLocal.private.json").read_text())
    jwk = json.loads((COGNITO_LOCAL_KEYS / "cognitoLocal.public.json").read_text())["jwk"]
    public_key = jwt.PyJWK(jwk).key
    assert isinstance(public_key, rsa.RSAPublicKey)
    return ForgingKeys(
        private_pem=str(private["pem"]),
        public_pem=public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
        stranger=rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_json(value: object) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def access_claims(cognito: CognitoLocal, user: CognitoUser, **overrides: Any) -> dict[str, Any]:
    """The claims of a valid access token of `user`, never seen before (fresh `jti`)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": user.sub,
        "iss": cognito.issuer,
        "client_id": cognito.client_id,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "iat": now,
        "exp": now + 900,
        "jti": str(uuid.uuid4()),
        "username": user.sub,
    }
    claims.update(overrides)
    return claims


def hostile_tokens(
    cognito: CognitoLocal,
    user: CognitoUser,
    fresh_user: Callable[[], CognitoUser],
    keys: ForgingKeys,
) -> dict[str, str]:
    """The Authorization header value of each attack, by name."""
    now = int(time.time())
    private_pem, stranger = keys.private_pem, keys.stranger

    def shipped(**overrides: Any) -> str:
        return jwt.encode(
            access_claims(cognito, user, **overrides), private_pem, "RS256", {"kid": KID}
        )

    hs256_header = b64url_json({"alg": "HS256", "typ": "JWT", "kid": KID})
    signing_input = f"{hs256_header}.{b64url_json(access_claims(cognito, user))}"
    mac = hmac.new(keys.public_pem, signing_input.encode(), hashlib.sha256).digest()
    hs256 = f"{signing_input}.{b64url(mac)}"
    real = fresh_user().access_token
    header, payload, signature = real.split(".")
    tampered_claims = {
        **jwt.decode(real, options={"verify_signature": False}),
        "sub": str(uuid.uuid4()),
    }
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    unsigned = (
        f"{b64url_json({'alg': 'none', 'typ': 'JWT'})}.{b64url_json(access_claims(cognito, user))}."
    )
    return {
        "alg none": f"Bearer {unsigned}",
        "HS256 keyed with the pool's public key": f"Bearer {hs256}",
        "RS256 by a key not in the JWKS, pool kid": "Bearer "
        + jwt.encode(access_claims(cognito, user), stranger, "RS256", {"kid": KID}),
        "RS256 by a key not in the JWKS, unknown kid": "Bearer "
        + jwt.encode(access_claims(cognito, user), stranger, "RS256", {"kid": str(uuid.uuid4())}),
        "expired": f"Bearer {shipped(iat=now - 7200, exp=now - 3600)}",
        "not yet valid": f"Bearer {shipped(iat=now + 3600, nbf=now + 3600, exp=now + 7200)}",
        "wrong issuer": f"Bearer {shipped(iss='https://cognito-idp.us-east-1.amazonaws.com/evil')}",
        "client not allowed": f"Bearer {shipped(client_id='someone-elses-client')}",
        "id token": f"Bearer {fresh_user().id_token}",
        "refresh token": f"Bearer {fresh_user().refresh_token}",
        "tampered payload": f"Bearer {header}.{b64url_json(tampered_claims)}.{signature}",
        "tampered signature": f"Bearer {header}.{payload}.{flipped}",
        "signature stripped": f"Bearer {header}.{payload}.",
        "garbage": f"Bearer {uuid.uuid4().hex}",
        "three garbage segments": f"Bearer {uuid.uuid4().hex}.e30.{uuid.uuid4().hex}",
        "not a bearer scheme": f"Basic {b64url(f'{user.email}:x'.encode())}",
        "bearer without token": "Bearer",
        "oversized (64 KiB)": "Bearer " + ("A" * 65536),
        "token over the 8 KiB limit but well-formed": f"Bearer {shipped(pad='x' * 9000)}",
    }


def test_each_hostile_token_is_a_401_problem_and_the_api_never_runs(
    http: httpx.Client,
    cognito: CognitoLocal,
    caller: CognitoUser,
    services_dir: Path,
    keys: ForgingKeys,
) -> None:
    tokens = hostile_tokens(cognito, caller, cognito.create_user, keys)
    request_ids: dict[str, str] = {}
    for name, authorization in tokens.items():
        for method, path, body in [
            ("POST", "/payments", submission(caller.sub)),
            ("GET", "/payments?month=2026-11", None),
        ]:
            response = http.request(
                method, path, json=body, headers={"Authorization": authorization}
            )
            problem = assert_problem(response, 401)
            assert problem["type"] == "/problems/unauthorized", name
            request_ids[f"{name} {method}"] = response.headers["x-amzn-requestid"]

    integrations = gateway_log_integrations(services_dir / "gateway.log")
    not_refused_at_the_gateway = {
        name: integrations.get(request_id, "no log line")
        for name, request_id in request_ids.items()
        if integrations.get(request_id) != "-"
    }
    assert not not_refused_at_the_gateway
    print(f"\n{len(tokens)} hostile tokens x 2 routes = {len(request_ids)} requests: all 401")


def test_a_token_forged_right_with_the_shipped_key_passes_so_the_refusals_are_not_vacuous(
    http: httpx.Client,
    cognito: CognitoLocal,
    caller: CognitoUser,
    services_dir: Path,
    keys: ForgingKeys,
) -> None:
    # The control case: the same forging code, with every claim right, reaches the api handler.
    token = jwt.encode(access_claims(cognito, caller), keys.private_pem, "RS256", {"kid": KID})

    response = http.get("/payments?month=2026-11", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200, response.text
    integrations = gateway_log_integrations(services_dir / "gateway.log")
    assert integrations[response.headers["x-amzn-requestid"]] == "api"
