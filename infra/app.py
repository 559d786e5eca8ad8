"""CDK entry point: ``npx aws-cdk@2 synth`` (via cdk.json) or ``python -m infra.app``.

Synthesis needs no AWS credentials, no Docker and no network: the stack is environment-agnostic
(account and region come from the CLI's profile at deploy time) and every asset is a local folder.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter

import aws_cdk as cdk

from infra import nag
from infra.config import StackConfig
from infra.layer import REPO_ROOT, layer_is_built
from infra.stack import GamifyStack

ALLOW_UNBUILT_LAYER = "allow_unbuilt_layer"
"""Context key: synthesize although ``make layer`` has not run (templates to read, tests)."""


class LayerNotBuiltError(SystemExit):
    """``cdk deploy`` (or synth) without ``make layer``: functions that could not import."""


def project_context() -> dict[str, object]:
    """cdk.json's context (feature flags), so running this module directly synthesizes the same
    template as the CLI. Context given on the command line still takes precedence."""
    with (REPO_ROOT / "cdk.json").open(encoding="utf-8") as handle:
        context: dict[str, object] = json.load(handle).get("context", {})
    return context


def build_app(
    context: dict[str, object] | None = None,
    *,
    outdir: str | None = None,
    nag_checks: bool = True,
) -> cdk.App:
    """The app with its one stack and the cdk-nag checks (any finding fails synthesis).

    ``nag_checks=False`` is for tests that inspect the template's structure: the checks take
    most of the synthesis time, and the compliance tests run them on the same app.
    """
    app = cdk.App(context={**project_context(), **(context or {})}, outdir=outdir)
    if not layer_is_built() and str(app.node.try_get_context(ALLOW_UNBUILT_LAYER)) != "true":
        raise LayerNotBuiltError(
            "build/layer is missing: run `make layer` before `cdk deploy` (without it the "
            "functions could not import redis). To only read the template, synthesize with "
            f"`make synth` or `-c {ALLOW_UNBUILT_LAYER}=true`."
        )
    config = StackConfig.from_context(app.node)
    GamifyStack(app, config.stack_name, config=config)
    if nag_checks:
        nag.add_checks(app)
    return app


def main() -> None:
    assembly = build_app(outdir=os.environ.get("CDK_OUTDIR", str(REPO_ROOT / "cdk.out"))).synth()
    # stderr: the CDK CLI runs this module too and reads the cloud assembly, not stdout.
    for stack in assembly.stacks:
        print(synth_summary(stack.template_full_path, stack.template), file=sys.stderr)


def synth_summary(path: str, template: dict[str, object]) -> str:
    """Where the template went and what is in it, so a silent success says something."""
    resources = template.get("Resources", {})
    assert isinstance(resources, dict)
    kinds = Counter(str(r.get("Type", "?")) for r in resources.values())
    lines = [f"synthesized {path}: {len(resources)} resources"]
    lines += [f"  {count:3d} {kind}" for kind, count in sorted(kinds.items())]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
