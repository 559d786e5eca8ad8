"""Builds the shared Lambda layer directory with pip, for Lambda's platform (no Docker, no CDK).

``python -m infra.layer`` (``make layer``) writes ``build/layer/python/``: the ``gamification``
package (code and data files) plus the runtime dependencies that neither the Lambda runtime
(boto3) nor the public Powertools layer (pydantic, aws-xray-sdk, ...) provides. pip resolves them
for arm64 and the runtime's Python from wheels only, so the result is right for Lambda whatever
machine builds it. ``cdk deploy`` then ships that directory as the layer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO_ROOT / "shared" / "gamification"
LAYER_BUILD_DIR = REPO_ROOT / "build" / "layer"

PYTHON_VERSION = "3.14"
"""Must match ``infra.packaging.RUNTIME``; a test keeps them in step."""
PIP_PLATFORM = "manylinux2014_aarch64"

PROVIDED_ELSEWHERE = frozenset({"aws-lambda-powertools", "boto3", "botocore", "pydantic"})
"""Runtime dependencies the Lambda runtime (boto3) or the Powertools layer (the rest) supplies."""
ALWAYS_BUNDLED = ("tzdata",)
"""zoneinfo falls back to the tzdata wheel when the runtime image has no system time zone data."""

_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".mypy_cache")


def layer_is_built(build_dir: Path = LAYER_BUILD_DIR) -> bool:
    return (build_dir / "python" / "gamification" / "__init__.py").is_file()


def stage_package(site_dir: Path) -> None:
    """Copy ``shared/gamification`` (code and data files) into ``site_dir``."""
    site_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PACKAGE_DIR, site_dir / "gamification", ignore=_IGNORED, dirs_exist_ok=True)


def layer_requirements(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """The project's runtime dependencies that the layer must carry, with their version ranges."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    wanted: list[str] = []
    for line in project["dependencies"]:
        requirement = Requirement(line)
        if requirement.name in PROVIDED_ELSEWHERE or requirement.name in ALWAYS_BUNDLED:
            continue
        requirement.marker = None  # judged for the Lambda platform, not this machine
        requirement.extras = set()
        wanted.append(str(requirement))
    return [*wanted, *ALWAYS_BUNDLED]


def build_layer(build_dir: Path = LAYER_BUILD_DIR) -> Path:
    """Build the layer directory with pip for Lambda's platform (network needed, Docker not)."""
    site_dir = build_dir / "python"
    if build_dir.exists():
        shutil.rmtree(build_dir)
    stage_package(site_dir)
    subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(site_dir),
            "--platform",
            PIP_PLATFORM,
            "--implementation",
            "cp",
            "--python-version",
            PYTHON_VERSION,
            "--only-binary=:all:",
            *layer_requirements(),
        ],
        check=True,
    )
    for cache in site_dir.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    return build_dir


if __name__ == "__main__":
    print(f"layer built in {build_layer().relative_to(REPO_ROOT)}")
