"""Auth: the Cognito user pool, its managed login domain and the `web` and `cli` app clients."""

from __future__ import annotations

from typing import Unpack

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.config import InfraConfig
from infra.stacks.options import StackOptions

ACCESS_TOKEN_VALIDITY = Duration.minutes(15)
REFRESH_TOKEN_VALIDITY = Duration.days(30)
MIN_PASSWORD_LENGTH = 12


class AuthStack(Stack):
    """Customers sign up and sign in here; the API trusts access tokens of these clients only."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        **kwargs: Unpack[StackOptions],
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)

        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            feature_plan=config.cognito_feature_plan,
            sign_in_aliases=cognito.SignInAliases(email=True, username=False),
            sign_in_case_sensitive=False,
            self_sign_up_enabled=True,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=MIN_PASSWORD_LENGTH,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION
                if config.threat_protection
                else None
            ),
        )

        self.domain = self.user_pool.add_domain(
            "ManagedLoginDomain",
            cognito_domain=cognito.CognitoDomainOptions(
                # Unique per account and region; Cognito forbids "aws", "amazon" and "cognito".
                domain_prefix=f"payments-tracker-{Aws.ACCOUNT_ID}",
            ),
            managed_login_version=cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
        )

        self.web_client = self._public_client(
            "WebClient", "web", config.web_callback_urls, config.web_logout_urls
        )
        self.cli_client = self._public_client(
            "CliClient", "cli", config.cli_callback_urls, config.cli_callback_urls
        )
        self.clients = (self.web_client, self.cli_client)

        region, pool_id = Aws.REGION, self.user_pool.user_pool_id
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        self.jwks_url = f"{self.issuer}/.well-known/jwks.json"

        login = self.domain.base_url()
        # The web page's address (app.py adds it; no localhost by default), imported from the
        # hosting stack: the sign-up and sign-in links below are built from an import (cfn-lint
        # W6001, allowed in tests/infra/test_nag_and_lint.py).
        redirect = config.web_callback_urls[0]
        web_id = self.web_client.user_pool_client_id
        query = f"client_id={web_id}&response_type=code&scope=openid+email&redirect_uri={redirect}"
        CfnOutput(self, "UserPoolId", value=pool_id)
        CfnOutput(self, "Issuer", value=self.issuer)
        CfnOutput(self, "WebClientId", value=web_id)
        CfnOutput(self, "CliClientId", value=self.cli_client.user_pool_client_id)
        CfnOutput(self, "ManagedLoginUrl", value=login)
        CfnOutput(self, "SignUpUrl", value=f"{login}/signup?{query}")
        CfnOutput(self, "SignInUrl", value=f"{login}/login?{query}")

    def _public_client(
        self,
        construct_id: str,
        name: str,
        callback_urls: tuple[str, ...],
        logout_urls: tuple[str, ...],
    ) -> cognito.UserPoolClient:
        """A public client (no secret): authorization code + PKCE through managed login only."""
        client = self.user_pool.add_client(
            construct_id,
            user_pool_client_name=name,
            generate_secret=False,
            # No password (or SRP) flow on AWS: customers sign in through managed login.
            auth_flows=cognito.AuthFlow(
                user_password=False, user_srp=False, custom=False, admin_user_password=False
            ),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True, implicit_code_grant=False),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
                callback_urls=list(callback_urls),
                logout_urls=list(logout_urls),
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            access_token_validity=ACCESS_TOKEN_VALIDITY,
            id_token_validity=ACCESS_TOKEN_VALIDITY,
            refresh_token_validity=REFRESH_TOKEN_VALIDITY,
            enable_token_revocation=True,
            prevent_user_existence_errors=True,
        )
        cfn_client = client.node.default_child
        if isinstance(cfn_client, cognito.CfnUserPoolClient):
            # Only refresh; CDK would otherwise leave Cognito's defaults (SRP and custom auth) on.
            cfn_client.explicit_auth_flows = ["ALLOW_REFRESH_TOKEN_AUTH"]
        # The newer managed login needs a style per client; Cognito's own look is enough.
        cognito.CfnManagedLoginBranding(
            self,
            f"{construct_id}Branding",
            user_pool_id=self.user_pool.user_pool_id,
            client_id=client.user_pool_client_id,
            use_cognito_provided_values=True,
        )
        return client
