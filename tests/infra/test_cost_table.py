"""docs/cost.md's tables are what ``make costs`` generates from the template, the measured
traffic and the price table now (like docs/openapi.json's staleness test)."""

from __future__ import annotations

from benchmarks.cost_model import inventory
from benchmarks.costs import BEGIN, DOC, END, generated
from tests.infra.conftest import Synthesis


def test_the_docs_cost_tables_are_what_the_model_generates_now(default_synth: Synthesis) -> None:
    document = DOC.read_text(encoding="utf-8")
    stored = document[document.index(BEGIN) : document.index(END) + len(END)]
    assert stored == generated(default_synth.template), "run `make costs`"


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
    assert {"cache-check", "drift-sample", "reconciler", "notifier", "leagues"} <= set(
        found.schedules
    )
