"""Admin: add, change and remove badge definitions and quests (``admin`` group only)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import Depends, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel

from gamification import composition
from gamification.api.bodies import BadgeId, BadgeIn, BadgeOut, QuestId, QuestIn
from gamification.api.contract import ADMIN_ERRORS, BODY_ERRORS, new_router, responses, route
from gamification.services.admin import BadgeAdmin, QuestAdmin
from gamification.services.dry_run import MAX_USERS, BadgeDryRun, Position, QuestDryRun
from gamification.services.read_models import (
    BadgeDryRunOut,
    QuestDryRunOut,
    QuestOut,
)

router = new_router()
TAGS = ["admin"]
BadgeIdPath = Annotated[BadgeId, Path(description="Lower-case letters, digits, `-`, `_`.")]


Saved = TypeVar("Saved", bound=BaseModel)


def _replaced_or_created(*errors: HTTPStatus) -> dict[int, Any]:
    """A PUT of a definition: 200 when it replaced one, 201 when it is new."""
    return {
        **responses(
            200,
            "Replaced",
            HTTPStatus.BAD_REQUEST,
            HTTPStatus.NOT_FOUND,
            *ADMIN_ERRORS,
            *BODY_ERRORS,
            *errors,
        ),
        201: {"description": "Created"},
    }


def _saved(created: bool, body: Saved) -> Response[Saved]:
    return Response(
        status_code=HTTPStatus.CREATED if created else HTTPStatus.OK,
        content_type=content_types.APPLICATION_JSON,
        body=body,
    )


def _removed() -> dict[int, Any]:
    """A DELETE of a definition: 204, or 404 when there is none."""
    return responses(204, "Removed", *ADMIN_ERRORS, HTTPStatus.NOT_FOUND, body=False)


def badge_admin() -> BadgeAdmin:
    return composition.badge_admin()


@route(
    router,
    "PUT",
    "/v1/admin/badges/{badge_id}",
    status_code=200,
    operation_id="putBadge",
    summary="Create or replace a badge definition",
    description="Validated as the engine reads it (unknown criteria types or event types are "
    "refused). Starts the backfill that awards it to users who already qualify. Answers 201 "
    "when the badge is new.",
    tags=TAGS,
    responses=_replaced_or_created(HTTPStatus.SERVICE_UNAVAILABLE),
)
def put_badge(
    badge_id: BadgeIdPath,
    body: BadgeIn,
    service: Annotated[BadgeAdmin, Depends(badge_admin)],
) -> Response[BadgeOut]:
    saved = service.upsert(badge_id, body.model_dump(mode="json"))
    return _saved(saved.created, BadgeOut.model_validate(saved.badge))


@route(
    router,
    "DELETE",
    "/v1/admin/badges/{badge_id}",
    status_code=204,
    operation_id="deleteBadge",
    summary="Remove a badge definition",
    description="Users who earned it keep it (listed as retired on their badges).",
    tags=TAGS,
    responses=_removed(),
)
def delete_badge(
    badge_id: BadgeIdPath,
    service: Annotated[BadgeAdmin, Depends(badge_admin)],
) -> Response[None]:
    service.remove(badge_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, body=None)


DryRunCursor = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=1200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="`next_cursor` of the previous report, to go on.",
    ),
]


def _position(cursor: str | None) -> Position:
    return Position.of_token(cursor) if cursor is not None else Position()


def badge_dry_run() -> BadgeDryRun:
    return composition.badge_dry_run()


@route(
    router,
    "POST",
    "/v1/admin/badges/{badge_id}/dry-run",
    status_code=200,
    operation_id="dryRunBadge",
    summary="Try an unsaved badge definition on the stored players",
    description="Validated as a PUT would be, then evaluated on up to `limit` stored profiles "
    "(the player index, shard by shard): who would earn it now, a sample, the progress "
    "distribution and the notifications going live would send. Writes nothing. Go on from "
    "`next_cursor` and add the pages up; ≈ 0.5 read units a profile.",
    tags=TAGS,
    responses=responses(200, "The report", HTTPStatus.BAD_REQUEST, *ADMIN_ERRORS, *BODY_ERRORS),
)
def dry_run_badge(
    badge_id: BadgeIdPath,
    body: BadgeIn,
    *,
    admin: Annotated[BadgeAdmin, Depends(badge_admin)],
    dry_run: Annotated[BadgeDryRun, Depends(badge_dry_run)],
    cursor: DryRunCursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_USERS, description="Profiles to read.")] = MAX_USERS,
) -> BadgeDryRunOut:
    badge = admin.check(badge_id, body.model_dump(mode="json"))
    run = dry_run.run(badge, _position(cursor), max_users=limit)
    report = run.report
    return BadgeDryRunOut(
        scanned=report.scanned,
        qualifying=report.qualifying,
        already_held=report.already_held,
        newly_earned=report.newly_earned,
        notifications=report.notifications,
        pushes=report.pushes,
        levels=report.levels,
        distribution=report.distribution,
        sample=report.sample,
        not_yet_counted=run.not_yet_counted,
        next_cursor=run.next.token() if run.next else None,
    )


def quest_admin() -> QuestAdmin:
    return composition.quest_admin()


QuestIdPath = Annotated[QuestId, Path(description="Lower-case letters, digits, `-`, `_`.")]


@route(
    router,
    "PUT",
    "/v1/admin/quests/{quest_id}",
    status_code=200,
    operation_id="putQuest",
    summary="Create or replace a quest",
    description="Validated as the consumer reads it (unknown criterion types, event types or "
    "reward badges are refused; `ends_at` must be after `starts_at`). Activities count by when "
    "they occurred inside the window. Answers 201 when the quest is new.",
    tags=TAGS,
    responses=_replaced_or_created(),
)
def put_quest(
    quest_id: QuestIdPath,
    body: QuestIn,
    service: Annotated[QuestAdmin, Depends(quest_admin)],
) -> Response[QuestOut]:
    saved = service.upsert(quest_id, body.model_dump(mode="json"))
    return _saved(saved.created, QuestOut.model_validate(saved.quest))


@route(
    router,
    "DELETE",
    "/v1/admin/quests/{quest_id}",
    status_code=204,
    operation_id="deleteQuest",
    summary="Remove a quest",
    description="Progress on it is dropped; rewards already paid stay.",
    tags=TAGS,
    responses=_removed(),
)
def delete_quest(
    quest_id: QuestIdPath,
    service: Annotated[QuestAdmin, Depends(quest_admin)],
) -> Response[None]:
    service.remove(quest_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, body=None)


def quest_dry_run() -> QuestDryRun:
    return composition.quest_dry_run()


@route(
    router,
    "POST",
    "/v1/admin/quests/{quest_id}/dry-run",
    status_code=200,
    operation_id="dryRunQuest",
    summary="Try an unsaved quest on the stored players",
    description="Validated as a PUT would be, then evaluated on up to `limit` stored profiles. "
    "A quest counts only activities applied while it is live, so stored progress counts only "
    "when the live quest of this id has the same criterion and window (`carried`); otherwise "
    "everyone starts at 0. Writes nothing; go on from `next_cursor`.",
    tags=TAGS,
    responses=responses(200, "The report", HTTPStatus.BAD_REQUEST, *ADMIN_ERRORS, *BODY_ERRORS),
)
def dry_run_quest(
    quest_id: QuestIdPath,
    body: QuestIn,
    *,
    admin: Annotated[QuestAdmin, Depends(quest_admin)],
    dry_run: Annotated[QuestDryRun, Depends(quest_dry_run)],
    cursor: DryRunCursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_USERS, description="Profiles to read.")] = MAX_USERS,
) -> QuestDryRunOut:
    quest = admin.check(quest_id, body.model_dump(mode="json"))
    run = dry_run.run(quest, _position(cursor), max_users=limit)
    report = run.report
    return QuestDryRunOut(
        carried=report.carried,
        scanned=report.scanned,
        completing=report.completing,
        already_completed=report.already_completed,
        notifications=report.notifications,
        pushes=report.pushes,
        distribution=report.distribution,
        sample=report.sample,
        next_cursor=run.next.token() if run.next else None,
    )
