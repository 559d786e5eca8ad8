"""The badge catalog in DynamoDB: shipped defaults until the first change, then the table."""

from __future__ import annotations

import threading

import boto3

from gamification.adapters.badge_repository import BadgeRepository
from gamification.domain.badges import load_badge_catalog
from gamification.local.provision import Provisioned

DEFAULTS = load_badge_catalog()


def test_the_defaults_apply_until_an_admin_changes_the_catalog(aws: Provisioned) -> None:
    repository = BadgeRepository(boto3.client("dynamodb"), aws.table_name)
    assert repository.load() == DEFAULTS

    repository.seed_defaults()
    assert repository.delete("bookworm")

    assert [b.id for b in repository.load()] == sorted(b.id for b in DEFAULTS if b.id != "bookworm")


def test_seeding_again_never_brings_back_a_deleted_default(aws: Provisioned) -> None:
    repository = BadgeRepository(boto3.client("dynamodb"), aws.table_name)
    repository.seed_defaults()
    repository.delete("bookworm")

    repository.seed_defaults()

    assert repository.load().get("bookworm") is None


def test_concurrent_first_changes_seed_once(aws: Provisioned) -> None:
    repositories = [BadgeRepository(boto3.client("dynamodb"), aws.table_name) for _ in range(4)]
    barrier = threading.Barrier(len(repositories))
    errors: list[BaseException] = []

    def seed(repository: BadgeRepository) -> None:
        barrier.wait()
        try:
            repository.seed_defaults()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=seed, args=(r,)) for r in repositories]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert {b.id for b in repositories[0].load()} == {b.id for b in DEFAULTS}
