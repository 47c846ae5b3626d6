"""The customer web page's runtime settings and security policy: shared by local and infra.

The page (`web/`) is built once; where it runs, a `config.json` beside it says which API and which
identity provider to use, and the server sends the same strict Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

TERMS_VERSION: Final = "2026-01"
"""The version of the credit-file sharing terms the page shows and asks consent to."""
WEB_SCOPES: Final = ("openid", "email")
"""OAuth scopes the page asks for (the `web` client must allow them)."""


class PageConfig(BaseModel):
    """`config.json` of the web page (camelCase, read by web/src/config.ts)."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    api_url: str = Field(alias="apiUrl")
    issuer: str
    authorization_endpoint: str = Field(alias="authorizationEndpoint")
    token_endpoint: str = Field(alias="tokenEndpoint")
    logout_endpoint: str | None = Field(default=None, alias="logoutEndpoint")
    client_id: str = Field(alias="clientId")
    scope: str = " ".join(WEB_SCOPES)
    terms_version: str = Field(default=TERMS_VERSION, alias="termsVersion")

    def to_json(self) -> str:
        """The file's text."""
        return self.model_dump_json(by_alias=True, indent=2) + "\n"


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of `url` (what CORS and CSP compare)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(connect_origins: Iterable[str]) -> str:
    """A strict CSP for the page: its own scripts and styles only; fetch only to these origins.

    Vite's build has no inline script or style, so nothing needs 'unsafe-inline' or a hash. The
    sign-in leaves for the identity provider by navigation, which `connect-src` does not govern.
    """
    connect = " ".join(["'self'", *sorted(set(connect_origins))])
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "font-src 'self'",
            "manifest-src 'self'",
            f"connect-src {connect}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ]
    )
