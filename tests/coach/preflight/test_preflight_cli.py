"""Issue 16: the ``ecslab preflight`` command: exit 0 (starts and runs), 1 (it will not), 2 (the
input cannot be read, with the file and place named and never a traceback); JSON and SARIF."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslab.cli import main
from ecslab.coach.preflight import PreflightError, preflight
from tests.coach.preflight.test_preflight import authorization_details, definition, write


def run(capsys, *argv):
    status = main(["preflight", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


def test_exit_status_says_whether_the_task_starts(tmp_path, capsys):
    task = write(tmp_path, "taskdef.json", definition())
    healthy = write(tmp_path, "iam.json", authorization_details())
    broken = write(tmp_path, "broken.json", authorization_details(execution_attached=()))
    status, out, err = run(capsys, task, healthy)
    assert (status, err) == (0, "")
    assert "Verdict: the task will start and run (exit 0)" in out
    assert "\033[" not in out  # no colour when the output is not a terminal
    status, out, _err = run(capsys, task, broken)
    assert status == 1
    assert "stoppedReason" in out and "Fix:" in out


def test_unreadable_input_exits_2_with_the_place_named(tmp_path, capsys):
    bad = tmp_path / "taskdef.json"
    bad.write_text('{"family": "orders",\n "containerDefinitions": [\n', encoding="utf-8")
    status, out, err = run(capsys, bad)
    assert status == 2 and out == ""
    assert err.startswith(f"ecslab preflight: {bad}:3: not valid JSON")
    assert "Traceback" not in err
    status, _out, err = run(capsys, tmp_path / "missing.json")
    assert status == 2 and "no such file" in err


def test_json_and_sarif(tmp_path, capsys):
    task = write(tmp_path, "taskdef.json", definition())
    broken = write(tmp_path, "broken.json", authorization_details(execution_attached=()))
    status, out, _err = run(capsys, task, broken, "--json")
    document = json.loads(out)
    assert status == 1 and document["exitStatus"] == 1 and not document["starts"]
    assert document["stoppedReason"].startswith("ResourceInitializationError")
    assert document["fixes"][0]["statement"]["Action"] == "ecr:GetAuthorizationToken"
    status, out, _err = run(capsys, task, broken, "--sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    (only_run,) = sarif["runs"]
    rules = {r["id"] for r in only_run["tool"]["driver"]["rules"]}
    results = only_run["results"]
    assert results[0]["ruleId"] == "task-will-not-start" and results[0]["level"] == "error"
    assert {r["ruleId"] for r in results} <= rules
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(task)


def test_expect_on_the_command_line(tmp_path, capsys):
    task = write(tmp_path, "taskdef.json", definition())
    iam = write(tmp_path, "iam.json", authorization_details())
    status, out, _err = run(capsys, task, iam, "--expect", "sqs:SendMessage=arn:aws:sqs:x:1:q")
    assert status == 1 and "the app will be refused" in out
    status, _out, err = run(capsys, task, iam, "--expect", "nonsense")
    assert status == 2 and "ACTION=RESOURCE" in err


# -- bad input, fuzzed: every outcome is a result or a PreflightError -----------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(string.printable, max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "taskDefinition",
                    "containerDefinitions",
                    "family",
                    "executionRoleArn",
                    "taskRoleArn",
                    "image",
                    "name",
                    "secrets",
                    "valueFrom",
                    "logConfiguration",
                    "options",
                    "RoleDetailList",
                    "RoleName",
                    "Arn",
                    "AssumeRolePolicyDocument",
                    "RolePolicyList",
                    "PolicyDocument",
                    "AttachedManagedPolicies",
                    "PolicyArn",
                    "Resources",
                    "Type",
                    "Properties",
                    "Statement",
                    "Effect",
                    "Action",
                    "Resource",
                    "Role",
                    "AttachedPolicies",
                    "format_version",
                    "planned_values",
                    "root_module",
                    "resources",
                    "values",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=json_values, other=json_values)
def test_no_internal_traceback_on_any_json(document, other):
    try:
        result = preflight(document, other)
    except PreflightError as error:
        assert str(error)
    else:
        assert result.exit_status in (0, 1)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_no_internal_traceback_on_any_text(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "input.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PreflightError):
        preflight(path)


# -- valid inputs with values of other types put in: still a result or a PreflightError --------

ODD_VALUES = [None, True, 0, 1.5, "", "x", [], {}, [None], {"a": 1}, ["*"], {"Ref": "Nope"}]


def _places(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*path, index))


@pytest.mark.parametrize("seed", range(4))
def test_no_internal_traceback_on_a_valid_input_with_odd_values(seed):
    import copy
    import random

    from ecslab.coach.lessons.nb11 import cdk_template
    from tests.coach.preflight.test_preflight import described

    chance = random.Random(seed)
    for _ in range(150):
        documents = chance.choice(
            [
                lambda: [described(definition()), authorization_details()],
                lambda: [cdk_template()],
            ]
        )()
        target = chance.choice(documents)
        places = [p for p in _places(target) if p]
        for _ in range(chance.randint(1, 3)):
            place = chance.choice(places)
            holder = target
            try:
                for key in place[:-1]:
                    holder = holder[key]
                holder[place[-1]] = copy.deepcopy(chance.choice(ODD_VALUES))
            except (KeyError, IndexError, TypeError):
                continue  # an earlier change removed the place
        try:
            preflight(*documents, expect=["s3:GetObject=arn:aws:s3:::b/k"])
        except PreflightError as error:
            assert str(error)
