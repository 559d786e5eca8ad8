"""Admin rights only with MFA: the rule the user pool's token trigger applies.

Cognito's MFA setting is pool-wide (off, optional, required). Players keep it optional; an
administrator must have TOTP activated, and with optional MFA a user who has activated a factor
is challenged for it at every sign-in. So a token is issued with the admin group only to a user
with an activated factor; anyone else (an admin who has not set TOTP up yet) signs in as a player
and can then set it up with their access token (docs/deploy.md, "Sign-in").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gamification.api.auth import ADMIN_GROUP


class MfaSettings(Protocol):
    def has_mfa(self, user_pool_id: str, username: str) -> bool:
        """Whether the user has an activated MFA factor; raise when it cannot be told."""
        ...


def groups_to_issue(
    groups: Sequence[str], *, user_pool_id: str, username: str, settings: MfaSettings
) -> list[str] | None:
    """The groups the token should carry, or ``None`` to leave them as they are.

    Fails closed: when the MFA settings cannot be read, the admin group is dropped.
    """
    if ADMIN_GROUP not in groups or _has_mfa(settings, user_pool_id, username):
        return None
    return [group for group in groups if group != ADMIN_GROUP]


def _has_mfa(settings: MfaSettings, user_pool_id: str, username: str) -> bool:
    try:
        return settings.has_mfa(user_pool_id, username)
    except Exception:
        return False  # cannot tell: no admin rights (the user still signs in, as a player)
