"""Builds the shared Lambda layer directory with pip, for Lambda's platform (no Docker, no CDK).

``python -m infra.layer`` (``make layer``) writes ``build/layer/python/``: the ``gamification``
package (code and data files) plus the runtime dependencies that neither the Lambda runtime
(boto3) nor the public Powertools layer (pydantic, aws-xray-sdk, ...) provides. pip resolves them
for arm64 and the runtime's Python from wheels only, so the result is right for Lambda whatever
machine builds it. ``cdk deploy`` then ships that directory as the layer.

The layer carries runtime code only: the local stack and the CLI (``gamification.local``,
``gamification.cli``) stay out. Lambda's file system is read-only, so a module without a ``.pyc``
is compiled on every cold start: the build compiles everything with the runtime's own Python
(``.pyc`` files are valid for one CPython minor version) when that interpreter is on this
machine, as unchecked-hash ``.pyc`` (valid whatever time stamps the zip gives the sources), and
says so when it is not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO_ROOT / "shared" / "gamification"
LAYER_BUILD_DIR = REPO_ROOT / "build" / "layer"

PYTHON_VERSION = "3.13"
"""Must match ``infra.assets.RUNTIME``; a test keeps them in step. 3.13, not 3.14: a 3.13
interpreter to compile the layer's ``.pyc`` with is one ``pyenv install 3.13`` away."""
PIP_PLATFORM = "manylinux2014_aarch64"

PROVIDED_ELSEWHERE = frozenset({"aws-lambda-powertools", "boto3", "botocore", "pydantic"})
"""Runtime dependencies the Lambda runtime (boto3) or the Powertools layer (the rest) supplies."""
ALWAYS_BUNDLED = ("tzdata",)
"""zoneinfo falls back to the tzdata wheel when the runtime image has no system time zone data."""

NOT_SHIPPED = ("local", "cli")
"""Subpackages for developers only (the local stack, the CLI): nothing on Lambda imports them."""
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".mypy_cache")


def layer_is_built(build_dir: Path = LAYER_BUILD_DIR) -> bool:
    return (build_dir / "python" / "gamification" / "__init__.py").is_file()


def stage_package(site_dir: Path) -> None:
    """Copy ``shared/gamification`` (code and data files, without ``NOT_SHIPPED``) into
    ``site_dir``."""
    site_dir.mkdir(parents=True, exist_ok=True)
    target = site_dir / "gamification"
    shutil.copytree(PACKAGE_DIR, target, ignore=_IGNORED, dirs_exist_ok=True)
    for name in NOT_SHIPPED:
        shutil.rmtree(target / name, ignore_errors=True)


def runtime_python() -> Path | None:
    """An interpreter of the Lambda runtime's version on this machine, if there is one
    (``python3.13`` on the path, or any pyenv 3.13; ``GAMIFY_RUNTIME_PYTHON`` overrides)."""
    given = os.environ.get("GAMIFY_RUNTIME_PYTHON")
    if given:
        return Path(given)
    found = shutil.which(f"python{PYTHON_VERSION}")
    if found:
        return Path(found)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = sorted(
        (pyenv_root / "versions").glob(f"{PYTHON_VERSION}.*/bin/python{PYTHON_VERSION}")
    )
    return candidates[-1] if candidates else None


def compile_bytecode(site_dir: Path, python: Path) -> None:
    """Compile every module in ``site_dir`` with ``python`` (unchecked-hash ``.pyc``)."""
    subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [
            str(python),
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            str(site_dir),
        ],
        check=True,
    )


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


def main() -> None:
    build_dir = build_layer()
    python = runtime_python()
    if python is None:
        print(
            f"no python{PYTHON_VERSION} on this machine: the layer ships without .pyc, so each "
            f"cold start compiles its imports (install one, e.g. `pyenv install "
            f"{PYTHON_VERSION}`, or set GAMIFY_RUNTIME_PYTHON, and run `make layer` again)"
        )
    else:
        compile_bytecode(build_dir / "python", python)
        print(f"compiled .pyc with {python} (Lambda runtime python{PYTHON_VERSION})")
    print(f"layer built in {build_dir.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
