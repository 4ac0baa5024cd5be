"""RegisterTaskDefinition and friends, as the administrator calls them through boto3: ECS's
validation rules with its own ClientException texts (HTTP 400, one error at a time), revisions,
describing, deregistering and listing; and the learner's ``lab.register_task_definition`` /
``lab.task_definition``.

Sources for the texts: docs/research/ecs_lifecycle.md §5 and §2.7,
docs/research/service_errors.md §12.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
EXECUTION_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecs-execution-role"
TASK_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecs-task-role"
ECR_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/orders-app:1.4.2"
PUBLIC_IMAGE = "public.ecr.aws/docker/library/python:3.12-slim"
DEFINITION_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/"


def fargate(family: str = "probe") -> dict[str, Any]:
    """A valid Fargate task definition: execution role, ECR image, awslogs."""
    return {
        "family": family,
        "executionRoleArn": EXECUTION_ROLE_ARN,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [
            {
                "name": "app",
                "image": ECR_IMAGE,
                "essential": True,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": "/ecs/orders",
                        "awslogs-region": REGION,
                        "awslogs-stream-prefix": "ecs",
                    },
                },
            }
        ],
    }


def refusal(lab, request: dict[str, Any]) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a RegisterTaskDefinition that ECS refuses."""
    with pytest.raises(ClientError) as caught:
        lab.client("ecs").register_task_definition(**request)
    error = caught.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


def register(lab, request: dict[str, Any]) -> dict[str, Any]:
    return lab.client("ecs").register_task_definition(**request)["taskDefinition"]


def registered_arns(lab, **filters: Any) -> list[str]:
    return lab.client("ecs").list_task_definitions(**filters)["taskDefinitionArns"]


# -- each validation rule, on an otherwise valid definition -------------------------------------


def _container(d: dict[str, Any]) -> dict[str, Any]:
    return d["containerDefinitions"][0]


def _without_execution_role(d: dict[str, Any]) -> None:
    del d["executionRoleArn"]


def _awslogs_without_execution_role(d: dict[str, Any]) -> None:
    _without_execution_role(d)
    _container(d)["image"] = PUBLIC_IMAGE  # only the log driver needs the role


def _ecr_image_without_execution_role(d: dict[str, Any]) -> None:
    _without_execution_role(d)
    del _container(d)["logConfiguration"]  # only the ECR image needs the role


def _ec2_secrets_without_execution_role(d: dict[str, Any], secrets: list[Any]) -> None:
    # Any launch type: not Fargate, bridge networking, a public image, no log driver.
    for key in ("executionRoleArn", "requiresCompatibilities", "cpu"):
        d.pop(key)
    d["networkMode"] = "bridge"
    container = _container(d)
    container.update(image=PUBLIC_IMAGE, memory=256, secrets=secrets)
    del container["logConfiguration"]


def _set(path: tuple[str | int, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets (or, with ``_DELETE``, removes) the field at ``path``."""

    def change(d: dict[str, Any]) -> None:
        target: Any = d
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


_DELETE = object()
_CONTAINER = ("containerDefinitions", 0)

RULES = [
    pytest.param(
        _awslogs_without_execution_role,
        "Fargate requires task definition to have execution role ARN to support log driver "
        "awslogs.",
        id="fargate-awslogs-without-execution-role",
    ),
    pytest.param(
        _ecr_image_without_execution_role,
        "Fargate requires task definition to have execution role ARN to support ECR images.",
        id="fargate-ecr-image-without-execution-role",
    ),
    pytest.param(
        lambda d: _ec2_secrets_without_execution_role(
            d, [{"name": "DB_PASSWORD", "valueFrom": "/orders/db-password"}]
        ),
        "When you are specifying container secrets, you must also specify a value for "
        "'executionRoleArn'.",
        id="secrets-without-execution-role",
    ),
    pytest.param(
        lambda d: _ec2_secrets_without_execution_role(d, []),
        "When you are specifying container secrets, you must also specify a value for "
        "'executionRoleArn'.",
        id="empty-secrets-without-execution-role",
    ),
    pytest.param(
        _set(("executionRoleArn",), "ecs-execution-role"),
        "Role is not valid",
        id="execution-role-not-an-arn",
    ),
    pytest.param(
        _set(("executionRoleArn",), f"arn:aws:iam::{ACCOUNT}:role/no-such-role"),
        "Role is not valid",
        id="execution-role-does-not-exist",
    ),
    pytest.param(
        _set(("taskRoleArn",), f"arn:aws:iam::{ACCOUNT}:role/no-such-role"),
        "Role is not valid",
        id="task-role-does-not-exist",
    ),
    pytest.param(
        lambda d: d.update(cpu="1024", memory="1024"),
        "No Fargate configuration exists for given values: 1024 CPU, 1024 memory. "
        "See the Amazon ECS documentation for the valid values.",
        id="not-a-fargate-size-1024-1024",
    ),
    pytest.param(
        lambda d: d.update(cpu="512", memory="512"),
        "No Fargate configuration exists for given values: 512 CPU, 512 memory. "
        "See the Amazon ECS documentation for the valid values.",
        id="not-a-fargate-size-512-512",
    ),
    pytest.param(
        _set(("cpu",), "a lot"),
        "Invalid 'cpu' setting for task. For more information, see the Troubleshooting "
        "section of the Amazon ECS Developer Guide.",
        id="cpu-not-a-number",
    ),
    pytest.param(
        _set(("cpu",), _DELETE),
        "Fargate requires that 'cpu' be defined at the task level.",
        id="fargate-without-task-cpu",
    ),
    pytest.param(
        _set(("memory",), _DELETE),
        "Fargate requires that 'memory' be defined at the task level.",
        id="fargate-without-task-memory",
    ),
    pytest.param(
        _set(("networkMode",), "bridge"),
        "Fargate only supports network mode \u2018awsvpc\u2019.",
        id="fargate-not-awsvpc",
    ),
    pytest.param(
        _set((*_CONTAINER, "image"), _DELETE),
        "Container.image should not be null or empty.",
        id="container-without-image",
    ),
    pytest.param(
        _set((*_CONTAINER, "image"), ""),
        "Container.image should not be null or empty.",
        id="container-with-empty-image",
    ),
    pytest.param(
        _set((*_CONTAINER, "name"), _DELETE),
        "Container.name should not be null or empty.",
        id="container-without-name",
    ),
    pytest.param(
        _set(("containerDefinitions",), []),
        "Container list cannot be empty.",
        id="no-containers",
    ),
    pytest.param(
        _set((*_CONTAINER, "logConfiguration", "options"), {"awslogs-stream-prefix": "ecs"}),
        "Log driver awslogs requires options: awslogs-region, awslogs-group",
        id="awslogs-options-missing",
    ),
]


def test_the_valid_definition_the_rules_start_from_registers(lab):
    registered = register(lab, fargate())
    assert (registered["family"], registered["revision"], registered["status"]) == (
        "probe",
        1,
        "ACTIVE",
    )
    assert registered["taskDefinitionArn"] == DEFINITION_ARN + "probe:1"


@pytest.mark.parametrize(("change", "message"), RULES)
def test_each_rule_is_refused_with_ecs_text(lab, change, message):
    request = copy.deepcopy(fargate())
    change(request)
    assert refusal(lab, request) == ("ClientException", message, 400)
    assert registered_arns(lab, familyPrefix="probe") == []  # nothing was registered


def test_a_definition_without_an_essential_container_is_refused(lab):
    request = fargate()
    _container(request)["essential"] = False
    code, message, status = refusal(lab, request)
    # The exact API text is not on record (docs/research/ecs_lifecycle.md §5): ECS's rule is worded
    # "All tasks must have at least one essential container".
    assert (code, status) == ("ClientException", 400)
    assert message.startswith("All tasks must have at least one essential container")


def test_essential_defaults_to_true(lab):
    request = fargate()
    del _container(request)["essential"]
    assert _container(register(lab, request))["essential"] is True


def test_errors_come_one_at_a_time(lab):
    request = fargate()
    del request["cpu"]
    request["networkMode"] = "bridge"
    _container(request)["image"] = ""
    code, message, _ = refusal(lab, request)
    assert code == "ClientException"
    known = [
        "Fargate requires that 'cpu' be defined at the task level.",
        "Fargate only supports network mode \u2018awsvpc\u2019.",
        "Container.image should not be null or empty.",
    ]
    assert message in known


# -- revisions, describing, deregistering, listing ---------------------------------------------


def test_revisions_count_up_per_family(lab):
    assert [register(lab, fargate("probe"))["revision"] for _ in range(3)] == [1, 2, 3]
    assert register(lab, fargate("other"))["revision"] == 1
    assert register(lab, fargate("orders"))["revision"] == 2  # the course registered orders:1
    assert register(lab, fargate("probe"))["taskDefinitionArn"] == DEFINITION_ARN + "probe:4"


def test_a_refused_registration_leaves_the_family_as_it_was(lab):
    register(lab, fargate())
    bad = fargate()
    bad["cpu"] = "3"
    refusal(lab, bad)
    assert registered_arns(lab, familyPrefix="probe") == [DEFINITION_ARN + "probe:1"]


def test_describe_by_family_revision_or_arn(lab):
    ecs = lab.client("ecs")
    first = register(lab, fargate())
    changed = fargate()
    changed["memory"] = "1024"
    second = register(lab, changed)
    by_family = ecs.describe_task_definition(taskDefinition="probe")["taskDefinition"]
    by_revision = ecs.describe_task_definition(taskDefinition="probe:1")["taskDefinition"]
    by_arn = ecs.describe_task_definition(taskDefinition=DEFINITION_ARN + "probe:2")[
        "taskDefinition"
    ]
    assert by_family == second == by_arn  # the family alone means its latest revision
    assert by_revision == first
    assert (by_revision["memory"], by_family["memory"]) == ("512", "1024")
    assert by_family["containerDefinitions"][0]["name"] == "app"
    assert by_family["requiresCompatibilities"] == ["FARGATE"]


@pytest.mark.parametrize("reference", ["no-such-family", "orders:99", DEFINITION_ARN + "nope:1"])
def test_describing_an_unknown_task_definition(lab, reference):
    with pytest.raises(ClientError) as caught:
        lab.client("ecs").describe_task_definition(taskDefinition=reference)
    error = caught.value.response
    assert error["Error"] == {
        "Code": "ClientException",
        "Message": "Unable to describe task definition.",
    }
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_deregister_marks_the_revision_inactive(lab):
    ecs = lab.client("ecs")
    register(lab, fargate())
    register(lab, fargate())
    answer = ecs.deregister_task_definition(taskDefinition="probe:2")["taskDefinition"]
    assert (answer["taskDefinitionArn"], answer["status"]) == (
        DEFINITION_ARN + "probe:2",
        "INACTIVE",
    )
    # ListTaskDefinitions lists ACTIVE revisions by default; the family now means probe:1.
    assert registered_arns(lab, familyPrefix="probe") == [DEFINITION_ARN + "probe:1"]
    latest = ecs.describe_task_definition(taskDefinition="probe")["taskDefinition"]
    assert latest["revision"] == 1


def test_deregistering_by_arn(lab):
    register(lab, fargate())
    answer = lab.client("ecs").deregister_task_definition(taskDefinition=DEFINITION_ARN + "probe:1")
    assert answer["taskDefinition"]["status"] == "INACTIVE"
    assert registered_arns(lab, familyPrefix="probe") == []


def test_deregistering_an_unknown_task_definition_is_a_client_exception(lab):
    with pytest.raises(ClientError) as caught:
        lab.client("ecs").deregister_task_definition(taskDefinition="no-such-family:1")
    assert caught.value.response["Error"]["Code"] == "ClientException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_deregistering_needs_a_revision(lab):
    register(lab, fargate())
    with pytest.raises(ClientError) as caught:
        lab.client("ecs").deregister_task_definition(taskDefinition="probe")
    assert caught.value.response["Error"]["Code"] == "ClientException"
    assert registered_arns(lab, familyPrefix="probe") == [DEFINITION_ARN + "probe:1"]


def test_a_deregistered_revision_stays_discoverable_as_inactive(lab):
    ecs = lab.client("ecs")
    register(lab, fargate())
    ecs.deregister_task_definition(taskDefinition="probe:1")
    described = ecs.describe_task_definition(taskDefinition="probe:1")["taskDefinition"]
    assert described["status"] == "INACTIVE"
    assert registered_arns(lab, familyPrefix="probe", status="INACTIVE") == [
        DEFINITION_ARN + "probe:1"
    ]


def test_revisions_are_not_reused_after_deregistering_the_latest(lab):
    register(lab, fargate())
    register(lab, fargate())
    lab.client("ecs").deregister_task_definition(taskDefinition="probe:2")
    assert register(lab, fargate())["revision"] == 3


def test_list_task_definitions_and_families(lab):
    ecs = lab.client("ecs")
    register(lab, fargate("probe"))
    register(lab, fargate("probe"))
    register(lab, fargate("probe-two"))
    assert registered_arns(lab) == [
        DEFINITION_ARN + "orders:1",
        DEFINITION_ARN + "probe:1",
        DEFINITION_ARN + "probe:2",
        DEFINITION_ARN + "probe-two:1",
    ]
    # ListTaskDefinitions' familyPrefix is "the full family name" (API reference), not a prefix
    assert registered_arns(lab, familyPrefix="probe") == [
        DEFINITION_ARN + "probe:1",
        DEFINITION_ARN + "probe:2",
    ]
    assert registered_arns(lab, familyPrefix="probe-") == []
    assert registered_arns(lab, familyPrefix="probe", sort="DESC") == [
        DEFINITION_ARN + "probe:2",
        DEFINITION_ARN + "probe:1",
    ]
    assert ecs.list_task_definition_families()["families"] == ["orders", "probe", "probe-two"]
    assert ecs.list_task_definition_families(familyPrefix="pro")["families"] == [
        "probe",
        "probe-two",
    ]


def test_families_with_status_active_leave_out_a_fully_deregistered_family(lab):
    ecs = lab.client("ecs")
    register(lab, fargate("probe"))
    ecs.deregister_task_definition(taskDefinition="probe:1")
    assert ecs.list_task_definition_families(status="ACTIVE")["families"] == ["orders"]


def test_families_list_inactive_families_by_default(lab):
    ecs = lab.client("ecs")
    register(lab, fargate("probe"))
    ecs.deregister_task_definition(taskDefinition="probe:1")
    assert ecs.list_task_definition_families()["families"] == ["orders", "probe"]
    assert ecs.list_task_definition_families(status="INACTIVE")["families"] == ["probe"]


def test_vcpu_and_gb_are_converted_when_registered(lab):
    request = fargate()
    request.update(cpu="1 vCPU", memory="2 GB")
    registered = register(lab, request)
    assert (registered["cpu"], registered["memory"]) == ("1024", "2048")


# -- the learner's API ----------------------------------------------------------------------------


def test_lab_register_task_definition_returns_family_and_revision(lab):
    assert lab.register_task_definition(fargate()) == "probe:1"
    assert lab.register_task_definition(fargate()) == "probe:2"
    assert lab.task_definition("probe:2")["taskDefinitionArn"] == DEFINITION_ARN + "probe:2"
    assert lab.task_definition("probe")["revision"] == 2


def test_lab_register_task_definition_raises_ecs_error(lab):
    request = fargate()
    del request["executionRoleArn"]
    with pytest.raises(ClientError) as caught:
        lab.register_task_definition(request)
    assert caught.value.response["Error"]["Code"] == "ClientException"


def test_registration_is_made_by_you_and_traced(lab):
    start = len(lab.trace)
    lab.register_task_definition(fargate())
    actions = [(e.principal, e.action, e.decision) for e in lab.trace.events[start:]]
    assert ("you (administrator)", "ecs:RegisterTaskDefinition", "Allowed") in actions


def test_the_course_task_definition(lab):
    r = lab.resources
    definition = lab.task_definition()
    assert definition == lab.task_definition("orders:1")
    assert definition["taskDefinitionArn"] == DEFINITION_ARN + "orders:1"
    assert (definition["family"], definition["revision"], definition["status"]) == (
        "orders",
        1,
        "ACTIVE",
    )
    assert definition["executionRoleArn"] == EXECUTION_ROLE_ARN
    assert definition["taskRoleArn"] == TASK_ROLE_ARN
    assert definition["requiresCompatibilities"] == ["FARGATE"]
    assert (definition["networkMode"], definition["cpu"], definition["memory"]) == (
        "awsvpc",
        "256",
        "512",
    )
    [container] = definition["containerDefinitions"]
    assert (container["name"], container["image"], container["essential"]) == (
        "orders",
        ECR_IMAGE,
        True,
    )
    assert container["image"] == r.image
    environment = {e["name"]: e["value"] for e in container["environment"]}
    assert environment == {
        "CONFIG_BUCKET": f"orders-config-{ACCOUNT}",
        "CONFIG_KEY": "config/app.json",
        "PAYMENTS_API_KEY_SECRET": "orders/payments-api-key",
    }
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert set(secrets) == {"DB_PASSWORD", "FEATURE_FLAGS"}
    # A JSON key of a Secrets Manager secret: <secret ARN>:<json-key>:<stage>:<version>.
    assert secrets["DB_PASSWORD"] == f"{r.db_secret_arn}:password::"
    assert secrets["DB_PASSWORD"].startswith(
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-password-"
    )
    # An SSM parameter of the same Region, by name.
    assert secrets["FEATURE_FLAGS"] == "/orders/feature-flags" == r.parameter
    logging = container["logConfiguration"]
    assert logging == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": "/ecs/orders",
            "awslogs-region": REGION,
            "awslogs-stream-prefix": "ecs",
        },
    }


def test_an_inactive_revision_cannot_run_new_tasks(lab):
    register(lab, fargate())
    ecs = lab.client("ecs")
    ecs.deregister_task_definition(taskDefinition="probe:1")
    with pytest.raises(ClientError) as caught:
        ecs.run_task(
            cluster=lab.resources.cluster,
            taskDefinition="probe:1",
            launchType="FARGATE",
            networkConfiguration=lab.network_configuration,
        )
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidParameterException",
        "TaskDefinition is inactive",
    )
    # a bare family means its latest ACTIVE revision, and there is none left
    with pytest.raises(ClientError) as missing:
        ecs.describe_task_definition(taskDefinition="probe")
    assert missing.value.response["Error"]["Message"] == "Unable to describe task definition."


def test_registered_by_names_who_registered_it(lab):
    assert register(lab, fargate())["registeredBy"] == f"arn:aws:iam::{lab.account_id}:user/learner"
    described = lab.client("ecs").describe_task_definition(taskDefinition="orders")
    assert described["taskDefinition"]["registeredBy"] == f"arn:aws:iam::{lab.account_id}:root"
