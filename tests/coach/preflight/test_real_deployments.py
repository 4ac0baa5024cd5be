"""Issue 16: preflight on real, public deployments, with the outcome AWS gives (sources in
real/*/case.json and real/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecslab.coach.preflight import preflight

REAL = Path(__file__).parent / "real"
CASES = sorted(p for p in REAL.iterdir() if (p / "case.json").exists())


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_the_outcome_aws_gives(folder):
    case = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    result = preflight(*(folder / name for name in case["inputs"]))
    if case["outcome"] == "starts":
        assert result.starts, result.describe()
    else:
        assert not result.starts
        refusal = result.stopped_reason or result.result.run_task_error or ""
        text = refusal + "\n" + "\n".join(c.reason for c in result.calls if c.refused)
        assert case["expected_text"].split(": AccessDeniedException")[0] in text or (
            case["expected_text"] in text
        ), result.describe()
