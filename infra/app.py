"""The CDK app: seven stacks, cdk-nag AwsSolutions checks in synthesis, acknowledgements in nag.py.

Run by the CDK CLI from `infra/` (see cdk.json): `make synth`, `make deploy`, `make destroy`.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

if __package__ in (None, ""):  # run as a script by the CDK CLI: make `infra` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aws_cdk import App, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from infra.config import InfraConfig
from infra.deployment import Deployment, NagAcknowledgement
from infra.nag import acknowledge_findings
from infra.stacks.api import ApiStack
from infra.stacks.auth import AuthStack
from infra.stacks.data import DataStack
from infra.stacks.observability import ObservabilityStack
from infra.stacks.reports import ReportsStack
from infra.stacks.web import PageNotBuiltError, WebContentStack, WebHostingStack, built_page

STACK_PREFIX = "PaymentsTracker"
FEATURE_FLAGS = {
    # S3 server access logs are granted by bucket policy, so log buckets can disable ACLs.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    # Exports stay protected while another stack imports them (today's behaviour, made explicit).
    "@aws-cdk/core:defaultCrossStackReferences": "strong",
}


def build_deployment(app: App | None = None) -> Deployment:
    """Every stack of the deployment, without the nag checks (see `build_app`)."""
    app = app or App()
    for flag, value in FEATURE_FLAGS.items():
        if app.node.try_get_context(flag) is None:
            app.node.set_context(flag, value)
    config = InfraConfig.from_context(app.node)
    data = DataStack(app, f"{STACK_PREFIX}Data", description="payments-tracker: customer data")
    web_hosting = WebHostingStack(
        app, f"{STACK_PREFIX}WebHosting", data=data, description="payments-tracker: web page"
    )
    # The page's origin joins the CORS allow-list, its address the web client's redirect URLs.
    config = replace(
        config,
        cors_allowed_origins=(*config.cors_allowed_origins, web_hosting.url),
        web_callback_urls=(*config.web_callback_urls, f"{web_hosting.url}/"),
        web_logout_urls=(*config.web_logout_urls, f"{web_hosting.url}/"),
    )
    auth = AuthStack(
        app, f"{STACK_PREFIX}Auth", config=config, description="payments-tracker: users"
    )
    api = ApiStack(
        app,
        f"{STACK_PREFIX}Api",
        config=config,
        auth=auth,
        data=data,
        description="payments-tracker: REST API v1",
    )
    reports = ReportsStack(
        app,
        f"{STACK_PREFIX}Reports",
        config=config,
        data=data,
        description="payments-tracker: monthly reports",
    )
    observability = ObservabilityStack(
        app,
        f"{STACK_PREFIX}Observability",
        config=config,
        data=data,
        api=api,
        reports=reports,
        description="payments-tracker: alarms and dashboard",
    )
    web_content = WebContentStack(
        app,
        f"{STACK_PREFIX}WebContent",
        hosting=web_hosting,
        auth=auth,
        api=api,
        page_dir=built_page(),
        description="payments-tracker: web page content and config.json",
    )
    Tags.of(app).add("project", "payments-tracker")
    return Deployment(
        app, config, auth, data, api, reports, observability, web_hosting, web_content
    )


def add_nag_checks(deployment: Deployment) -> list[NagAcknowledgement]:
    """AwsSolutions checks run at synthesis; any finding not acknowledged in nag.py fails it."""
    acknowledged = acknowledge_findings(deployment)
    Validations.of(deployment.app).add_plugins(AwsSolutionsChecks(deployment.app))
    return acknowledged


def build_app(app: App | None = None) -> Deployment:
    """The deployment with nag checks on: what `cdk synth` runs."""
    deployment = build_deployment(app)
    return replace(deployment, acknowledgements=tuple(add_nag_checks(deployment)))


if __name__ == "__main__":
    try:
        build_app().app.synth()
    except PageNotBuiltError as error:
        sys.exit(f"error: {error}")
