"""The shipped model card is exactly what `civildesk train` writes from metrics.json, and it tells
a reader how the engine weighs the heads against the rules."""

from __future__ import annotations

import json

from civildesk.ml import card
from civildesk.ml.heads import MODEL_DIR
from civildesk.policy.engine import MODEL_OVERRIDE_SCORE


def test_the_card_is_regenerated_from_the_recorded_metrics() -> None:
    report = json.loads((MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))
    shipped = (MODEL_DIR / "model_card.md").read_text(encoding="utf-8")
    assert card.render(report) == shipped, "model_card.md was edited by hand or not regenerated"


def test_the_card_states_the_merge_rule_and_its_bar() -> None:
    text = (MODEL_DIR / "model_card.md").read_text(encoding="utf-8")
    assert "## How the engine uses these heads" in text
    assert f"score >= {MODEL_OVERRIDE_SCORE:.2f}" in text
    assert "never lower it" in text
