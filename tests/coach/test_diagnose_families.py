"""Issue 15: rules over wording families. Each family below is one cause worded the ways different
SDKs, runtimes and tools word it (formats from the documentation cited beside each rule in
ecslab/coach/diagnose.py); every wording must get the same answer. These texts were written for
the tests from those formats, not copied from either corpus."""

from __future__ import annotations

import pytest

from ecslab import diagnose

ARN = "arn:aws:sts::123456789012:assumed-role"

FAMILIES = {
    # an SDK's credential chain giving up, in each SDK's words
    ("task", "runtime-other"): [
        "botocore.exceptions.NoCredentialsError: Unable to locate credentials",
        "com.amazonaws.SdkClientException: Unable to load AWS credentials from any provider in "
        "the chain",
        "software.amazon.awssdk.core.exception.SdkClientException: Unable to load credentials "
        "from any of the providers in the chain AwsCredentialsProviderChain",
        "CredentialsProviderError: Could not load credentials from any providers",
        "CredentialsError: Missing credentials in config, if using AWS_CONFIG_FILE, set "
        "AWS_SDK_LOAD_CONFIG=1",
        "NoCredentialProviders: no valid providers in chain. Deprecated.",
        "Amazon.Runtime.AmazonServiceException: Unable to get IAM security credentials from EC2 "
        "Instance Metadata Service.",
        "Aws\\Exception\\CredentialsException: Error retrieving credentials from the instance "
        "profile metadata service. (cURL error 28: Connection timed out after 1000 milliseconds)",
        "failed to refresh cached credentials, no EC2 IMDS role found",
    ],
    # the organization's or the network's policy refused, whatever the role allows
    ("neither", "organization-policy"): [
        f"An error occurred (AccessDenied) when calling the GetObject operation: User: {ARN}/"
        "app-task/4b1c is not authorized to perform: s3:GetObject on resource: "
        '"arn:aws:s3:::bucket/key" with an explicit deny in a service control policy',
        f"AccessDeniedException: User: {ARN}/ecsTaskExecutionRole/4b1c is not authorized to "
        "perform: secretsmanager:GetSecretValue on resource: db because no service control "
        "policy allows the secretsmanager:GetSecretValue action",
        f"User: {ARN}/app/77aa is not authorized to perform: sqs:SendMessage on resource: "
        "arn:aws:sqs:us-east-1:123456789012:q with an explicit deny in a resource control policy",
    ],
    ("neither", "resource-policy"): [
        f"User: {ARN}/app-task/4b1c is not authorized to perform: s3:PutObject on resource: "
        '"arn:aws:s3:::bucket/key" with an explicit deny in a VPC endpoint policy',
        f"User: {ARN}/app-task/4b1c is not authorized to perform: kms:Decrypt on resource: "
        "arn:aws:kms:us-east-1:123456789012:key/1 with an explicit deny in a resource-based "
        "policy",
    ],
    # the container runtime's own failures, inside ECS's wrappers
    ("neither", "container-exit"): [
        "CannotStartContainerError: Error response from daemon: failed to create shim task: OCI "
        "runtime create failed: runc create failed: unable to start container process: exec: "
        '"/app/start.sh": permission denied: unknown',
        "CannotStartContainerError: Error response from daemon: OCI runtime create failed: "
        'container_linux.go:380: starting container process caused: exec: "gunicorn": '
        "executable file not found in $PATH: unknown",
        "CannotPullContainerError: failed to register layer: Error processing tar file(exit "
        "status 1): write /usr/lib/libx.so: no space left on device",
    ],
    # no answer ever came: sockets, names, an ENI
    ("neither", "network"): [
        "Timeout waiting for network interface provisioning to complete.",
        "Error: connect ETIMEDOUT 52.94.5.100:443",
        "getaddrinfo ENOTFOUND sqs.us-east-1.amazonaws.com",
        "Could not connect to the endpoint URL: https://dynamodb.us-east-1.amazonaws.com/",
        "urllib3.exceptions.NewConnectionError: Failed to establish a new connection: [Errno -3] "
        "Temporary failure in name resolution",
    ],
    # ECS stopped the task itself
    ("neither", "stopped-on-purpose"): [
        "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)",
        "Task stopped by user",
        "Your Spot Task was interrupted.",
    ],
    # a deployment's calls, refused to whoever deploys
    ("deployer", "other"): [
        f"An error occurred (AccessDeniedException) when calling the UpdateService operation: "
        f"User: {ARN}/AWSReservedSSO_Developer_0a1b/jane@example.com is not authorized to "
        "perform: ecs:UpdateService on resource: arn:aws:ecs:us-east-1:123456789012:service/c/s",
        f"User: {ARN}/release-bot/botocore-session-1700000000 is not authorized to perform: "
        "ecs:RegisterTaskDefinition on resource: * because no identity-based policy allows the "
        "ecs:RegisterTaskDefinition action",
        "denied: User: arn:aws:iam::123456789012:user/builder is not authorized to perform: "
        "ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app",
    ],
}
CASES = [(role, category, text) for (role, category), texts in FAMILIES.items() for text in texts]


@pytest.mark.parametrize(("role", "category", "text"), CASES)
def test_every_wording_of_a_family_gets_its_answer(role, category, text):
    found = diagnose(text)
    assert (found.role, found.category) == (role, category), found


def test_a_task_running_other_tasks_is_its_task_role():
    # the session name of a task's role is the task's id: an app (a scheduler) made the call
    found = diagnose(
        f"User: {ARN}/airflow-task/0123456789abcdef0123456789abcdef is not authorized to "
        "perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:123456789012:task-definition/j"
    )
    assert found.role == "task"
    assert "deployer" in [c.role for c in found.candidates]


def test_dockers_own_pull_refusal_is_the_image_first_and_the_execution_role_next():
    found = diagnose(
        "CannotPullContainerError: Error response from daemon: pull access denied for "
        "myorg/private, repository does not exist or may require 'docker login': denied: "
        "requested access to the resource is denied"
    )
    assert (found.role, found.category) == ("neither", "image-not-found")
    assert "execution" in [c.role for c in found.candidates]


def test_an_unrecognised_failure_is_a_guess_said_to_be_one():
    found = diagnose("Error: the worker crashed while handling the job")
    assert found.role == "neither"
    assert "does not recognise" in found.explanation
    assert [c.role for c in found.candidates] == ["neither", "execution", "task"]


def test_a_text_with_no_failure_in_it_stays_unknown():
    found = diagnose("hello from my container")
    assert (found.role, found.candidates) == ("unknown", [])
