"""Token verification against a JWKS: the authorizer's only way to decide who is calling."""

from .errors import RejectionReason, TokenRejected
from .jwks import Clock, HttpJwksFetcher, JwksFetcher, JwksKeyCache, JwksUnavailable
from .verifier import MAX_LEEWAY_SECONDS, MAX_TOKEN_LENGTH, AccessTokenClaims, AccessTokenVerifier

__all__ = [
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
