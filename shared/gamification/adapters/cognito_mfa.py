"""Whether a user pool account has activated an MFA factor (``AdminGetUser``)."""

from __future__ import annotations

from typing import Any


class CognitoMfaSettings:
    def __init__(self, client: Any) -> None:
        self._client = client

    def has_mfa(self, user_pool_id: str, username: str) -> bool:
        user = self._client.admin_get_user(UserPoolId=user_pool_id, Username=username)
        return bool(user.get("UserMFASettingList"))
