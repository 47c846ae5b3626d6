"""Deployment settings from CDK context, and the Cognito plan switch (no full synthesis)."""

from __future__ import annotations

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template
from infra.config import InfraConfig
from infra.stacks.auth import AuthStack
from infra.stacks.common import retention


def test_context_overrides_defaults_from_lists_or_comma_separated_strings() -> None:
    app = App(
        context={
            "corsAllowedOrigins": "https://a.example, https://b.example",
            "cliCallbackUrls": ["http://localhost:9999/callback"],
            "reserveConcurrency": "false",
            "cognitoFeaturePlan": "PLUS",
        }
    )
    config = InfraConfig.from_context(app.node)
    assert config.cors_allowed_origins == ("https://a.example", "https://b.example")
    assert config.cli_callback_urls == ("http://localhost:9999/callback",)
    assert config.reserve_concurrency is False
    assert config.threat_protection is True


def test_defaults_are_essentials_without_threat_protection() -> None:
    config = InfraConfig.from_context(App().node)
    assert config.feature_plan == "essentials"
    assert config.threat_protection is False


def test_defaults_name_no_localhost_page_but_keep_the_clis_loopback_redirect() -> None:
    config = InfraConfig.from_context(App().node)
    assert config.cors_allowed_origins == ()
    assert config.web_callback_urls == ()
    assert config.web_logout_urls == ()
    assert config.cli_callback_urls == ("http://localhost:8976/callback",)


def test_unknown_plan_and_unsupported_retention_fail_the_synthesis() -> None:
    with pytest.raises(ValueError, match="cognitoFeaturePlan"):
        InfraConfig.from_context(App(context={"cognitoFeaturePlan": "gold"}).node)
    with pytest.raises(ValueError, match="logRetentionDays"):
        retention(45)


def test_plus_plan_turns_threat_protection_on() -> None:
    # The web page's redirect comes from the hosting stack in the app; alone, it is given here.
    app = App(context={"cognitoFeaturePlan": "plus", "webCallbackUrls": "https://app.example/"})
    stack = AuthStack(app, "Auth", config=InfraConfig.from_context(app.node))
    pools = Template.from_stack(stack).find_resources("AWS::Cognito::UserPool")
    (pool,) = pools.values()
    assert pool["Properties"]["UserPoolTier"] == "PLUS"
    assert pool["Properties"]["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
