"""docs/cost.md's tables are what ``make costs`` generates from the template, the measured
traffic and the price table now (like docs/openapi.json's staleness test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.cost_model import inventory
from benchmarks.costs import BEGIN, DOC, END
from tests.infra.conftest import Synthesis

REPO = Path(__file__).resolve().parents[2]


def test_the_docs_cost_tables_are_what_the_model_generates_now() -> None:
    """Generated in a fresh process, as ``make costs`` does: in this one, loggers that earlier
    tests configured (levels, appended keys) change the log bytes the rig measures."""
    printed = subprocess.run(
        [sys.executable, "-m", "benchmarks.costs"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout
    document = DOC.read_text(encoding="utf-8")
    stored = document[document.index(BEGIN) : document.index(END) + len(END)]
    assert stored == printed[printed.index(BEGIN) : printed.index(END) + len(END)], (
        "run `make costs`"
    )


def test_every_resource_the_templates_create_is_priced_or_known_free(
    default_synth: Synthesis, alternative_synth: Synthesis
) -> None:
    for synthesis in (default_synth, alternative_synth):
        assert not inventory(synthesis.template).unpriced, "price it in benchmarks/cost_model.py"


def test_the_inventory_counts_what_the_template_holds(default_synth: Synthesis) -> None:
    found = inventory(default_synth.template)
    assert found.alarms >= len(default_synth.of_type("AWS::CloudWatch::Alarm"))
    assert found.kms_keys == len(default_synth.of_type("AWS::KMS::Key"))
    assert found.dashboards == len(default_synth.of_type("AWS::CloudWatch::Dashboard"))
    functions = default_synth.stack.functions
    assert set(found.functions) == set(functions)
    assert {"cache-check", "drift-sample", "reconciler", "reminder_fanout", "leagues"} <= set(
        found.schedules
    )
