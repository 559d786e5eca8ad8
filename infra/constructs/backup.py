"""An optional AWS Backup plan for the table (``backup``), with a copy in another region.

Point-in-time recovery (always on, 35 days, ``data.Data``) covers a bad write or a bad deploy in
this region. A backup plan adds what PITR cannot: backups that outlive the table and the stack,
kept in a vault of their own, and (``backup_copy_vault_arn``) a copy in a vault of another
region, which is what survives a region outage or a deleted account resource. docs/recovery.md
says when to use which.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from constructs import Construct

from infra.config import StackConfig
from infra.nag import acknowledge

RETENTION = Duration.days(35)
"""As long as point-in-time recovery reaches back, so the two never disagree about the past."""
DAILY_AT = events.Schedule.cron(hour="3", minute="0")
"""03:00 UTC, an hour after the hourly jobs' busiest minute and outside most players' evenings."""


class TableBackup(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        self.vault = backup.BackupVault(
            self,
            "Vault",
            backup_vault_name=f"{config.resource_prefix}-table",
            # A vault holding recovery points cannot be deleted; keep it with the backups.
            removal_policy=RemovalPolicy.RETAIN,
        )
        copies = (
            [
                backup.BackupPlanCopyActionProps(
                    destination_backup_vault=backup.BackupVault.from_backup_vault_arn(
                        self, "CopyVault", config.backup_copy_vault_arn
                    ),
                    delete_after=RETENTION,
                )
            ]
            if config.backup_copy_vault_arn
            else None
        )
        self.plan = backup.BackupPlan(
            self,
            "Plan",
            backup_plan_name=f"{config.resource_prefix}-table",
            backup_vault=self.vault,
            backup_plan_rules=[
                backup.BackupPlanRule(
                    rule_name="Daily",
                    schedule_expression=DAILY_AT,
                    delete_after=RETENTION,
                    copy_actions=copies,
                )
            ],
        )
        self.selection = self.plan.add_selection(
            "Table", resources=[backup.BackupResource.from_dynamo_db_table(table)]
        )
        acknowledge(
            self.selection,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSBackupServiceRolePolicyForBackup]",
            "The role AWS Backup assumes to back the table up: AWS maintains this service "
            "policy for exactly that, and the selection names the one table it may back up.",
        )
