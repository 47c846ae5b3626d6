"""Web: the customer web page in a private S3 bucket behind CloudFront (origin access control).

Two stacks break what would be a cycle: the API's CORS allow-list and the `web` client's callback
URLs need the distribution's address, while the page's `config.json` needs the API's URL and the
client id. So `WebHostingStack` (bucket, distribution, headers) comes first, Auth and Api take its
URL, and `WebContentStack` uploads the built page and its config.json last.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Unpack

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct, IConstruct

from infra.stacks.api import ApiStack
from infra.stacks.auth import AuthStack
from infra.stacks.data import DataStack
from infra.stacks.options import StackOptions
from payments_tracker.edge.web_config import PageConfig, content_security_policy

HSTS_MAX_AGE = Duration.days(365)
LOG_EXPIRY = Duration.days(400)
CONFIG_OBJECT = "config.json"
SITE_BUCKET_NAME = f"payments-tracker-web-{Aws.ACCOUNT_ID}-{Aws.REGION}"
"""Named, so the content stack addresses it by name (a predictable ARN, no export)."""
REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = REPO_ROOT / "web" / "dist"
"""Where `make web` writes the built page (mk/web.mk); the content stack uploads it as is."""


def cognito_domain_origin() -> str:
    """The managed login domain's origin (AuthStack's prefix), known without a stack reference."""
    return f"https://payments-tracker-{Aws.ACCOUNT_ID}.auth.{Aws.REGION}.amazoncognito.com"


def page_policy() -> str:
    """The page's CSP on AWS: fetch only to API Gateway of this region and the login domain.

    The REST API's id is not known here without a cycle (the API needs this distribution's URL for
    CORS), so `connect-src` names the regional execute-api wildcard; scripts and styles stay
    'self' only, and nothing may frame the page.
    """
    api_hosts = f"https://*.execute-api.{Aws.REGION}.amazonaws.com"
    return content_security_policy([api_hosts, cognito_domain_origin()])


class PageNotBuiltError(RuntimeError):
    """web/dist holds no built page: `make web` builds it (synth, deploy and run depend on it)."""


def built_page(dist: Path = WEB_DIST) -> Path:
    """The page as `make web` built it into web/dist: infra only reads it, it never builds it."""
    if not (dist / "index.html").is_file():
        shown = dist.relative_to(REPO_ROOT) if dist.is_relative_to(REPO_ROOT) else dist
        raise PageNotBuiltError(f"{shown}/index.html is missing: run `make web` to build the page")
    return dist


class WebHostingStack(Stack):
    """The private bucket, the CloudFront distribution and its security headers."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: DataStack,
        **kwargs: Unpack[StackOptions],
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)

        self.site_bucket = s3.Bucket(
            self,
            "SiteBucket",
            bucket_name=SITE_BUCKET_NAME,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=data.access_log_bucket,
            server_access_logs_prefix="web/",
            # Built from the repository on every deploy: nothing here needs keeping.
            removal_policy=RemovalPolicy.DESTROY,
        )
        # CloudFront standard logs are delivered with ACLs, so this bucket keeps them enabled.
        self.log_bucket = s3.Bucket(
            self,
            "DistributionLogBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            server_access_logs_bucket=data.access_log_bucket,
            server_access_logs_prefix="web-distribution-logs/",
            lifecycle_rules=[s3.LifecycleRule(expiration=LOG_EXPIRY)],
            removal_policy=RemovalPolicy.RETAIN,
        )

        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="payments-tracker web page: strict CSP and the usual security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=page_policy(), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=HSTS_MAX_AGE,
                    include_subdomains=True,
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
            ),
        )

        site = origins.S3BucketOrigin.with_origin_access_control(self.site_bucket)
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="payments-tracker web page",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=site,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                compress=True,
            ),
            additional_behaviors={
                # Changes with the deployment, not with the build: never cached at the edge.
                f"/{CONFIG_OBJECT}": cloudfront.BehaviorOptions(
                    origin=site,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    response_headers_policy=self.headers,
                ),
            },
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            enable_logging=True,
            log_bucket=self.log_bucket,
            log_file_prefix="cloudfront/",
        )
        self.url = f"https://{self.distribution.distribution_domain_name}"
        """The page's origin (no trailing slash): for CORS; its callback URL adds "/"."""
        CfnOutput(self, "WebUrl", value=f"{self.url}/", description="The customer web page")


class WebContentStack(Stack):
    """The built page and its config.json, uploaded to the hosting bucket; the edge refreshed."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        hosting: WebHostingStack,
        auth: AuthStack,
        api: ApiStack,
        page_dir: Path,
        **kwargs: Unpack[StackOptions],
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.add_dependency(hosting)
        login = auth.domain.base_url()
        page = PageConfig(
            api_url=api.rest_api.url,
            issuer=auth.issuer,
            authorization_endpoint=f"{login}/oauth2/authorize",
            token_endpoint=f"{login}/oauth2/token",
            logout_endpoint=f"{login}/logout",
            client_id=auth.web_client.user_pool_client_id,
        )
        self.deployment = s3_deployment.BucketDeployment(
            self,
            "Page",
            sources=[
                s3_deployment.Source.asset(str(page_dir)),
                s3_deployment.Source.json_data(CONFIG_OBJECT, page.model_dump(by_alias=True)),
            ],
            destination_bucket=s3.Bucket.from_bucket_name(self, "SiteBucket", SITE_BUCKET_NAME),
            distribution=hosting.distribution,
            distribution_paths=["/*"],
            prune=True,
            memory_limit=256,
        )


def acknowledge_web_findings(
    hosting: WebHostingStack,
    content: WebContentStack,
    acknowledge: Callable[[IConstruct, str, str], None],
) -> None:
    """The web stacks' cdk-nag acknowledgements (called from infra/nag.py), each with its reason."""
    distribution = hosting.distribution
    acknowledge(
        distribution,
        "AwsSolutions-CFR1",
        "The page is for the bank's customers wherever they are; it holds no data (the API, "
        "behind WAF, does), so a geographic restriction would only lock customers out abroad.",
    )
    acknowledge(
        distribution,
        "AwsSolutions-CFR2",
        "The distribution serves only static files (GET/HEAD) of a public page; every request "
        "that touches data goes to the API, which has WAF with managed and rate rules. A second "
        "web ACL here would cost per request and protect nothing secret.",
    )
    acknowledge(
        distribution,
        "AwsSolutions-CFR4",
        "Without a custom domain CloudFront serves its default *.cloudfront.net certificate, "
        "whose minimum protocol CloudFront fixes at TLSv1; TLSv1.2_2021 is set and takes effect "
        "as soon as a custom domain with an ACM certificate is added to the distribution.",
    )
    # CDK's singleton deployment function sits at the stack's root ("Custom::CDKBucketDeployment…").
    functions = [
        child
        for child in content.node.children
        if child.node.id.startswith("Custom::CDKBucketDeployment")
    ]
    for function in functions:
        role = function.node.find_child("ServiceRole")
        acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "CDK's BucketDeployment function (it copies the built page into the bucket at deploy "
            "time) uses AWS's basic execution policy: CloudWatch Logs writes only.",
        )
        for rule, reason in _deployment_policy_findings().items():
            acknowledge(role.node.find_child("DefaultPolicy"), rule, reason)
        acknowledge(
            function,
            "AwsSolutions-L1",
            "The runtime of CDK's BucketDeployment function is chosen by aws-cdk-lib (it runs only "
            "at deploy time, with the AWS CLI layer); it moves with the CDK version, not with "
            "this project's code.",
        )


def _deployment_policy_findings() -> dict[str, str]:
    """IAM5 findings of CDK's BucketDeployment role, each with its reason."""
    objects = (
        "CDK's BucketDeployment function copies the page from the CDK assets bucket into the "
        "site bucket and prunes files of older builds: the object keys are the build's file "
        "names, known only at deploy time, so the grant covers <bucket>/* of these two buckets "
        "alone, with the S3 action groups CDK's grantRead/grantReadWrite use."
    )
    findings = {
        f"AwsSolutions-IAM5[Action::{action}]": objects
        for action in (
            "s3:GetObject*",
            "s3:GetBucket*",
            "s3:List*",
            "s3:DeleteObject*",
            "s3:Abort*",
        )
    }
    for bucket in (
        "cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>",
        "payments-tracker-web-<AWS::AccountId>-<AWS::Region>",
    ):
        findings[f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{bucket}/*]"] = objects
    findings["AwsSolutions-IAM5[Resource::*]"] = (
        "cloudfront:CreateInvalidation and GetInvalidation, which the BucketDeployment function "
        "needs to refresh the edge after an upload, support no resource-level permissions."
    )
    return findings
