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
from urllib.parse import quote, urlencode

from gamification.api.route_matcher import RouteMatch, match
from gamification.local.apigateway import Request, proxy_event
from gamification.local.auth import Granted
from gamification.resources import Route

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
    """One ``AWS_PROXY`` event, built by the local gateway's own builder (``proxy_event``);
    ``body`` is sent as JSON, ``raw_body`` as is (bytes that are not UTF-8 go base64, as on
    API Gateway)."""
    all_headers = {"Accept": "application/json", "Host": "api.example.com", **(headers or {})}
    payload = b""
    if raw_body is not None:
        payload = raw_body if isinstance(raw_body, bytes) else raw_body.encode()
        all_headers.setdefault("Content-Type", "application/json")
    elif body is not None:
        payload = json.dumps(body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    pairs = [
        (k, v) for k, vs in (query or {}).items() for v in ([vs] if isinstance(vs, str) else vs)
    ]
    target = quote(path, safe="/@:+!$&'()*,;=") + (f"?{urlencode(pairs)}" if pairs else "")
    request = Request(method, target, headers=list(all_headers.items()), body=payload)
    matched = match(method, path) or RouteMatch(Route(method, path, "none"), {})
    context = identity.request_context()
    grant = Granted(authorizer=context.get("authorizer"), identity=context["identity"])
    return proxy_event(request, matched, grant)


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
