"""API Gateway REST proxy events with authorizer context, and a client over the real handlers.

Events have the shape API Gateway's ``AWS_PROXY`` integration sends: Cognito routes carry the
token's claims in ``requestContext.authorizer.claims`` (every value a string), the IAM route
carries the signer in ``requestContext.identity``. The client picks the Lambda that serves each
route from ``resources.ROUTES``, as API Gateway would.
"""

from __future__ import annotations

import base64
import importlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from gamification.api.routes import match

ACCOUNT_ID = "123456789012"
SERVICE_ARN = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/judge-service/session"


@dataclass(frozen=True)
class Identity:
    """Who the authorizer says is calling: a user (maybe admin), a service, or nobody."""

    user_id: str | None = None
    groups: str | list[str] | None = None
    service: bool = False

    def request_context(self) -> dict[str, Any]:
        identity: dict[str, Any] = {
            "sourceIp": "203.0.113.7",
            "userAgent": "pytest",
            "caller": None,
            "userArn": None,
            "accessKey": None,
            "accountId": None,
        }
        context: dict[str, Any] = {"identity": identity}
        if self.service:
            identity.update(
                caller="AROAJUDGE:session",
                userArn=SERVICE_ARN,
                accessKey="ASIAJUDGE",
                accountId=ACCOUNT_ID,
            )
        if self.user_id is not None:
            claims: dict[str, Any] = {
                "sub": self.user_id,
                "cognito:username": self.user_id,
                "token_use": "id",
                "email_verified": "true",
            }
            if self.groups is not None:
                claims["cognito:groups"] = self.groups
            context["authorizer"] = {"claims": claims}
        return context


ANONYMOUS = Identity()
SERVICE = Identity(service=True)


def user(user_id: str) -> Identity:
    return Identity(user_id=user_id)


def admin(user_id: str = "root", groups: str | list[str] = "admin") -> Identity:
    return Identity(user_id=user_id, groups=groups)


def api_event(
    method: str,
    path: str,
    *,
    identity: Identity = ANONYMOUS,
    body: Any = None,
    raw_body: str | bytes | None = None,
    query: Mapping[str, str | Iterable[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One ``AWS_PROXY`` event; ``body`` is sent as JSON, ``raw_body`` as is."""
    matched = match(method, path)
    resource = matched.route.path if matched else path
    path_parameters = (matched.path_parameters or None) if matched else None
    all_headers = {"Accept": "application/json", "Host": "api.example.com", **(headers or {})}
    encoded = False
    text: str | None
    if raw_body is not None:
        if isinstance(raw_body, bytes):
            text, encoded = base64.b64encode(raw_body).decode(), True
        else:
            text = raw_body
        all_headers.setdefault("Content-Type", "application/json")
    elif body is not None:
        text = json.dumps(body)
        all_headers.setdefault("Content-Type", "application/json")
    else:
        text = None
    multi_query = {k: [v] if isinstance(v, str) else list(v) for k, v in (query or {}).items()}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "abc123",
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": 0,
            "accountId": ACCOUNT_ID,
            "apiId": "gamifyapi",
            "domainName": "api.example.com",
            **identity.request_context(),
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


class LambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.memory_limit_in_mb = 256
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:gamify-{function_name}"
        )
        self.aws_request_id = str(uuid.uuid4())


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def error(self) -> dict[str, Any]:
        """The ``error`` object of an error reply (asserting the one error model)."""
        body = self.json
        assert set(body) == {"error"}, body
        assert {"code", "message", "details"} <= set(body["error"]), body
        return dict(body["error"])

    def error_fields(self) -> set[str]:
        return {d["field"] for d in self.error["details"]}


def _handler(function: str) -> ModuleType:
    return importlib.import_module(f"functions.{function}.handler")


def invoke(function: str, event: dict[str, Any]) -> Reply:
    """Call one function's real ``lambda_handler`` and decode its proxy response."""
    raw = _handler(function).lambda_handler(event, LambdaContext(function))
    headers = dict(raw.get("headers") or {})
    for key, values in (raw.get("multiValueHeaders") or {}).items():
        headers[key] = ", ".join(values)
    body = raw.get("body") or ""
    if raw.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return Reply(status=int(raw["statusCode"]), headers=headers, text=body, raw=raw)


class Api:
    """Sends requests to the Lambda that serves each route, like API Gateway."""

    def request(
        self,
        method: str,
        path: str,
        *,
        as_: Identity = ANONYMOUS,
        function: str | None = None,
        **kwargs: Any,
    ) -> Reply:
        matched = match(method, path)
        target = function or (matched.route.function if matched else "query")
        return invoke(target, api_event(method, path, identity=as_, **kwargs))

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Reply:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)
