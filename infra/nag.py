"""cdk-nag (AwsSolutions pack) and our one way to acknowledge a finding: always with a reason.

Findings fail synthesis, so ``cdk synth`` and the tests cannot pass with an unexplained one.
Acknowledge a single finding id (``AwsSolutions-IAM5[Resource::*]``), never a whole rule, on the
narrowest construct that needs it, and say why the finding is acceptable there.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

_MIN_REASON = 30
PACK = "AwsSolutions"


def add_checks(scope: IConstruct) -> None:
    """Run the AwsSolutions pack on every stack in ``scope`` (an App or Stage) at synth."""
    Validations.of(scope).add_plugins(AwsSolutionsChecks(scope, verbose=True))


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    """Accept one finding (``AwsSolutions-IAM5[Resource::*]``) on ``scope`` and its children,
    with the reason it is acceptable. Recorded as ``AwsSolutions::<finding>``, the id the
    validation report names, so the audit trail says which plugin the acknowledgement is for."""
    if not finding.startswith(f"{PACK}-"):
        raise ValueError(f"not an {PACK} finding: {finding!r}")
    if len(reason.strip()) < _MIN_REASON:
        raise ValueError(f"acknowledging {finding} needs a real reason, got {reason!r}")
    Validations.of(scope).acknowledge(Acknowledgment(id=f"{PACK}::{finding}", reason=reason))
