"""The REST API, its authorizer, WAF and functions (docs/design.md §2, §5, §8)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from aws_cdk import Token

from payments_tracker.composition.settings import Settings
from payments_tracker.edge import cors
from payments_tracker.edge.gateway_responses import (
    AUTHORIZER_RETRY_AFTER_SECONDS,
    DEFAULTS_KEEP_STATUS,
    GATEWAY_RESPONSES,
    body_template,
)
from payments_tracker.edge.problems import PROBLEM_CONTENT_TYPE
from payments_tracker.edge.routes import API_ROUTES, BINARY_MEDIA_TYPES, LOCAL_ONLY_ROUTES

if TYPE_CHECKING:
    from tests.infra.conftest import Synthesized


def _resource_paths(synthesized: Synthesized) -> dict[str, str]:
    """Logical id of each API resource → its full path ("/payments/{paymentId}")."""
    resources = synthesized.resources("Api", "AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in paths:
            properties = resources[logical_id]["Properties"]
            parent = properties["ParentId"]
            prefix = path_of(parent["Ref"]) if "Ref" in parent else ""
            paths[logical_id] = f"{prefix}/{properties['PathPart']}"
        return paths[logical_id]

    for logical_id in resources:
        path_of(logical_id)
    return paths


def _methods(synthesized: Synthesized) -> dict[tuple[str, str], dict[str, Any]]:
    """(method, path) → the method's properties."""
    paths = _resource_paths(synthesized)
    methods = {}
    for method in synthesized.resources("Api", "AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        resource = properties["ResourceId"]
        path = paths[resource["Ref"]] if "Ref" in resource else "/"
        methods[(properties["HttpMethod"], path)] = properties
    return methods


def test_exactly_the_shared_routes_are_deployed_each_behind_the_authorizer(
    synthesized: Synthesized,
) -> None:
    methods = _methods(synthesized)
    deployed = {key for key in methods if key[0] != "OPTIONS"}
    assert deployed == {(route.method, route.resource) for route in API_ROUTES}
    (authorizer_id,) = synthesized.resources("Api", "AWS::ApiGateway::Authorizer")
    for key in deployed:
        assert methods[key]["AuthorizationType"] == "CUSTOM", key
        assert methods[key]["AuthorizerId"] == {"Ref": authorizer_id}, key
        assert methods[key]["Integration"]["Type"] == "AWS_PROXY", key


def test_only_cors_preflights_are_unauthenticated(synthesized: Synthesized) -> None:
    for (verb, path), properties in _methods(synthesized).items():
        if verb == "OPTIONS":
            assert properties["AuthorizationType"] == "NONE", path
            assert properties["Integration"]["Type"] == "MOCK", path
        else:
            assert properties["AuthorizationType"] != "NONE", (verb, path)


def test_no_local_only_route_such_as_swagger_is_deployed(synthesized: Synthesized) -> None:
    paths = set(_resource_paths(synthesized).values())
    for route in LOCAL_ONLY_ROUTES:
        assert route.resource not in paths
    assert not any("swagger" in path for path in paths)


def test_token_authorizer_caches_sixty_seconds_on_the_authorization_header(
    synthesized: Synthesized,
) -> None:
    (authorizer,) = synthesized.resources("Api", "AWS::ApiGateway::Authorizer").values()
    properties = authorizer["Properties"]
    assert properties["Type"] == "TOKEN"
    assert properties["AuthorizerResultTtlInSeconds"] == 60
    assert properties["IdentitySource"] == "method.request.header.Authorization"


def test_preflight_allows_only_the_configured_origins(synthesized: Synthesized) -> None:
    # By default the one origin is the web page's (infra/app.py adds it: a token imported from
    # the hosting stack); with several, CDK's preflight names the first one and its response
    # template echoes the request's Origin if it is another one.
    first, *others = synthesized.deployment.config.cors_allowed_origins
    for (verb, _path), properties in _methods(synthesized).items():
        if verb != "OPTIONS":
            continue
        (response,) = properties["Integration"]["IntegrationResponses"]
        origin = response["ResponseParameters"][
            "method.response.header.Access-Control-Allow-Origin"
        ]
        if Token.is_unresolved(first):
            assert "PaymentsTrackerWebHosting:ExportsOutput" in json.dumps(origin)
        else:
            assert origin == f"'{first}'"
        # The answer depends on the Origin: caches must keep one per Origin.
        assert response["ResponseParameters"]["method.response.header.Vary"] == "'Origin'"
        template = json.dumps(response.get("ResponseTemplates", {}))
        assert all(  # a token (the distribution's domain) appears as an import in the template
            other in template or "ExportsOutput" in template for other in others
        )
        headers = response["ResponseParameters"][
            "method.response.header.Access-Control-Allow-Headers"
        ]
        assert headers == f"'{','.join(cors.ALLOWED_REQUEST_HEADERS)}'"


def test_every_request_body_reaches_the_api_function_base64_encoded_and_unchanged(
    synthesized: Synthesized,
) -> None:
    # binaryMediaTypes `*/*`: API Gateway hands the function every body base64-encoded with
    # isBase64Encoded true, byte for byte, instead of a UTF-8 string it may have altered.
    (rest_api,) = synthesized.resources("Api", "AWS::ApiGateway::RestApi").values()
    assert rest_api["Properties"]["BinaryMediaTypes"] == list(BINARY_MEDIA_TYPES) == ["*/*"]
    methods = _methods(synthesized)
    assert any(verb == "OPTIONS" for verb, _ in methods)
    for (verb, path), properties in methods.items():
        integration = properties["Integration"]
        if verb == "OPTIONS":
            # A mock integration cannot template a binary request: converted to text, or every
            # preflight would be answered 500.
            assert integration["ContentHandling"] == "CONVERT_TO_TEXT", path
            (response,) = integration["IntegrationResponses"]
            assert response["ContentHandling"] == "CONVERT_TO_TEXT", path
        else:
            assert "ContentHandling" not in integration, (verb, path)  # passed through as is


def test_stage_v1_throttles_traces_and_writes_json_access_logs(synthesized: Synthesized) -> None:
    (stage,) = synthesized.resources("Api", "AWS::ApiGateway::Stage").values()
    properties = stage["Properties"]
    limits = synthesized.deployment.config.rate_limits
    assert properties["StageName"] == "v1"
    assert properties["TracingEnabled"] is True
    (settings,) = properties["MethodSettings"]
    assert settings["HttpMethod"] == "*"
    assert settings["ResourcePath"] == "/*"
    assert settings["ThrottlingRateLimit"] == limits.stage_rate_per_second
    assert settings["ThrottlingBurstLimit"] == limits.stage_burst
    assert settings["LoggingLevel"] == "ERROR"
    assert settings["DataTraceEnabled"] is False
    access_log = json.loads(properties["AccessLogSetting"]["Format"])
    assert access_log["requestId"] == "$context.requestId"
    assert not any("authorization" in value.lower() for value in access_log.values())


def test_every_gateway_response_is_problem_json_with_request_id_and_cors(
    synthesized: Synthesized,
) -> None:
    responses = {
        resource["Properties"]["ResponseType"]: resource["Properties"]
        for resource in synthesized.resources("Api", "AWS::ApiGateway::GatewayResponse").values()
    }
    assert responses.keys() == GATEWAY_RESPONSES.keys()
    for response_type, entry in GATEWAY_RESPONSES.items():
        properties = responses[response_type]
        headers = properties["ResponseParameters"]
        assert headers["gatewayresponse.header.Content-Type"] == f"'{PROBLEM_CONTENT_TYPE}'"
        assert "gatewayresponse.header.Access-Control-Allow-Origin" in headers
        assert properties["ResponseTemplates"] == {"application/json": body_template(response_type)}
        assert "$context.requestId" in body_template(response_type)
        if response_type in DEFAULTS_KEEP_STATUS:
            assert "StatusCode" not in properties
        else:
            assert properties["StatusCode"] == str(entry.status)
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"


def test_authorizer_failure_is_503_problem_with_retry_after(synthesized: Synthesized) -> None:
    # Issue 11, point 3: an authorizer that cannot get signing keys fails (not `Unauthorized`);
    # API Gateway's default for that is a bare 500, and a 401 would end valid sessions.
    (properties,) = (
        resource["Properties"]
        for resource in synthesized.resources("Api", "AWS::ApiGateway::GatewayResponse").values()
        if resource["Properties"]["ResponseType"] == "AUTHORIZER_FAILURE"
    )
    assert properties["StatusCode"] == "503"
    headers = properties["ResponseParameters"]
    assert headers["gatewayresponse.header.Retry-After"] == f"'{AUTHORIZER_RETRY_AFTER_SECONDS}'"
    assert headers["gatewayresponse.header.Content-Type"] == f"'{PROBLEM_CONTENT_TYPE}'"
    problem = json.loads(properties["ResponseTemplates"]["application/json"])
    assert (problem["status"], problem["type"]) == (503, "/problems/authorizer-unavailable")
    assert "Retry-After" in headers["gatewayresponse.header.Access-Control-Expose-Headers"]


def _web_acl(synthesized: Synthesized) -> dict[str, Any]:
    (acl,) = synthesized.resources("Api", "AWS::WAFv2::WebACL").values()
    return dict(acl["Properties"])


def test_waf_runs_managed_rules_with_our_own_413_and_both_rate_rules(
    synthesized: Synthesized,
) -> None:
    acl = _web_acl(synthesized)
    limits = synthesized.deployment.config.rate_limits
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    assert acl["Scope"] == "REGIONAL"
    assert acl["DefaultAction"] == {"Allow": {}}

    common = rules["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]
    assert common["RuleActionOverrides"] == [
        {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}
    ]
    assert "AWSManagedRulesKnownBadInputsRuleSet" in rules

    per_ip = rules["RatePerIp"]
    assert per_ip["Action"] == {"Block": {}}
    assert per_ip["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert per_ip["Statement"]["RateBasedStatement"]["Limit"] == limits.waf_per_ip_per_5_minutes

    per_token = rules["RatePerToken"]["Statement"]["RateBasedStatement"]
    assert rules["RatePerToken"]["Action"] == {"Block": {}}
    assert per_token["AggregateKeyType"] == "CUSTOM_KEYS"
    assert per_token["Limit"] == limits.waf_per_token_per_5_minutes
    (key,) = per_token["CustomKeys"]
    assert key["Header"]["Name"].lower() == "authorization"


def test_per_token_rate_key_ignores_the_case_of_the_authorization_header(
    synthesized: Synthesized,
) -> None:
    # Issue 11, point 9: the authorizer takes `Bearer` in any case; without LOWERCASE each of the
    # 64 casings of "bearer" would be a rate bucket of its own for the same token.
    rules = {rule["Name"]: rule for rule in _web_acl(synthesized)["Rules"]}
    (key,) = rules["RatePerToken"]["Statement"]["RateBasedStatement"]["CustomKeys"]
    assert key["Header"]["TextTransformations"] == [{"Priority": 0, "Type": "LOWERCASE"}]


def test_waf_sends_no_custom_responses(synthesized: Synthesized) -> None:
    acl = _web_acl(synthesized)
    assert "CustomResponseBodies" not in acl
    for rule in acl["Rules"]:
        assert "CustomResponse" not in json.dumps(rule), rule["Name"]


def test_waf_guards_the_v1_stage_and_redacts_tokens_from_its_log(synthesized: Synthesized) -> None:
    (association,) = synthesized.resources("Api", "AWS::WAFv2::WebACLAssociation").values()
    (stage_id,) = synthesized.resources("Api", "AWS::ApiGateway::Stage")
    assert {"Ref": stage_id} in association["Properties"]["ResourceArn"]["Fn::Join"][1]
    (logging,) = synthesized.resources("Api", "AWS::WAFv2::LoggingConfiguration").values()
    assert logging["Properties"]["RedactedFields"] == [{"SingleHeader": {"Name": "authorization"}}]


def _functions(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    found = {}
    for stack in ("Api", "Reports"):
        for function in synthesized.resources(stack, "AWS::Lambda::Function").values():
            found[function["Properties"]["Handler"]] = function["Properties"]
    return found


def test_functions_are_python313_arm64_traced_json_logged_and_bounded(
    synthesized: Synthesized,
) -> None:
    functions = _functions(synthesized)
    limits = synthesized.deployment.config.concurrency
    assert functions.keys() == {
        "payments_tracker.handlers.api.handler",
        "payments_tracker.handlers.authorizer.handler",
        "payments_tracker.handlers.report.handler",
    }
    for handler, properties in functions.items():
        assert properties["Runtime"] == "python3.13", handler
        assert properties["Architectures"] == ["arm64"], handler
        assert properties["TracingConfig"] == {"Mode": "Active"}, handler
        assert properties["LoggingConfig"]["LogFormat"] == "JSON", handler
        assert "LogGroup" in properties["LoggingConfig"], handler
        assert properties["ReservedConcurrentExecutions"] > 0, handler
    assert functions["payments_tracker.handlers.api.handler"]["ReservedConcurrentExecutions"] == (
        limits.api
    )


def test_every_log_group_has_a_retention_period(synthesized: Synthesized) -> None:
    days = synthesized.deployment.config.log_retention_days
    count = 0
    for stack in synthesized.templates:
        for logical_id, group in synthesized.resources(stack, "AWS::Logs::LogGroup").items():
            assert group["Properties"]["RetentionInDays"] == days, f"{stack}/{logical_id}"
            count += 1
    assert count >= 6  # three functions, access logs, WAF logs, state machine runs


def test_function_settings_are_settings_fields_and_swagger_is_off(
    synthesized: Synthesized,
) -> None:
    prefix = str(Settings.model_config["env_prefix"])
    known = {f"{prefix}{field}".upper() for field in Settings.model_fields}
    planned = {"PAYMENTS_EXPORT_BUCKET"}  # read by the report handler of the report issue
    for handler, properties in _functions(synthesized).items():
        variables = properties["Environment"]["Variables"]
        ours = {name for name in variables if name.startswith(prefix.upper())}
        assert ours <= known | planned, (handler, ours - known)
    api = _functions(synthesized)["payments_tracker.handlers.api.handler"]["Environment"]
    assert api["Variables"]["PAYMENTS_ENABLE_SWAGGER"] == "false"


def test_cursor_key_is_a_secrets_manager_reference_not_a_literal(synthesized: Synthesized) -> None:
    api = _functions(synthesized)["payments_tracker.handlers.api.handler"]
    cursor_key = api["Environment"]["Variables"]["PAYMENTS_CURSOR_KEY"]
    (secret_id,) = synthesized.resources("Api", "AWS::SecretsManager::Secret")
    assert cursor_key == {
        "Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret_id}, ":SecretString:::}}"]]
    }
    assert Settings().cursor_key is None  # the code has no default key that could be deployed


def _statements(synthesized: Synthesized, stack: str, role_prefix: str) -> list[dict[str, Any]]:
    statements = []
    for logical_id, policy in synthesized.resources(stack, "AWS::IAM::Policy").items():
        if logical_id.startswith(role_prefix):
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


API_TABLE = {
    "dynamodb:PutItem",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",  # the customer item's monthly count, in each submission's transaction
    "dynamodb:ConditionCheckItem",  # the erasure fence, in each void's and consent's transaction
    "dynamodb:BatchGetItem",  # a large report's chunks
}


def test_api_role_may_only_put_get_query_and_transact_on_the_table_and_its_lsi(
    synthesized: Synthesized,
) -> None:
    statements = _statements(synthesized, "Api", "ApiRole")
    dynamodb = [s for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]
    (table,) = dynamodb
    assert _actions(table) == API_TABLE
    assert not {"dynamodb:DeleteItem", "dynamodb:Scan", "dynamodb:BatchWriteItem"} & _actions(table)
    assert len(table["Resource"]) == 2  # the table and byMonthTime, nothing else
    assert "index/byMonthTime" in json.dumps(table["Resource"][1])
    everything = set().union(*(_actions(s) for s in statements))
    assert everything == {
        *API_TABLE,
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:DescribeKey",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }
    (key,) = (s for s in statements if "kms:Decrypt" in _actions(s))
    assert "kms:ViaService" in key["Condition"]["StringEquals"]


def test_authorizer_role_touches_no_data(synthesized: Synthesized) -> None:
    statements = _statements(synthesized, "Api", "AuthorizerRole")
    everything = set().union(*(_actions(s) for s in statements))
    assert everything == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }


def test_api_function_is_invoked_only_by_its_routes_on_stage_v1(synthesized: Synthesized) -> None:
    permissions = synthesized.resources("Api", "AWS::Lambda::Permission").values()
    route_permissions = [
        permission["Properties"]
        for permission in permissions
        if "/authorizers/" not in json.dumps(permission["Properties"]["SourceArn"])
    ]
    (stage_id,) = synthesized.resources("Api", "AWS::ApiGateway::Stage")
    sources = set()
    for properties in route_permissions:
        assert properties["Principal"] == "apigateway.amazonaws.com"
        parts = properties["SourceArn"]["Fn::Join"][1]
        assert {"Ref": stage_id} in parts  # stage v1 only, never the test-invoke stage
        sources.add(parts[-1])
    # API Gateway writes each path parameter as "*" in the execute-api ARN.
    expected = {re.sub(r"\{[^}]+\}", "*", f"/{r.method}{r.resource}") for r in API_ROUTES}
    assert sources == expected
