"""Exercises: not attempted, not yet (saying what is wrong, not how to fix it), correct — read from
the lab, so any right answer counts; hints get more specific; the solution works."""

from __future__ import annotations

import pytest

import ecslab.coach.lessons  # noqa: F401 — register the notebooks' exercises
from ecslab.coach.exercises import EXERCISES

SOLUTION_CASES = sorted(EXERCISES)


@pytest.mark.parametrize("key", SOLUTION_CASES)
def test_each_exercise_goes_from_not_attempted_to_correct_with_its_solution(lab, key):
    ex = lab.exercise(key)
    assert ex.check().status == "not attempted"
    lab.run_task()
    first = ex.check()
    assert first.status == "not yet" and first.problems
    exec(ex.solution().text, {"lab": lab})
    result = ex.check()
    assert result.status == "correct", result.problems
    assert bool(result) and result.describe().startswith("✓ Correct.")


def test_the_wrong_fix_is_named_without_giving_the_answer(lab):
    ex = lab.exercise("fix-the-launch")
    lab.task_role.attach("AmazonEC2ContainerRegistryReadOnly")
    lab.task_role.attach("CloudWatchLogsFullAccess")
    lab.run_task()
    result = ex.check()
    assert result.problems == [
        "the last task you ran still did not start (stopCode TaskFailedToStart).",
        "the task role was changed; the launch never uses it. Put it back as it was.",
    ]
    assert "AmazonECSTaskExecutionRolePolicy" not in result.describe()


def test_too_much_permission_is_not_yet_correct(lab):
    ex = lab.exercise("fix-the-launch")
    lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")
    lab.execution_role.attach("CloudWatchLogsFullAccess")
    assert lab.run_task().exit_code == 0
    [problem] = ex.check().problems
    assert problem.startswith("the execution role may now delete logs (logs:Delete")

    app = lab.exercise("fix-the-app")
    lab.task_role.attach("AmazonSQSFullAccess")
    assert lab.run_task().exit_code == 0
    assert app.check().problems == [
        "the task role may now send to any queue, not only orders-events.",
        "the task role now allows more SQS actions than the app uses.",
    ]


def test_changing_the_other_role_for_the_app_is_named(lab):
    ex = lab.exercise("fix-the-app")
    lab.execution_role.attach("AmazonSQSFullAccess")
    lab.run_task()
    assert ex.check().problems == [
        "the app in the last task exited with code 1.",
        "the execution role was changed; the application never uses it. Put it back.",
    ]


def test_a_refused_run_task_is_not_a_success_even_after_one(lab):
    ex = lab.exercise("fix-the-trust")
    lab.run_task()
    assert ex.check().problems == ["your last RunTask was refused: no task was started."]
    exec(ex.solution().text, {"lab": lab})
    assert ex.check().status == "correct"
    lab.execution_role.set_trust_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    lab.run_task()
    assert ex.check().status == "not yet"


def test_hints_are_graded_and_bounded(lab):
    ex = lab.exercise("log-group-star")
    first, second, third, again = ex.hint(), ex.hint(), ex.hint(), ex.hint()
    assert repr(first).startswith("Hint 1 of 3: ") and "more specific" in repr(first)
    assert repr(second).startswith("Hint 2 of 3: ")
    assert repr(third).startswith("Hint 3 of 3: ") and "more specific" not in repr(third)
    assert repr(again) == repr(third)
    assert repr(ex.hint(1)) == repr(first)
    assert "<pre><code>" in ex.solution()._repr_html_()


def test_an_unknown_exercise_is_a_clear_error(lab):
    with pytest.raises(ValueError, match="No exercise 'fix-the-lunch'; the course's exercises"):
        lab.exercise("fix-the-lunch")


@pytest.mark.parametrize("key", SOLUTION_CASES)
def test_each_exercise_refuses_an_empty_and_a_wrong_answer(lab, key):
    spec = EXERCISES[key]
    assert spec.wrong, f"{key} has no wrong answer to test"
    ex = lab.exercise(key)
    lab.run_task()  # empty: nothing changed
    assert ex.check().status == "not yet"
    exec(spec.wrong, {"lab": lab})
    assert ex.check().status == "not yet", ex.check()
