"""Accept activities at the edge: validate with the domain, stamp, queue; never process inline.

An activity the consumer could never apply (unknown type, a type this reporter may not report,
outside the back-dating window) is refused here with the field to fix, so it never reaches the
queue. The checks are the domain's own (:func:`gamification.domain.transition.check`), the same
ones the consumer applies, so the edge and the pipeline cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from datetime import datetime
from typing import Protocol

from gamification.domain.activity import Activity
from gamification.domain.catalog import Reporter
from gamification.domain.game_rules import GameRules
from gamification.domain.transition import Rejection, RejectReason, activity_key, check

FIELD_OF_REASON = {
    RejectReason.UNKNOWN_TYPE: "type",
    RejectReason.NOT_PERMITTED: "type",
    RejectReason.TOO_OLD: "occurred_at",
    RejectReason.IN_FUTURE: "occurred_at",
    RejectReason.WRONG_USER: "user_id",
    RejectReason.INVALID_ATTRIBUTE: "attributes",
}
NOT_QUEUED = "not_queued"
"""Item code when SQS did not take an accepted item: send that item again."""


class ActivityQueuePort(Protocol):
    def send(self, activity: Activity) -> None: ...

    def send_many(self, activities: Sequence[Activity]) -> set[int]: ...


@dataclass(frozen=True, slots=True)
class Report:
    """What a reporter says happened; the user comes from the caller's identity."""

    type: str
    object_id: str
    occurred_at: datetime | None = None
    series_id: str | None = None
    attributes: Mapping[str, str | int | bool] = default(default_factory=dict)


class ActivityRejectedError(Exception):
    """The activity can never be applied; ``field`` names what to fix."""

    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.detail)
        self.rejection = rejection
        self.field = rejection.field or FIELD_OF_REASON[rejection.reason]


@dataclass(frozen=True, slots=True)
class Queued:
    activity: Activity
    key: str
    """The dedupe key: the same activity reported again earns nothing."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One batch item's fate: queued under ``key``, or refused with a code and a reason."""

    index: int
    key: str
    error_code: str | None = None
    error_message: str | None = None
    field: str | None = None

    @property
    def accepted(self) -> bool:
        return self.error_code is None


class IngestService:
    def __init__(
        self,
        queue: ActivityQueuePort,
        rules: Callable[[], GameRules],
        clock: Callable[[], datetime],
    ) -> None:
        self._queue = queue
        self._rules = rules
        self._clock = clock

    def report(self, user_id: str, report: Report, source: Reporter) -> Queued:
        """Queue one activity; raises :class:`ActivityRejectedError` (and queues nothing)."""
        rules = self._rules()
        activity = self._accept(user_id, report, source, self._clock(), rules)
        self._queue.send(activity)
        return Queued(activity=activity, key=activity_key(activity, rules))

    def report_batch(
        self, user_id: str, reports: Sequence[Report], source: Reporter
    ) -> list[Outcome]:
        """Check every item, queue the good ones (one SendMessageBatch per 10), report each.

        Items repeating an earlier item's key are accepted without a second message: the
        consumer would drop the copy anyway.
        """
        rules = self._rules()
        now = self._clock()
        outcomes: list[Outcome] = []
        to_send: dict[str, Activity] = {}
        for index, report in enumerate(reports):
            try:
                activity = self._accept(user_id, report, source, now, rules)
            except ActivityRejectedError as rejected:
                outcomes.append(_refused(index, rejected))
                continue
            key = activity_key(activity, rules)
            outcomes.append(Outcome(index=index, key=key))
            to_send.setdefault(key, activity)
        sent = list(to_send)
        failed = {sent[i] for i in self._queue.send_many(list(to_send.values()))} if sent else set()
        return [
            Outcome(
                index=o.index,
                key=o.key,
                error_code=NOT_QUEUED,
                error_message="the queue did not take this item; send it again",
            )
            if o.accepted and o.key in failed
            else o
            for o in outcomes
        ]

    @staticmethod
    def _accept(
        user_id: str, report: Report, source: Reporter, now: datetime, rules: GameRules
    ) -> Activity:
        activity = Activity(
            user_id=user_id,
            type=report.type,
            object_id=report.object_id,
            occurred_at=report.occurred_at or now,
            received_at=now,
            source=source,
            series_id=report.series_id,
            attributes=dict(report.attributes),
        )
        verdict = check(activity, user_id, rules)
        if isinstance(verdict, Rejection):
            raise ActivityRejectedError(verdict)
        return activity


def _refused(index: int, rejected: ActivityRejectedError) -> Outcome:
    return Outcome(
        index=index,
        key=rejected.rejection.key,
        error_code=rejected.rejection.reason.value,
        error_message=rejected.rejection.detail,
        field=rejected.field,
    )
