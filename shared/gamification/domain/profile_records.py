"""A user's profile as the services see it, whatever stores it: the record read (``StoredUser``),
the change a transition writes (``UserChange``), the account's marks, and the errors a profile
store raises. ``adapters.user_repository`` stores them in DynamoDB; ``tests/fakes`` in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from gamification.domain.domain_events import EventDraft, wallet_entry_posted
from gamification.domain.leagues import Membership
from gamification.domain.notifications import Notification
from gamification.domain.state import UserSettings, UserState
from gamification.domain.visibility import on_the_boards
from gamification.domain.wallet import NO_WALLET_WRITE, WalletWrite, unexplained


class VersionConflictError(Exception):
    """Someone else committed this user since we read it: re-read and apply again."""


class UnstorableChangeError(Exception):
    """DynamoDB refused the write for a reason no retry can fix (``ValidationException``: an item
    or key too large, a malformed value). Whatever caused it must leave the queue."""


class AlreadyAppliedError(Exception):
    """Some activities were committed earlier (their markers exist): drop them and apply again."""

    def __init__(self, dedupe_keys: Sequence[str]) -> None:
        super().__init__(f"{len(dedupe_keys)} activities already applied")
        self.dedupe_keys = list(dedupe_keys)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An operator took the user off every board (``PUT /v1/admin/users/{id}``)."""

    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AccountMarks:
    """Facts about the account, not the game: kept on the profile across every write (the
    consumer, settings and backfill carry them forward unchanged).

    ``erased_at`` is the erasure tombstone: activities *received* before it belong to the erased
    data and are dropped; ``erasing`` is set while the background walk still deletes the user's
    items, and activities received after the erasure wait (SQS retries them) until it is done.
    """

    exclusion: Exclusion | None = None
    erased_at: datetime | None = None
    erasing: bool = False


NO_MARKS = AccountMarks()


@dataclass(frozen=True, slots=True)
class StoredUser:
    """A user's state as read, with the version that guards the next write."""

    state: UserState
    version: int = 0
    """0 means no profile is stored yet."""
    xp_at: datetime | None = None
    """When the user reached their current XP: ties on a leaderboard go to the earlier one."""
    days_loaded: frozenset[str] = frozenset()
    """Local days (ISO) whose cap slots ``state.capped`` holds as stored."""
    inline_days: frozenset[str] = frozenset()
    """Days whose slots came inside an old-format profile: written out as day items next commit."""
    marks: AccountMarks = NO_MARKS
    """Exclusion and erasure tombstone (see :class:`AccountMarks`)."""
    tombstone: bool = False
    """The stored profile is the erasure tombstone itself (nothing about the user but the id)."""
    pending: tuple[str, ...] = ()
    """Dedupe keys committed by the profile whose markers may not be stored yet: applied."""
    slots_from: str | None = None
    """Every day from this one (ISO) keeps its slots inline or names its day item in
    ``spilled``; an earlier day may have a day item. ``None``: unknown (an older profile)."""
    spilled: frozenset[str] = frozenset()
    """Days on or after ``slots_from`` whose slots live in a day item."""

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def listed(self) -> bool:
        """On the public boards and in the leagues: visible by choice, not excluded by an
        operator, not being erased."""
        return on_the_boards_with(self.state.settings, self.marks)


@dataclass(frozen=True, slots=True)
class UserChange:
    """Everything one transition writes for one user."""

    before: StoredUser
    state: UserState
    now: datetime
    new_markers: Sequence[str] = ()
    notifications: Sequence[Notification] = ()
    membership: Membership | None = None
    """A league seat taken for this change (its member item commits with the profile)."""
    marks: AccountMarks | None = None
    """``None`` keeps the marks read (``before.marks``); only the account admin changes them."""
    events: Sequence[EventDraft] = ()
    """The domain events of this change: they commit with the profile (its outbox)."""
    wallet: WalletWrite = NO_WALLET_WRITE
    """Ledger entries (and a redemption) that commit with the profile's balances."""

    def __post_init__(self) -> None:
        """A balance never changes without the ledger entries that explain it: a writer that
        forgot them fails here, in every test, rather than unbalancing a wallet."""
        problem = unexplained(self.before.state.wallet, self.state.wallet, self.wallet.entries)
        if problem:
            raise ValueError(f"user {self.state.user_id}: {problem}")

    @property
    def outbox(self) -> tuple[EventDraft, ...]:
        """What the profile write's outbox carries: the change's events, then one
        ``wallet.entry_posted`` per ledger entry it writes. Derived here, where the entries
        are, so every writer of the wallet emits them (the consumer, a redeem, an adjustment,
        the league close, a badge backfill, a pair quest) and each event exists iff its entry
        committed (both are in the one transaction)."""
        return (*self.events, *(wallet_entry_posted(e) for e in self.wallet.entries))

    @property
    def new_marks(self) -> AccountMarks:
        return self.before.marks if self.marks is None else self.marks

    @property
    def xp_at(self) -> datetime | None:
        if self.state.xp != self.before.state.xp:
            return self.now
        return self.before.xp_at


def on_the_boards_with(settings: UserSettings, marks: AccountMarks) -> bool:
    """Listed on the public boards: visible by choice, not excluded, not being erased."""
    return on_the_boards(
        visible=settings.leaderboard_visible,
        excluded=marks.exclusion is not None,
        erasing=marks.erasing,
    )
