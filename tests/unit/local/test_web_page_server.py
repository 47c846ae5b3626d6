"""The local web page server: the built page, its config.json, and the headers CloudFront sends."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.testclient import TestClient

from payments_tracker.edge.web_config import PageConfig, content_security_policy
from payments_tracker.local.config import CognitoConfig, DynamoDBConfig, LocalConfig
from payments_tracker.local.web import create_app, page_config, page_is_current

CONFIG = LocalConfig(
    api_url="http://127.0.0.1:3000",
    web_url="http://127.0.0.1:5173",
    region="us-east-1",
    dynamodb=DynamoDBConfig(endpoint="http://127.0.0.1:8000", table_name="payments"),
    cognito=CognitoConfig(
        endpoint="http://127.0.0.1:9229",
        user_pool_id="local_pool",
        client_id="cli-client",
        issuer="http://127.0.0.1:9229/local_pool",
        jwks_url="http://127.0.0.1:9229/local_pool/.well-known/jwks.json",
        web_client_id="web-client",
    ),
)


def test_page_config_names_cognito_locals_oauth_endpoints_and_the_web_client() -> None:
    page = page_config(CONFIG)

    assert page.client_id == "web-client"
    assert page.authorization_endpoint == "http://127.0.0.1:9229/oauth2/authorize"
    assert page.token_endpoint == "http://127.0.0.1:9229/oauth2/token"
    assert page.issuer == CONFIG.cognito.issuer
    assert page.logout_endpoint is None


def test_the_csp_allows_own_scripts_only_and_fetches_to_the_named_origins() -> None:
    policy = content_security_policy(["http://127.0.0.1:3000", "http://127.0.0.1:9229"])

    assert "script-src 'self';" in policy
    assert "unsafe" not in policy
    assert "connect-src 'self' http://127.0.0.1:3000 http://127.0.0.1:9229;" in policy
    assert "frame-ancestors 'none'" in policy


def test_server_sends_the_page_its_config_and_the_security_headers(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>page</title>", encoding="utf-8")
    client = TestClient(create_app(tmp_path, page_config(CONFIG)))

    index = client.get("/")
    config = client.get("/config.json")

    assert index.status_code == 200
    assert "<title>page</title>" in index.text
    assert PageConfig.model_validate(config.json()).client_id == "web-client"
    assert config.headers["cache-control"] == "no-store"
    for response in (index, config, client.get("/missing.js")):
        assert (
            "connect-src 'self' http://127.0.0.1:3000"
            in response.headers["content-security-policy"]
        )
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


def test_the_page_is_rebuilt_when_a_source_is_newer_than_the_build(tmp_path: Path) -> None:
    web = tmp_path / "web"
    (web / "src").mkdir(parents=True)
    (web / "dist").mkdir()
    source = web / "src" / "main.ts"
    source.write_text("export {};\n", encoding="utf-8")
    stamp = web / "dist" / ".build-stamp"
    stamp.touch()
    os.utime(source, (1_000, 1_000))
    assert page_is_current(web)

    os.utime(source, None)
    os.utime(stamp, (1_000, 1_000))
    assert not page_is_current(web)
