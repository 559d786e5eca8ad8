"""Lambda code and layers for the stack, packaged without Docker.

* Each function's asset is its folder, ``functions/<name>`` (a thin ``handler.py``).
* The ``shared/gamification`` package ships as a layer (Lambda puts ``/opt/python`` on the path,
  so the zip holds ``python/gamification/...``). ``make layer`` prepares it with its
  dependencies in ``build/layer`` (see ``infra.layer``); ``cdk deploy`` uses that directory.
* Without ``build/layer`` (tests, a fresh clone) synth still works: a local bundler stages the
  package alone and the stack carries a warning, since that layer would lack its dependencies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

from infra.layer import LAYER_BUILD_DIR, PACKAGE_DIR, REPO_ROOT, layer_is_built, stage_package

FUNCTIONS_DIR = REPO_ROOT / "functions"
RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64


def function_code(name: str) -> lambda_.Code:
    """The function's folder as its asset; it must hold ``handler.py``."""
    folder = FUNCTIONS_DIR / name
    return lambda_.Code.from_asset(str(folder), exclude=["__pycache__", "*.pyc"])


def shared_layer_code(build_dir: Path = LAYER_BUILD_DIR) -> lambda_.Code:
    """The prepared layer when ``make layer`` ran, else the package alone (no Docker either way)."""
    if layer_is_built(build_dir):
        return lambda_.Code.from_asset(str(build_dir))  # with the .pyc `make layer` compiled
    return lambda_.Code.from_asset(
        str(PACKAGE_DIR),
        bundling=cdk.BundlingOptions(
            # Required by the API, never pulled: the local bundler below always succeeds.
            image=cdk.DockerImage.from_registry("public.ecr.aws/sam/build-python3.13"),
            local=StagePackage(),
        ),
    )


@jsii.implements(cdk.ILocalBundling)
class StagePackage:
    """Copies the package to ``python/gamification`` in the asset's output directory."""

    def try_bundle(self, output_dir: str, *_options: Any, **_keywords: Any) -> bool:
        """jsii passes the bundling options positionally; they are not needed here."""
        stage_package(Path(output_dir) / "python")
        return True
