"""The user pool's signing keys: fetched over HTTP, cached per process, refetched sparingly."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from jwt import PyJWK
from jwt.exceptions import PyJWTError

from .errors import RejectionReason, TokenRejected

Clock = Callable[[], float]
"""Seconds since the epoch (`time.time`); injected so tests control time."""

JwksFetcher = Callable[[], Mapping[str, Any]]
"""Returns the JWKS document (`{"keys": [...]}`) or raises `JwksUnavailable`."""

MIN_RSA_KEY_BITS = 2048
MAX_JWKS_BYTES = 64 * 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class JwksUnavailable(Exception):
    """The JWKS could not be fetched or parsed."""


class HttpJwksFetcher:
    """Fetches a JWKS document over HTTP(S) with a short timeout, so a dead IdP never hangs us."""

    def __init__(self, url: str, *, timeout_seconds: float = 2.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"https", "http"}:
            raise ValueError("the JWKS URL must be http(s)")
        self._url = url
        self._timeout_seconds = timeout_seconds
        # A developer's HTTP(S)_PROXY must not capture the local identity provider on loopback.
        loopback = parts.hostname in LOOPBACK_HOSTS
        self._opener = urllib.request.build_opener(
            *([urllib.request.ProxyHandler({})] if loopback else [])
        )

    def __call__(self) -> Mapping[str, Any]:
        """Download and parse the JWKS document."""
        request = urllib.request.Request(self._url, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked in __init__
        try:
            with self._opener.open(request, timeout=self._timeout_seconds) as response:
                body = response.read(MAX_JWKS_BYTES + 1)
        except (OSError, ValueError) as error:  # URLError, HTTPError and timeouts are OSErrors
            raise JwksUnavailable(type(error).__name__) from error
        if len(body) > MAX_JWKS_BYTES:
            raise JwksUnavailable("JWKS document too large")
        try:
            document = json.loads(body)
        except ValueError as error:
            raise JwksUnavailable("JWKS document is not JSON") from error
        if not isinstance(document, dict):
            raise JwksUnavailable("JWKS document is not an object")
        return document


def parse_rsa_signing_keys(document: Mapping[str, Any]) -> dict[str, PyJWK]:
    """The RS256 signing keys of a JWKS document by `kid`; any other key is ignored."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise JwksUnavailable("JWKS document has no key list")
    keys: dict[str, PyJWK] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        usable = (
            isinstance(kid, str)
            and entry.get("kty") == "RSA"
            and entry.get("use", "sig") == "sig"
            and entry.get("alg", "RS256") == "RS256"
            and "d" not in entry  # a private key has no place in a JWKS: refuse to use it
        )
        if not usable:
            continue
        try:
            key = PyJWK(entry, algorithm="RS256")
        except PyJWTError:
            continue
        if getattr(key.key, "key_size", 0) < MIN_RSA_KEY_BITS:
            continue
        keys[str(kid)] = key
    return keys


class JwksKeyCache:
    """Signing keys by `kid`, cached for the life of the process.

    An unknown `kid` triggers a refetch at most once per `refetch_interval_seconds`, so a caller
    spraying random kids cannot make us hammer the IdP. Keys older than `max_age_seconds` are
    refreshed on next use (so a key the pool withdrew stops working); if that fetch fails the
    cached keys keep working.
    """

    def __init__(
        self,
        fetch: JwksFetcher,
        *,
        clock: Clock,
        refetch_interval_seconds: float = 60.0,
        max_age_seconds: float = 3600.0,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._refetch_interval_seconds = refetch_interval_seconds
        self._max_age_seconds = max_age_seconds
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._last_attempt_failed = False
        self._lock = threading.Lock()

    def signing_key(self, kid: str) -> PyJWK:
        """The key for `kid`, fetching the JWKS if allowed; `TokenRejected` if there is none."""
        with self._lock:
            now = self._clock()
            if (kid not in self._keys or self._is_stale(now)) and self._may_fetch(now):
                self._refresh(now)
            key = self._keys.get(kid)
        if key is None:
            reason = (
                RejectionReason.JWKS_UNAVAILABLE
                if self._last_attempt_failed
                else RejectionReason.UNKNOWN_KEY
            )
            raise TokenRejected(reason)
        return key

    def _is_stale(self, now: float) -> bool:
        return self._fetched_at is None or now - self._fetched_at >= self._max_age_seconds

    def _may_fetch(self, now: float) -> bool:
        if self._attempted_at is None:
            return True
        elapsed = now - self._attempted_at
        # A clock that went backwards must not block refetches until it catches up.
        return elapsed < 0 or elapsed >= self._refetch_interval_seconds

    def _refresh(self, now: float) -> None:
        self._attempted_at = now
        try:
            keys = parse_rsa_signing_keys(self._fetch())
        except (JwksUnavailable, OSError, ValueError):
            self._last_attempt_failed = True
            return
        self._keys = keys
        self._fetched_at = now
        self._last_attempt_failed = False
