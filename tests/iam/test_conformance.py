"""Conformance table for ecslab.iam.evaluate, taken from AWS documentation examples.

Every JSON file in tests/iam/conformance/ is one topic (a "group"):

    {"title": "...", "source": "https://docs.aws.amazon.com/...",
     "cases": [{"id": "...", "description": "...", "request": {...keyword arguments...},
                "expected": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied"
                            | "MalformedPolicyDocument",
                "expected_message_contains": "optional, only for documented message texts",
                "source": "optional per-case URL"}]}

`request` holds the keyword arguments of evaluate(); keys that would be None or empty are left
out. JSON has no tuples, so a `(name, document)` identity policy is written as a two-item list
and turned back into a tuple here. Each expected decision comes from the page in the case's (or
else the group's) `source`, which the assertion messages quote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

CONFORMANCE_DIR = Path(__file__).resolve().parent / "conformance"
DECISIONS = ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied")
MALFORMED = "MalformedPolicyDocument"
MIN_CASES = 150
REQUEST_KEYS = {
    "principal",
    "action",
    "resource",
    "identity_policies",
    "resource_policy",
    "permissions_boundary",
    "session_policy",
    "scps",
    "rcps",
    "context",
    "resource_account",
}


def _load_groups() -> list[tuple[str, dict[str, Any]]]:
    groups = []
    for path in sorted(CONFORMANCE_DIR.glob("*.json")):
        with path.open(encoding="utf-8") as handle:
            groups.append((path.stem, json.load(handle)))
    return groups


GROUPS = _load_groups()


def _params() -> list[Any]:
    return [
        pytest.param(group, case, id=f"{stem}-{case['id']}")
        for stem, group in GROUPS
        for case in group["cases"]
    ]


def _as_policy_item(item: Any) -> Any:
    """A two-item list [name, document] stands for the tuple (name, document)."""
    if isinstance(item, list) and len(item) == 2 and isinstance(item[0], str):
        return (item[0], item[1])
    return item


def _request(case: dict[str, Any]) -> dict[str, Any]:
    request = dict(case["request"])
    for key in ("identity_policies", "scps", "rcps"):
        if key in request:
            request[key] = [_as_policy_item(item) for item in request[key]]
    return request


def _about(group: dict[str, Any], case: dict[str, Any]) -> str:
    source = case.get("source", group["source"])
    return f"{group['title']} / {case['id']}: {case['description']} (source: {source})"


@pytest.mark.parametrize(("group", "case"), _params())
def test_conformance(group: dict[str, Any], case: dict[str, Any]) -> None:
    from ecslab.iam import MalformedPolicyDocument, evaluate

    about = _about(group, case)
    request = _request(case)
    if case["expected"] == MALFORMED:
        with pytest.raises(MalformedPolicyDocument):
            decision = evaluate(**request)
            pytest.fail(f"expected MalformedPolicyDocument, got {decision.decision}\n{about}")
        return

    decision = evaluate(**request)
    assert decision.decision == case["expected"], (
        f"got {decision.decision}, expected {case['expected']}\n{about}\n"
        f"message: {decision.message}"
    )
    assert decision.allowed == (case["expected"] == "Allowed"), about
    wanted = case.get("expected_message_contains")
    if wanted is not None:
        assert wanted in decision.message, f"message {decision.message!r} lacks {wanted!r}\n{about}"


def test_table_size_and_sources() -> None:
    total = sum(len(group["cases"]) for _, group in GROUPS)
    assert total >= MIN_CASES, f"only {total} conformance cases, want at least {MIN_CASES}"
    for stem, group in GROUPS:
        assert str(group.get("source", "")).startswith("https://"), f"{stem}: source URL"
        assert group.get("title"), f"{stem}: title"
        assert group["cases"], f"{stem}: no cases"
        for case in group["cases"]:
            assert str(case.get("source", "https://")).startswith("https://"), (
                f"{stem}/{case['id']}: case source URL"
            )


def test_cases_are_well_formed() -> None:
    for stem, group in GROUPS:
        ids = [case["id"] for case in group["cases"]]
        assert len(ids) == len(set(ids)), f"{stem}: duplicate case ids"
        for case in group["cases"]:
            where = f"{stem}/{case.get('id')}"
            assert {"id", "description", "request", "expected"} <= case.keys(), where
            assert case["expected"] in (*DECISIONS, MALFORMED), where
            request = case["request"]
            assert request.keys() <= REQUEST_KEYS, f"{where}: {request.keys() - REQUEST_KEYS}"
            for key in ("principal", "action", "resource"):
                assert isinstance(request.get(key), str) and request[key], f"{where}: {key}"
            if "expected_message_contains" in case:
                assert case["expected"] in DECISIONS[1:], f"{where}: message on an allow"
