"""Notebook 08's exercises: the app without a task role answers as the instance role; widening the
instance role is named, any right answer counts, and everything is said in Japanese too."""

from __future__ import annotations

import re

import pytest

import ecslab.coach.lessons  # noqa: F401 — register the notebooks' exercises
from ecslab.coach.exercises import EXERCISES, RoleChanged
from ecslab.coach.lessons.nb08 import fresh_instance
from ecslab.i18n import set_language

KEYS = sorted(k for k in EXERCISES if k.startswith("08-"))
_KANA_OR_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_ENGLISH_WORDS = re.compile(r"(?<![\w.:/\-])[A-Za-z]+(?:,? [a-z]+){3,}(?![\w(:/\-])")


def japanese(text: str) -> None:
    assert _KANA_OR_KANJI.search(text), text
    found = _ENGLISH_WORDS.search(text)
    assert found is None, (found.group() if found else "", text)


def test_widening_the_instance_role_is_the_wrong_role(lab):
    ex = lab.exercise("08-own-task-role")
    lab.instance_role.attach("AmazonS3FullAccess")
    lab.run_task("orders-ec2", launch_type="EC2")
    problems = ex.check().problems
    assert any(isinstance(p, RoleChanged) and "ecsInstanceRole" in p for p in problems)
    assert "Undo that change first" in repr(ex.hint())


def test_a_new_revision_with_the_task_role_counts(lab):
    ex = lab.exercise("08-own-task-role")
    definition = lab.task_definition("orders-ec2")
    keep = ("family", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu")
    revision = {k: definition[k] for k in (*keep, "memory", "containerDefinitions")}
    lab.register_task_definition({**revision, "taskRoleArn": lab.task_role.arn})
    lab.run_task("orders-ec2", launch_type="EC2")
    assert ex.check().status == "correct"


def test_an_administrator_task_role_is_too_much(lab):
    ex = lab.exercise("08-own-task-role")
    role = lab.create_role("everything", managed=("AdministratorAccess",))
    lab.run_task("orders-ec2", launch_type="EC2", overrides={"taskRoleArn": role.arn})
    [problem] = ex.check().problems
    assert problem.startswith("the orders app's role everything allows ")


def test_the_hop_limit_blocks_awsvpc_tasks_too(lab):
    ex = lab.exercise("08-block-awsvpc")
    lab.container_instance.hop_limit = 1
    lab.run_task("orders-ec2", launch_type="EC2")
    assert ex.check().status == "correct"


def test_a_task_with_a_task_role_proves_nothing_about_the_fallback(lab):
    ex = lab.exercise("08-block-awsvpc")
    lab.run_task("orders-ec2", launch_type="EC2", overrides={"taskRoleArn": lab.task_role.arn})
    assert ex.check().problems[0].startswith("the last task has a task role")


def test_the_awsvpc_setting_does_not_block_bridge_tasks(lab):
    ex = lab.exercise("08-block-bridge")
    lab.container_instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"] = "true"
    lab.run_task("orders-bridge", launch_type="EC2")
    [problem] = ex.check().problems
    assert "assumed-role/ecsInstanceRole/" in problem


def test_each_setup_starts_from_the_instance_as_it_starts(lab):
    lab.exercise("08-block-bridge")
    lab.container_instance.hop_limit = 1
    lab.instance_role.put_inline(
        "wide",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        },
    )
    lab.exercise("08-block-awsvpc")
    instance = lab.container_instance
    assert (instance.hop_limit, instance.http_tokens) == (2, "required")
    assert instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"] == "false"
    assert lab.instance_role.policies == ["AmazonEC2ContainerServiceforEC2Role"]
    fresh_instance(lab)  # and the notebook's helper leaves it so
    assert lab.instance_role.policies == ["AmazonEC2ContainerServiceforEC2Role"]


@pytest.mark.parametrize("key", KEYS)
def test_in_japanese_an_exercise_says_everything_in_japanese(lab, key):
    set_language("ja")
    try:
        spec = EXERCISES[key]
        ex = lab.exercise(key)
        japanese(repr(ex))
        japanese(ex.check().describe())
        for number in range(1, len(spec.hints) + 1):
            japanese(repr(ex.hint(number)))
        exec(spec.run_hint, {"lab": lab})
        for problem in ex.check().problems:
            japanese(problem)
        exec(spec.wrong, {"lab": lab, ex.variable: ex})
        for problem in ex.check().problems:
            japanese(problem)
        ex = lab.exercise(key)
        exec(ex.solution().text, {"lab": lab, ex.variable: ex})
        japanese(ex.check().describe())
    finally:
        set_language(None)


@pytest.mark.parametrize("key", ["08-block-awsvpc", "08-block-bridge"])
def test_a_task_that_ran_is_not_praised_where_the_goal_is_a_refusal(lab, key):
    """Giving the task a task role makes it run, but the goal is one that stops: the hint about
    where the learner stands must not say "keep what made the task run"."""
    ex = lab.exercise(key)
    family = "orders-ec2" if key.endswith("awsvpc") else "orders-bridge"
    task = lab.run_task(family, launch_type="EC2", overrides={"taskRoleArn": lab.task_role.arn})
    assert task.exit_code == 0
    assert ex.check().status != "correct"
    assert "Keep what made the task run" not in repr(ex.hint())
