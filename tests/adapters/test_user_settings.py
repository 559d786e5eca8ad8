"""Settings updates under the profile's version guard keep a concurrent change to another field."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3

from gamification.adapters.user_repository import UserRepository
from gamification.domain.state import UserSettings
from gamification.local.provision import Provisioned

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_an_update_is_reapplied_to_what_a_concurrent_writer_saved(aws: Provisioned) -> None:
    users = UserRepository(boto3.client("dynamodb"), aws.table_name)
    other = UserRepository(boto3.client("dynamodb"), aws.table_name)
    users.save_settings("ada", UserSettings(timezone="Europe/Paris"), NOW)
    seen: list[UserSettings] = []

    def rename(current: UserSettings) -> UserSettings:
        seen.append(current)
        if len(seen) == 1:  # someone turns push on between our read and our write
            other.save_settings("ada", current.model_copy(update={"push_enabled": True}), NOW)
        return current.model_copy(update={"display_name": "Ada"})

    saved = users.update_settings("ada", rename, NOW).state.settings

    assert len(seen) == 2
    assert saved == UserSettings(display_name="Ada", timezone="Europe/Paris", push_enabled=True)
    assert users.load("ada").state.settings == saved


def test_a_name_stored_under_an_older_text_rule_is_dropped_and_the_profile_loads(
    aws: Provisioned,
) -> None:
    """U+3164 HANGUL FILLER passed the rule before #25 and was saved; refusing it on load
    would make the profile unloadable (no more XP for that user). It reads as no name."""
    client = boto3.client("dynamodb")
    users = UserRepository(client, aws.table_name)
    users.save_settings("ada", UserSettings(display_name="Ada"), NOW)
    client.update_item(
        TableName=aws.table_name,
        Key={"PK": {"S": "USER#ada"}, "SK": {"S": "PROFILE"}},
        UpdateExpression="SET display_name = :n",
        ExpressionAttributeValues={":n": {"S": "\u3164"}},
    )

    loaded = users.load("ada")

    assert loaded.exists
    assert loaded.state.settings.display_name is None
