"""The deployment's settings: CDK context values with production defaults, read once per app.

Every limit the design leaves open is stated here, with its reason, so a reviewer reads one file
(docs/adr/0003-infrastructure.md explains the choices). Override any of them with
`cdk deploy -c key=value` or in `infra/cdk.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aws_cdk import aws_cognito as cognito
from constructs import Node

FEATURE_PLANS: dict[str, cognito.FeaturePlan] = {
    "lite": cognito.FeaturePlan.LITE,
    "essentials": cognito.FeaturePlan.ESSENTIALS,
    "plus": cognito.FeaturePlan.PLUS,
}


@dataclass(frozen=True)
class RateLimits:
    """Request limits at the edge (WAF, per 5-minute window) and on the stage (per second)."""

    # ~10 req/s sustained from one address: room for many customers behind one carrier NAT.
    waf_per_ip_per_5_minutes: int = 3000
    # ~1 req/s sustained for one access token: far above what one customer's app or CLI needs.
    waf_per_token_per_5_minutes: int = 300
    # Stage-wide steady rate and burst: bounds the Lambda concurrency the API can cause.
    stage_rate_per_second: float = 200
    stage_burst: int = 400


@dataclass(frozen=True)
class ConcurrencyLimits:
    """Reserved concurrency per function: a cap against runaway cost and a guaranteed floor."""

    # 200 req/s x ~100 ms per request needs ~20 environments; 100 leaves headroom for slow spells.
    api: int = 100
    # The authorizer runs once per token per 60 s (its cache), so far less often than `api`.
    authorizer: int = 50
    # One per shard: the Step Functions Map runs 16 shards at once (MaxConcurrency 16).
    report: int = 16


@dataclass(frozen=True)
class InfraConfig:
    """What differs between deployments; everything else is fixed in the stacks."""

    feature_plan: str = "essentials"
    # Origins and `web` redirects beyond the web page's own, which app.py always adds. None by
    # default: a deployed stage trusts no localhost page (a local one talks to the local stack);
    # add one only by naming it (`-c corsAllowedOrigins=... -c webCallbackUrls=...`).
    cors_allowed_origins: tuple[str, ...] = ()
    web_callback_urls: tuple[str, ...] = ()
    web_logout_urls: tuple[str, ...] = ()
    # The CLI's loopback redirect (RFC 8252, like `aws sso login`): Cognito allows plain http for
    # localhost, and only the `cli` client has it.
    cli_callback_urls: tuple[str, ...] = ("http://localhost:8976/callback",)
    alarm_email: str | None = None
    reserve_concurrency: bool = True
    log_retention_days: int = 90
    rate_limits: RateLimits = RateLimits()
    concurrency: ConcurrencyLimits = ConcurrencyLimits()

    @property
    def cognito_feature_plan(self) -> cognito.FeaturePlan:
        """The Cognito feature plan as the CDK enum."""
        return FEATURE_PLANS[self.feature_plan]

    @property
    def threat_protection(self) -> bool:
        """Cognito threat protection exists only on the Plus plan."""
        return self.feature_plan == "plus"

    @classmethod
    def from_context(cls, node: Node) -> InfraConfig:
        """Read the overrides from CDK context (`-c key=value` or cdk.json)."""
        defaults = cls()
        plan = str(_context(node, "cognitoFeaturePlan", defaults.feature_plan)).lower()
        if plan not in FEATURE_PLANS:
            raise ValueError(f"cognitoFeaturePlan must be one of {sorted(FEATURE_PLANS)}: {plan!r}")
        email = _context(node, "alarmEmail", None)
        return cls(
            feature_plan=plan,
            cors_allowed_origins=_strings(
                node, "corsAllowedOrigins", defaults.cors_allowed_origins
            ),
            web_callback_urls=_strings(node, "webCallbackUrls", defaults.web_callback_urls),
            web_logout_urls=_strings(node, "webLogoutUrls", defaults.web_logout_urls),
            cli_callback_urls=_strings(node, "cliCallbackUrls", defaults.cli_callback_urls),
            alarm_email=str(email) if email else None,
            reserve_concurrency=_flag(node, "reserveConcurrency", defaults.reserve_concurrency),
            log_retention_days=int(_context(node, "logRetentionDays", defaults.log_retention_days)),
        )


def _context(node: Node, key: str, default: Any) -> Any:
    value = node.try_get_context(key)
    return default if value is None else value


def _strings(node: Node, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A list from cdk.json, or a comma-separated string or JSON list from `-c key=...`."""
    value = _context(node, key, default)
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else text.split(",")
    return tuple(str(item).strip() for item in value if str(item).strip())


def _flag(node: Node, key: str, default: bool) -> bool:
    value = _context(node, key, default)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
