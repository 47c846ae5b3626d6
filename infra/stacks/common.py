"""Small pieces every stack uses: log retention and the function settings' variable names."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Construct

from payments_tracker.composition.settings import Settings
from payments_tracker.observability import METRICS_NAMESPACE, SERVICE_NAME

RETENTION: dict[int, logs.RetentionDays] = {
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
}


def retention(days: int) -> logs.RetentionDays:
    """CloudWatch Logs accepts only certain retention periods."""
    if days not in RETENTION:
        raise ValueError(f"logRetentionDays must be one of {sorted(RETENTION)}: {days}")
    return RETENTION[days]


def log_group(
    scope: Construct, construct_id: str, days: int, name: str | None = None
) -> logs.LogGroup:
    """A log group with a retention period, kept on stack deletion (logs are audit material)."""
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=name,
        retention=retention(days),
        removal_policy=RemovalPolicy.RETAIN,
    )


def setting_env(field: str) -> str:
    """The environment variable of a `Settings` field; an unknown field fails the synth."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    if field not in Settings.model_fields:
        raise KeyError(f"payments_tracker.composition.settings.Settings has no field {field!r}")
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, str):
        return alias
    return f"{prefix}{field}".upper()


POWERTOOLS_ENV = {
    "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
    "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    "POWERTOOLS_LOG_LEVEL": "INFO",
    # Never log event payloads or responses: they carry descriptions and amounts.
    "POWERTOOLS_LOGGER_LOG_EVENT": "false",
}
