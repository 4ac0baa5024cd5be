"""The container's program: a plain Python function run as the container's process — what it
prints is its CloudWatch log, how it ends is its exit code, and it sees the environment a Fargate
container sees (the task definition's variables, injected secrets, Fargate's own variables, the
task role through the container credentials endpoint and nothing of the execution role). After
the task the notebook is as it was. ``lab.build_image`` makes such a program an ECR image.

Real behaviour: docs/research/ecs_lifecycle.md §1.4, §3, §4 and §6.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import NoCredentialsError

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
TASK_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecs-task-role"
EXECUTION_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecs-execution-role"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
LEARNER_ARN = f"arn:aws:iam::{ACCOUNT}:user/learner"
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
)


def stream_messages(lab, task) -> list[str]:
    """The task's log events, read back from CloudWatch Logs."""
    events = lab.client("logs").get_log_events(
        logGroupName="/ecs/orders", logStreamName=task.log_stream, startFromHead=True
    )["events"]
    return [e["message"] for e in events]


def environment_of(lab, task_definition: Any = None, **kwargs: Any) -> tuple[dict[str, str], Any]:
    """The environment the app saw, and its task."""
    seen: dict[str, str] = {}

    def app() -> None:
        seen.update(os.environ)

    task = lab.run_task(task_definition, app=app, **kwargs)
    assert task.exit_code == 0, task.logs
    return seen, task


def without_task_role(lab, family: str = "no-task-role") -> dict[str, Any]:
    """The course's definition under another family, without taskRoleArn."""
    definition = {
        key: value
        for key, value in lab.task_definition().items()
        if key
        in (
            "executionRoleArn",
            "networkMode",
            "requiresCompatibilities",
            "cpu",
            "memory",
            "containerDefinitions",
        )
    }
    return {**definition, "family": family}


# -- what the program prints, and how it ends ----------------------------------------------------


def test_each_printed_line_is_one_log_event_in_order(lab):
    def app() -> None:
        print("first line")
        print("to stderr", file=sys.stderr)
        print("two\nlines")
        sys.stdout.write("no newline at the end")

    task = lab.run_task(app=app)
    expected = ["first line", "to stderr", "two", "lines", "no newline at the end"]
    assert task.logs == expected
    assert stream_messages(lab, task) == expected
    assert task.log_stream == f"ecs/orders/{task.id}"
    assert (task.exit_code, task.stop_code, task.stopped_reason) == (
        0,
        "EssentialContainerExited",
        "Essential container in task exited",
    )


def test_log_event_timestamps_never_go_back(lab):
    def app() -> None:
        for n in range(5):
            print(f"line {n}")
            boto3.client("sts").get_caller_identity()  # time passes between the lines

    task = lab.run_task(app=app)
    events = lab.client("logs").get_log_events(
        logGroupName="/ecs/orders", logStreamName=task.log_stream, startFromHead=True
    )["events"]
    stamps = [e["timestamp"] for e in events]
    assert [e["message"] for e in events] == [f"line {n}" for n in range(5)]
    assert stamps == sorted(stamps)


def test_a_program_that_returns_exits_0(lab):
    task = lab.run_task(app=lambda: None)
    assert (task.exit_code, task.last_status, task.stop_code) == (
        0,
        "STOPPED",
        "EssentialContainerExited",
    )
    assert task.started is True
    assert task.logs == []
    [container] = task.describe()["containers"]
    assert (container["exitCode"], container["lastStatus"]) == (0, "STOPPED")
    assert "reason" not in container


# the operating system keeps the low 8 bits of an exit status: 256 is 0, -1 is 255
@pytest.mark.parametrize(
    ("code", "exit_code"), [(3, 3), (0, 0), (None, 0), (True, 1), (256, 0), (-1, 255)]
)
def test_sys_exit_with_a_number(lab, code, exit_code):
    def app() -> None:
        print("before exit")
        sys.exit(code)

    task = lab.run_task(app=app)
    assert task.exit_code == exit_code
    assert task.logs == ["before exit"]
    assert (task.stop_code, task.stopped_reason) == (
        "EssentialContainerExited",
        "Essential container in task exited",
    )
    assert task.describe()["containers"][0]["exitCode"] == exit_code


def test_an_interrupted_program_exits_130_as_python_does_after_sigint(lab):
    def app() -> None:
        raise KeyboardInterrupt

    task = lab.run_task(app=app)
    assert task.exit_code == 130
    assert task.logs[0] == "Traceback (most recent call last):"
    assert task.logs[-1] == "KeyboardInterrupt"


def test_sys_exit_with_a_message_logs_it_and_exits_1(lab):
    def app() -> None:
        sys.exit("configuration missing: ORDERS_TABLE")

    task = lab.run_task(app=app)
    assert task.exit_code == 1
    assert task.logs == ["configuration missing: ORDERS_TABLE"]


def _machine_paths() -> set[str]:
    """Paths of this machine that must never appear in a container's output."""
    paths = {
        "/work",
        "/tmp",
        "/root",
        str(Path.home()),
        sys.prefix,
        sys.base_prefix,
        os.getcwd(),
        str(Path(__file__).resolve().parent),
    }
    return {p for p in paths if p and p != "/"}


def _check_no_machine_paths(lines: list[str]) -> None:
    for line in lines:
        for path in _machine_paths():
            assert path not in line, (path, line)


def test_an_uncaught_exception_logs_a_container_traceback_and_exits_1(lab):
    def load_order(order_id: str) -> dict[str, Any]:
        raise ValueError(f"order {order_id} not found")

    def app() -> None:
        print("processing")
        load_order("order-42")

    task = lab.run_task(app=app)
    assert task.exit_code == 1
    assert task.stop_code == "EssentialContainerExited"
    logs = task.logs
    assert logs[0] == "processing"
    assert logs[1] == "Traceback (most recent call last):"
    assert logs[-1] == "ValueError: order order-42 not found"
    frames = [line for line in logs if line.startswith('  File "')]
    assert [line.rsplit(" in ", 1)[-1] for line in frames] == ["app", "load_order"]
    assert '    load_order("order-42")' in logs  # the source line under its frame
    _check_no_machine_paths(logs)
    assert stream_messages(lab, task) == logs


def test_a_traceback_through_libraries_shows_container_paths(lab):
    def app() -> None:
        json.loads("{not json")

    task = lab.run_task(app=app)
    assert task.exit_code == 1
    assert task.logs[-1].startswith("json.decoder.JSONDecodeError: Expecting property name")
    _check_no_machine_paths(task.logs)
    files = [line.split('"')[1] for line in task.logs if line.startswith('  File "')]
    assert files and all(f.startswith(("/app/", "/usr/local/lib/python3")) for f in files)


def test_a_chained_exception_shows_the_whole_chain(lab):
    def chained() -> None:
        try:
            {}["order_id"]
        except KeyError as missing:
            raise RuntimeError("bad order payload") from missing

    task = lab.run_task(app=chained)
    assert task.exit_code == 1
    assert "KeyError: 'order_id'" in task.logs
    assert "The above exception was the direct cause of the following exception:" in task.logs
    assert task.logs[-1] == "RuntimeError: bad order payload"


# -- the app's environment -------------------------------------------------------------------------


def test_the_app_sees_the_task_definition_environment_and_injected_secrets(lab):
    seen, _ = environment_of(lab)
    assert seen["CONFIG_BUCKET"] == f"orders-config-{ACCOUNT}"
    assert seen["CONFIG_KEY"] == "config/app.json"
    assert seen["PAYMENTS_API_KEY_SECRET"] == "orders/payments-api-key"
    # DB_PASSWORD: the "password" key of the JSON secret; FEATURE_FLAGS: the SecureString's value.
    assert seen["DB_PASSWORD"] == "not-a-real-password"
    assert json.loads(seen["FEATURE_FLAGS"]) == {"new_checkout": True, "max_items": 20}


def test_the_app_sees_fargate_variables(lab):
    seen, task = environment_of(lab)
    runtime_id = task.describe()["containers"][0]["runtimeId"]
    assert seen["AWS_REGION"] == seen["AWS_DEFAULT_REGION"] == REGION
    assert seen["AWS_EXECUTION_ENV"] == "AWS_ECS_FARGATE"
    assert seen["ECS_CONTAINER_METADATA_URI_V4"] == f"http://169.254.170.2/v4/{runtime_id}"
    assert seen["ECS_CONTAINER_METADATA_URI"] == f"http://169.254.170.2/v3/{runtime_id}"
    assert seen["ECS_AGENT_URI"] == f"http://169.254.170.2/api/{runtime_id}"


def test_a_task_role_gives_the_container_credentials_endpoint(lab):
    served: dict[str, str] = {}

    def app() -> None:
        # What botocore's ContainerProvider does: GET the URI with the token.
        request = urllib.request.Request(
            os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
            headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]},
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            served.update(json.load(answer))

    task = lab.run_task(app=app)
    assert task.exit_code == 0, task.logs
    assert served["RoleArn"] == TASK_ROLE_ARN  # the task role, never the execution role
    assert set(served) >= {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    assert served["AccessKeyId"] == lab.ecs.tasks[task.arn].task_credentials[0]


def test_without_a_task_role_there_is_no_credentials_endpoint(lab):
    seen, task = environment_of(lab, without_task_role(lab))
    assert task.exit_code == 0
    for name in (
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ):
        assert name not in seen, name
    # The rest of Fargate's variables are still there.
    assert seen["AWS_EXECUTION_ENV"] == "AWS_ECS_FARGATE"
    assert "ECS_CONTAINER_METADATA_URI_V4" in seen


def test_no_credentials_of_anyone_in_the_app_environment(lab):
    seen, task = environment_of(lab)
    for name in CREDENTIAL_VARIABLES:
        assert name not in seen, name
    state = lab.ecs.tasks[task.arn]
    secrets = {
        *state.execution_credentials,  # the agent's: never given to the container
        *state.task_credentials,  # served by the endpoint only, not in the environment
        *lab.world.learner_keys,  # the notebook's administrator
    }
    for name, value in seen.items():
        for secret in secrets:
            assert secret not in value, name
        assert EXECUTION_ROLE_ARN not in value, name
        assert "ecs-execution-role" not in value, name


def test_the_app_does_not_inherit_the_notebook_environment(lab, monkeypatch):
    monkeypatch.setenv("ECSLAB_NOTEBOOK_ONLY", "set in the notebook")
    seen, _ = environment_of(lab)
    assert "ECSLAB_NOTEBOOK_ONLY" not in seen
    definition = {
        e["name"] for e in lab.task_definition()["containerDefinitions"][0]["environment"]
    }
    injected = {"DB_PASSWORD", "FEATURE_FLAGS"}
    fargate = {
        "AWS_EXECUTION_ENV",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "ECS_CONTAINER_METADATA_URI",
        "ECS_CONTAINER_METADATA_URI_V4",
        "ECS_AGENT_URI",
        "HOSTNAME",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",  # the lab's endpoint (README: known differences)
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    }
    image = {"PATH", "LANG", "PYTHON_VERSION", "HOME"}
    # the lab's safety settings: no shared config files, no instance metadata, no retries
    safety = {
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "BOTO_CONFIG",
        "AWS_EC2_METADATA_DISABLED",
        "AWS_RETRY_MODE",
        "AWS_MAX_ATTEMPTS",
    }
    assert set(seen) == definition | injected | fargate | image | safety
    assert seen["HOME"] == "/root"
    assert seen["HOSTNAME"].startswith("ip-10-0-") and seen["HOSTNAME"].endswith(
        f".{REGION}.compute.internal"
    )


def test_plain_boto3_in_the_app_is_the_task_role(lab):
    identities: list[str] = []

    def app() -> None:
        identities.append(boto3.client("sts").get_caller_identity()["Arn"])
        identities.append(boto3.Session().client("sts").get_caller_identity()["Arn"])

    task = lab.run_task(app=app)
    assert task.exit_code == 0, task.logs
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-task-role/{task.id}"
    assert identities == [session, session]
    app_events = task.trace.filter(principal="orders app")
    assert [(e.action, e.role, e.phase) for e in app_events] == [
        ("sts:GetCallerIdentity", "ecs-task-role", "run")
    ] * 2


def test_without_a_task_role_boto3_in_the_app_finds_no_credentials(lab):
    caught: list[BaseException] = []

    def app() -> None:
        try:
            boto3.client("sts").get_caller_identity()
        except NoCredentialsError as error:
            caught.append(error)
        boto3.client("s3").list_buckets()  # and uncaught: the container's traceback

    task = lab.run_task(without_task_role(lab), app=app)
    assert [str(e) for e in caught] == ["Unable to locate credentials"]
    assert task.exit_code == 1
    assert task.logs[0] == "Traceback (most recent call last):"
    assert task.logs[-1] == "botocore.exceptions.NoCredentialsError: Unable to locate credentials"
    _check_no_machine_paths(task.logs)
    # Nothing reached AWS as the app; the agent's launch calls are unaffected.
    assert {e.principal for e in task.trace} == {"Amazon ECS", "ECS agent"}


def test_a_no_credentials_traceback_shows_no_simulator_frames(lab):
    task = lab.run_task(without_task_role(lab), app=lambda: boto3.client("s3").list_buckets())
    assert task.exit_code == 1
    assert not [line for line in task.logs if "ecslab" in line]


def test_after_the_task_the_notebook_is_as_it_was(lab):
    before = dict(os.environ)
    session = boto3.DEFAULT_SESSION

    def app() -> None:
        os.environ["SET_BY_THE_APP"] = "1"
        del os.environ["AWS_REGION"]
        boto3.setup_default_session(region_name="us-east-1")
        raise RuntimeError("the app fails after changing its environment")

    task = lab.run_task(app=app)
    assert task.exit_code == 1
    assert dict(os.environ) == before
    assert boto3.DEFAULT_SESSION is session
    assert boto3.client("sts").get_caller_identity()["Arn"] == LEARNER_ARN


def test_plain_boto3_is_the_administrator_again_after_a_task(lab):
    lab.run_task(app=lambda: boto3.client("sts").get_caller_identity())
    assert boto3.client("sts").get_caller_identity()["Arn"] == LEARNER_ARN
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" not in os.environ
    assert os.environ["AWS_ACCESS_KEY_ID"] == lab.world.learner_keys[0]


# -- programs for a task: by argument, by registration, by image -----------------------------------


def test_app_replaces_the_image_program_for_one_run_only(lab):
    first = lab.run_task(app=lambda: print("replacement"))
    assert first.logs == ["replacement"]
    second = lab.run_task()
    assert second.logs[-1] == "order-1001 processed"  # the image's own program again


def test_programs_given_at_registration(lab):
    definition = without_task_role(lab, "with-program")
    reference = lab.register_task_definition(
        definition, programs={"orders": lambda: print("registered program")}
    )
    assert reference == "with-program:1"
    task = lab.run_task(reference)
    assert (task.exit_code, task.logs) == (0, ["registered program"])


def test_build_image_pushes_to_ecr_and_a_task_runs_its_program(lab):
    def version_two() -> None:
        print(f"orders v2 in {os.environ['AWS_REGION']}")

    uri = lab.build_image("2.0.0", version_two)
    assert uri == f"{REGISTRY}/orders-app:2.0.0"
    images = lab.client("ecr").describe_images(
        repositoryName="orders-app", imageIds=[{"imageTag": "2.0.0"}]
    )["imageDetails"]
    [image] = images
    digest = image["imageDigest"]
    assert digest.startswith("sha256:") and digest != lab.resources.image_digest

    definition = lab.task_definition()
    container = definition["containerDefinitions"][0]
    new = {
        key: definition[key]
        for key in (
            "executionRoleArn",
            "taskRoleArn",
            "networkMode",
            "requiresCompatibilities",
            "cpu",
            "memory",
        )
    }
    new["family"] = "orders"
    new["containerDefinitions"] = [{**container, "image": uri}]
    reference = lab.register_task_definition(new)
    assert reference == "orders:2"

    task = lab.run_task(reference)
    assert (task.exit_code, task.logs) == (0, [f"orders v2 in {REGION}"])
    [described] = task.describe()["containers"]
    assert (described["image"], described["imageDigest"]) == (uri, digest)
    pulled = task.trace.filter(
        principal="ECS agent", where=lambda e: e.action == "ecr:BatchGetImage"
    )
    assert len(pulled) == 1

    # The old image still runs the course's app.
    assert lab.run_task("orders:1").logs[-1] == "order-1001 processed"


def test_build_image_is_done_as_you(lab):
    start = len(lab.trace)
    lab.build_image("2.0.1", lambda: None)
    pushes = [e for e in lab.trace.events[start:] if e.action == "ecr:PutImage"]
    assert [(e.principal, e.allowed) for e in pushes] == [("you (administrator)", True)]


def test_overrides_environment_reaches_the_container(lab):
    overrides = {
        "containerOverrides": [
            {
                "name": "orders",
                "environment": [
                    {"name": "GREETING", "value": "hello from RunTask"},
                    {"name": "CONFIG_KEY", "value": "config/other.json"},
                ],
            }
        ]
    }
    seen, task = environment_of(lab, overrides=overrides)
    assert seen["GREETING"] == "hello from RunTask"
    assert seen["CONFIG_KEY"] == "config/other.json"  # an override wins over the definition
    assert seen["CONFIG_BUCKET"] == f"orders-config-{ACCOUNT}"  # the rest is unchanged
    described = task.describe()["overrides"]["containerOverrides"]
    assert described == overrides["containerOverrides"]


def test_overrides_through_the_api_reach_an_image_program(lab):
    def greeter() -> None:
        print(os.environ.get("GREETING", "no greeting"))

    uri = lab.build_image("greeter", greeter)
    definition = without_task_role(lab, "greeter")
    definition["containerDefinitions"] = [{**definition["containerDefinitions"][0], "image": uri}]
    lab.register_task_definition(definition)
    answer = lab.client("ecs").run_task(
        cluster="orders-cluster",
        taskDefinition="greeter",
        launchType="FARGATE",
        networkConfiguration=lab.network_configuration,
        overrides={
            "containerOverrides": [
                {"name": "orders", "environment": [{"name": "GREETING", "value": "hi"}]}
            ]
        },
    )
    state = lab.ecs.tasks[answer["tasks"][0]["taskArn"]]
    logs = lab.client("logs").get_log_events(
        logGroupName="/ecs/orders",
        logStreamName=f"ecs/orders/{state.id}",
        startFromHead=True,
    )["events"]
    assert [e["message"] for e in logs] == ["hi"]


# -- a learner's mistakes get clear errors ---------------------------------------------------------


def test_an_app_that_is_not_a_function_is_a_clear_error(lab):
    with pytest.raises(TypeError, match=r"app must be a Python function .* not str"):
        lab.run_task(app="print('hello')")
    with pytest.raises(TypeError, match=r"app\['orders'\] must be a Python function"):
        lab.run_task(app={"orders": "main.py"})
    with pytest.raises(ValueError, match=r"names a container 'web', but .* are: 'orders'"):
        lab.run_task(app={"web": print})
    with pytest.raises(TypeError, match="build_image\\(\\) needs the image's program"):
        lab.build_image("v2", "app.py")
    with pytest.raises(TypeError, match="takes a task definition as a dict"):
        lab.register_task_definition("orders:1")
    assert lab.ecs.tasks == {}  # nothing was started
