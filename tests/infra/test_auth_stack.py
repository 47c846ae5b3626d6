"""The Cognito user pool and its clients (docs/design.md §2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.infra.conftest import Synthesized


def _pool(synthesized: Synthesized) -> dict[str, Any]:
    (pool,) = synthesized.resources("Auth", "AWS::Cognito::UserPool").values()
    return dict(pool["Properties"])


def test_pool_uses_the_essentials_plan_by_default(synthesized: Synthesized) -> None:
    assert _pool(synthesized)["UserPoolTier"] == "ESSENTIALS"


def test_pool_signs_in_by_email_with_verified_self_sign_up(synthesized: Synthesized) -> None:
    pool = _pool(synthesized)
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert pool["DeletionProtection"] == "ACTIVE"


def test_pool_requires_passwords_of_twelve_characters_and_offers_totp(
    synthesized: Synthesized,
) -> None:
    pool = _pool(synthesized)
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]


def test_clients_are_public_code_and_pkce_only_with_fifteen_minute_access_tokens(
    synthesized: Synthesized,
) -> None:
    clients = synthesized.resources("Auth", "AWS::Cognito::UserPoolClient")
    names = {client["Properties"]["ClientName"] for client in clients.values()}
    assert names == {"web", "cli"}
    for client in clients.values():
        properties = client["Properties"]
        assert properties["GenerateSecret"] is False
        assert properties["AllowedOAuthFlows"] == ["code"]
        assert properties["AllowedOAuthFlowsUserPoolClient"] is True
        # No password or SRP flow on AWS: refresh only; sign-in goes through managed login.
        assert properties["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
        assert properties["AccessTokenValidity"] == 15
        assert properties["TokenValidityUnits"]["AccessToken"] == "minutes"
        assert properties["EnableTokenRevocation"] is True
        assert properties["PreventUserExistenceErrors"] == "ENABLED"
        assert properties["SupportedIdentityProviders"] == ["COGNITO"]


def test_managed_login_domain_and_branding_for_each_client(synthesized: Synthesized) -> None:
    (domain,) = synthesized.resources("Auth", "AWS::Cognito::UserPoolDomain").values()
    assert domain["Properties"]["ManagedLoginVersion"] == 2
    brandings = synthesized.resources("Auth", "AWS::Cognito::ManagedLoginBranding")
    assert len(brandings) == 2


def test_outputs_give_what_a_user_needs_after_deploying(synthesized: Synthesized) -> None:
    auth_outputs = set(synthesized.templates["Auth"]["Outputs"])
    for name in ("UserPoolId", "WebClientId", "CliClientId", "SignUpUrl", "SignInUrl", "Issuer"):
        assert name in auth_outputs
    assert "ApiUrl" in synthesized.templates["Api"]["Outputs"]
