"""The single DynamoDB table, built from ``gamification.resources.TABLE``.

The local stack creates its moto table from the same spec, so keys, indexes, TTL and the stream
cannot drift between laptop and AWS. On demand (no capacity to pay for at rest), point-in-time
recovery on, TTL expiring old notifications, and a NEW_IMAGE stream feeding the push outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from gamification.resources import TABLE, TableSpec
from infra.config import StackConfig
from infra.constructs.functions import GamifyFunction

_PROJECTIONS = {
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
    "ALL": dynamodb.ProjectionType.ALL,
}


@dataclass(frozen=True, slots=True)
class TableAccess:
    """What one function may do to the table, action by action (IAM names without the prefix).

    Transactions have no IAM action of their own: each ``Put``/``Update``/``Delete`` inside
    ``TransactWriteItems`` is authorized as ``PutItem``/``UpdateItem``/``DeleteItem``. Actions in
    ``transactional_writes`` are allowed *only* inside a transaction (condition on
    ``dynamodb:EnclosingOperation``), so a function that must commit atomically cannot write
    half a change by mistake.
    """

    reads: tuple[str, ...] = ()
    index_queries: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    transactional_writes: tuple[str, ...] = ()
    write_keys: tuple[str, ...] = ()
    """Partition-key prefixes (``adapters.keys``) the function writes, e.g. ``("USER#",)``:
    every write grant is limited to them with ``dynamodb:LeadingKeys``, so a bug or a
    compromised function cannot write another key family."""
    transactional_keys: tuple[str, ...] = ()
    """The prefixes its transactions write, when narrower than ``write_keys``."""
    narrower_transactional: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    """(actions, prefixes): transactional writes allowed on fewer key families than
    ``transactional_keys`` (e.g. deletes of follow edges, never of ``USER#`` items)."""

    def __post_init__(self) -> None:
        if (self.writes or self.transactional_writes) and not self.write_keys:
            raise ValueError("a write grant must name the key families it writes (write_keys)")

    def leading_keys_condition(
        self, *, transactional: bool = False, prefixes: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        prefixes = prefixes or (transactional and self.transactional_keys) or self.write_keys
        patterns = [f"{prefix}*" if prefix.endswith("#") else prefix for prefix in prefixes]
        return {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": patterns}}


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Data(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        spec: TableSpec = TABLE,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.table: dynamodb.ITable
        if config.table_name:
            # Recovery (docs/recovery.md): a point-in-time restore, adopted by name. The stack's
            # own table, if any, leaves the template and is retained, not deleted.
            self.table = dynamodb.Table.from_table_attributes(
                self,
                "AdoptedTable",
                table_name=config.table_name,
                table_stream_arn=config.table_stream_arn,
            )
            return
        table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string_key(spec.partition_key),
            sort_key=_string_key(spec.sort_key),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=spec.ttl_attribute,
            stream=dynamodb.StreamViewType[spec.stream_view],
            deletion_protection=config.retain_data,
            removal_policy=RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string_key(index.partition_key),
                sort_key=_string_key(index.sort_key),
                projection_type=_PROJECTIONS[index.projection],
                non_key_attributes=list(index.included) if index.projection == "INCLUDE" else None,
            )
        self.table = table

    def grant(self, fn: GamifyFunction, access: TableAccess) -> None:
        """Grant exactly ``access``, and pass the table's name to the function."""
        fn.add_env("TABLE_NAME", self.table.table_name)
        table_arn = self.table.table_arn
        if access.reads:
            fn.allow(_actions(access.reads), [table_arn], "ReadTable")
        if access.index_queries:
            index_arns = [self.index_arn(name) for name in access.index_queries]
            fn.allow(["dynamodb:Query"], index_arns, "QueryIndexes")
        if access.writes:
            fn.role.add_to_principal_policy(
                iam.PolicyStatement(
                    sid="WriteTableKeyFamilies",
                    actions=_actions(access.writes),
                    resources=[table_arn],
                    conditions=access.leading_keys_condition(),
                )
            )
        if access.transactional_writes:
            fn.role.add_to_principal_policy(
                iam.PolicyStatement(
                    sid="WriteTableInTransactionsOnly",
                    actions=_actions(access.transactional_writes),
                    resources=[table_arn],
                    # ForAnyValue is false when the key is absent, i.e. outside a transaction.
                    conditions={
                        "ForAnyValue:StringEquals": {
                            "dynamodb:EnclosingOperation": ["TransactWriteItems"]
                        },
                        **access.leading_keys_condition(transactional=True),
                    },
                )
            )

        for i, (actions, prefixes) in enumerate(access.narrower_transactional):
            fn.role.add_to_principal_policy(
                iam.PolicyStatement(
                    sid=f"WriteTableInTransactionsOnlyNarrow{i}",
                    actions=_actions(actions),
                    resources=[table_arn],
                    conditions={
                        "ForAnyValue:StringEquals": {
                            "dynamodb:EnclosingOperation": ["TransactWriteItems"]
                        },
                        **access.leading_keys_condition(prefixes=prefixes),
                    },
                )
            )

    def index_arn(self, index_name: str) -> str:
        """ARN of one index, so a grant can name the index it queries rather than all of them."""
        if index_name not in {index.name for index in self.spec.indexes}:
            raise KeyError(f"no index {index_name} in the table spec")
        return f"{self.table.table_arn}/index/{index_name}"


def _actions(names: tuple[str, ...]) -> list[str]:
    return [f"dynamodb:{name}" for name in names]
