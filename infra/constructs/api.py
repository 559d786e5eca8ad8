"""The public HTTP API: API Gateway (REST) in front of four small functions.

* **ingest** (write path) can only put messages on the activity queue;
* **query** (read path) reads DynamoDB and Redis and never writes;
* **account** changes the caller's own settings and notification flags;
* **admin** edits badge definitions and starts a backfill.

User routes use a Cognito authorizer: the function takes the user's id from the verified claims,
never from the body. The internal ingest route is for trusted services and uses IAM (SigV4).
The health check and the API's documentation are public. Every route is declared here, so a
request for anything else is rejected by API Gateway without invoking a function.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_logs as logs
from constructs import Construct

from gamification.adapters import keys
from gamification.api.auth import ADMIN_GROUP
from gamification.resources import ROUTES, Route
from infra.config import StackConfig
from infra.constructs.browser_access import BrowserAccess
from infra.constructs.data import Data, TableAccess
from infra.constructs.functions import (
    DomainEnvironment,
    FunctionSpec,
    GamifyFunction,
    LambdaRuntime,
)
from infra.constructs.ingestion_queue import IngestionQueue
from infra.constructs.leaderboard_cache import LeaderboardCache
from infra.constructs.network import Network
from infra.nag import acknowledge


class Auth(Enum):
    USER = "cognito"
    SERVICE = "iam"
    PUBLIC = "none"


_GATEWAY_AUTH = {
    "user": Auth.USER,
    "admin": Auth.USER,
    "service": Auth.SERVICE,
    "none": Auth.PUBLIC,
}


def gateway_auth(route: Route) -> Auth:
    """How API Gateway authorizes a route of ``gamification.resources.ROUTES`` (admin routes
    need a signed-in user at the gateway; the handler checks the admin group)."""
    return _GATEWAY_AUTH[route.auth]


def _write_budget(config: StackConfig) -> dict[str, str]:
    """The per-user write budget of the write routes (``api.budget``)."""
    return {"GAMIFY_WRITE_BUDGET_PER_MINUTE": str(config.write_budget_per_minute)}


def _has_body(route: Route) -> bool:
    return route.method in {"POST", "PUT", "PATCH"}


# Profiles, snapshots (GetItem); the badge catalog and notification feeds (Query).
QUERY_TABLE_ACCESS = TableAccess(reads=("GetItem", "Query"))
ACCOUNT_TABLE_ACCESS = TableAccess(
    # Settings commit with the profile's version guard, as a transaction; read flags are
    # flipped one conditional update at a time.
    reads=("GetItem", "Query"),
    writes=("UpdateItem",),
    transactional_writes=("PutItem",),
    # The caller's own items, and their write budget (api.budget).
    write_keys=(keys.user_pk(""), keys.budget_pk("")),
    transactional_keys=(keys.user_pk(""),),
)
# The write budget of the activity routes; everything else ingest does goes to the queue.
INGEST_TABLE_ACCESS = TableAccess(writes=("UpdateItem",), write_keys=(keys.budget_pk(""),))
# The badge catalog only: one partition, queried whole, items put and deleted.
ADMIN_TABLE_ACCESS = TableAccess(
    reads=("Query",), writes=("PutItem", "DeleteItem"), write_keys=(keys.CATALOG_PK,)
)

# Gateway-generated errors (no token, throttled, unknown route...) in the API's one error model.
_ERROR_TEMPLATE = json.dumps(
    {
        "error": {
            "code": "$context.error.responseType",
            "message": "__MESSAGE__",
            "details": [],  # the request id travels in API Gateway's x-amzn-RequestId header
        }
    }
).replace('"__MESSAGE__"', "$context.error.messageString")  # already a quoted JSON string

_ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "user": "$context.authorizer.claims.sub",
        "caller": "$context.identity.caller",
        "method": "$context.httpMethod",
        "resource": "$context.resourcePath",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "requestTime": "$context.requestTime",
        "latencyMs": "$context.responseLatency",
        "integrationLatencyMs": "$context.integrationLatency",
        "responseLength": "$context.responseLength",
        "error": "$context.error.message",
    }
)


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        data: Data,
        queue: IngestionQueue,
        cache: LeaderboardCache,
        network: Network,
        runtime: LambdaRuntime,
        backfill: GamifyFunction,
        domain: DomainEnvironment,
        cors_origins: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.cors = BrowserAccess(cors_origins)
        self.user_pool, self.user_pool_client = self._user_pool(config)
        self.functions = self._functions(
            config=config,
            data=data,
            queue=queue,
            cache=cache,
            network=network,
            runtime=runtime,
            backfill=backfill,
            domain=domain,
        )

        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=config.log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=config.stack_name,
            description="Gamify: XP, levels, badges, streaks and leaderboards",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            default_cors_preflight_options=self.cors.preflight(),
            cloud_watch_role=config.api_cloudwatch_role,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=config.stage,
                throttling_rate_limit=config.api_throttle_rate,
                throttling_burst_limit=config.api_throttle_burst,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.custom(_ACCESS_LOG_FORMAT),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                metrics_enabled=True,
                tracing_enabled=config.tracing,
            ),
        )
        for response_type in (apigw.ResponseType.DEFAULT_4_XX, apigw.ResponseType.DEFAULT_5_XX):
            self.rest_api.add_gateway_response(
                f"Gateway{response_type.response_type}",
                type=response_type,
                templates={"application/json": _ERROR_TEMPLATE},
                response_headers=self.cors.gateway_response_headers(),
            )
        self.validator = self.rest_api.add_request_validator(
            "Validator",
            request_validator_name="body-and-parameters",
            validate_request_body=True,
            validate_request_parameters=True,
        )
        # The handlers validate every field (pydantic); the gateway only turns away bodies that
        # are not JSON objects at all, before they cost an invocation.
        self.json_object_model = self.rest_api.add_model(
            "JsonObject",
            content_type="application/json",
            schema=apigw.JsonSchema(
                schema=apigw.JsonSchemaVersion.DRAFT4, type=apigw.JsonSchemaType.OBJECT
            ),
        )
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "Authorizer",
            cognito_user_pools=[self.user_pool],
            results_cache_ttl=Duration.minutes(5),
        )
        integrations = {
            name: apigw.LambdaIntegration(fn.function, allow_test_invoke=False)
            for name, fn in self.functions.items()
        }
        self.methods = {
            (route.method, route.path): self._add_route(route, integrations[route.function])
            for route in ROUTES
        }
        self.cors.apply(self.rest_api, self.functions.values())
        acknowledge(
            self.rest_api,
            "AwsSolutions-APIG3",
            "AWS WAF costs a monthly fee per web ACL and rule, paid at rest; every user route is "
            "authenticated and the stage is throttled. Associate a web ACL with the stage if "
            "your threat model needs one (docs/deploy.md).",
        )
        if config.api_cloudwatch_role:
            acknowledge(
                self.rest_api,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonAPIGatewayPushToCloudWatchLogs]",
                "The account-level role API Gateway needs to write access and execution logs; "
                "AWS maintains this service policy for exactly that purpose.",
            )

    # --- routes -------------------------------------------------------------------------------

    def _add_route(self, route: Route, integration: apigw.LambdaIntegration) -> apigw.Method:
        resource = self.rest_api.root.resource_for_path(route.path)
        path_parameters = {
            f"method.request.path.{segment[1:-1]}": True
            for segment in route.path.split("/")
            if segment.startswith("{")
        }
        options: dict[str, object] = {
            "request_validator": self.validator,
            "request_parameters": path_parameters or None,
        }
        if _has_body(route):
            options["request_models"] = {"application/json": self.json_object_model}
        auth = gateway_auth(route)
        if auth is Auth.USER:
            options["authorizer"] = self.authorizer
            options["authorization_type"] = apigw.AuthorizationType.COGNITO
        elif auth is Auth.SERVICE:
            options["authorization_type"] = apigw.AuthorizationType.IAM
        else:
            options["authorization_type"] = apigw.AuthorizationType.NONE
        method = resource.add_method(route.method, integration, **options)  # type: ignore[arg-type]
        if auth is Auth.SERVICE:
            acknowledge(
                method,
                "AwsSolutions-COG4",
                "Service-to-service route: callers sign with SigV4 and need execute-api:Invoke "
                "on this method (IAM authorization), not an end-user Cognito token.",
            )
        elif auth is Auth.PUBLIC:
            reason = (
                "Deliberately public: liveness probe and API documentation (OpenAPI, Swagger UI), "
                "read-only, no user data, and throttled with the stage."
            )
            acknowledge(method, "AwsSolutions-APIG4", reason)
            acknowledge(method, "AwsSolutions-COG4", reason)
        return method

    # --- identity -----------------------------------------------------------------------------

    def _user_pool(
        self, config: StackConfig
    ) -> tuple[cognito.IUserPool, cognito.UserPoolClient | None]:
        if config.user_pool_id:
            # That pool needs a group named ADMIN_GROUP for its badge administrators.
            return cognito.UserPool.from_user_pool_id(self, "UserPool", config.user_pool_id), None
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
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
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
        pool.add_group(
            "AdminGroup",
            group_name=ADMIN_GROUP,
            description="May create, change and remove badge definitions",
        )
        acknowledge(
            pool,
            "AwsSolutions-COG2",
            "Players of a consumer app sign up without MFA; TOTP MFA is offered (optional). "
            "Admins are expected to enable it; require it with a pool of your own (user_pool_id).",
        )
        acknowledge(
            pool,
            "AwsSolutions-COG8",
            "Threat protection (adaptive authentication, compromised-credential checks) needs "
            "the Cognito Plus plan, billed per monthly active user; Essentials keeps the stack "
            "cheap. Use a Plus pool of your own by passing user_pool_id.",
        )
        return pool, client

    # --- functions ----------------------------------------------------------------------------

    def _functions(
        self,
        *,
        config: StackConfig,
        data: Data,
        queue: IngestionQueue,
        cache: LeaderboardCache,
        network: Network,
        runtime: LambdaRuntime,
        backfill: GamifyFunction,
        domain: DomainEnvironment,
    ) -> dict[str, GamifyFunction]:
        api_timeout = Duration.seconds(10)
        ingest = GamifyFunction(
            self,
            "Ingest",
            spec=FunctionSpec(
                name="ingest",
                description="Validates reported activities and queues them (write path)",
                timeout=api_timeout,
                environment={
                    "QUEUE_URL": queue.queue.queue_url,
                    **domain.backdate,
                    **_write_budget(config),
                },
            ),
            runtime=runtime,
        )
        ingest.allow(["sqs:SendMessage"], [queue.queue.queue_arn], "QueueActivities")
        data.grant(ingest, INGEST_TABLE_ACCESS)

        query = GamifyFunction(
            self,
            "Query",
            spec=FunctionSpec(
                name="query",
                description="Profiles, badges, leaderboards, notifications (read path)",
                timeout=api_timeout,
            ),
            runtime=runtime,
            network=network,
        )
        data.grant(query, QUERY_TABLE_ACCESS)
        cache.connect(query)

        account = GamifyFunction(
            self,
            "Account",
            spec=FunctionSpec(
                name="account",
                description="The caller's settings and notification read flags",
                timeout=api_timeout,
                environment={**domain.user_state, **_write_budget(config)},
            ),
            runtime=runtime,
        )
        data.grant(account, ACCOUNT_TABLE_ACCESS)

        admin = GamifyFunction(
            self,
            "Admin",
            spec=FunctionSpec(
                name="admin",
                description="Badge definitions (admin group only); starts the backfill",
                timeout=api_timeout,
                environment={"BACKFILL_FUNCTION_NAME": backfill.function.function_name},
            ),
            runtime=runtime,
        )
        data.grant(admin, ADMIN_TABLE_ACCESS)
        admin.allow(["lambda:InvokeFunction"], [backfill.arn], "StartBackfill")
        return {"ingest": ingest, "query": query, "account": account, "admin": admin}

    def execute_arn(self, method: str, path: str) -> str:
        """ARN to put in a caller's ``execute-api:Invoke`` policy for one route of this stage."""
        stage = self.rest_api.deployment_stage.stage_name
        return self.rest_api.arn_for_execute_api(method, path, stage)
