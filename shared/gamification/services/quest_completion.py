"""The profile write of a quest completion decided outside the user's own transition: a pair's
sum (``services.pair_quests``) or a team's (``services.team_quests``).

Both pay through ``transition.complete_quest`` and commit here, so what reaches the profile is
what the consumer commits for a solo completion: the state (``completed_at``, the reward XP and
badge, the badges and level unlocked, the balances), the notifications (none for the control
group, which plays invisibly, as in ``services.applier``), the domain events derived from the
effects (``xp.awarded``, ``quest.completed``, ``badge.earned``, ``level.changed``: the same
fact-derived ids as a solo completion's) and the wallet's ledger entries that explain the
balances, in one version-guarded write: the completion stored is what makes it once.
"""

from __future__ import annotations

from datetime import datetime

from gamification.domain.domain_events import derive
from gamification.domain.experiments import experience
from gamification.domain.game_rules import GameRules
from gamification.domain.profile_records import StoredUser, UserChange
from gamification.domain.transition import Transition
from gamification.domain.wallet import WalletWrite


def completion_change(
    before: StoredUser, paid: Transition, rules: GameRules, now: datetime
) -> UserChange:
    """The write of ``paid`` (``complete_quest`` applied to ``before.state``)."""
    effects = paid.effects
    control = experience(paid.state.experiment) == "control"
    return UserChange(
        before=before,
        state=paid.state,
        now=now,
        notifications=() if control else tuple(effects.notifications),
        events=derive(before.state, paid.state, effects, rules, now),
        wallet=WalletWrite(tuple(effects.ledger)),
    )
