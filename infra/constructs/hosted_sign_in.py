"""The hosted demo page's sign-in: Cognito's hosted UI, authorization code + PKCE.

A prefix domain (``<prefix>.auth.<region>.amazoncognito.com``) on the stack's own pool and an
app client of the demo page's own. The players' app client stays as it is (no OAuth, no
callback URLs: apps sign in with SRP); this one can do nothing but the authorization code flow
back to the page's origin, so a stolen client id is worth nothing elsewhere. The page is a
public client (JavaScript in a browser): no secret, PKCE instead (web/demo.js).
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, Fn
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.config import StackConfig

SCOPES = (cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE)


def default_prefix_suffix() -> str:
    """8 hex digits of the stack's id (a UUID drawn when the stack is created): a prefix unique
    per stack that, unlike the account id, tells the world nothing."""
    uuid = Fn.select(2, Fn.split("/", Aws.STACK_ID))
    return Fn.select(0, Fn.split("-", uuid))


class HostedSignIn(Construct):
    """The domain and the demo client; ``url`` and ``client_id`` go into the page's config."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        pool: cognito.UserPool,
        page_origin: str,
    ) -> None:
        super().__init__(scope, construct_id)
        prefix = config.sign_in_domain_prefix or Fn.join(
            "-", [config.sign_in_domain_stem, default_prefix_suffix()]
        )
        self.domain = pool.add_domain(
            "DemoDomain", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix)
        )
        self.redirect_uri = f"{page_origin}/"
        """Where Cognito sends the browser back (sign-in) and after sign-out: the page itself."""
        self.client = pool.add_client(
            "DemoClient",
            user_pool_client_name=f"{config.resource_prefix}-demo-page",
            generate_secret=False,
            # No API sign-in flows: the hosted UI signs the user in. Refresh is always allowed
            # by CDK; the page keeps no refresh token and signs in again after an hour.
            auth_flows=cognito.AuthFlow(user_srp=False),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(
                    authorization_code_grant=True,
                    implicit_code_grant=False,
                    client_credentials=False,
                ),
                scopes=list(SCOPES),
                callback_urls=[self.redirect_uri],
                logout_urls=[self.redirect_uri],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.hours(1),
        )

    @property
    def url(self) -> str:
        """``https://<prefix>.auth.<region>.amazoncognito.com``: /oauth2/authorize, /oauth2/token
        and /logout live under it."""
        return self.domain.base_url()

    @property
    def client_id(self) -> str:
        return self.client.user_pool_client_id
