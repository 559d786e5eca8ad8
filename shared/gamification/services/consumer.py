"""Turn one SQS batch into per-user work: parse, set poison aside, apply, report failures.

A record that can never succeed (bad JSON, schema error, unknown or forbidden event type, outside
the back-dating window, or a commit DynamoDB refuses for good, such as a key too long) goes to
the DLQ with its reason and is *not* reported as failed, so it leaves the queue at once; the
user's other records are still applied. Anything else that fails (throttling, conflicts past the
budget) fails only that user's records, which SQS redelivers; after
``maxReceiveCount`` the queue's redrive moves them to the DLQ, so nothing is retried forever.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from gamification.domain.activity import Activity
from gamification.domain.dead_letters import DeadLetter, DeadLetterQueueError
from gamification.domain.game_rules import GameRules
from gamification.domain.profile_records import StoredUser
from gamification.domain.transition import Rejection, check
from gamification.services.applier import ActivityApplier, Applied
from gamification.validation import describe

logger = Logger()


class QueueRecord(Protocol):
    @property
    def message_id(self) -> str: ...

    @property
    def body(self) -> str: ...


class DeadLetters(Protocol):
    """Where poison messages go, with their reasons (adapter: ``DeadLetterQueue``)."""

    def send(self, letters: Sequence[DeadLetter]) -> None:
        """Raises DeadLetterQueueError naming the letters that were not sent."""
        ...


@dataclass
class BatchReport:
    applied: list[Applied] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    failed_message_ids: set[str] = field(default_factory=set)
    failed_users: int = 0

    def response(self) -> dict[str, list[dict[str, str]]]:
        """Lambda's partial batch response: the records SQS must deliver again (none, or all of
        them, is still a successful invocation, not a function error)."""
        return {
            "batchItemFailures": [
                {"itemIdentifier": message_id} for message_id in sorted(self.failed_message_ids)
            ]
        }

    def totals(self) -> dict[str, int]:
        """The batch's business metrics, by CloudWatch metric name."""
        return {
            "ActivitiesApplied": sum(a.activities_applied for a in self.applied),
            "XpAwarded": sum(a.xp_awarded for a in self.applied),
            "BadgesEarned": sum(a.badges_earned for a in self.applied),
            "LevelUps": sum(a.level_ups for a in self.applied),
            "DuplicatesDropped": sum(a.duplicates for a in self.applied),
            "VersionConflicts": sum(a.conflicts for a in self.applied),
            "PoisonMessages": len(self.dead_letters),
            "FailedUsers": self.failed_users,
            "ErasedActivitiesDropped": sum(a.erased for a in self.applied),
            "ActivitiesHeldForErasure": sum(len(a.held) for a in self.applied),
        }


class AfterApply(Protocol):
    def after_apply(self, stored: StoredUser | None) -> int:
        """Work that follows a user's commit (``services.pair_quests``: settle the user's open
        pair quests); runs for duplicates too, so a redelivery repeats it. Raises to have the
        user's records retried."""
        ...


class AfterApplies:
    """Several ``AfterApply`` steps in order (friend quests, then team quests): a step that
    raises fails the user's records, so a redelivery repeats them all (each is idempotent)."""

    def __init__(self, *steps: AfterApply) -> None:
        self._steps = steps

    def after_apply(self, stored: StoredUser | None) -> int:
        return sum(step.after_apply(stored) for step in self._steps)


class QueueConsumer:
    def __init__(
        self,
        applier: ActivityApplier,
        dead_letters: DeadLetters,
        rules: Callable[[], GameRules],
        after_apply: AfterApply | None = None,
    ) -> None:
        self._applier = applier
        self._dead_letters = dead_letters
        self._rules = rules
        self._after_apply = after_apply

    def consume(self, records: Sequence[QueueRecord]) -> BatchReport:
        report = BatchReport()
        by_user: dict[str, list[tuple[str, Activity]]] = defaultdict(list)
        rules = self._rules()
        for record in records:
            parsed = _parse(record, rules)
            if isinstance(parsed, DeadLetter):
                report.dead_letters.append(parsed)
            else:
                by_user[parsed.user_id].append((record.message_id, parsed))
        self._send_dead_letters(report, report.dead_letters)
        if by_user:
            bodies = {r.message_id: r.body for r in records}
            self._apply(by_user, report)
            self._dead_letter_unstorable(by_user, bodies, report)
        return report

    def _dead_letter_unstorable(
        self,
        by_user: dict[str, list[tuple[str, Activity]]],
        bodies: dict[str, str],
        report: BatchReport,
    ) -> None:
        """Every delivery of an activity DynamoDB refused for good goes to the DLQ."""
        reasons = {
            message_id: bad.reason
            for applied in report.applied
            for bad in applied.unstorable
            for message_id, activity in by_user[applied.user_id]
            if activity == bad.activity
        }
        letters = [
            DeadLetter(message_id, bodies[message_id], "unstorable_activity", reason)
            for message_id, reason in reasons.items()
        ]
        report.dead_letters.extend(letters)
        self._send_dead_letters(report, letters)

    def _apply(self, by_user: dict[str, list[tuple[str, Activity]]], report: BatchReport) -> None:
        """Commit each user on its own: one user's failure fails only its records. The
        leaderboards follow from the table's stream (``services.projector``), not from here."""
        try:
            known = self._applier.preload(list(by_user))
        except Exception:
            logger.exception("could not read the batch's users; reading them one by one")
            known = {}
        for user_id, deliveries in by_user.items():
            message_ids = [m for m, _ in deliveries]
            logger.append_keys(user_id=user_id, message_ids=message_ids)
            try:
                applied = self._applier.apply(
                    user_id, [a for _, a in deliveries], known.get(user_id)
                )
                if self._after_apply is not None:
                    self._after_apply.after_apply(applied.stored)
            except Exception:
                logger.exception("user's records failed; they will be retried")
                report.failed_message_ids.update(message_ids)
                report.failed_users += 1
            else:
                report.applied.append(applied)
                report.failed_message_ids.update(
                    m for m, a in deliveries if any(a == held for held in applied.held)
                )
                logger.info(
                    "applied",
                    extra={
                        "applied": applied.activities_applied,
                        "duplicates": applied.duplicates,
                        "xp_awarded": applied.xp_awarded,
                        "conflicts": applied.conflicts,
                        "erased": applied.erased,
                    },
                )
            finally:
                logger.remove_keys(["user_id", "message_ids"])

    def _send_dead_letters(self, report: BatchReport, letters: Sequence[DeadLetter]) -> None:
        if not letters:
            return
        for letter in letters:
            logger.warning(
                "poison message to the DLQ",
                extra={
                    "message_id": letter.message_id,
                    "code": letter.code,
                    "reason": letter.reason,
                },
            )
        try:
            self._dead_letters.send(letters)
        except DeadLetterQueueError as error:
            report.failed_message_ids.update(error.message_ids)
        except Exception:
            logger.exception("the DLQ is unreachable; poison records will be retried")
            report.failed_message_ids.update(d.message_id for d in letters)


def _parse(record: QueueRecord, rules: GameRules) -> Activity | DeadLetter:
    try:
        activity = Activity.model_validate_json(record.body)
    except ValidationError as error:
        return DeadLetter(record.message_id, record.body, "invalid_message", describe(error))
    verdict = check(activity, activity.user_id, rules)
    if isinstance(verdict, Rejection):
        return DeadLetter(record.message_id, record.body, verdict.reason.value, verdict.detail)
    return activity
