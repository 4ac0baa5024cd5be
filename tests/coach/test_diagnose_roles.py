"""Issue 15: the wider role set, the closed set of categories, and candidates that keep the
plausible alternatives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecslab import diagnose
from ecslab.coach.diagnose import CATEGORIES, ROLES, SUSPECTS

HERE = Path(__file__).parent / "corpus"
FIRST = json.loads((HERE / "messages.json").read_text(encoding="utf-8"))
DEVELOPMENT = json.loads((HERE / "second" / "development.json").read_text(encoding="utf-8"))
THIRD = json.loads((HERE / "third" / "development.json").read_text(encoding="utf-8"))
FOURTH = json.loads((HERE / "fourth" / "development.json").read_text(encoding="utf-8"))
FIFTH = json.loads((HERE / "fifth" / "development.json").read_text(encoding="utf-8"))


def test_the_role_set_is_issue_15s():
    assert set(ROLES) == {
        "execution",
        "task",
        "instance",
        "deployer",
        "service-linked",
        "infrastructure",
        "neither",
        "unknown",
    }
    assert set(SUSPECTS) == set(ROLES)


def test_the_corpora_use_the_role_set():
    for entry in FIRST + DEVELOPMENT + THIRD + FOURTH + FIFTH:
        assert entry["role"] in ROLES, entry["id"]
    for entry in FIRST:
        assert entry["category"] in CATEGORIES, entry["id"]


ALL_DEVELOPMENT = FIRST + DEVELOPMENT + THIRD + FOURTH + FIFTH


@pytest.mark.parametrize("entry", ALL_DEVELOPMENT, ids=lambda e: e["id"])
def test_every_answer_stays_in_the_closed_sets(entry):
    found = diagnose(entry["message"])
    assert found.role in ROLES
    assert found.category in CATEGORIES
    for candidate in found.candidates:
        assert (candidate.role, candidate.category) in {(r, c) for r in ROLES for c in CATEGORIES}
    pairs = [(c.role, c.category) for c in found.candidates]
    assert len(pairs) == len(set(pairs))  # one candidate per (role, category)


@pytest.mark.parametrize(
    ("ident", "role"),
    [
        ("neither-instance-role-sqs-createqueue", "task"),
        ("neither-instance-role-logs-ecs-cli", "instance"),
        ("neither-passrole-runtask-lambda", "deployer"),
        ("neither-service-linked-role-missing", "service-linked"),
        ("neither-codebuild-ecr-batchgetimage", "deployer"),
    ],
)
def test_the_migrated_labels(ident, role):
    [entry] = [e for e in FIRST if e["id"] == ident]
    assert entry["role"] == role
    assert diagnose(entry["message"]).role == role


def test_an_instance_role_answering_names_the_task_role_and_offers_the_instance_role_next():
    """Issue 15: the role to work on is the task role; the instance role made the call."""
    [entry] = [e for e in FIRST if e["id"] == "neither-instance-role-sqs-createqueue"]
    found = diagnose(entry["message"])
    assert [c.role for c in found.candidates][:2] == ["task", "instance"]


@pytest.mark.parametrize("part", ["second", "third", "fourth", "fifth"])
def test_each_part_is_fixed_by_its_id_alone(part):
    """The split is sha256(id): even → held out. Only ids and roles of the held-out part are read
    here (never a message), to check that nothing moved between the parts."""
    import gzip
    import hashlib

    def held_out(ident: str) -> bool:
        return int(hashlib.sha256(ident.encode()).hexdigest(), 16) % 2 == 0

    development = json.loads((HERE / part / "development.json").read_text(encoding="utf-8"))
    sealed = json.loads(gzip.decompress((HERE / part / "held_out.json.gz").read_bytes()))
    assert development and sealed
    assert not any(held_out(e["id"]) for e in development)
    assert all(held_out(e["id"]) for e in sealed)
    assert all(e["role"] in ROLES for e in sealed)
    assert not {e["id"] for e in development} & {e["id"] for e in sealed}
