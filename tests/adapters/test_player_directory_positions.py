"""The player index reader takes back only positions it issued for that shard: the badge dry
run passes them through the API, so anything else must be a 400, never a failed query."""

from __future__ import annotations

import boto3
import pytest

from gamification.adapters import keys
from gamification.adapters.cursor import InvalidCursorError
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.player_directory import PlayerDirectory
from gamification.local.provision import Provisioned


def _put(client: object, table: str, user_id: str, shard: int) -> None:
    item = {
        "PK": keys.user_pk(user_id),
        "SK": keys.PROFILE_SK,
        "GSI2PK": keys.players_pk(shard),
        "GSI2SK": user_id,
        "xp": 10,
    }
    client.put_item(TableName=table, Item=to_item(item))  # type: ignore[attr-defined]


def test_a_position_is_taken_back_only_by_the_shard_that_issued_it(aws: Provisioned) -> None:
    client = boto3.client("dynamodb")
    for user_id in ("ann", "bob", "cy"):
        _put(client, aws.table_name, user_id, 0)
    directory = PlayerDirectory(client, aws.table_name)

    first = directory.page(0, None, 2)
    assert first.next_key is not None
    rest = directory.page(0, first.next_key, 2)

    assert [p.user_id for p in first.players + rest.players] == ["ann", "bob", "cy"]
    for bad in ("0", "{}", '{"PK": {"S": "USER#x"}}', "not json"):
        with pytest.raises(InvalidCursorError):
            directory.page(0, bad, 2)
    with pytest.raises(InvalidCursorError):
        directory.page(1, first.next_key, 2)
