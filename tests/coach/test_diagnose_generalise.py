"""Issue 15: rules generalise over wording families, not over one message.

Every rule runs against the corpus it was not written with: the rules written with corpus 1
(before issue 15) against corpus 2's development part, the rules written with corpus 2's
development part against corpus 1. A rule that fires on none is listed below with the reason. The
held-out part is never read here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecslab.coach import diagnose as module
from ecslab.coach.diagnose import RULES, read

HERE = Path(__file__).parent / "corpus"
FIRST = json.loads((HERE / "messages.json").read_text(encoding="utf-8"))
DEVELOPMENT = json.loads((HERE / "second" / "development.json").read_text(encoding="utf-8"))

# rules written with corpus 2's development part (issue 15); all the others were written with
# corpus 1 (or the lab's own texts)
WRITTEN_WITH_DEVELOPMENT = {
    "_service_role",
    "_instance_profile",
    "_configuration",
    "_image_platform",
    "_foreign_registry",
}
NOT_YET = {
    "_image_missing": "corpus 2's development part has no ECR image missing by tag or digest",
    "_registry_limit": "written from Docker Hub's documented 429; neither corpus quotes it whole",
    "_exec_and_routers": "corpus 2's development part has no ECS Exec or FireLens message",
    "_instance_role_by_name": "corpus 2's development part names no instance role by its name",
    "_instance_agent": "written from the agent's own calls in the lab; no corpus quotes them",
    "_exec_settings": "corpus 2's development part has no ECS Exec message",
    "_fluent_bit_config": "corpus 2's development part has no Fluent Bit configuration error",
    "_app_decrypt": "corpus 2's development part has no app decrypting its configuration",
    "_service_role": "corpus 1 has no message from ECS's service or infrastructure roles",
    "_instance_profile": "corpus 1 has no instance profile refused (AWS Batch)",
    "_image_platform": "corpus 1 has no image built for another CPU architecture",
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_every_rule_fires_on_the_corpus_it_was_not_written_with(rule):
    other = FIRST if rule.__name__ in WRITTEN_WITH_DEVELOPMENT else DEVELOPMENT
    fired = sum(bool(rule(read(entry["message"]))) for entry in other)
    if rule.__name__ in NOT_YET:
        assert fired == 0, f"{rule.__name__} fires now: take it off NOT_YET"
    else:
        assert fired >= 1, rule.__name__


def _needles() -> list[str]:
    found = []
    for value in vars(module).values():
        if isinstance(value, (tuple, list)) and value and all(isinstance(v, str) for v in value):
            found += value
        if isinstance(value, dict) and value and all(":" in str(k) for k in value):
            found += list(value)  # IAM actions
    return found


def test_no_needle_is_a_long_literal_copied_from_a_message():
    needles = _needles()
    assert len(needles) > 50
    for needle in needles:
        assert len(needle) <= 60, needle
