"""Who the players are: the Cognito user pool, its app client and the admin group.

API Gateway's authorizer trusts this pool (``api.Api``); the hosted demo page signs in through
the pool's hosted UI with a client of its own (``hosted_sign_in.py``).
A deployment may bring a pool of its own (``user_pool_id``): then nothing is created here, and
that pool needs a group named ``ADMIN_GROUP`` for its administrators.

The pool was first created inside the API construct, so its resources keep the logical ids they
had there: CloudFormation replaces a resource whose logical id changes, and replacing a user pool
deletes every account in it.
"""

from __future__ import annotations

from aws_cdk import CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from constructs import Construct

from gamification.api.auth import ADMIN_GROUP
from infra.config import StackConfig
from infra.constructs.functions import FunctionSpec, GamifyFunction, LambdaRuntime
from infra.constructs.hosted_sign_in import HostedSignIn
from infra.nag import acknowledge

LOGICAL_IDS = {
    "pool": "ApiUserPool5AB2526B",
    "client": "ApiUserPoolAppClient00A0842E",
    "admin_group": "ApiUserPoolAdminGroup97D34262",
}
"""The ids CDK derived from the pool's first home (``Api/UserPool``); never change them."""


MFA_SETTINGS = {"admins": cognito.Mfa.OPTIONAL, "all": cognito.Mfa.REQUIRED}
"""Cognito's MFA setting is pool-wide; ``admins`` adds the token trigger on top of OPTIONAL."""


def email_settings(config: StackConfig, stack: Stack) -> cognito.UserPoolEmail | None:
    """SES when ``ses_email_from`` is set (Cognito's own sender sends 50 e-mails a day)."""
    if not config.ses_email_from:
        return None
    return cognito.UserPoolEmail.with_ses(
        from_email=config.ses_email_from,
        ses_region=config.ses_region or stack.region,
    )


class Identity(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        runtime: LambdaRuntime,
        demo_origin: str | None = None,
    ) -> None:
        """``demo_origin``: the hosted demo page's origin, which then signs in with the hosted
        UI (``hosted_sign_in.py``); only for the stack's own pool."""
        super().__init__(scope, construct_id)
        self.user_pool: cognito.IUserPool
        self.user_pool_client: cognito.UserPoolClient | None = None
        self.token_guard: GamifyFunction | None = None
        self.hosted_sign_in: HostedSignIn | None = None
        if config.user_pool_id:
            self.user_pool = cognito.UserPool.from_user_pool_id(
                self, "UserPool", config.user_pool_id
            )
            return
        pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=config.stack_name,
            self_sign_up_enabled=config.self_sign_up,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=MFA_SETTINGS[config.mfa],
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            email=email_settings(config, Stack.of(self)),
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=config.retain_data,
            removal_policy=RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY,
        )
        client = pool.add_client(
            "AppClient",
            # Only what docs/deploy.md uses: SRP sign-in from apps, admin password auth for the
            # operator's first token, refresh. No hosted UI, so no OAuth flows or callback URLs.
            auth_flows=cognito.AuthFlow(user_srp=True, admin_user_password=True),
            disable_o_auth=True,
            generate_secret=False,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
        )
        group = pool.add_group(
            "AdminGroup",
            group_name=ADMIN_GROUP,
            description="May create, change and remove badge definitions",
        )
        for construct, key in ((pool, "pool"), (client, "client"), (group, "admin_group")):
            resource = construct.node.default_child
            assert isinstance(resource, CfnResource)
            resource.override_logical_id(LOGICAL_IDS[key])
        if config.mfa == "admins":
            self.token_guard = self._admin_mfa_guard(pool, runtime)
            acknowledge(
                pool,
                "AwsSolutions-COG2",
                "Players of a consumer app sign in without MFA (TOTP is offered); the admin "
                "group is issued only to accounts with TOTP activated, which Cognito then "
                "challenges at every sign-in (the token trigger). mfa=all requires it of all.",
            )
        acknowledge(
            pool,
            "AwsSolutions-COG8",
            "Threat protection (adaptive authentication, compromised-credential checks) needs "
            "the Cognito Plus plan, billed per monthly active user; Essentials keeps the stack "
            "cheap. Use a Plus pool of your own by passing user_pool_id.",
        )
        self.user_pool = pool
        self.user_pool_client = client
        if demo_origin is not None and config.hosted_sign_in:
            self.hosted_sign_in = HostedSignIn(
                self, "DemoSignIn", config=config, pool=pool, page_origin=demo_origin
            )

    def _admin_mfa_guard(self, pool: cognito.UserPool, runtime: LambdaRuntime) -> GamifyFunction:
        """The pre token generation trigger that withholds the admin group without MFA."""
        guard = GamifyFunction(
            self,
            "TokenGuard",
            spec=FunctionSpec(
                name="tokens",
                description="Issues the admin group only to accounts with MFA (token trigger)",
                timeout=Duration.seconds(5),
                memory_mb=256,
            ),
            runtime=runtime,
        )
        pool.add_trigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION, guard.alias)
        # A policy of its own, not the role's default one: the function waits for that one, the
        # pool waits for the function (its trigger), and this grant names the pool (a cycle).
        iam.Policy(
            self,
            "TokenGuardReadsMfa",
            roles=[guard.role],
            statements=[
                iam.PolicyStatement(
                    sid="ReadMfaSettings",
                    actions=["cognito-idp:AdminGetUser"],
                    resources=[pool.user_pool_arn],
                )
            ],
        )
        return guard
