"""The web page on AWS: private bucket, CloudFront with OAC, strict CSP; wired to CORS, auth."""

from __future__ import annotations

import json
from typing import Any

from infra.stacks.web import CONFIG_OBJECT
from tests.infra.conftest import Synthesized


def _one(synthesized: Synthesized, stack: str, resource_type: str) -> dict[str, Any]:
    (resource,) = synthesized.resources(stack, resource_type).values()
    properties: dict[str, Any] = resource["Properties"]
    return properties


def _imports_from_web_hosting(value: object) -> bool:
    """True if `value` (a template fragment) imports an output of the WebHosting stack."""
    return "PaymentsTrackerWebHosting:ExportsOutput" in json.dumps(value)


def _site_bucket(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    buckets = synthesized.resources("WebHosting", "AWS::S3::Bucket")
    (logical_id,) = (name for name in buckets if name.startswith("SiteBucket"))
    return logical_id, buckets[logical_id]["Properties"]


def test_the_site_bucket_is_private_encrypted_and_logged(synthesized: Synthesized) -> None:
    _, bucket = _site_bucket(synthesized)
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "BucketEncryption" in bucket
    assert bucket["LoggingConfiguration"]["LogFilePrefix"] == "web/"


def test_only_this_distribution_reads_the_bucket_through_origin_access_control(
    synthesized: Synthesized,
) -> None:
    site_id, _ = _site_bucket(synthesized)
    policies = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in synthesized.resources("WebHosting", "AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": site_id}
    ]
    (statements,) = policies
    allows = [statement for statement in statements if statement["Effect"] == "Allow"]
    assert allows, statements
    for statement in allows:
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert "AWS:SourceArn" in json.dumps(statement["Condition"])
    assert any(  # TLS only
        statement["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(statement)
        for statement in statements
    )
    control = _one(synthesized, "WebHosting", "AWS::CloudFront::OriginAccessControl")
    config = control["OriginAccessControlConfig"]
    assert config["SigningBehavior"] == "always"
    assert config["OriginAccessControlOriginType"] == "s3"


def test_the_distribution_is_https_only_logged_and_serves_index_html(
    synthesized: Synthesized,
) -> None:
    distribution = _one(synthesized, "WebHosting", "AWS::CloudFront::Distribution")[
        "DistributionConfig"
    ]
    assert distribution["DefaultRootObject"] == "index.html"
    assert distribution["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert "Logging" in distribution
    (origin,) = distribution["Origins"]
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    (config_behavior,) = distribution["CacheBehaviors"]
    assert config_behavior["PathPattern"] == f"/{CONFIG_OBJECT}"
    # The managed CachingDisabled policy: config.json follows the deployment at once.
    assert config_behavior["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def test_every_response_carries_a_strict_csp_and_the_security_headers(
    synthesized: Synthesized,
) -> None:
    policy = _one(synthesized, "WebHosting", "AWS::CloudFront::ResponseHeadersPolicy")
    headers = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = json.dumps(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert ".execute-api." in csp
    assert "amazoncognito.com" in csp
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    distribution = _one(synthesized, "WebHosting", "AWS::CloudFront::Distribution")
    behaviors = [
        distribution["DistributionConfig"]["DefaultCacheBehavior"],
        *distribution["DistributionConfig"]["CacheBehaviors"],
    ]
    assert all("ResponseHeadersPolicyId" in behavior for behavior in behaviors)


def test_the_page_origin_is_on_the_apis_cors_allow_list(synthesized: Synthesized) -> None:
    functions = synthesized.resources("Api", "AWS::Lambda::Function")
    settings = [
        function["Properties"]["Environment"]["Variables"].get("PAYMENTS_CORS_ALLOWED_ORIGINS")
        for function in functions.values()
        if "Environment" in function["Properties"]
    ]
    allowed = [value for value in settings if value is not None]
    assert allowed
    assert all(_imports_from_web_hosting(value) for value in allowed)
    preflights = [
        method["Properties"]["Integration"]
        for method in synthesized.resources("Api", "AWS::ApiGateway::Method").values()
        if method["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    assert preflights
    assert all(_imports_from_web_hosting(preflight) for preflight in preflights)


def test_the_web_client_redirects_to_the_page(synthesized: Synthesized) -> None:
    clients = {
        client["Properties"]["ClientName"]: client["Properties"]
        for client in synthesized.resources("Auth", "AWS::Cognito::UserPoolClient").values()
    }
    web = clients["web"]
    assert _imports_from_web_hosting(web["CallbackURLs"])
    assert _imports_from_web_hosting(web["LogoutURLs"])
    assert web["AllowedOAuthFlows"] == ["code"]
    assert not _imports_from_web_hosting(clients["cli"]["CallbackURLs"])


def _names_loopback(value: object) -> bool:
    text = json.dumps(value).lower()
    return any(host in text for host in ("localhost", "127.0.0.1", "[::1]"))


def test_a_deployed_stage_trusts_no_localhost_page_and_only_the_cli_keeps_its_loopback(
    synthesized: Synthesized,
) -> None:
    variables = [
        function["Properties"]["Environment"]["Variables"]
        for function in synthesized.resources("Api", "AWS::Lambda::Function").values()
        if "Environment" in function["Properties"]
    ]
    origins = [
        v["PAYMENTS_CORS_ALLOWED_ORIGINS"]
        for v in variables
        if "PAYMENTS_CORS_ALLOWED_ORIGINS" in v
    ]
    assert origins
    assert not _names_loopback(origins)
    for method in synthesized.resources("Api", "AWS::ApiGateway::Method").values():
        if method["Properties"]["HttpMethod"] == "OPTIONS":
            assert not _names_loopback(method["Properties"]["Integration"])
    for response in synthesized.resources("Api", "AWS::ApiGateway::GatewayResponse").values():
        assert not _names_loopback(response["Properties"]["ResponseParameters"])
    clients = {
        client["Properties"]["ClientName"]: client["Properties"]
        for client in synthesized.resources("Auth", "AWS::Cognito::UserPoolClient").values()
    }
    assert not _names_loopback(clients["web"]["CallbackURLs"])
    assert not _names_loopback(clients["web"]["LogoutURLs"])
    assert not _names_loopback(synthesized.templates["Auth"]["Outputs"])  # sign-up/in links
    # The CLI's loopback redirect (RFC 8252) stays, on the `cli` client only.
    assert clients["cli"]["CallbackURLs"] == ["http://localhost:8976/callback"]


def test_the_built_page_and_its_config_json_are_deployed_with_an_invalidation(
    synthesized: Synthesized,
) -> None:
    deployment = _one(synthesized, "WebContent", "Custom::CDKBucketDeployment")
    assert len(deployment["SourceObjectKeys"]) == 2  # the page's asset and config.json
    assert deployment["DistributionPaths"] == ["/*"]
    assert _imports_from_web_hosting(deployment["DistributionId"])
    config = json.dumps(deployment.get("SourceMarkers", []))
    for source in ("PaymentsTrackerAuth:ExportsOutput", "PaymentsTrackerApi:ExportsOutput"):
        assert source in config, "config.json must name the web client and the API URL"
