"""Admin rights only with MFA: the rule the user pool's token trigger applies, on a fake of its
one port (the trigger against moto's Cognito: tests/integration/identity)."""

from __future__ import annotations

import pytest

from gamification.api.auth import ADMIN_GROUP
from gamification.services.admin_mfa import groups_to_issue


@pytest.mark.parametrize(
    ("groups", "mfa", "issued"),
    [
        ([], False, None),
        (["editors"], False, None),
        ([ADMIN_GROUP], True, None),
        ([ADMIN_GROUP], False, []),
        (["a", ADMIN_GROUP, "b"], False, ["a", "b"]),
    ],
)
def test_the_rule(groups: list[str], mfa: bool, issued: list[str] | None) -> None:
    class Settings:
        def has_mfa(self, user_pool_id: str, username: str) -> bool:
            return mfa

    assert groups_to_issue(groups, user_pool_id="p", username="u", settings=Settings()) == issued


def test_a_lookup_that_fails_withholds_the_admin_group_only() -> None:
    class Broken:
        def has_mfa(self, user_pool_id: str, username: str) -> bool:
            raise TimeoutError("cognito")

    issued = groups_to_issue(["a", ADMIN_GROUP], user_pool_id="p", username="u", settings=Broken())
    assert issued == ["a"]
