"""Builds the shared Lambda layer directory with pip, for Lambda's platform (no Docker, no CDK).

``python -m infra.layer`` (``make layer``) writes ``build/layer/python/``: the ``gamification``
package (code and data files) plus the runtime dependencies that neither the Lambda runtime
(boto3) nor the public Powertools layer (pydantic, aws-xray-sdk, ...) provides. Their versions
and hashes come from ``uv.lock`` (so two builds of one commit ship the same code), and pip
installs exactly those, for arm64 and the runtime's Python, from wheels only, hash-checked: the
result is right for Lambda whatever machine builds it. ``cdk deploy`` then ships that directory
as the layer.

The layer carries runtime code only: the local stack and the CLI (``gamification.local``,
``gamification.cli``) stay out. Lambda's file system is read-only, so a module without a ``.pyc``
is compiled on every cold start: the build compiles everything with the runtime's own Python
(``.pyc`` files are valid for one CPython minor version) when that interpreter is on this
machine, as unchecked-hash ``.pyc`` (valid whatever time stamps the zip gives the sources), and
says so when it is not. "On this machine" means it runs and says it is that version: a pyenv
shim named ``python3.13`` with no 3.13 behind it is passed over, not trusted.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import Marker

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO_ROOT / "shared" / "gamification"
LAYER_BUILD_DIR = REPO_ROOT / "build" / "layer"

PYTHON_VERSION = "3.13"
"""Must match ``infra.assets.RUNTIME``; a test keeps them in step. 3.13, not 3.14: a 3.13
interpreter to compile the layer's ``.pyc`` with is one ``pyenv install 3.13`` away."""
RUNTIME_PYTHON_VARIABLE = "GAMIFY_RUNTIME_PYTHON"
"""Names the interpreter to compile the ``.pyc`` with, when the search would not find it."""
_PROBE_SECONDS = 30
PIP_PLATFORM = "manylinux2014_aarch64"
LOCK_FILE = REPO_ROOT / "uv.lock"
LAMBDA_MARKERS = {
    "python_version": PYTHON_VERSION,
    "python_full_version": f"{PYTHON_VERSION}.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "aarch64",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "os_name": "posix",
}
"""Environment markers of the Lambda runtime, against which the lock's markers are judged."""

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


@dataclass(frozen=True, slots=True)
class RuntimePython:
    """The interpreter the layer's ``.pyc`` are compiled with, if one works, and why each other
    candidate was passed over (a pyenv shim answers for ``python3.13`` even when no 3.13 is
    installed, and exits 127 when run)."""

    python: Path | None
    passed_over: tuple[str, ...] = ()

    def report(self) -> str:
        tried = "".join(f"\n  passed over {reason}" for reason in self.passed_over)
        if self.python is not None:
            return (
                f"compiled .pyc with {self.python} (Lambda runtime python{PYTHON_VERSION}){tried}"
            )
        return (
            f"no working python{PYTHON_VERSION} on this machine: the layer ships without .pyc, "
            f"so each cold start compiles its imports. Install one (e.g. `pyenv install "
            f"{PYTHON_VERSION}`) or set GAMIFY_RUNTIME_PYTHON to a Python {PYTHON_VERSION} "
            f"interpreter, and run `make layer` again.{tried}"
        )


def runtime_python() -> RuntimePython:
    """The first interpreter of the Lambda runtime's version on this machine that runs:
    ``GAMIFY_RUNTIME_PYTHON`` (an error if it does not work), else ``python3.13`` on the path,
    the pyenv 3.13s newest first, and the interpreter running the build. Each is run once to
    check it answers with its version."""
    given = os.environ.get(RUNTIME_PYTHON_VARIABLE)
    if given:
        problem = python_problem(Path(given))
        if problem is not None:
            raise SystemExit(
                f"{RUNTIME_PYTHON_VARIABLE}={given} {problem}: point it at a Python "
                f"{PYTHON_VERSION} interpreter, or unset it"
            )
        return RuntimePython(Path(given))
    passed_over: list[str] = []
    for candidate in _candidates():
        problem = python_problem(candidate)
        if problem is None:
            return RuntimePython(candidate, tuple(passed_over))
        passed_over.append(f"{candidate}: {problem}")
    return RuntimePython(None, tuple(passed_over))


def python_problem(python: Path) -> str | None:
    """Why ``python`` cannot compile for the runtime (it does not run, or is another version),
    or None when it is a working Python of the runtime's version."""
    try:
        answer = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [str(python), "-c", "import sys; print(sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=_PROBE_SECONDS,
            check=False,
        )
    except OSError as error:
        return f"does not run ({error.strerror})"
    except subprocess.TimeoutExpired:
        return f"did not answer in {_PROBE_SECONDS} s"
    if answer.returncode != 0:
        said = answer.stderr.strip().splitlines()  # the first line says what went wrong
        return f"exits {answer.returncode}" + (f" ({said[0]})" if said else "")
    version = answer.stdout.strip()
    if version != str(tuple(int(part) for part in PYTHON_VERSION.split("."))):
        return f"is Python {version}, not {PYTHON_VERSION}"
    return None


def _candidates() -> list[Path]:
    found = shutil.which(f"python{PYTHON_VERSION}")
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    installed = sorted(
        (pyenv_root / "versions").glob(f"{PYTHON_VERSION}.*/bin/python{PYTHON_VERSION}"),
        key=lambda path: [int(n) for n in re.findall(r"\d+", path.parent.parent.name)],
        reverse=True,
    )
    # Last, the interpreter running this build (a venv made from a 3.13 has no python3.13 on
    # the path that `make` sees).
    return [*([Path(found)] if found else []), *installed, Path(sys.executable)]


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


def layer_requirements(lock_file: Path = LOCK_FILE) -> list[str]:
    """The locked runtime dependencies the layer must carry, each pinned with its hashes.

    The project's own runtime dependencies, minus what Lambda or the Powertools layer provides,
    plus :data:`ALWAYS_BUNDLED`, and what those depend on under Lambda's markers.
    """
    packages = {p["name"]: p for p in tomllib.loads(lock_file.read_text("utf-8"))["package"]}
    project = packages["gamify"]
    wanted = [d["name"] for d in project["dependencies"] if d["name"] not in PROVIDED_ELSEWHERE]
    wanted += [name for name in ALWAYS_BUNDLED if name not in wanted]
    seen = set(wanted)
    pinned: list[str] = []
    while wanted:
        package = packages[wanted.pop(0)]
        pinned.append(_pinned(package))
        for dependency in package.get("dependencies", []):
            if dependency["name"] not in seen and _applies_on_lambda(dependency):
                seen.add(dependency["name"])
                wanted.append(dependency["name"])
    return pinned


def _applies_on_lambda(dependency: dict[str, Any]) -> bool:
    marker = dependency.get("marker")
    return marker is None or Marker(marker).evaluate(LAMBDA_MARKERS)


def _pinned(package: dict[str, Any]) -> str:
    """``name==version --hash=...`` for every wheel and the sdist the lock records."""
    files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
    hashes = " ".join(f"--hash={f['hash']}" for f in files)
    return f"{package['name']}=={package['version']} {hashes}"


def build_layer(build_dir: Path = LAYER_BUILD_DIR) -> Path:
    """Build the layer directory with pip for Lambda's platform (network needed, Docker not)."""
    site_dir = build_dir / "python"
    if build_dir.exists():
        shutil.rmtree(build_dir)
    stage_package(site_dir)
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text("\n".join(layer_requirements()) + "\n", encoding="utf-8")
        _pip_install(site_dir, requirements)
    for cache in site_dir.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    return build_dir


def _pip_install(site_dir: Path, requirements: Path) -> None:
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
            "--require-hashes",
            "--requirement",
            str(requirements),
        ],
        check=True,
    )


def main() -> None:
    runtime = runtime_python()  # before pip: a broken GAMIFY_RUNTIME_PYTHON stops at once
    build_dir = build_layer()
    if runtime.python is not None:
        compile_bytecode(build_dir / "python", runtime.python)
    print(runtime.report())
    print(f"layer built in {build_dir.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
