"""Context parsing, layer contents and the deploy guide: fast, no synthesis."""

from __future__ import annotations

import json
import re
import tarfile
import tomllib
from dataclasses import fields
from pathlib import Path

import aws_cdk._jsii as aws_cdk_jsii
import pytest
from aws_cdk import App, Duration

from gamification.resources import SCHEDULES
from infra import assets, layer
from infra.app import project_context, synth_summary
from infra.config import StackConfig
from infra.constructs.functions import FunctionSpec
from tests.infra.conftest import Synthesis

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "uv.lock"


def _config(**context: object) -> StackConfig:
    return StackConfig.from_context(App(context=context).node)


def test_defaults_need_no_context() -> None:
    assert _config() == StackConfig()
    assert StackConfig().stack_name == "Gamify-dev"


def test_the_default_reconciliation_rate_is_the_local_stack_s() -> None:
    (reconciler,) = (s for s in SCHEDULES if s.name == "reconciler")
    assert StackConfig().reconcile_every_minutes == reconciler.rate_minutes


def test_cli_strings_are_coerced_to_each_field_type() -> None:
    config = _config(
        tracing="false",
        retain_data="no",
        cache_replicas="2",
        reminder_lead_hours="4.5",
        log_retention_days="90",
    )
    assert config.tracing is False
    assert config.retain_data is False
    assert config.cache_replicas == 2
    assert config.reminder_lead_hours == 4.5
    assert config.log_retention_days == 90


@pytest.mark.parametrize("stage", ["dev", "prod-eu", "a", "a1", "team-a-2"])
def test_good_stage_names_pass(stage: str) -> None:
    assert _config(stage=stage).stage == stage


def test_named_zones_allow_three() -> None:
    config = _config(max_azs="3", availability_zones="us-east-1a, us-east-1b,us-east-1d")
    assert config.zones == ["us-east-1a", "us-east-1b", "us-east-1d"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("stage", "Prod", "stage"),
        ("cache_type", "memcached", "cache_type"),
        ("log_retention_days", "10", "log_retention_days"),
        ("tracing", "maybe", "tracing"),
        ("cache_replicas", "two", "cache_replicas"),
        ("max_azs", "1", "max_azs"),
        ("max_azs", "3", "max_azs=3 needs availability_zones"),
        ("availability_zones", "us-east-1a", "availability_zones"),
        ("availability_zones", "us-east-1a,nowhere", "availability_zones"),
        ("stage", "prod-", "stage"),
        ("stage", "pr--od", "stage"),
        ("stage", "a" * 21, "stage"),
        ("write_budget_per_minute", "-1", "write_budget_per_minute"),
        ("api_throttle_burst", "10", "burst"),
        ("credential_key_generation", "0", "credential_key_generation"),
        ("credential_previous_key_arns", "not-an-arn", "credential_previous_key_arns"),
    ],
)
def test_bad_context_fails_synth_with_a_message(key: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _config(**{key: value})


def test_cdk_json_runs_the_app_and_holds_only_feature_flags() -> None:
    cdk_json = json.loads((REPO / "cdk.json").read_text(encoding="utf-8"))
    assert cdk_json["app"].endswith("-m infra.app")
    own = {field.name for field in fields(StackConfig)}
    assert not own & set(project_context()), "defaults live in StackConfig, not cdk.json"


def test_deploy_guide_documents_every_setting_with_its_default() -> None:
    guide = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_0-9]+)` \| `([^`]*)` \|", guide, flags=re.MULTILINE))
    defaults = StackConfig()
    for field in fields(StackConfig):
        assert field.name in rows, f"docs/deploy.md does not document {field.name}"
        value = getattr(defaults, field.name)
        shown = str(value).lower() if isinstance(value, bool) else (f"{value}" or '""')
        assert rows[field.name] == shown, field.name
    assert set(rows) == {field.name for field in fields(StackConfig)}


def test_deploy_guide_asks_for_the_runtime_python_and_the_node_cdk_needs() -> None:
    """The prerequisites follow the code: the functions' runtime, and the Node.js aws-cdk-lib
    declares (the app runs it through jsii, synth included)."""
    guide = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    runtime = assets.RUNTIME.name.removeprefix("python")
    assert f"Lambda on arm64 with Python {runtime} and" in guide
    assert set(re.findall(r"Python (3\.\d+)(?!\+)\b", guide)) == {runtime}  # tooling: 3.11+
    package = next(Path(aws_cdk_jsii.__file__).parent.glob("aws-cdk-lib@*.jsii.tgz"))
    with tarfile.open(package) as archive:
        manifest = archive.extractfile("package/package.json")
        assert manifest is not None
        node = json.load(manifest)["engines"]["node"]
    major = re.fullmatch(r">= ?(\d+)\.0\.0", node)
    assert major, node
    assert f"Node.js {major[1]} or later" in guide
    assert f"Node `>= {major[1]}`" in guide


@pytest.mark.parametrize("name", ["", "a" * 65, "Gamify dev backfill", "Gamify-dev:backfill"])
def test_a_physical_function_name_lambda_would_refuse_fails_synth(name: str) -> None:
    with pytest.raises(ValueError, match="function name"):
        FunctionSpec("backfill", "", Duration.minutes(1), physical_name=name)


def test_layer_runtime_matches_the_pip_target() -> None:
    assert assets.RUNTIME.name == f"python{layer.PYTHON_VERSION}"
    assert assets.ARCHITECTURE.name == "arm64"
    assert layer.PIP_PLATFORM.endswith("aarch64")


def test_layer_carries_the_locked_dependencies_nothing_else_provides() -> None:
    requirements = layer.layer_requirements()
    names = [re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0] for r in requirements]
    assert names == ["redis", "tzdata"]
    locked = {p["name"]: p["version"] for p in tomllib.loads(LOCK.read_text())["package"]}
    for name, requirement in zip(names, requirements, strict=True):
        assert requirement.startswith(f"{name}=={locked[name]} --hash=sha256:"), requirement
    for provided in ("boto3", "pydantic", "aws-lambda-powertools"):
        assert provided not in names


def test_staged_package_keeps_code_and_data_files(tmp_path: Path) -> None:
    layer.stage_package(tmp_path / "python")
    package = tmp_path / "python" / "gamification"
    assert (package / "__init__.py").is_file()
    assert (package / "resources.py").is_file()
    assert (package / "data" / "badges.json").is_file()
    assert (package / "data" / "event_types.json").is_file()
    assert not list(package.rglob("__pycache__"))
    # Developer tools stay out of the layer: nothing on Lambda imports them.
    assert not (package / "local").exists()
    assert not (package / "cli").exists()
    assert layer.layer_is_built(tmp_path)


def test_every_function_folder_has_a_handler() -> None:
    from gamification.resources import ROUTES

    names = {route.function for route in ROUTES} | {
        "consumer",
        "dispatcher",
        "projector",
        "reminder_fanout",
        "reminder_sender",
        "reconciler",
        "backfill",
    }
    for name in names:
        assert (assets.FUNCTIONS_DIR / name / "handler.py").is_file(), name


def test_make_synth_says_where_the_template_went_and_what_is_in_it(
    default_synth: Synthesis,
) -> None:
    summary = synth_summary("cdk.out/Gamify.template.json", default_synth.template)
    lines = summary.splitlines()
    functions = len(default_synth.of_type("AWS::Lambda::Function"))

    assert lines[0] == (
        f"synthesized cdk.out/Gamify.template.json: {len(default_synth.resources)} resources"
    )
    assert f"  {functions:3d} AWS::Lambda::Function" in lines
    assert sum(int(line.split()[0]) for line in lines[1:]) == len(default_synth.resources)


def test_deploying_without_the_built_layer_fails_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`cdk deploy` runs the app first: without build/layer it stops there, before anything
    deploys functions that could not import their dependencies."""
    from infra import app

    monkeypatch.setattr(app, "layer_is_built", lambda: False)
    with pytest.raises(app.LayerNotBuiltError, match="run `make layer` before `cdk deploy`"):
        app.build_app({}, nag_checks=False)
