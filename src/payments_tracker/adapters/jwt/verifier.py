"""Verification of Cognito access tokens (docs/design.md §2 "Lambda authorizer", §8 JWT attacks)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidIssuerError,
    InvalidSignatureError,
    MissingRequiredClaimError,
    PyJWTError,
)

from .errors import RejectionReason, TokenRejected
from .jwks import Clock, JwksKeyCache

ALGORITHM = "RS256"
MAX_LEEWAY_SECONDS = 30.0
MAX_TOKEN_LENGTH = 8192
"""Cognito access tokens are 1 to 2 KB; anything this long is not one of ours."""

_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_REQUIRED_CLAIMS = ["iss", "exp", "sub"]
"""Checked by PyJWT; `token_use`, `client_id` and `username` are checked after, with own reasons."""


@dataclass(frozen=True, slots=True)
class AccessTokenClaims:
    """Who is calling, as a verified access token says."""

    sub: str
    username: str
    client_id: str
    scope: str


class AccessTokenVerifier:
    """Accepts only RS256 access tokens of one user pool, issued to an allowed app client."""

    def __init__(
        self,
        *,
        issuer: str,
        allowed_client_ids: Collection[str],
        keys: JwksKeyCache,
        clock: Clock,
        leeway_seconds: float = MAX_LEEWAY_SECONDS,
    ) -> None:
        if not issuer:
            raise ValueError("an issuer is required")
        if not allowed_client_ids:
            raise ValueError("at least one allowed client id is required")
        if not 0 <= leeway_seconds <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"leeway must be between 0 and {MAX_LEEWAY_SECONDS:g} seconds")
        self._issuer = issuer
        self._allowed_client_ids = frozenset(allowed_client_ids)
        self._keys = keys
        self._clock = clock
        self._leeway_seconds = leeway_seconds

    def verify(self, token: str) -> AccessTokenClaims:
        """The claims of `token` if it is a valid access token, else `TokenRejected`.

        `JwksUnavailable` when the token's key is not cached and the JWKS cannot be fetched: the
        token is neither accepted nor refused.
        """
        if len(token) > MAX_TOKEN_LENGTH:
            raise TokenRejected(RejectionReason.TOO_LARGE)
        if not _COMPACT_JWS.fullmatch(token):
            raise TokenRejected(RejectionReason.MALFORMED)
        kid = self._key_id(token)
        payload = self._verified_payload(token, kid)
        self._check_validity_period(payload)
        return self._access_claims(payload)

    @staticmethod
    def _key_id(token: str) -> str:
        try:
            header = jwt.get_unverified_header(token)
        except PyJWTError:
            raise TokenRejected(RejectionReason.MALFORMED) from None
        # Checked before any key lookup: `none`, HS256 (even keyed with our public key) and every
        # other algorithm never reach a signature check, nor a JWKS fetch.
        if header.get("alg") != ALGORITHM:
            raise TokenRejected(RejectionReason.UNSUPPORTED_ALGORITHM)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejected(RejectionReason.UNKNOWN_KEY)
        return kid

    def _verified_payload(self, token: str, kid: str) -> dict[str, Any]:
        key = self._keys.signing_key(kid)
        try:
            return jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                options={
                    "require": _REQUIRED_CLAIMS,
                    # Times are checked below against the injected clock.
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    # Cognito access tokens carry no `aud`; `client_id` is checked instead.
                    "verify_aud": False,
                },
            )
        except InvalidSignatureError:
            raise TokenRejected(RejectionReason.BAD_SIGNATURE) from None
        except InvalidAlgorithmError:
            raise TokenRejected(RejectionReason.UNSUPPORTED_ALGORITHM) from None
        except InvalidIssuerError:
            raise TokenRejected(RejectionReason.WRONG_ISSUER) from None
        except MissingRequiredClaimError:
            raise TokenRejected(RejectionReason.MISSING_CLAIM) from None
        except (DecodeError, PyJWTError):
            raise TokenRejected(RejectionReason.MALFORMED) from None

    def _check_validity_period(self, payload: dict[str, Any]) -> None:
        now = self._clock()
        expires_at = _numeric_date(payload.get("exp"))
        if expires_at <= now - self._leeway_seconds:
            raise TokenRejected(RejectionReason.EXPIRED)
        for claim in ("nbf", "iat"):
            if claim in payload and _numeric_date(payload[claim]) > now + self._leeway_seconds:
                raise TokenRejected(RejectionReason.NOT_YET_VALID)

    def _access_claims(self, payload: dict[str, Any]) -> AccessTokenClaims:
        if payload.get("token_use") != "access":
            raise TokenRejected(RejectionReason.WRONG_TOKEN_USE)
        client_id = payload.get("client_id")
        if not isinstance(client_id, str) or client_id not in self._allowed_client_ids:
            raise TokenRejected(RejectionReason.CLIENT_NOT_ALLOWED)
        sub = payload.get("sub")
        username = payload.get("username")
        scope = payload.get("scope", "")
        if not isinstance(sub, str) or not sub or not isinstance(username, str) or not username:
            raise TokenRejected(RejectionReason.MISSING_CLAIM)
        if not isinstance(scope, str):
            raise TokenRejected(RejectionReason.MALFORMED)
        return AccessTokenClaims(sub=sub, username=username, client_id=client_id, scope=scope)


def _numeric_date(value: object) -> float:
    """A JWT NumericDate claim as a float; anything else makes the token malformed."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenRejected(RejectionReason.MALFORMED)
    return float(value)
