"""The public HTTP API: API Gateway (REST) in front of five small functions.

* **ingest** (write path) can only put messages on the activity queue;
* **query** (read path) reads DynamoDB and Redis and never writes;
* **account** changes the caller's own settings and notification flags, starts erasures (the
  caller's own; any user's for admins) and sets exclusions; it has no Redis and deletes nothing;
* **admin** edits badge definitions and starts a backfill;
* **meta** answers the public routes (health, OpenAPI, Swagger UI) with no data access at all.

User routes use a Cognito authorizer: the function takes the user's id from the verified claims,
never from the body. The internal ingest route is for trusted services and uses IAM (SigV4).
The health check and the API's documentation are public, throttled on their own and, with
``waf``, behind AWS WAF like every route. Every route is declared here, so a
request for anything else is rejected by API Gateway without invoking a function.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from aws_cdk import Duration, NestedStack, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_logs as logs
from constructs import Construct

from gamification.adapters import keys
from gamification.resources import ROUTES, Route
from infra.config import StackConfig
from infra.constructs.browser_access import BrowserAccess
from infra.constructs.data import Data, TableAccess
from infra.constructs.edge import ApiFirewall
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


def public_throttles(config: StackConfig) -> dict[str, apigw.MethodDeploymentOptions]:
    """A throttle of their own for the public routes (``auth="none"``), far below the stage's.

    API Gateway applies the stage's limits to each method separately, and a method's own limits
    instead of them: a flood of health or docs requests is turned away (429) after a few a
    second, so what it can spend (the meta function's invocations, the account's regional
    request and concurrency limits every route shares) stays small."""
    return {
        f"{route.path}/{route.method}": apigw.MethodDeploymentOptions(
            throttling_rate_limit=config.public_throttle_rate,
            throttling_burst_limit=config.public_throttle_burst,
            # A method's settings replace the stage's: repeat the logging and metrics.
            logging_level=apigw.MethodLoggingLevel.ERROR,
            data_trace_enabled=False,
            metrics_enabled=True,
        )
        for route in ROUTES
        if gateway_auth(route) is Auth.PUBLIC
    }


def _has_body(route: Route) -> bool:
    return route.method in {"POST", "PUT", "PATCH"}


# Profiles, snapshots (GetItem); the badge catalog and notification feeds (Query).
# BatchGetItem: a league cohort's profiles while its cache board may be incomplete.
QUERY_TABLE_ACCESS = TableAccess(reads=("GetItem", "BatchGetItem", "Query"))
ACCOUNT_TABLE_ACCESS = TableAccess(
    # Settings, exclusions and the erasure tombstone commit with the profile's version guard,
    # as a transaction; read flags are flipped one conditional update at a time; an erasure's
    # checkpoint is started with an update. Deleting is the eraser's alone.
    # Follows and blocks (issue #29) read a relation with one BatchGetItem and commit an edge,
    # its reverse and the counters as one transaction in the two users' GRAPH# partitions.
    reads=("GetItem", "BatchGetItem", "Query"),
    writes=("UpdateItem",),
    transactional_writes=("PutItem",),
    # The caller's own items, their write budget (api.budget), the erasure checkpoint, and the
    # follow graph (the caller's partition and, for an edge's reverse, the other user's).
    write_keys=(
        keys.user_pk(""),
        keys.budget_pk(""),
        keys.erasure_pk(""),
        keys.graph_pk(""),
    ),
    transactional_keys=(keys.user_pk(""), keys.graph_pk("")),
    # Deleting stays the eraser's for user data: the account function deletes follow edges,
    # blocks and friend-streak links only.
    # Teams (issue #30): a join or a leave is one transaction of the membership and the user's
    # count (MEMBERSHIP#) and the team's member count (TEAM#).
    # A redeem (docs/wallet.md) commits the profile, its ledger entry and receipt (USER#),
    # the per-user count (USER#, UpdateItem) and the stock shards it draws from (STOCK#,
    # UpdateItem, only inside that transaction).
    narrower_transactional=(
        (("DeleteItem", "ConditionCheckItem"), (keys.graph_pk(""),)),
        (("PutItem", "UpdateItem", "DeleteItem"), (keys.membership_pk(""), keys.team_pk(""))),
        (("UpdateItem",), (keys.stock_pk(""),)),
        # A flag review (or an erasure) deletes the user's open-flag item with the profile's
        # write (issue #33, docs/analytics.md); it never puts one.
        (("DeleteItem",), (keys.FLAGS_PK,)),
    ),
)
# The write budget of the activity routes; everything else ingest does goes to the queue.
INGEST_TABLE_ACCESS = TableAccess(writes=("UpdateItem",), write_keys=(keys.budget_pk(""),))
# The badge catalog (one partition, queried whole, items put and deleted) and the webhook
# endpoints (read one by one, put and deleted; their deliveries log read).
# Teams (issue #30): a team's definition and directory row, and the memberships an admin adds
# or removes, are written in transactions only.
# The shop (docs/wallet.md): an item and its new stock shards as one transaction (a raised
# stock: an UpdateItem ADD of its first shard), deleted item by item; a wallet adjustment
# commits a user's profile and ledger entry as one transaction.
ADMIN_TABLE_ACCESS = TableAccess(
    # BatchGetItem and the player index (GSI2): the badge dry run reads stored profiles.
    reads=("Query", "GetItem", "BatchGetItem"),
    index_queries=("GSI2",),
    writes=("PutItem", "DeleteItem"),
    transactional_writes=("PutItem", "UpdateItem"),
    write_keys=(keys.CATALOG_PK, keys.WEBHOOKS_PK, keys.SHOP_PK, keys.stock_pk("")),
    transactional_keys=(keys.SHOP_PK, keys.stock_pk(""), keys.user_pk("")),
    narrower_transactional=(
        (
            ("PutItem", "UpdateItem", "DeleteItem"),
            (keys.team_pk(""), keys.TEAM_DIRECTORY_PK, keys.membership_pk("")),
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class ApiFunction:
    """One API function: the folder under ``functions/`` it runs and what it may touch."""

    construct_id: str
    name: str
    description: str
    table_access: TableAccess | None
    """``None``: no table at all (not even its name)."""
    redis: bool = False
    """In the VPC with a connection to the leaderboard cache (the read path only)."""
    memory_mb: int = 512


API_FUNCTIONS: tuple[ApiFunction, ...] = (
    ApiFunction(
        "Ingest",
        "ingest",
        "Validates reported activities and queues them (write path)",
        INGEST_TABLE_ACCESS,
    ),
    ApiFunction(
        "Query",
        "query",
        "Profiles, badges, leaderboards, notifications (read path)",
        QUERY_TABLE_ACCESS,
        redis=True,
    ),
    # No Redis (outside the VPC): the boards follow its profile writes through the projector.
    ApiFunction(
        "Account",
        "account",
        "Settings, read flags, erasure requests and exclusions",
        ACCOUNT_TABLE_ACCESS,
    ),
    ApiFunction(
        "Admin",
        "admin",
        "Badges, quests and webhook endpoints (admin group only); starts the backfill",
        ADMIN_TABLE_ACCESS,
    ),
    # The public routes: outside the VPC, no table, no Redis, so a flood of them can spend
    # neither the read path's concurrency nor the cache (docs/api.md, "Health and docs").
    ApiFunction(
        "Meta",
        "meta",
        "Liveness, the OpenAPI document and Swagger UI (public)",
        None,
        # CPU follows memory: the first document request of a container builds it from every
        # router (≈ 1 s of CPU, docs/api.md); the health answer takes ≈ 6 ms at any size.
        memory_mb=1024,
    ),
)
"""The API functions; ``resources.ROUTES`` says which routes each serves."""
API_FUNCTIONS += (
    # Verifiable badges (docs/credentials.md): reads the caller's profile and the catalog, signs
    # with the credential key (the only function allowed to); outside the VPC (KMS's endpoint).
    ApiFunction(
        "Credentials",
        "credentials",
        "Open Badges 3.0 credentials of earned badges, signed with the stack's KMS key",
        TableAccess(reads=("GetItem", "Query")),
        memory_mb=256,
    ),
)
API_TIMEOUT = Duration.seconds(10)

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
        eraser: GamifyFunction,
        domain: DomainEnvironment,
        user_pool: cognito.IUserPool,
        cors_origins: Sequence[str] = (),
    ) -> None:
        """``user_pool`` is the pool the user routes' authorizer trusts (``Identity``)."""
        super().__init__(scope, construct_id)
        self.cors = BrowserAccess(cors_origins)
        # What only the deployment knows: where each function sends its work.
        environments = {
            "ingest": {
                "QUEUE_URL": queue.queue.queue_url,
                **domain.backdate,
                **_write_budget(config),
            },
            "query": {},
            "account": {
                **domain.user_state,
                **_write_budget(config),
                "ERASER_FUNCTION_NAME": eraser.invoke_name,
            },
            "admin": {"BACKFILL_FUNCTION_NAME": backfill.invoke_name},
            "meta": {},
            "credentials": {},
        }
        self.functions: dict[str, GamifyFunction] = {}
        for row in API_FUNCTIONS:
            fn = GamifyFunction(
                self,
                row.construct_id,
                spec=FunctionSpec(
                    name=row.name,
                    description=row.description,
                    timeout=API_TIMEOUT,
                    memory_mb=row.memory_mb,
                    environment=environments[row.name],
                ),
                runtime=runtime,
                network=network if row.redis else None,
            )
            if row.table_access is not None:
                data.grant(fn, row.table_access)
            if row.redis:
                cache.connect(fn)
            self.functions[row.name] = fn
        self.functions["ingest"].allow(
            ["sqs:SendMessage"], [queue.queue.queue_arn], "QueueActivities"
        )
        self.functions["account"].allow(
            ["lambda:InvokeFunction"], [eraser.alias_arn], "StartErasure"
        )
        self.functions["admin"].allow(
            ["lambda:InvokeFunction"], [backfill.alias_arn], "StartBackfill"
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
            cloud_watch_role=config.api_cloudwatch_role,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            # The routes live in a nested stack (ApiRoutes), so the deployment and the stage are
            # made here, after it.
            deploy=False,
        )
        self.root_method = self._root_answer()
        # On the API itself (cdk-nag's check looks there); the routes' methods use them.
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
        self.routes = ApiRoutes(
            self,
            "Routes",
            rest_api=self.rest_api,
            user_pool=user_pool,
            cors=self.cors,
            functions=self.functions,
            validator=self.validator,
            json_object_model=self.json_object_model,
        )
        self.methods = self.routes.methods
        self.rest_api.deployment_stage = self._stage(config)
        self.execution_logs = self._execution_logs(config)
        for response_type in (apigw.ResponseType.DEFAULT_4_XX, apigw.ResponseType.DEFAULT_5_XX):
            self.rest_api.add_gateway_response(
                f"Gateway{response_type.response_type}",
                type=response_type,
                templates={"application/json": _ERROR_TEMPLATE},
                response_headers=self.cors.gateway_response_headers(),
            )
        self.cors.apply(self.routes.preflights, self.functions.values())
        self.firewall: ApiFirewall | None = None
        if config.waf_enabled:
            self.firewall = ApiFirewall(
                self, "Firewall", config=config, stage=self.rest_api.deployment_stage
            )
        else:
            acknowledge(
                self.rest_api,
                "AwsSolutions-APIG3",
                "WAF is off for this stage (waf=false, or a stage not named prod): its web ACL "
                "and rules cost ~$9 a month at rest. Every user route is authenticated, the "
                "stage and the public routes are throttled; deploy with -c waf=true to add it "
                "(docs/deploy.md, 'Edge protection').",
            )
        if config.api_cloudwatch_role:
            acknowledge(
                self.rest_api,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonAPIGatewayPushToCloudWatchLogs]",
                "The account-level role API Gateway needs to write access and execution logs; "
                "AWS maintains this service policy for exactly that purpose.",
            )

    def _root_answer(self) -> apigw.Method:
        """``GET /`` answered by the gateway itself (no function, no data): a 404 in the API's
        error model pointing at the documentation. A REST API must hold a method of its own,
        and every route lives in the nested stack."""
        body = json.dumps(
            {
                "error": {
                    "code": "not_found",
                    "message": "no such route; see /v1/docs",
                    "details": [],
                }
            }
        )
        method = self.rest_api.root.add_method(
            "GET",
            apigw.MockIntegration(
                request_templates={"application/json": '{"statusCode": 404}'},
                integration_responses=[
                    apigw.IntegrationResponse(
                        status_code="404", response_templates={"application/json": body}
                    )
                ],
            ),
            method_responses=[apigw.MethodResponse(status_code="404")],
            authorization_type=apigw.AuthorizationType.NONE,
        )
        reason = "The API's root answers a fixed 404 from the gateway: no function runs, no data."
        acknowledge(method, "AwsSolutions-APIG4", reason)
        acknowledge(method, "AwsSolutions-COG4", reason)
        return method

    def _stage(self, config: StackConfig) -> apigw.Stage:
        """The deployment of every route and the stage serving it. Both keep the construct
        paths (and so the logical ids) ``RestApi(deploy=True)`` gave them; the deployment's id
        changes with the routes' fingerprint, so each change of a route is deployed."""
        deployment = apigw.Deployment(self.rest_api, "Deployment", api=self.rest_api)
        deployment.node.add_dependency(self.routes)
        deployment.add_to_logical_id(self.routes.fingerprint)
        return apigw.Stage(
            self.rest_api,
            f"DeploymentStage.{config.stage}",
            deployment=deployment,
            stage_name=config.stage,
            throttling_rate_limit=config.api_throttle_rate,
            throttling_burst_limit=config.api_throttle_burst,
            method_options=public_throttles(config),
            access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
            access_log_format=apigw.AccessLogFormat.custom(_ACCESS_LOG_FORMAT),
            logging_level=apigw.MethodLoggingLevel.ERROR,
            data_trace_enabled=False,
            metrics_enabled=True,
            tracing_enabled=config.tracing,
        )

    def _execution_logs(self, config: StackConfig) -> logs.LogGroup:
        """The group method logging (ERROR level, for the integration errors the access log
        does not explain) writes to. API Gateway names it and would create it with no expiry:
        the stack creates it first, with the stack's retention (docs/deploy.md)."""
        group = logs.LogGroup(
            self,
            "ExecutionLogs",
            # The stage's name as given (its Ref would make the group and the stage a cycle).
            log_group_name=f"API-Gateway-Execution-Logs_{self.rest_api.rest_api_id}/{config.stage}",
            retention=config.log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.rest_api.deployment_stage.node.add_dependency(group)
        return group

    def execute_arn(self, method: str, path: str) -> str:
        """ARN to put in a caller's ``execute-api:Invoke`` policy for one route of this stage."""
        stage = self.rest_api.deployment_stage.stage_name
        return self.rest_api.arn_for_execute_api(method, path, stage)


class ApiRoutes(NestedStack):
    """Every route's resource, method (with its CORS preflight) and invoke permission, in a
    nested stack of their own: a route costs the template two to four resources and a
    CloudFormation stack holds at most 500, which the whole product passed with WAF, canary
    deploys and the hosted demo on (docs/deploy.md, "Stack size"). The authorizer sits here
    too (it belongs to the stack of the methods that use it)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        rest_api: apigw.RestApi,
        user_pool: cognito.IUserPool,
        cors: BrowserAccess,
        functions: dict[str, GamifyFunction],
        validator: apigw.IRequestValidator,
        json_object_model: apigw.IModel,
    ) -> None:
        super().__init__(scope, construct_id, description="Gamify: the API's routes")
        self.validator = validator
        self.json_object_model = json_object_model
        self.api = apigw.RestApi.from_rest_api_attributes(
            self,
            "Api",
            rest_api_id=rest_api.rest_api_id,
            root_resource_id=rest_api.rest_api_root_resource_id,
        )
        self._preflight = cors.preflight()
        self.preflights: list[apigw.Method] = []
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "Authorizer",
            cognito_user_pools=[user_pool],
            results_cache_ttl=Duration.minutes(5),
        )
        integrations = {
            name: apigw.LambdaIntegration(fn.alias, allow_test_invoke=False)
            for name, fn in functions.items()
        }
        self._resources: dict[str, apigw.IResource] = {"/": self.api.root}
        self.methods = {
            (route.method, route.path): self._add_route(route, integrations[route.function])
            for route in ROUTES
        }
        self.fingerprint = json.dumps(
            [[r.method, r.path, r.function, gateway_auth(r).value] for r in ROUTES]
            + [cors.origins and sorted(cors.origins)]
        )

    def _resource(self, path: str) -> apigw.IResource:
        """The resource of ``path``, made segment by segment with its CORS preflight (an
        imported API's root has no default preflight for ``resource_for_path`` to pass on)."""
        if path in self._resources:
            return self._resources[path]
        parent_path, _, part = path.rpartition("/")
        parent = self._resource(parent_path or "/")
        resource = parent.add_resource(part, default_cors_preflight_options=self._preflight)
        if self._preflight is not None:
            preflight = resource.node.try_find_child("OPTIONS")
            assert isinstance(preflight, apigw.Method)
            self.preflights.append(preflight)
        self._resources[path] = resource
        return resource

    # --- routes -------------------------------------------------------------------------------

    def _add_route(self, route: Route, integration: apigw.LambdaIntegration) -> apigw.Method:
        resource = self._resource(route.path)
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
                "Deliberately public: liveness probe, API documentation (OpenAPI, Swagger UI) and "
                "the credential issuer's profile and public keys, served by a function with no "
                "data access, throttled on their own."
            )
            acknowledge(method, "AwsSolutions-APIG4", reason)
            acknowledge(method, "AwsSolutions-COG4", reason)
        return method
