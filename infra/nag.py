"""Every cdk-nag acknowledgement of the deployment, each with the reason a reviewer can check.

One file on purpose: a security review reads this and nothing else. Each entry names the exact
construct and finding id (v3 ids carry the `AwsSolutions-` prefix and, for IAM findings, the
`[Resource::…]` part); tests/infra proves each one still matches a real finding, so a stale or
mistyped entry fails the build instead of silently matching nothing.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

from infra.deployment import Deployment, NagAcknowledgement
from infra.stacks.web import acknowledge_web_findings

XRAY = (
    "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions "
    "(Resource must be '*'); CDK adds exactly these two actions for active tracing, nothing else."
)
LAMBDA_RUNTIME = (
    "docs/design.md §2 pins Python 3.13 (supported by Lambda well past 2028), and the bundle's "
    "wheels are chosen for cp313 (infra/bundling.py). Moving to a newer runtime is a deliberate "
    "change of runtime and bundling platform together, checked by the test "
    "suite, not a silent bump."
)


def acknowledge_findings(deployment: Deployment) -> list[NagAcknowledgement]:
    """Acknowledge the findings below on their constructs; returns them for the tests."""
    acknowledged: list[NagAcknowledgement] = []

    def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
        Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))
        acknowledged.append(NagAcknowledgement(construct.node.path, rule, reason))

    auth, api, reports = deployment.auth, deployment.api, deployment.reports

    # --- Auth -------------------------------------------------------------------------------
    acknowledge(
        auth.user_pool,
        "AwsSolutions-COG2",
        "MFA is optional (TOTP) by product decision (docs/design.md §2): customers of a bank's app "
        "are not forced to enrol an authenticator to record their own payments. The data is "
        "customer-asserted and reads are limited to the caller's own records; access tokens live "
        "15 minutes and refresh tokens are revocable.",
    )
    if not deployment.config.threat_protection:
        acknowledge(
            auth.user_pool,
            "AwsSolutions-COG8",
            "The feature plan is a setting (cdk context cognitoFeaturePlan), Essentials by "
            "default: Plus adds threat protection but is priced per monthly active user and is "
            "likely the largest line of the bill (docs/adr/0003-infrastructure.md, cost model). "
            "WAF rate rules and the 12-character password policy stand in front of sign-in; "
            "switching to Plus turns threat protection on (full function) with no other change.",
        )

    # --- Api --------------------------------------------------------------------------------
    acknowledge(
        api.cursor_key,
        "AwsSolutions-SMG4",
        "The cursor HMAC key only authenticates pagination cursors that expire after an hour; "
        "it protects no stored data. It is resolved into the function's (KMS-encrypted) "
        "configuration at deploy time, so rotating means a new secret version plus a deploy, "
        "which invalidates only open cursors (ADR 0003). A rotation Lambda would add moving parts "
        "for no gain in this threat model.",
    )
    for function in (api.authorizer_function, api.api_function):
        acknowledge(
            function.role.node.find_child("DefaultPolicy"), "AwsSolutions-IAM5[Resource::*]", XRAY
        )
        acknowledge(function.function, "AwsSolutions-L1", LAMBDA_RUNTIME)
    acknowledge(
        api.rest_api,
        "AwsSolutions-APIG2",
        "Request validation is the api function's job on purpose: the same handler runs behind "
        "the local gateway, so every test exercises it, and it answers with problem+json naming "
        "the field and the rule (docs/design.md §4). Gateway validation would answer first, in "
        "another format, and only on AWS. The authorizer still rejects unauthenticated requests at "
        "the gateway.",
    )
    cloud_watch_role = api.rest_api.node.find_child("CloudWatchRole")
    acknowledge(
        cloud_watch_role,
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AmazonAPIGatewayPushToCloudWatchLogs]",
        "This is the account-level role API Gateway uses to write execution logs (required by "
        "AwsSolutions-APIG6). AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents "
        "for it; it grants only CloudWatch Logs writes and is assumable by API Gateway only.",
    )
    for method in api.rest_api.methods:
        if method.http_method != "OPTIONS":
            acknowledge(
                method,
                "AwsSolutions-COG4",
                "Every route uses the Lambda TOKEN authorizer instead of a Cognito authorizer "
                "(docs/design.md §2): it verifies the Cognito access token's RS256 signature "
                "against the pool's JWKS, issuer, expiry, token_use and client id, and the same "
                "code runs in the local gateway so the tests exercise the check that "
                "guards production.",
            )

    # --- Reports ----------------------------------------------------------------------------
    report_policy = reports.report_function.role.node.find_child("DefaultPolicy")
    acknowledge(report_policy, "AwsSolutions-IAM5[Resource::*]", XRAY)
    acknowledge(reports.report_function.function, "AwsSolutions-L1", LAMBDA_RUNTIME)
    acknowledge(
        report_policy,
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::payments-tracker-exports-"
        "<AWS::AccountId>-<AWS::Region>/*]",
        "The report function writes the month's export parts and manifest, whose keys are made "
        "at run time (<month>/…, <month>/corrections/<runId>/…); PutObject only, only in the "
        "export bucket: no read, no list, no delete.",
    )
    machine_policy = reports.state_machine.role.node.find_child("DefaultPolicy")
    acknowledge(
        machine_policy,
        "AwsSolutions-IAM5[Resource::*]",
        "Added by CDK for Step Functions logging and tracing: the CloudWatch Logs delivery "
        "actions (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, …) and X-Ray's "
        "PutTraceSegments support no resource-level permissions, as AWS documents for state "
        "machine logging. Invoking the report function is granted on its ARN alone.",
    )
    acknowledge(
        reports.schedule_dlq,
        "AwsSolutions-SQS3",
        "This queue is itself the dead-letter queue of the monthly schedule (EventBridge "
        "Scheduler's DeadLetterConfig, which cdk-nag does not recognise as a DLQ link); a message "
        "here raises the ReportRunMissing alarm.",
    )
    # --- Web ----------------------------------------------------------------------------------
    acknowledge_web_findings(deployment.web_hosting, deployment.web_content, acknowledge)
    return acknowledged
