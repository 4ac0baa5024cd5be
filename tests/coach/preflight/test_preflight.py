"""Issue 16: ecslab preflight reads a real deployment in the formats AWS and the tools emit, and
predicts what ECS will do, offline."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from ecslab.coach.preflight import PreflightError, preflight

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/orders-app:1.4.2"
EXECUTION_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecs-execution-role"
TASK_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecs-task-role"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
ARTICLE = Path(__file__).parents[3] / "ecslab" / "coach" / "lessons" / "article.tf"
ORDERS = Path(__file__).parents[1] / "terraform" / "orders.tf"


def definition(**changes):
    container = {
        "name": "orders",
        "image": IMAGE,
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
    container.update(changes.pop("container", {}))
    return {
        "family": "orders",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": EXECUTION_ARN,
        "taskRoleArn": TASK_ARN,
        "containerDefinitions": [container],
        **changes,
    }


def described(request):
    """describe-task-definition output for a registered ``request``."""
    return {
        "taskDefinition": {
            **request,
            "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/orders:3",
            "revision": 3,
            "status": "ACTIVE",
            "compatibilities": ["EC2", "FARGATE"],
            "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.ecr-auth"}],
            "registeredAt": "2026-12-01T10:00:00.000000+09:00",
            "registeredBy": f"arn:aws:iam::{ACCOUNT}:user/dev",
        }
    }


def authorization_details(execution_attached=(EXECUTION_POLICY,), task_inline=None, trust=TRUST):
    """get-account-authorization-details output (the CLI's decoded documents)."""

    def role(name, arn, attached, inline):
        return {
            "Path": "/",
            "RoleName": name,
            "RoleId": "AROAEXAMPLE" + name.upper().replace("-", ""),
            "Arn": arn,
            "CreateDate": "2026-12-01T00:00:00+00:00",
            "AssumeRolePolicyDocument": trust,
            "InstanceProfileList": [],
            "RolePolicyList": [
                {"PolicyName": n, "PolicyDocument": d} for n, d in (inline or {}).items()
            ],
            "AttachedManagedPolicies": [
                {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached
            ],
            "Tags": [],
            "RoleLastUsed": {},
        }

    return {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [
            role("ecs-execution-role", EXECUTION_ARN, execution_attached, None),
            role("ecs-task-role", TASK_ARN, (), task_inline),
        ],
        "Policies": [],
    }


def write(tmp_path, name, document):
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def test_a_healthy_deployment_starts_and_runs(tmp_path):
    result = preflight(
        write(tmp_path, "taskdef.json", described(definition())),
        write(tmp_path, "iam.json", authorization_details()),
    )
    assert result.exit_status == 0 and result.starts and result.runs
    actions = [c.action for c in result.calls]
    assert actions[:3] == ["sts:AssumeRole", "sts:AssumeRole", "ecr:GetAuthorizationToken"]
    assert "logs:CreateLogStream" in actions
    assert all(c.decision == "Allowed" for c in result.calls)
    assert "Verdict: the task will start and run (exit 0)" in result.describe()


def test_the_first_refusal_is_worded_as_ecs_words_it(tmp_path):
    result = preflight(
        write(tmp_path, "taskdef.json", described(definition())),
        write(tmp_path, "iam.json", authorization_details(execution_attached=())),
    )
    assert result.exit_status == 1 and not result.starts
    assert result.stopped_reason.startswith(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution "
        "resource retrieval failed: unable to retrieve ecr registry auth:"
    )
    assert "ecs-execution-role" in result.stopped_reason
    decisions = [(c.action, c.decision) for c in result.calls]
    assert ("ecr:GetAuthorizationToken", "ImplicitlyDenied") in decisions
    assert decisions[-1][1] == "NotReached"  # ECS stops at the first refusal
    (fix,) = result.fixes
    assert fix.role == "ecs-execution-role"
    assert fix.statement == {
        "Effect": "Allow",
        "Action": "ecr:GetAuthorizationToken",
        "Resource": "*",
    }
    assert 'resource "aws_iam_role_policy"' in fix.terraform
    assert "Type: AWS::IAM::Policy" in fix.cloudformation


def test_the_wrong_fix_changes_nothing(tmp_path):
    # the learner's classic mistake, in a real deployment: the permission on the task role
    ecr = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}],
    }
    result = preflight(
        write(tmp_path, "taskdef.json", described(definition())),
        write(tmp_path, "iam.json", authorization_details((), task_inline={"ecr": ecr})),
    )
    assert not result.starts
    assert "ecs-execution-role" in result.stopped_reason
    rules = {lint.rule for lint in result.lints}
    assert "execution-permissions-on-task-role" in rules


def test_a_role_ecs_cannot_assume_fails_runtask_itself(tmp_path):
    wrong = {
        **TRUST,
        "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "ec2.amazonaws.com"}}],
    }
    result = preflight(
        write(tmp_path, "taskdef.json", definition()),
        write(tmp_path, "iam.json", authorization_details(trust=wrong)),
    )
    assert result.result.run_task_error == (
        f"ClientException: ECS was unable to assume the role '{EXECUTION_ARN}' that was "
        "provided for this task. Please verify that the role being passed has the proper trust "
        "relationship and permissions and that your IAM user has permissions to pass this role."
    )
    assert result.fixes[0].kind == "trust"
    assert "trust-without-ecs-tasks" in {lint.rule for lint in result.lints}


def test_expected_app_calls_are_judged_with_the_task_role(tmp_path):
    get = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::config/*"}
        ],
    }
    sources = (
        write(tmp_path, "taskdef.json", definition()),
        write(tmp_path, "iam.json", authorization_details(task_inline={"read": get})),
    )
    ok = preflight(*sources, expect=["s3:GetObject=arn:aws:s3:::config/app.json"])
    assert ok.exit_status == 0
    refused = preflight(*sources, expect=["s3:PutObject=arn:aws:s3:::config/app.json"])
    assert refused.starts and not refused.runs and refused.exit_status == 1
    assert refused.fixes[0].role == "ecs-task-role"
    with pytest.raises(PreflightError, match="ACTION=RESOURCE"):
        preflight(*sources, expect=["s3:GetObject"])


def test_get_role_outputs_in_order(tmp_path):
    """get-role, list-attached-role-policies, get-role-policy: the CLI's three outputs."""
    files = [write(tmp_path, "taskdef.json", definition())]
    for name, arn in (("ecs-execution-role", EXECUTION_ARN), ("ecs-task-role", TASK_ARN)):
        files.append(
            write(
                tmp_path,
                f"{name}.json",
                {
                    "Role": {
                        "Path": "/",
                        "RoleName": name,
                        "RoleId": "AROAEXAMPLE",
                        "Arn": arn,
                        "CreateDate": "2026-12-01T00:00:00+00:00",
                        "AssumeRolePolicyDocument": TRUST,
                        "MaxSessionDuration": 3600,
                    }
                },
            )
        )
        attached = [EXECUTION_POLICY] if name == "ecs-execution-role" else []
        files.append(
            write(
                tmp_path,
                f"{name}-attached.json",
                {
                    "AttachedPolicies": [
                        {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached
                    ]
                },
            )
        )
    files.append(
        write(
            tmp_path,
            "inline.json",
            {
                "RoleName": "ecs-task-role",
                "PolicyName": "queue",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}
                    ],
                },
            },
        )
    )
    result = preflight(*files, expect=[f"sqs:SendMessage=arn:aws:sqs:{REGION}:{ACCOUNT}:orders"])
    assert result.exit_status == 0, result.describe()
    with pytest.raises(PreflightError, match="get-role output"):
        preflight(files[0], files[2])  # attached policies with no role before them


CLOUDFORMATION_YAML = r"""
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /ecs/orders
  ExecutionRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
  ExecutionPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: pull-and-log
      Roles: [!Ref ExecutionRole]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: [ecr:GetAuthorizationToken]
            Resource: '*'
          - Effect: Allow
            Action: [ecr:BatchGetImage, ecr:GetDownloadUrlForLayer]
            Resource: !Sub "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:\
              repository/orders-app"
          - Effect: Allow
            Action: logs:CreateLogStream
            Resource: !GetAtt LogGroup.Arn
  TaskRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: orders
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: '256'
      Memory: '512'
      ExecutionRoleArn: !GetAtt ExecutionRole.Arn
      TaskRoleArn: !Ref TaskRole
      ContainerDefinitions:
        - Name: orders
          Image: !Join
            - ''
            - [!Ref 'AWS::AccountId', '.dkr.ecr.', !Ref 'AWS::Region',
               '.amazonaws.com/orders-app:1.4.2']
          Essential: true
          LogConfiguration:
            LogDriver: awslogs
            Options:
              awslogs-group: !Ref LogGroup
              awslogs-region: !Ref AWS::Region
              awslogs-stream-prefix: ecs
"""


def test_a_cloudformation_template_with_short_tags(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(CLOUDFORMATION_YAML, encoding="utf-8")
    result = preflight(path)
    assert result.starts, result.describe()
    names = {c.role for c in result.calls if c.role}
    assert names == {"STACK-ExecutionRole-RANDOM"}  # CloudFormation's generated name
    # the log group's ARN from Fn::GetAtt ends in ':*': CreateLogStream on its streams matches
    streams = [c for c in result.calls if c.action == "logs:CreateLogStream"]
    assert streams and streams[0].decision == "Allowed"


def test_a_cloudformation_template_in_json_that_forgets_the_streams(tmp_path):
    import yaml

    document = yaml.load(
        CLOUDFORMATION_YAML.replace(
            "!GetAtt LogGroup.Arn", "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/orders"
        ),
        Loader=__import__("ecslab.coach.preflight.cfn", fromlist=["_Loader"])._Loader,
    )
    result = preflight(write(tmp_path, "template.json", document))
    assert not result.starts
    assert result.stopped_reason.startswith(
        "ResourceInitializationError: failed to validate logger args: create stream has been "
        "retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException:"
    )
    assert "log-group-without-stream-wildcard" in {lint.rule for lint in result.lints}


def test_terraform_files_are_read_by_the_course_reader(tmp_path):
    shutil.copy(ARTICLE, tmp_path / "article.tf")
    shutil.copy(ORDERS, tmp_path / "orders.tf")
    result = preflight(tmp_path)
    assert result.exit_status == 0, result.describe()
    assert {c.role for c in result.calls if c.role} == {"ecs-execution-role"}


def test_a_terraform_mistake_names_its_file_and_line(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_iam_role" "x" {\n  name = \n}\n')
    with pytest.raises(PreflightError, match=r"main\.tf"):
        preflight(tmp_path)


def test_terraform_show_json_with_arns_known_only_after_apply(tmp_path):
    containers = json.dumps(definition()["containerDefinitions"])
    role_values = {
        "assume_role_policy": json.dumps(TRUST),
        "inline_policy": [],
        "managed_policy_arns": [],
    }
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_role.execution",
                        "type": "aws_iam_role",
                        "name": "execution",
                        "values": {**role_values, "name": "ecs-execution-role"},
                    },
                    {
                        "address": "aws_iam_role.task",
                        "type": "aws_iam_role",
                        "name": "task",
                        "values": {**role_values, "name": "ecs-task-role"},
                    },
                    {
                        "address": "aws_iam_role_policy_attachment.pull",
                        "type": "aws_iam_role_policy_attachment",
                        "name": "pull",
                        "values": {"policy_arn": EXECUTION_POLICY},
                    },
                    {
                        "address": "aws_ecs_task_definition.orders",
                        "type": "aws_ecs_task_definition",
                        "name": "orders",
                        "values": {
                            "family": "orders",
                            "container_definitions": containers,
                            "network_mode": "awsvpc",
                            "cpu": "256",
                            "memory": "512",
                            "requires_compatibilities": ["FARGATE"],
                        },
                    },
                ]
            }
        },
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_role_policy_attachment.pull",
                        "expressions": {
                            "role": {
                                "references": [
                                    "aws_iam_role.execution.name",
                                    "aws_iam_role.execution",
                                ]
                            }
                        },
                    },
                    {
                        "address": "aws_ecs_task_definition.orders",
                        "expressions": {
                            "execution_role_arn": {
                                "references": [
                                    "aws_iam_role.execution.arn",
                                    "aws_iam_role.execution",
                                ]
                            },
                            "task_role_arn": {
                                "references": ["aws_iam_role.task.arn", "aws_iam_role.task"]
                            },
                        },
                    },
                ]
            }
        },
    }
    result = preflight(write(tmp_path, "plan.json", plan))
    assert result.exit_status == 0, result.describe()
    assert {c.role for c in result.calls if c.role} == {"ecs-execution-role"}


def test_a_secret_behind_a_customer_key_the_key_policy_does_not_open(tmp_path):
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-AbCdEf"
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "kms:Decrypt"],
                "Resource": [secret, key],
            }
        ],
    }
    details = authorization_details()
    details["RoleDetailList"][0]["RolePolicyList"] = [{"PolicyName": "db", "PolicyDocument": read}]
    key_policy_template = {
        "Resources": {
            "Key": {
                "Type": "AWS::KMS::Key",
                "Properties": {
                    "KeyPolicy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/someone-else"},
                                "Action": "kms:*",
                                "Resource": "*",
                            }
                        ],
                    }
                },
            }
        }
    }
    task = definition(container={"secrets": [{"name": "DB", "valueFrom": secret}]})
    sources = [
        write(tmp_path, "taskdef.json", task),
        write(tmp_path, "iam.json", details),
        write(tmp_path, "secret.json", {"ARN": secret, "Name": "orders/db", "KmsKeyId": key}),
    ]
    assert preflight(*sources).starts  # no key policy given: the account's IAM policies decide
    from ecslab.coach.preflight import read_deployment
    from ecslab.coach.preflight.engine import run

    deployment = read_deployment(sources)
    deployment.key_policies[key] = json.dumps(
        key_policy_template["Resources"]["Key"]["Properties"]["KeyPolicy"]
    )
    result = run(deployment, [])
    assert not result.starts
    assert "kms" in result.stopped_reason.lower()
    assert result.stopped_reason.startswith(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution "
        "resource retrieval failed: unable to retrieve secret from asm:"
    )


def test_lints_name_the_classic_mistakes(tmp_path):
    app = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db",
            },
        ],
    }
    details = authorization_details()
    details["RoleDetailList"][0]["RolePolicyList"] = [{"PolicyName": "app", "PolicyDocument": app}]
    other = {
        **TRUST,
        "Statement": [
            {
                **TRUST["Statement"][0],
                "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}},
            }
        ],
    }
    details["RoleDetailList"][1]["AssumeRolePolicyDocument"] = other
    same = definition(taskRoleArn=EXECUTION_ARN)
    rules = {
        lint.rule
        for lint in preflight(
            write(tmp_path, "a.json", definition()), write(tmp_path, "i.json", details)
        ).lints
    }
    assert {
        "app-permissions-on-execution-role",
        "secret-without-suffix-wildcard",
        "trust-source-account",
    } <= rules
    rules = {
        lint.rule
        for lint in preflight(
            write(tmp_path, "b.json", same), write(tmp_path, "j.json", details)
        ).lints
    }
    assert "same-role" in rules


def test_what_is_not_among_the_inputs_is_said_not_guessed(tmp_path):
    result = preflight(write(tmp_path, "taskdef.json", definition()))
    assert {c.decision for c in result.calls} == {"Unknown"}
    assert "Not judged (inputs missing):" in result.describe()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{", r"bad\.json:1: not valid JSON"),
        ("[1, 2]", r"expected a JSON object"),
        ('{"hello": 1}', r"not a format preflight reads \(its top-level keys: hello\)"),
        ("key: [unclosed", r"bad\.json:1: not valid JSON or YAML"),
        ('{"Role": {"AssumeRolePolicyDocument": {}}}', r"\$\.Role: a role needs its RoleName"),
        (
            '{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::1:role/r", '
            '"AssumeRolePolicyDocument": "not json"}]}',
            r"RoleDetailList\[0\]\.AssumeRole",
        ),
        (
            '{"Resources": {"T": {"Type": "AWS::ECS::TaskDefinition", "Properties": '
            '{"ExecutionRoleArn": {"Fn::GetAtt": ["Missing", "Arn"]}}}}}',
            r"Missing: no such",
        ),
    ],
)
def test_bad_input_names_the_file_and_where(tmp_path, content, expected):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PreflightError, match=expected):
        preflight(path)


def test_a_malformed_policy_is_named_with_its_role(tmp_path):
    details = authorization_details()
    details["RoleDetailList"][0]["RolePolicyList"] = [
        {
            "PolicyName": "typo",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}],
            },
        }
    ]
    with pytest.raises(PreflightError, match=r"typo: .*must contain resources"):
        preflight(write(tmp_path, "t.json", definition()), write(tmp_path, "i.json", details))


def test_the_prediction_comes_true_in_a_lab(tmp_path):
    """The same Terraform, preflighted and then applied to a lab and run: ECS's words agree."""
    from ecslab import Lab

    article = ARTICLE.read_text(encoding="utf-8")
    start = article.index('resource "aws_iam_role_policy_attachment" "ecs_execution_ecr_read_only"')
    end = article.index("}", start) + 1
    (tmp_path / "article.tf").write_text(article[:start] + article[end:], encoding="utf-8")
    shutil.copy(ORDERS, tmp_path / "orders.tf")
    predicted = preflight(tmp_path).stopped_reason
    task = Lab.from_terraform(tmp_path).run_task()

    def same(text):
        text = re.sub(r"RequestID: [0-9a-f-]+", "RequestID: <id>", text)
        return re.sub(r"/[0-9a-f]{32}\b", "/<task>", text)

    assert predicted and same(predicted) == same(task.stopped_reason)


def _normalised(text):
    text = re.sub(r"RequestID: [0-9a-f-]+", "RequestID: <id>", text or "")
    text = re.sub(r"request id: [0-9a-f-]+", "request id: <id>", text)
    return re.sub(r"/[0-9a-f]{32}\b", "/<task>", text)


PULL_AND_LOG = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ecr:GetAuthorizationToken",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": "logs:CreateLogStream",
            "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders",
        },
    ],
}


@pytest.mark.parametrize(
    "case", ["healthy", "no-execution-policy", "log-group-without-streams", "trust", "secret"]
)
def test_from_preflight_the_lab_does_what_was_predicted(tmp_path, case):
    from ecslab import Lab

    task = definition()
    details = authorization_details()
    if case == "no-execution-policy":
        details = authorization_details(execution_attached=())
    elif case == "log-group-without-streams":
        details = authorization_details(execution_attached=())
        details["RoleDetailList"][0]["RolePolicyList"] = [
            {"PolicyName": "pull-and-log", "PolicyDocument": PULL_AND_LOG}
        ]
    elif case == "trust":
        details = authorization_details(
            trust={
                **TRUST,
                "Statement": [
                    {**TRUST["Statement"][0], "Principal": {"Service": "ecs.amazonaws.com"}}
                ],
            }
        )
    elif case == "secret":
        secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db"
        task = definition(container={"secrets": [{"name": "DB", "valueFrom": secret}]})
    sources = [
        write(tmp_path, "taskdef.json", described(task)),
        write(tmp_path, "iam.json", details),
    ]
    with Lab.from_preflight(*sources) as lab:
        predicted = lab.preflight
        ran = lab.run_task(predicted.task_definition)
    if ran.failure:  # RunTask itself was refused: no task
        assert predicted.result.run_task_error
        assert _normalised(ran.failure) == _normalised(predicted.result.run_task_error), ran.failure
        return
    assert not predicted.result.run_task_error
    assert _normalised(predicted.stopped_reason) == (
        _normalised(ran.stopped_reason) if predicted.stopped_reason else ""
    ), (predicted.stopped_reason, ran.stopped_reason)
    assert predicted.starts == (case == "healthy")


def test_the_apps_calls_from_iamlive_and_cloudtrail(tmp_path):
    sources = [
        write(tmp_path, "taskdef.json", definition()),
        write(tmp_path, "iam.json", authorization_details()),
    ]
    iamlive = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": ["arn:aws:s3:::config/app.json"],
            }
        ],
    }
    result = preflight(*sources, write(tmp_path, "iamlive.json", iamlive))
    (call,) = [c for c in result.calls if c.phase == "run"]
    assert (call.action, call.resource, call.role) == (
        "s3:GetObject",
        "arn:aws:s3:::config/app.json",
        "ecs-task-role",
    )
    assert not result.runs
    trail = {
        "Records": [
            {
                "eventSource": "sqs.amazonaws.com",
                "eventName": "SendMessage",
                "userIdentity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-task-role/abc"},
                "resources": [{"ARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"}],
            },
            {
                "eventSource": "s3.amazonaws.com",
                "eventName": "ListObjectsV2",
                "userIdentity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-task-role/abc"},
            },
            {
                "eventSource": "iam.amazonaws.com",
                "eventName": "CreateRole",
                "userIdentity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/jane"},
            },
        ]
    }
    result = preflight(*sources, write(tmp_path, "trail.json", trail))
    assert [(c.action, c.resource) for c in result.calls if c.phase == "run"] == [
        ("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"),
        ("s3:ListBucket", "*"),
    ]
    with pytest.raises(PreflightError, match=r"Records\[0\]"):
        preflight(*sources, write(tmp_path, "bad.json", {"Records": [{"eventName": "x"}]}))
