"""ADR 0006: compilation and imports leave the cold start through SnapStart on published versions.

Every function snapshots its initialised environment when a version is published; every caller
(API Gateway's integrations, the TOKEN authorizer, the Step Functions task) invokes the `live`
alias of that version, never $LATEST (which SnapStart does not apply to). The cold-start bench runs
with the environment these functions get.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bench.cold_start import FUNCTION_ENV
from infra.stacks.functions import LIVE_ALIAS

if TYPE_CHECKING:
    from tests.infra.conftest import Synthesized

FUNCTIONS = {
    "Api": ("Api", "api"),
    "Authorizer": ("Api", "authorizer"),
    "Report": ("Reports", "report"),
}
"""Construct id → (stack, bench function name)."""


def _one(resources: dict[str, dict[str, Any]], prefix: str) -> tuple[str, dict[str, Any]]:
    found = [(key, value) for key, value in resources.items() if key.startswith(prefix)]
    assert len(found) == 1, (prefix, sorted(resources))
    return found[0]


def test_every_function_snapshots_its_published_versions(synthesized: Synthesized) -> None:
    for construct, (stack, _) in FUNCTIONS.items():
        _, function = _one(
            synthesized.resources(stack, "AWS::Lambda::Function"), f"{construct}Function"
        )
        assert function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
        assert function["Properties"]["Runtime"].startswith("python3.1")  # 3.12+: SnapStart


def test_every_function_has_a_live_alias_on_its_current_version(
    synthesized: Synthesized,
) -> None:
    for construct, (stack, _) in FUNCTIONS.items():
        function_id, _ = _one(
            synthesized.resources(stack, "AWS::Lambda::Function"), f"{construct}Function"
        )
        version_id, version = _one(
            synthesized.resources(stack, "AWS::Lambda::Version"),
            f"{construct}FunctionCurrentVersion",
        )
        _, alias = _one(synthesized.resources(stack, "AWS::Lambda::Alias"), f"{construct}Live")
        assert version["Properties"]["FunctionName"] == {"Ref": function_id}
        assert alias["Properties"]["Name"] == LIVE_ALIAS
        assert alias["Properties"]["FunctionName"] == {"Ref": function_id}
        assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}


def test_the_api_and_its_authorizer_invoke_the_alias(synthesized: Synthesized) -> None:
    resources = synthesized.templates["Api"]["Resources"]
    api_alias, _ = _one(synthesized.resources("Api", "AWS::Lambda::Alias"), "ApiLive")
    authorizer_alias, _ = _one(synthesized.resources("Api", "AWS::Lambda::Alias"), "AuthorizerLive")
    methods = [
        method
        for method in synthesized.resources("Api", "AWS::ApiGateway::Method").values()
        if method["Properties"].get("Integration", {}).get("Type") == "AWS_PROXY"
    ]
    assert methods
    for method in methods:
        assert {"Ref": api_alias} in method["Properties"]["Integration"]["Uri"]["Fn::Join"][1]
    (authorizer,) = synthesized.resources("Api", "AWS::ApiGateway::Authorizer").values()
    assert {"Ref": authorizer_alias} in authorizer["Properties"]["AuthorizerUri"]["Fn::Join"][1]
    permissions = [
        resource["Properties"]["FunctionName"]
        for resource in resources.values()
        if resource["Type"] == "AWS::Lambda::Permission"
    ]
    assert permissions
    assert all(name in ({"Ref": api_alias}, {"Ref": authorizer_alias}) for name in permissions)


def test_the_monthly_run_invokes_the_report_alias(synthesized: Synthesized) -> None:
    alias_id, _ = _one(synthesized.resources("Reports", "AWS::Lambda::Alias"), "ReportLive")
    (machine,) = synthesized.resources("Reports", "AWS::StepFunctions::StateMachine").values()
    assert machine["Properties"]["DefinitionSubstitutions"]["ReportFunctionArn"] == {
        "Ref": alias_id
    }
    policies = json.dumps(synthesized.resources("Reports", "AWS::IAM::Policy"))
    assert json.dumps({"Ref": alias_id}) in policies


def test_the_cold_start_bench_runs_with_each_functions_environment(
    synthesized: Synthesized,
) -> None:
    for construct, (stack, bench_name) in FUNCTIONS.items():
        _, function = _one(
            synthesized.resources(stack, "AWS::Lambda::Function"), f"{construct}Function"
        )
        variables = function["Properties"]["Environment"]["Variables"]
        assert set(variables) == set(FUNCTION_ENV[bench_name]), construct
        for name, value in variables.items():
            if isinstance(value, str):  # deploy-time references have stand-ins in the bench
                assert FUNCTION_ENV[bench_name][name] == value, name
