"""Access-token verification: what a Cognito access token must be, and the JWT attacks of §8."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import RSAAlgorithm

from payments_tracker.adapters.jwt import (
    FAILED_FETCH_FIRST_RETRY_SECONDS,
    FAILED_FETCH_MAX_RETRY_SECONDS,
    AccessTokenClaims,
    AccessTokenVerifier,
    HttpJwksFetcher,
    JwksKeyCache,
    JwksUnavailable,
    RejectionReason,
    TokenRejected,
)
from payments_tracker.edge.gateway_responses import (
    AUTHORIZER_RETRY_AFTER_SECONDS,
    GATEWAY_RESPONSES,
)

ISSUER = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_TestPool"
CLIENT_ID = "cli-client-id"
OTHER_CLIENT_ID = "someone-elses-client"
KID = "test-key-1"
NOW = 1_800_000_000.0
SUB = "5f0c7a52-3a1e-4c1b-9a55-0c0d2f5e4a11"


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: float = NOW

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeJwksFetcher:
    """An in-process IdP: serves `document`, counts fetches, and can be switched off."""

    document: dict[str, Any]
    reachable: bool = True
    fetches: int = 0

    def __call__(self) -> Mapping[str, Any]:
        self.fetches += 1
        if not self.reachable:
            raise JwksUnavailable("connection refused")
        return self.document


@dataclass
class Pool:
    """A user pool's signing key, its JWKS and a verifier wired to both through fakes."""

    private_key: rsa.RSAPrivateKey
    fetcher: FakeJwksFetcher
    clock: FakeClock
    verifier: AccessTokenVerifier
    extra_keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)

    def sign(
        self,
        claims: Mapping[str, Any],
        *,
        key: rsa.RSAPrivateKey | None = None,
        kid: str = KID,
        algorithm: str = "RS256",
    ) -> str:
        """A token over `claims`, signed by the pool's key unless told otherwise."""
        return jwt.encode(
            dict(claims), key or self.private_key, algorithm=algorithm, headers={"kid": kid}
        )


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A fresh RSA private key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def jwk_of(private_key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    """The public JWK of `private_key` as Cognito publishes it."""
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def access_claims(**overrides: Any) -> dict[str, Any]:
    """The claims of a Cognito access token issued at NOW, with `overrides` (None removes one)."""
    claims: dict[str, Any] = {
        "sub": SUB,
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "origin_jti": "0b1c",
        "event_id": "9d1e",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": int(NOW),
        "iat": int(NOW),
        "exp": int(NOW) + 900,
        "jti": "4a2f",
        "username": "a-username",
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def b64url(data: bytes) -> str:
    """Unpadded base64url, as in a compact JWS."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: object) -> str:
    """A JSON value as a base64url JWS segment."""
    return b64url(json.dumps(value, separators=(",", ":")).encode())


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    """The pool's RSA key, generated once for this module."""
    return rsa_key()


@pytest.fixture(scope="module")
def stranger_key() -> rsa.RSAPrivateKey:
    """An RSA key the pool never published."""
    return rsa_key()


@pytest.fixture
def pool(signing_key: rsa.RSAPrivateKey) -> Pool:
    """A verifier that trusts the pool's key, with a fake clock and a fake IdP."""
    clock = FakeClock()
    fetcher = FakeJwksFetcher({"keys": [jwk_of(signing_key, KID)]})
    verifier = AccessTokenVerifier(
        issuer=ISSUER,
        allowed_client_ids=[CLIENT_ID, "web-client-id"],
        keys=JwksKeyCache(fetcher, clock=clock),
        clock=clock,
    )
    return Pool(signing_key, fetcher, clock, verifier)


def rejection_of(pool: Pool, token: str) -> RejectionReason:
    """The reason `token` is refused (fails the test if it is accepted)."""
    with pytest.raises(TokenRejected) as rejected:
        pool.verifier.verify(token)
    return rejected.value.reason


# --- what a valid token gives ---------------------------------------------------------------


def test_valid_access_token_yields_sub_username_client_id_and_scope(pool: Pool) -> None:
    claims = pool.verifier.verify(pool.sign(access_claims()))

    assert claims == AccessTokenClaims(
        sub=SUB,
        username="a-username",
        client_id=CLIENT_ID,
        scope="aws.cognito.signin.user.admin",
    )


def test_access_token_without_scope_has_empty_scope(pool: Pool) -> None:
    claims = pool.verifier.verify(pool.sign(access_claims(scope=None)))

    assert claims.scope == ""


def test_every_allowed_client_is_accepted(pool: Pool) -> None:
    claims = pool.verifier.verify(pool.sign(access_claims(client_id="web-client-id")))

    assert claims.client_id == "web-client-id"


# --- the attacks of docs/design.md §8 -------------------------------------------------------------


def test_alg_none_token_is_rejected(pool: Pool) -> None:
    token = (
        f"{b64url_json({'alg': 'none', 'typ': 'JWT', 'kid': KID})}.{b64url_json(access_claims())}."
    )

    assert rejection_of(pool, token) is RejectionReason.UNSUPPORTED_ALGORITHM
    assert pool.fetcher.fetches == 0


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_with_a_signature_in_any_case_is_rejected(pool: Pool, alg: str) -> None:
    token = f"{b64url_json({'alg': alg, 'kid': KID})}.{b64url_json(access_claims())}.c2ln"

    assert rejection_of(pool, token) is RejectionReason.UNSUPPORTED_ALGORITHM


def test_hs256_token_keyed_with_the_public_key_pem_is_rejected(pool: Pool) -> None:
    public_pem = pool.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = (
        f"{b64url_json({'alg': 'HS256', 'typ': 'JWT', 'kid': KID})}.{b64url_json(access_claims())}"
    )
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url(signature)}"

    assert rejection_of(pool, token) is RejectionReason.UNSUPPORTED_ALGORITHM


def test_hs256_token_keyed_with_the_public_jwk_modulus_is_rejected(pool: Pool) -> None:
    modulus = jwk_of(pool.private_key, KID)["n"].encode()
    signing_input = f"{b64url_json({'alg': 'HS256', 'kid': KID})}.{b64url_json(access_claims())}"
    signature = hmac.new(modulus, signing_input.encode(), hashlib.sha256).digest()

    assert (
        rejection_of(pool, f"{signing_input}.{b64url(signature)}")
        is RejectionReason.UNSUPPORTED_ALGORITHM
    )


@pytest.mark.parametrize("algorithm", ["RS384", "RS512", "PS256"])
def test_other_rsa_algorithms_with_the_pool_key_are_rejected(pool: Pool, algorithm: str) -> None:
    token = pool.sign(access_claims(), algorithm=algorithm)

    assert rejection_of(pool, token) is RejectionReason.UNSUPPORTED_ALGORITHM


def test_ec_signed_token_is_rejected(pool: Pool) -> None:
    token = jwt.encode(
        access_claims(), ec.generate_private_key(ec.SECP256R1()), "ES256", headers={"kid": KID}
    )

    assert rejection_of(pool, token) is RejectionReason.UNSUPPORTED_ALGORITHM


def test_token_signed_by_another_key_under_the_pool_kid_is_rejected(
    pool: Pool, stranger_key: rsa.RSAPrivateKey
) -> None:
    token = pool.sign(access_claims(), key=stranger_key)

    assert rejection_of(pool, token) is RejectionReason.BAD_SIGNATURE


def test_token_with_a_kid_not_in_the_jwks_is_rejected(
    pool: Pool, stranger_key: rsa.RSAPrivateKey
) -> None:
    token = pool.sign(access_claims(), key=stranger_key, kid="attacker-key")

    assert rejection_of(pool, token) is RejectionReason.UNKNOWN_KEY


def test_token_without_a_kid_is_rejected(pool: Pool) -> None:
    token = jwt.encode(access_claims(), pool.private_key, algorithm="RS256")

    assert rejection_of(pool, token) is RejectionReason.UNKNOWN_KEY


def test_token_expired_beyond_the_leeway_is_rejected(pool: Pool) -> None:
    token = pool.sign(access_claims(iat=int(NOW) - 3600, exp=int(NOW) - 31))

    assert rejection_of(pool, token) is RejectionReason.EXPIRED


def test_token_not_yet_valid_is_rejected(pool: Pool) -> None:
    token = pool.sign(access_claims(nbf=int(NOW) + 3600, exp=int(NOW) + 7200))

    assert rejection_of(pool, token) is RejectionReason.NOT_YET_VALID


def test_token_issued_in_the_future_is_rejected(pool: Pool) -> None:
    token = pool.sign(access_claims(iat=int(NOW) + 3600, exp=int(NOW) + 7200))

    assert rejection_of(pool, token) is RejectionReason.NOT_YET_VALID


@pytest.mark.parametrize(
    "issuer",
    [
        "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_OtherPool",
        ISSUER + "/",
        ISSUER.upper(),
        ISSUER.replace("https://", "http://"),
        "",
    ],
)
def test_token_from_another_issuer_is_rejected(pool: Pool, issuer: str) -> None:
    assert rejection_of(pool, pool.sign(access_claims(iss=issuer))) is RejectionReason.WRONG_ISSUER


def test_token_of_a_client_not_allowed_is_rejected(pool: Pool) -> None:
    token = pool.sign(access_claims(client_id=OTHER_CLIENT_ID))

    assert rejection_of(pool, token) is RejectionReason.CLIENT_NOT_ALLOWED


def test_id_token_in_place_of_an_access_token_is_rejected(pool: Pool) -> None:
    id_token_claims = access_claims(
        token_use="id",
        client_id=None,
        scope=None,
        username=None,
        aud=CLIENT_ID,
        email="someone@example.com",
        **{"cognito:username": "a-username"},
    )

    assert rejection_of(pool, pool.sign(id_token_claims)) is RejectionReason.WRONG_TOKEN_USE


def test_id_token_use_is_rejected_even_with_access_token_claims(pool: Pool) -> None:
    token = pool.sign(access_claims(token_use="id", aud=CLIENT_ID))

    assert rejection_of(pool, token) is RejectionReason.WRONG_TOKEN_USE


def test_token_with_a_tampered_payload_is_rejected(pool: Pool) -> None:
    header, _, signature = pool.sign(access_claims()).split(".")
    forged_payload = b64url_json(access_claims(sub="someone-else"))

    assert rejection_of(pool, f"{header}.{forged_payload}.{signature}") is (
        RejectionReason.BAD_SIGNATURE
    )


def test_token_with_a_tampered_signature_is_rejected(pool: Pool) -> None:
    header, payload, signature = pool.sign(access_claims()).split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[-1] ^= 0x01

    assert rejection_of(pool, f"{header}.{payload}.{b64url(bytes(raw))}") is (
        RejectionReason.BAD_SIGNATURE
    )


def test_token_with_its_signature_removed_is_rejected(pool: Pool) -> None:
    header, payload, _ = pool.sign(access_claims()).split(".")

    assert rejection_of(pool, f"{header}.{payload}.") is RejectionReason.BAD_SIGNATURE


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not-a-jwt",
        "a.b",
        "a.b.c.d",
        "....",
        "eyJ.eyJ.sig",
        "%%%.%%%.%%%",
        f"{b64url(b'not json')}.{b64url_json({'sub': SUB})}.c2ln",
        f"{b64url_json(['RS256'])}.{b64url_json({'sub': SUB})}.c2ln",
        "bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
    ],
)
def test_garbage_is_rejected_as_malformed(pool: Pool, garbage: str) -> None:
    assert rejection_of(pool, garbage) is RejectionReason.MALFORMED
    assert pool.fetcher.fetches == 0


def test_validly_signed_payload_that_is_not_json_is_rejected(pool: Pool) -> None:
    header = b64url_json({"alg": "RS256", "kid": KID})
    signing_input = f"{header}.{b64url(b'not json')}"
    signature = jwt.get_algorithm_by_name("RS256").sign(signing_input.encode(), pool.private_key)

    assert rejection_of(pool, f"{signing_input}.{b64url(signature)}") is RejectionReason.MALFORMED


def test_oversized_token_is_rejected_without_parsing(pool: Pool) -> None:
    token = pool.sign(access_claims(padding="x" * 10_000))

    assert rejection_of(pool, token) is RejectionReason.TOO_LARGE
    assert pool.fetcher.fetches == 0


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        ("sub", RejectionReason.MISSING_CLAIM),
        ("iss", RejectionReason.MISSING_CLAIM),
        ("exp", RejectionReason.MISSING_CLAIM),
        ("username", RejectionReason.MISSING_CLAIM),
        ("token_use", RejectionReason.WRONG_TOKEN_USE),
        ("client_id", RejectionReason.CLIENT_NOT_ALLOWED),
    ],
)
def test_token_missing_a_required_claim_is_rejected(
    pool: Pool, claim: str, reason: RejectionReason
) -> None:
    token = pool.sign(access_claims(**{claim: None}))

    assert rejection_of(pool, token) is reason


@pytest.mark.parametrize("sub", ["", 42, ["a"]])
def test_token_with_an_empty_or_non_string_sub_is_rejected(pool: Pool, sub: object) -> None:
    assert rejection_of(pool, pool.sign(access_claims(sub=sub))) in {
        RejectionReason.MISSING_CLAIM,
        RejectionReason.MALFORMED,
    }


@pytest.mark.parametrize("exp", ["1800000900", True, None])
def test_token_with_a_non_numeric_exp_is_rejected(pool: Pool, exp: object) -> None:
    claims = access_claims()
    claims["exp"] = exp

    assert rejection_of(pool, pool.sign(claims)) in {
        RejectionReason.MALFORMED,
        RejectionReason.MISSING_CLAIM,
    }


# --- leeway: at most 30 s ----------------------------------------------------------------------


def test_token_expired_less_than_30_seconds_ago_is_accepted(pool: Pool) -> None:
    pool.clock.now = NOW + 900 + 29

    assert pool.verifier.verify(pool.sign(access_claims())).sub == SUB


def test_token_expired_30_seconds_ago_is_rejected(pool: Pool) -> None:
    pool.clock.now = NOW + 900 + 30

    assert rejection_of(pool, pool.sign(access_claims())) is RejectionReason.EXPIRED


def test_token_valid_from_30_seconds_ahead_is_accepted(pool: Pool) -> None:
    token = pool.sign(access_claims(nbf=int(NOW) + 30, iat=int(NOW) + 30))

    assert pool.verifier.verify(token).sub == SUB


def test_token_valid_from_31_seconds_ahead_is_rejected(pool: Pool) -> None:
    token = pool.sign(access_claims(nbf=int(NOW) + 31))

    assert rejection_of(pool, token) is RejectionReason.NOT_YET_VALID


@pytest.mark.parametrize("leeway", [31.0, 300.0, -1.0])
def test_verifier_refuses_a_leeway_outside_0_to_30_seconds(pool: Pool, leeway: float) -> None:
    keys = JwksKeyCache(pool.fetcher, clock=pool.clock)

    with pytest.raises(ValueError, match="leeway"):
        AccessTokenVerifier(
            issuer=ISSUER,
            allowed_client_ids=[CLIENT_ID],
            keys=keys,
            clock=pool.clock,
            leeway_seconds=leeway,
        )


@pytest.mark.parametrize(("issuer", "clients"), [("", [CLIENT_ID]), (ISSUER, [])])
def test_verifier_refuses_to_run_without_issuer_or_clients(
    pool: Pool, issuer: str, clients: list[str]
) -> None:
    with pytest.raises(ValueError, match="required"):
        AccessTokenVerifier(
            issuer=issuer,
            allowed_client_ids=clients,
            keys=JwksKeyCache(pool.fetcher, clock=pool.clock),
            clock=pool.clock,
        )


# --- the JWKS cache ------------------------------------------------------------------------------


def test_jwks_is_fetched_once_and_reused_for_every_token(pool: Pool) -> None:
    for _ in range(5):
        pool.verifier.verify(pool.sign(access_claims()))

    assert pool.fetcher.fetches == 1


def test_random_unknown_kids_cause_at_most_one_refetch_per_minute(
    pool: Pool, stranger_key: rsa.RSAPrivateKey
) -> None:
    pool.verifier.verify(pool.sign(access_claims()))  # warm: fetch 1

    for attempt in range(100):
        pool.clock.now = NOW + attempt * 0.5  # 50 s of spraying
        token = pool.sign(access_claims(), key=stranger_key, kid=f"random-{attempt}")
        assert rejection_of(pool, token) is RejectionReason.UNKNOWN_KEY

    # Refetches are spaced 60 s from the last attempt: none was allowed in these 50 s.
    assert pool.fetcher.fetches == 1

    pool.clock.now = NOW + 60
    rejection_of(pool, pool.sign(access_claims(), key=stranger_key, kid="random-after-a-minute"))
    rejection_of(pool, pool.sign(access_claims(), key=stranger_key, kid="random-right-after"))

    assert pool.fetcher.fetches == 2


def test_unknown_kid_refetches_when_the_last_fetch_is_a_minute_old(
    pool: Pool, stranger_key: rsa.RSAPrivateKey
) -> None:
    pool.verifier.verify(pool.sign(access_claims()))
    pool.clock.now = NOW + 59.9
    rejection_of(pool, pool.sign(access_claims(), key=stranger_key, kid="unknown"))
    assert pool.fetcher.fetches == 1

    pool.clock.now = NOW + 60
    rejection_of(pool, pool.sign(access_claims(), key=stranger_key, kid="unknown"))

    assert pool.fetcher.fetches == 2


def test_key_added_to_the_jwks_is_picked_up_by_the_next_allowed_refetch(
    pool: Pool, stranger_key: rsa.RSAPrivateKey
) -> None:
    pool.verifier.verify(pool.sign(access_claims()))
    pool.fetcher.document = {"keys": [jwk_of(pool.private_key, KID), jwk_of(stranger_key, "k2")]}
    rotated_token = pool.sign(access_claims(exp=int(NOW) + 7200), key=stranger_key, kid="k2")
    pool.clock.now = NOW + 61

    assert pool.verifier.verify(rotated_token).sub == SUB
    assert pool.verifier.verify(pool.sign(access_claims(exp=int(NOW) + 7200))).sub == SUB
    assert pool.fetcher.fetches == 2


def test_key_withdrawn_from_the_jwks_stops_working_once_the_cache_is_an_hour_old(
    pool: Pool, stranger_key: rsa.RSAPrivateKey
) -> None:
    pool.verifier.verify(pool.sign(access_claims()))
    pool.fetcher.document = {"keys": [jwk_of(stranger_key, "k2")]}
    pool.clock.now = NOW + 3600
    long_lived = access_claims(exp=int(NOW) + 7200)

    assert rejection_of(pool, pool.sign(long_lived)) is RejectionReason.UNKNOWN_KEY
    assert pool.fetcher.fetches == 2


def test_cached_keys_keep_working_while_the_jwks_is_unreachable(pool: Pool) -> None:
    pool.verifier.verify(pool.sign(access_claims()))
    pool.fetcher.reachable = False
    pool.clock.now = NOW + 3600 * 2  # the cache is stale: a refresh is tried and fails
    long_lived = access_claims(exp=int(NOW) + 3600 * 3)

    assert pool.verifier.verify(pool.sign(long_lived)).sub == SUB
    assert pool.verifier.verify(pool.sign(long_lived)).sub == SUB
    assert pool.fetcher.fetches == 2


def undecided(pool: Pool, token: str) -> None:
    """`token` is neither accepted nor refused: its key cannot be had (the JWKS is unreachable)."""
    with pytest.raises(JwksUnavailable):
        pool.verifier.verify(token)


def test_unknown_kid_while_the_jwks_is_unreachable_is_undecided_not_rejected(
    pool: Pool, stranger_key: rsa.RSAPrivateKey
) -> None:
    pool.verifier.verify(pool.sign(access_claims()))
    pool.fetcher.reachable = False
    pool.clock.now = NOW + 60

    token = pool.sign(access_claims(), key=stranger_key, kid="unknown")

    undecided(pool, token)  # perhaps a rotated key: a 401 would end a valid session
    undecided(pool, token)
    assert pool.fetcher.fetches == 2  # the second call is inside the back-off: no fetch


def test_idp_down_at_cold_start_is_retried_within_a_second(pool: Pool) -> None:
    # Issue 11, point 3: one failed fetch used to lock the process out of its keys for 60 s.
    pool.fetcher.reachable = False
    token = pool.sign(access_claims())

    undecided(pool, token)
    pool.clock.now = NOW + FAILED_FETCH_FIRST_RETRY_SECONDS - 0.01
    undecided(pool, token)
    assert pool.fetcher.fetches == 1

    pool.fetcher.reachable = True
    pool.clock.now = NOW + FAILED_FETCH_FIRST_RETRY_SECONDS
    assert pool.verifier.verify(token).sub == SUB
    assert pool.fetcher.fetches == 2


def test_failed_fetches_back_off_exponentially_up_to_a_few_seconds(pool: Pool) -> None:
    pool.fetcher.reachable = False
    token = pool.sign(access_claims())
    fetched_at: list[float] = []
    for step in range(40 * 10):  # a call every 0.1 s for 40 s
        pool.clock.now = NOW + step / 10
        before = pool.fetcher.fetches
        undecided(pool, token)
        if pool.fetcher.fetches > before:
            fetched_at.append(round(pool.clock.now - NOW, 1))

    # 1 s, 2 s, 4 s, then every 5 s: one fetch per delay however many calls come in.
    assert FAILED_FETCH_MAX_RETRY_SECONDS == 5.0
    assert fetched_at == [0.0, 1.0, 3.0, 7.0, 12.0, 17.0, 22.0, 27.0, 32.0, 37.0]


def test_unknown_kids_sprayed_during_an_outage_fetch_at_most_once_per_back_off(
    pool: Pool, stranger_key: rsa.RSAPrivateKey
) -> None:
    pool.verifier.verify(pool.sign(access_claims()))  # warm: fetch 1
    pool.fetcher.reachable = False
    pool.clock.now = NOW + 60
    cached = pool.sign(access_claims(exp=int(NOW) + 900 + 120))
    for attempt in range(1200):  # 20 random kids a second for a minute
        pool.clock.now = NOW + 60 + attempt / 20
        undecided(pool, pool.sign(access_claims(), key=stranger_key, kid=f"random-{attempt}"))
        assert pool.verifier.verify(cached).sub == SUB  # the cached key works all along

    # At 60, 61, 63, 67, 72, 77, ..., 117 s: the back-off bounds the fetches, not the kids.
    assert pool.fetcher.fetches == 1 + 14


def test_after_recovery_unknown_kids_refetch_once_a_minute_again(
    pool: Pool, stranger_key: rsa.RSAPrivateKey
) -> None:
    pool.fetcher.reachable = False
    undecided(pool, pool.sign(access_claims()))  # fetch 1 fails
    pool.fetcher.reachable = True
    pool.clock.now = NOW + 1
    pool.verifier.verify(pool.sign(access_claims()))  # fetch 2 succeeds: the back-off is over

    for attempt in range(50):
        pool.clock.now = NOW + 1 + attempt
        token = pool.sign(access_claims(), key=stranger_key, kid=f"random-{attempt}")
        assert rejection_of(pool, token) is RejectionReason.UNKNOWN_KEY
    assert pool.fetcher.fetches == 2


def test_rotated_key_is_found_within_seconds_once_the_idp_is_back(
    pool: Pool, stranger_key: rsa.RSAPrivateKey
) -> None:
    pool.verifier.verify(pool.sign(access_claims()))
    pool.fetcher.reachable = False
    pool.clock.now = NOW + 60
    rotated = pool.sign(access_claims(exp=int(NOW) + 900), key=stranger_key, kid="k2")
    undecided(pool, rotated)

    pool.fetcher.document = {"keys": [jwk_of(pool.private_key, KID), jwk_of(stranger_key, "k2")]}
    pool.fetcher.reachable = True
    pool.clock.now = NOW + 60 + FAILED_FETCH_MAX_RETRY_SECONDS

    assert pool.verifier.verify(rotated).sub == SUB
    assert pool.fetcher.fetches == 3


def test_a_failed_stale_refresh_is_retried_once_a_minute_while_cached_keys_work(pool: Pool) -> None:
    pool.verifier.verify(pool.sign(access_claims()))
    pool.fetcher.reachable = False
    long_lived = access_claims(exp=int(NOW) + 3600 * 3)
    for second in range(60):
        pool.clock.now = NOW + 3600 + second
        assert pool.verifier.verify(pool.sign(long_lived)).sub == SUB

    assert pool.fetcher.fetches == 2  # no retry every few seconds: no key is missing
    pool.clock.now = NOW + 3600 + 60
    pool.verifier.verify(pool.sign(long_lived))
    assert pool.fetcher.fetches == 3


def test_gateway_retry_after_covers_the_longest_back_off() -> None:
    assert AUTHORIZER_RETRY_AFTER_SECONDS >= FAILED_FETCH_MAX_RETRY_SECONDS
    assert dict(GATEWAY_RESPONSES["AUTHORIZER_FAILURE"].headers) == {
        "Retry-After": str(AUTHORIZER_RETRY_AFTER_SECONDS)
    }
    assert GATEWAY_RESPONSES["AUTHORIZER_FAILURE"].status == 503


@pytest.mark.parametrize(
    ("first", "most", "interval"), [(0.0, 5.0, 60.0), (6.0, 5.0, 60.0), (1.0, 90.0, 60.0)]
)
def test_key_cache_refuses_a_back_off_that_is_not_bounded(
    pool: Pool, first: float, most: float, interval: float
) -> None:
    with pytest.raises(ValueError, match="retry"):
        JwksKeyCache(
            pool.fetcher,
            clock=pool.clock,
            first_retry_seconds=first,
            max_retry_seconds=most,
            refetch_interval_seconds=interval,
        )


@pytest.mark.parametrize(
    "unusable",
    [
        {"kty": "oct", "k": "c2VjcmV0", "alg": "HS256"},
        {"use": "enc"},
        {"alg": "RS512"},
        {"d": "private-part"},
    ],
    ids=["symmetric", "encryption-key", "other-alg", "private-key"],
)
def test_jwks_entries_that_are_not_rs256_signing_keys_are_ignored(
    pool: Pool, unusable: dict[str, str]
) -> None:
    pool.fetcher.document = {"keys": [{**jwk_of(pool.private_key, KID), **unusable}]}

    assert rejection_of(pool, pool.sign(access_claims())) is RejectionReason.UNKNOWN_KEY


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_rsa_key_shorter_than_2048_bits_in_the_jwks_is_ignored(pool: Pool) -> None:
    weak_key = rsa_key(1024)
    pool.fetcher.document = {"keys": [jwk_of(weak_key, KID)]}

    assert rejection_of(pool, pool.sign(access_claims(), key=weak_key)) is (
        RejectionReason.UNKNOWN_KEY
    )


@pytest.mark.parametrize("document", [{}, {"keys": "nope"}])
def test_jwks_document_without_a_key_list_decides_no_token(
    pool: Pool, document: dict[str, Any]
) -> None:
    pool.fetcher.document = document

    undecided(pool, pool.sign(access_claims()))  # a broken IdP answer is a failed fetch


def test_jwks_document_without_usable_keys_rejects_every_token(pool: Pool) -> None:
    pool.fetcher.document = {"keys": [1, "x", None]}

    assert rejection_of(pool, pool.sign(access_claims())) is RejectionReason.UNKNOWN_KEY


# --- the HTTP fetcher ---------------------------------------------------------------------------


class _JwksHandler(BaseHTTPRequestHandler):
    body: bytes = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def jwks_server(signing_key: rsa.RSAPrivateKey) -> Iterator[str]:
    """A loopback HTTP server publishing the pool's JWKS; yields its URL."""

    class PoolJwksHandler(_JwksHandler):
        body = json.dumps({"keys": [jwk_of(signing_key, KID)]}).encode()

    server = ThreadingHTTPServer(("127.0.0.1", 0), PoolJwksHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pool/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def test_http_fetcher_reads_the_jwks_document(jwks_server: str) -> None:
    document = HttpJwksFetcher(jwks_server)()

    assert [key["kid"] for key in document["keys"]] == [KID]


def test_http_fetcher_fails_fast_when_nothing_listens() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    with pytest.raises(JwksUnavailable):
        HttpJwksFetcher(f"http://127.0.0.1:{closed_port}/jwks.json")()


def test_http_fetcher_gives_up_after_its_timeout_when_the_idp_hangs() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/jwks.json"
        started = time.monotonic()

        with pytest.raises(JwksUnavailable):
            HttpJwksFetcher(url, timeout_seconds=0.3)()

        assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/jwks.json", "jwks.json"])
def test_http_fetcher_refuses_non_http_urls(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        HttpJwksFetcher(url)


def test_verifier_over_http_accepts_a_token_signed_by_the_published_key(
    jwks_server: str, signing_key: rsa.RSAPrivateKey
) -> None:
    clock = FakeClock()
    verifier = AccessTokenVerifier(
        issuer=ISSUER,
        allowed_client_ids=[CLIENT_ID],
        keys=JwksKeyCache(HttpJwksFetcher(jwks_server), clock=clock),
        clock=clock,
    )
    token = jwt.encode(access_claims(), signing_key, algorithm="RS256", headers={"kid": KID})

    assert verifier.verify(token).sub == SUB
