"""The one error model: every 4xx and 5xx body is ``{"error": {"code", "message", "details"}}``.

Powertools answers validation failures, unknown routes and crashes in its own shapes; the handlers
installed here turn each of those, and every service exception, into this one shape so a client
needs a single error parser. Messages name the offending field once. Any text of the request they
repeat (an unknown key, a rejected tag) is capped and escaped where it is quoted, and the models
below escape and bound every field and message again, whoever built them: an error body can
carry neither a megabyte nor a terminal escape or bidi override.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gamification.api.route_matcher import allowed_methods
from gamification.domain.badges import INTEGER_AS_FLOAT, TOO_DEEP
from gamification.domain.text import shown
from gamification.validation import field_path, message, said_once

logger = Logger(child=True)


def _bounded(limit: int) -> AfterValidator:
    return AfterValidator(lambda text: shown(text, limit))


class FieldError(BaseModel):
    """One problem with one input field, e.g. ``body.occurred_at`` or ``query.limit``."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    field: Annotated[str, _bounded(200)] = Field(
        description="Where: `body.<path>`, `query.<name>` or `path.<name>`."
    )
    message: Annotated[str, _bounded(400)]
    type: str = Field(description="Machine-readable kind, e.g. `less_than_equal`.")


class ErrorInfo(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    code: str = Field(description="Stable machine-readable code, e.g. `unknown_event_type`.")
    message: Annotated[str, _bounded(1000)]
    details: list[FieldError] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    """The body of every error response."""

    model_config = ConfigDict(defer_build=True)  # built by the first error, not at import

    error: ErrorInfo


class ApiError(Exception):
    """An error with its HTTP status; raised by the API layer (auth, limits), mapped 1:1."""

    def __init__(
        self,
        status: HTTPStatus,
        code: str,
        message: str,
        details: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.info = ErrorInfo(code=code, message=message, details=list(details))
        self.headers = dict(headers or {})


def field_error(field: str, message: str, kind: str) -> FieldError:
    return FieldError(field=field, message=message, type=kind)


def unsupported_media_type() -> ApiError:
    """415: the one answer to a body that is not JSON, from the edge check or Powertools."""
    return ApiError(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the body as application/json",
        [field_error("header.content-type", "must be application/json", "media_type")],
    )


def error_response(
    status: HTTPStatus, info: ErrorInfo, headers: Mapping[str, str] | None = None
) -> Response[str]:
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body=ErrorResponse(error=info).model_dump_json(),
        headers=dict(headers or {}),
    )


# -- translating Powertools' validation errors ---------------------------------------------------

SCHEMA_VALID_KINDS = frozenset({INTEGER_AS_FLOAT, TOO_DEEP})
"""Validation errors of values the document's schema allows: a request whose only errors are
of these kinds is a 400 (it matches the document; a rule refuses it), not a 422."""


def validation_details(errors: Iterable[Mapping[str, Any]], body: Any = None) -> list[FieldError]:
    """Pydantic errors as field errors (without the rejected input, which may be large); with
    the request's JSON ``body``, paths leave out union tags (``validation.field_path``)."""
    details: list[FieldError] = []
    for error in errors:
        field = field_path(error.get("loc", ()), body)
        text = message(error)
        if error.get("type") == "json_invalid":
            field, text = "body", "body is not valid JSON"
        detail = field_error(field, text, str(error.get("type", "invalid")))
        if detail not in details:
            details.append(detail)
    return details


def _summary(details: Sequence[FieldError]) -> str:
    listed = "; ".join(said_once(d.field, d.message) for d in details[:5])
    more = f" (+{len(details) - 5} more)" if len(details) > 5 else ""
    return f"invalid request: {listed}{more}" if listed else "invalid request"


# -- installing the handlers ------------------------------------------------------------------


ServiceErrorMap = Mapping[type[Exception], Callable[[Any], ApiError]]
"""Service exception type -> its API error (each translator takes its own exception type)."""


def install(
    app: APIGatewayRestResolver,
    service_errors: ServiceErrorMap,
    late_errors: Callable[[Exception], ApiError | None] | None = None,
) -> None:
    """Route every failure through the one error model.

    ``service_errors`` maps exceptions the services raise to API errors, so the services never
    know about HTTP and the routers never catch. ``late_errors`` translates the exceptions of
    modules loaded only after the resolver was built (composition imports lazily).
    """

    def _api_error(error: ApiError) -> Response[str]:
        return error_response(error.status, error.info, error.headers)

    def _invalid(error: RequestValidationError) -> Response[str]:
        details = validation_details(error.errors(), _json_body(app))
        if details and all(d.type in SCHEMA_VALID_KINDS for d in details):
            info = ErrorInfo(code=details[0].type, message=_summary(details), details=details)
            return error_response(HTTPStatus.BAD_REQUEST, info)
        info = ErrorInfo(code="invalid_request", message=_summary(details), details=details)
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, info)

    def _unsupported(error: RequestUnsupportedContentType) -> Response[str]:
        refused = unsupported_media_type()
        return error_response(refused.status, refused.info)

    def _no_route(_: NotFoundError) -> Response[str]:
        event = app.current_event
        allowed = allowed_methods(event.path)
        if allowed and event.http_method.upper() not in allowed:
            info = ErrorInfo(
                code="method_not_allowed",
                message=f"{event.http_method} is not allowed here; use {', '.join(allowed)}",
            )
            return error_response(
                HTTPStatus.METHOD_NOT_ALLOWED, info, {"Allow": ", ".join(allowed)}
            )
        info = ErrorInfo(code="not_found", message="no such route")
        return error_response(HTTPStatus.NOT_FOUND, info)

    def _crash(error: Exception) -> Response[str]:
        late = late_errors(error) if late_errors is not None else None
        if late is not None:
            return _translated(lambda _: late)(error)
        logger.exception("unhandled error")
        info = ErrorInfo(code="internal_error", message="something went wrong on our side")
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, info)

    _on(app, ApiError, _api_error)
    _on(app, RequestValidationError, _invalid)
    _on(app, RequestUnsupportedContentType, _unsupported)
    _on(app, NotFoundError, _no_route)
    for exception_type, translate in service_errors.items():
        _on(app, exception_type, _translated(translate))
    _on(app, Exception, _crash)


def _json_body(app: APIGatewayRestResolver) -> Any:
    """The request's JSON body, or ``None`` (the edge has already bounded its size and shape)."""
    try:
        return app.current_event.json_body
    except ValueError:
        return None


def _translated(translate: Callable[[Any], ApiError]) -> Callable[[Exception], Response[str]]:
    def handle(error: Exception) -> Response[str]:
        api_error = translate(error)
        if api_error.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            logger.warning("dependency failure", extra={"code": api_error.info.code})
        return error_response(api_error.status, api_error.info, api_error.headers)

    return handle


def _on(
    app: APIGatewayRestResolver,
    exception_type: type[Exception],
    handler: Callable[[Any], Response[str]],
) -> None:
    """Register an exception handler without a decorator (one per mapped exception type)."""
    app.exception_handler(exception_type)(handler)
