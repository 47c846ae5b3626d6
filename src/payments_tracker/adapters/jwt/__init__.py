"""Token verification against a JWKS: the authorizer's only way to decide who is calling."""

from .errors import RejectionReason, TokenRejected
from .jwks import (
    FAILED_FETCH_FIRST_RETRY_SECONDS,
    FAILED_FETCH_MAX_RETRY_SECONDS,
    Clock,
    HttpJwksFetcher,
    JwksFetcher,
    JwksKeyCache,
    JwksUnavailable,
)
from .verifier import MAX_LEEWAY_SECONDS, MAX_TOKEN_LENGTH, AccessTokenClaims, AccessTokenVerifier

__all__ = [
    "FAILED_FETCH_FIRST_RETRY_SECONDS",
    "FAILED_FETCH_MAX_RETRY_SECONDS",
    "MAX_LEEWAY_SECONDS",
    "MAX_TOKEN_LENGTH",
    "AccessTokenClaims",
    "AccessTokenVerifier",
    "Clock",
    "HttpJwksFetcher",
    "JwksFetcher",
    "JwksKeyCache",
    "JwksUnavailable",
    "RejectionReason",
    "TokenRejected",
]
