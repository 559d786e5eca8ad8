"""Reporting activities: queued for the consumer, answered with 202 and the dedupe key."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.metrics import MetricUnit

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.bodies import (
    AcceptedOut,
    ActivityBatchIn,
    ActivityIn,
    BatchItemOut,
    BatchOut,
    ItemError,
    ServiceActivityIn,
)
from gamification.api.budget import charge, current_writer
from gamification.api.contract import (
    AUTH_ERRORS,
    BODY_ERRORS,
    WRITE_ERRORS,
    new_router,
    responses,
    route,
)
from gamification.domain.catalog import Reporter
from gamification.services.ingest import IngestService, Outcome, Queued, Report

router = new_router()
metrics = Metrics()
TAGS = ["activities"]
_QUEUE_DOWN = (HTTPStatus.SERVICE_UNAVAILABLE,)


def ingest() -> IngestService:
    return composition.ingest_service()


@route(
    router,
    "POST",
    "/v1/activities",
    operation_id="reportActivity",
    status_code=202,
    summary="Report one of your own activities",
    description="Validated at once and queued; XP is applied asynchronously. Repeating an "
    "activity (same type and object) is harmless: it earns once.",
    tags=TAGS,
    responses=responses(
        202,
        "Queued",
        HTTPStatus.BAD_REQUEST,
        *AUTH_ERRORS,
        *WRITE_ERRORS,
        *BODY_ERRORS,
        *_QUEUE_DOWN,
    ),
)
def report_activity(
    body: ActivityIn,
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[IngestService, Depends(ingest)],
) -> AcceptedOut:
    queued = service.report(caller.user_id, _report(body), Reporter.CLIENT)
    metrics.add_metric("ActivitiesAccepted", MetricUnit.Count, 1)
    return _accepted(queued)


@route(
    router,
    "POST",
    "/v1/activities/batch",
    operation_id="reportActivities",
    status_code=202,
    summary="Report up to 25 of your own activities",
    description="Each item is accepted (queued) or rejected on its own; `results[i]` answers "
    "`activities[i]`. An item with code `not_queued` can be sent again.",
    tags=TAGS,
    responses=responses(202, "Per-item results", *AUTH_ERRORS, *WRITE_ERRORS, *BODY_ERRORS),
)
def report_batch(
    body: ActivityBatchIn,
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[IngestService, Depends(ingest)],
) -> BatchOut:
    charge(caller, len(body.activities))
    outcomes = service.report_batch(
        caller.user_id, [_report(a) for a in body.activities], Reporter.CLIENT
    )
    results = [_item(o) for o in outcomes]
    accepted = sum(1 for r in results if r.status == "accepted")
    metrics.add_metric("ActivitiesAccepted", MetricUnit.Count, accepted)
    metrics.add_metric("ActivitiesRejected", MetricUnit.Count, len(results) - accepted)
    return BatchOut(accepted=accepted, rejected=len(results) - accepted, results=results)


@route(
    router,
    "POST",
    "/v1/internal/activities",
    operation_id="reportActivityAsService",
    status_code=202,
    summary="Report an activity for any user (trusted services)",
    description="IAM-authenticated. Any non-system event type, e.g. `challenge_solved` from "
    "the judge service or `series_completed` from the content service.",
    tags=TAGS,
    responses=responses(
        202,
        "Queued",
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.FORBIDDEN,
        *BODY_ERRORS,
        *_QUEUE_DOWN,
    ),
)
def report_as_service(
    body: ServiceActivityIn,
    service: Annotated[IngestService, Depends(ingest)],
) -> AcceptedOut:
    queued = service.report(body.user_id, _report(body), Reporter.SERVICE)
    metrics.add_metric("ServiceActivitiesAccepted", MetricUnit.Count, 1)
    return _accepted(queued)


def _report(body: ActivityIn) -> Report:
    return Report(
        type=body.type,
        object_id=body.object_id,
        occurred_at=body.occurred_at,
        series_id=body.series_id,
        attributes=body.attributes,
    )


def _accepted(queued: Queued) -> AcceptedOut:
    return AcceptedOut(
        key=queued.key,
        occurred_at=queued.activity.occurred_at,
        received_at=queued.activity.received_at,
    )


def _item(outcome: Outcome) -> BatchItemOut:
    if outcome.accepted:
        return BatchItemOut(index=outcome.index, status="accepted", key=outcome.key)
    return BatchItemOut(
        index=outcome.index,
        status="rejected",
        key=outcome.key,
        error=ItemError(
            code=outcome.error_code or "rejected",
            message=outcome.error_message or "",
            field=outcome.field,
        ),
    )
