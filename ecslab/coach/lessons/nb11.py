"""Notebook 11 (preflight): the inputs the learner preflights.

- ``ORDERS_TERRAFORM``: the course's ``orders`` task definition as Terraform, naming the
  article's two roles (``aws_iam_role.ecs_execution``, ``aws_iam_role.ecs_task``): with
  ``article_terraform()`` it is the article's whole deployment.
- ``cdk_template()``: what ``cdk synth`` emits for a small CDK app (aws-cdk-lib 2.x): a
  ``FargateTaskDefinition`` with the orders container (an image from an ECR repository named by
  name, the awslogs driver), ``bucket.grantRead(taskDefinition.taskRole)``; the logical ids,
  ``Fn::Join``/``Fn::Select``/``Fn::Split`` image URI and ``DefaultPolicy`` resources are CDK's own
  shapes (aws-cdk-lib's ``aws-ecs`` ``TaskDefinition`` and ``ContainerImage.fromEcrRepository``).
- ``REAL_WORLD``: a real, public deployment that failed: New Relic's Fargate sidecar example as it
  was before commit f3f5735 of newrelic/nri-ecs (Apache-2.0), its licence key read through an SSM
  ``/aws/reference/secretsmanager/...`` parameter, and the execution role its CloudFormation
  install creates (``deploy/cloudformation/task/execution-role.yaml``); issue #10 of the repository
  quotes the stoppedReason. Account id and names filled in as tests/coach/preflight/real/ says.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

_REAL = Path(__file__).with_name("nri_ecs")
REAL_WORLD = (_REAL / "fargate_sidecar_example.json", _REAL / "execution-role.yaml")

ORDERS_TERRAFORM = """\
resource "aws_ecs_task_definition" "orders" {
  family                   = "orders"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.ecs_execution.arn
  task_role_arn            = aws_iam_role.ecs_task.arn

  container_definitions = jsonencode([
    {
      name      = "orders"
      image     = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/orders-app:1.4.2"
      essential = true
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = "/ecs/orders"
          awslogs-region        = "ap-northeast-1"
          awslogs-stream-prefix = "ecs"
        }
      }
    }
  ])
}
"""

_PARTITION = {"Ref": "AWS::Partition"}
_REPOSITORY_ARN = {
    "Fn::Join": [
        "",
        [
            "arn:",
            _PARTITION,
            ":ecr:",
            {"Ref": "AWS::Region"},
            ":",
            {"Ref": "AWS::AccountId"},
            ":repository/orders-app",
        ],
    ]
}
_TRUST = {
    "Statement": [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        }
    ],
    "Version": "2012-10-17",
}
_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "ConfigBucket40E0C4B4": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"BucketName": "orders-config-123456789012"},
            "UpdateReplacePolicy": "Retain",
            "DeletionPolicy": "Retain",
        },
        "TaskDefTaskRole1EDB4A67": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": _TRUST},
        },
        "TaskDefTaskRoleDefaultPolicyA592CB18": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Action": ["s3:GetBucket*", "s3:GetObject*", "s3:List*"],
                            "Effect": "Allow",
                            "Resource": [
                                {"Fn::GetAtt": ["ConfigBucket40E0C4B4", "Arn"]},
                                {
                                    "Fn::Join": [
                                        "",
                                        [{"Fn::GetAtt": ["ConfigBucket40E0C4B4", "Arn"]}, "/*"],
                                    ]
                                },
                            ],
                        }
                    ],
                    "Version": "2012-10-17",
                },
                "PolicyName": "TaskDefTaskRoleDefaultPolicyA592CB18",
                "Roles": [{"Ref": "TaskDefTaskRole1EDB4A67"}],
            },
        },
        "TaskDef54694570": {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": {
                "ContainerDefinitions": [
                    {
                        "Essential": True,
                        "Image": {
                            "Fn::Join": [
                                "",
                                [
                                    {"Fn::Select": [4, {"Fn::Split": [":", _REPOSITORY_ARN]}]},
                                    ".dkr.ecr.",
                                    {"Fn::Select": [3, {"Fn::Split": [":", _REPOSITORY_ARN]}]},
                                    ".",
                                    {"Ref": "AWS::URLSuffix"},
                                    "/orders-app:1.4.2",
                                ],
                            ]
                        },
                        "LogConfiguration": {
                            "LogDriver": "awslogs",
                            "Options": {
                                "awslogs-group": {"Ref": "TaskDefordersLogGroup6E1C5B8D"},
                                "awslogs-stream-prefix": "orders",
                                "awslogs-region": {"Ref": "AWS::Region"},
                            },
                        },
                        "Name": "orders",
                    }
                ],
                "Cpu": "256",
                "ExecutionRoleArn": {"Fn::GetAtt": ["TaskDefExecutionRoleB4775C97", "Arn"]},
                "Family": "OrdersStackTaskDef6F3E1A2B",
                "Memory": "512",
                "NetworkMode": "awsvpc",
                "RequiresCompatibilities": ["FARGATE"],
                "TaskRoleArn": {"Fn::GetAtt": ["TaskDefTaskRole1EDB4A67", "Arn"]},
            },
        },
        "TaskDefordersLogGroup6E1C5B8D": {
            "Type": "AWS::Logs::LogGroup",
            "UpdateReplacePolicy": "Retain",
            "DeletionPolicy": "Retain",
        },
        "TaskDefExecutionRoleB4775C97": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": _TRUST},
        },
        "TaskDefExecutionRoleDefaultPolicy0DBB737A": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Action": [
                                "ecr:BatchCheckLayerAvailability",
                                "ecr:BatchGetImage",
                                "ecr:GetDownloadUrlForLayer",
                            ],
                            "Effect": "Allow",
                            "Resource": _REPOSITORY_ARN,
                        },
                        {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
                        {
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Effect": "Allow",
                            "Resource": {"Fn::GetAtt": ["TaskDefordersLogGroup6E1C5B8D", "Arn"]},
                        },
                    ],
                    "Version": "2012-10-17",
                },
                "PolicyName": "TaskDefExecutionRoleDefaultPolicy0DBB737A",
                "Roles": [{"Ref": "TaskDefExecutionRoleB4775C97"}],
            },
        },
    }
}


def cdk_template() -> dict[str, Any]:
    """A fresh copy of the synthesised template (change it freely)."""
    return copy.deepcopy(_TEMPLATE)
