# %% [markdown]
# # The task execution role: what ECS needs to launch your task
#
# The **task execution role** is the role the ECS agent wears to *launch* a task on Amazon Elastic
# Container Service (ECS): it pulls the image from Amazon Elastic Container Registry (ECR), creates
# the task's log stream in Amazon CloudWatch Logs, and fetches the secrets it injects into the
# container. When the role lacks one of these permissions, the task stops *before your application
# runs*, and CloudWatch Logs stays empty.
#
# That is where the article this course follows starts: a task that would not start, not one log
# line, and permissions added to the *task role*. Here you break each of the role's jobs, try that
# fix, watch it change nothing, then fix the right role minimally.

# %% [markdown]
# ## What you will learn
#
# - What the task execution role is for, and *when* ECS uses it.
# - What the AWS managed policy `AmazonECSTaskExecutionRolePolicy` allows, and what it leaves out.
# - How a refused image pull, log stream or injected secret shows: `stopCode`, `stoppedReason`,
#   empty logs, the refused call in the trace.
# - Why permissions on the task role never fix a task that does not start.
# - How to fix the execution role with the smallest change.

# %% [markdown]
# ## Before you start
#
# - Work through `01_two_principals.ipynb` first: it introduces the two principals, the trace, the
#   diagram and the plan.
# - Allow about 50 minutes.
#
# The next cell builds a fresh simulated AWS account and defines `report(task)`, which prints what
# to read first when a task stops: `stopCode`, `stoppedReason`, how many lines reached CloudWatch
# Logs, the refused calls. Run it again to start over; every other cell can be run on its own
# after it.

# %%
from ecslab import Lab

lab = Lab()  # a fresh simulated AWS account: run this cell again to start over


def report(task):
    """What to read first when a task stops."""
    print("stopCode:     ", task.stop_code)
    print("stoppedReason:", task.stopped_reason)
    print("log lines:    ", len(task.logs))
    for event in task.trace.denied():
        print("refused:      ", event)


lab

# %% [markdown]
# ## What the execution role is for, and when it is used
#
# In the Amazon ECS Developer Guide's words: "The task execution role grants the Amazon
# ECS container and Fargate agents permission to make AWS API calls on your behalf." It adds that
# the containers in the task cannot use these permissions directly
# ([Amazon ECS task execution IAM role](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html)).
#
# Each of the role's jobs comes from a line of the task definition: the image, the secrets to
# inject, the log configuration.

# %%
container = lab.task_definition()["containerDefinitions"][0]
print("image:  ", container["image"])
for secret in container["secrets"]:
    print("secret: ", secret["name"], "from", secret["valueFrom"])
logging = container["logConfiguration"]
print("logging:", logging["logDriver"], logging["options"])

# %% [markdown]
# Run a healthy task and list the execution role's calls, with time and phase. One line marks when
# the container started, as the ECS `DescribeTasks` API reports it (in UTC, Coordinated Universal
# Time, on the lab's simulated clock); the last counts the application's calls with the execution
# role.

# %%
from datetime import timezone

lab.reset_roles()  # both roles as the course starts them
healthy = lab.run_task()
started = healthy.describe()["startedAt"].astimezone(timezone.utc).strftime("%H:%M:%S.%f")[:12]
for event in healthy.trace.filter(role="ecs-execution-role"):
    if started and event.time[11:23] > started:
        print(started, "-- the container starts")
        started = None
    print(event.time[11:23], f"[{event.phase}]", event.action)
app_calls = healthy.trace.filter(principal="orders app", role="ecs-execution-role")
print("calls the application made with the execution role:", len(app_calls))

# %% [markdown]
# Three jobs, in four steps, all before the container starts:
#
# 1. **The registry token**: `ecr:GetAuthorizationToken`.
# 2. **The injected secrets**: `ssm:GetParameters` for `FEATURE_FLAGS` (AWS Systems Manager (SSM)
#    Parameter Store), `secretsmanager:GetSecretValue` for `DB_PASSWORD` (AWS Secrets Manager),
#    and `kms:Decrypt` for each: both are encrypted with a customer-managed AWS Key Management
#    Service (KMS) key.
# 3. **The image**: `ecr:BatchGetImage` (the manifest), then `ecr:GetDownloadUrlForLayer` per
#    layer.
# 4. **The log stream**: `logs:CreateLogStream`, the task's own stream.
#
# Later, in the *run* phase: `logs:PutLogEvents`, the agent delivering what the application
# prints, still with the execution role. The application never uses the execution role: zero
# calls.

# %% [markdown]
# ## The AWS managed policy AmazonECSTaskExecutionRolePolicy
#
# AWS publishes a managed policy for this role. Here is its real document, as ecslab keeps it:

# %%
import json

from ecslab.iam.managed import managed_policy

policy = managed_policy("AmazonECSTaskExecutionRolePolicy")
print(policy.arn)
print(json.dumps(policy.document, indent=2))

# %% [markdown]
# Six actions on every resource (`"Resource": "*"`): four for ECR, two for CloudWatch Logs: the
# image and the log stream. **Not** the injected secrets: no `ssm:GetParameters`, no
# `secretsmanager:GetSecretValue`, no `kms:Decrypt`. The ECS Developer Guide asks you to add those
# yourself, for the secrets and keys your task definition names (same page, "Required IAM
# permissions for Amazon ECS secrets").
#
# So the course's execution role has a second, inline policy. Each statement names one resource by
# its ARN (Amazon Resource Name): one secret, one parameter, one key.

# %%
import json

secrets_policy = lab.execution_role.inline_policy("orders-launch-secrets")
print(json.dumps(secrets_policy, indent=2))

# %% [markdown]
# This is the set-up the article recommends: the managed policy, plus permission to fetch the
# secrets the launch needs.
#
# <details><summary>Two details of these ARNs that trip people up (read them before exercises 2
# and 3)</summary>
#
# - A Secrets Manager secret's ARN ends with a hyphen and six random characters that Secrets
#   Manager adds (`orders/db-password-jBCRVP` above): name the full ARN, or end it with `-??????`.
# - A KMS key is named by its **key** ARN (`...:key/<key id>`). An alias ARN (`...:alias/...`) in
#   `Resource` controls the alias, not the key, so it does not allow `kms:Decrypt`; to name a key
#   by its alias, use the `kms:ResourceAliases` condition key.
#
# </details>

# %% [markdown]
# ## Break the image pull
#
# Suppose a hand-written policy replaced the managed one: the registry token and the logs are
# there, but the two actions that fetch the image were forgotten.
#
# Each experiment starts from both roles as the course starts them (`lab.reset_roles()`).
# **Predict** before you run: does the task start? Which call is refused? How many log lines?

# %%
lab.reset_roles()
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.put_inline("registry-token-and-logs", {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": ["ecr:GetAuthorizationToken", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "*",
    }],
})
no_pull = lab.run_task()
report(no_pull)

# %% [markdown]
# - `stopCode` is `TaskFailedToStart`: the container never started.
# - The `stoppedReason` is Fargate's: `CannotPullContainerError ... 403 Forbidden` (wording from
#   public reports of this failure). It names the image and the registry's answer, **not** the IAM
#   action.
# - The trace names what the text does not: the ECS agent, wearing `ecs-execution-role`, was
#   refused `ecr:BatchGetImage` on the `orders-app` repository.
# - Zero log lines: the log stream comes *after* the image pull, so it was never created.
#
# Without even the registry token, the reason reads differently
# (`ResourceInitializationError: unable to pull secrets or registry auth: ...`): see exercise 1.

# %% [markdown]
# ## Break the log stream: no logs at all
#
# The article's Terraform attaches two AWS managed policies to the execution role:
# `AmazonEC2ContainerRegistryReadOnly` and `CloudWatchLogsFullAccess`. Forget the second one, and
# you are in the author's situation. The cell then looks where the author looked: for the task's
# log stream.

# %%
lab.reset_roles()
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")
no_logs = lab.run_task()
report(no_logs)

# where the author looked: the task's log stream in CloudWatch Logs
found = lab.client("logs").describe_log_streams(
    logGroupName=lab.resources.log_group, logStreamNamePrefix=no_logs.log_stream
)
print("log streams named", no_logs.log_stream, "found:", found["logStreams"])

# %% [markdown]
# The image was pulled; the next call, `logs:CreateLogStream`, was refused. Not one log line, and
# no log stream at all.
#
# This is the situation the article describes (translated from Japanese): "not a single line in
# CloudWatch Logs, and the container did not start". Nothing your application could print would
# help: it never ran. The explanation is in the task's `stoppedReason` (from `DescribeTasks`, or
# the task's page in the ECS console): the ECS agent, wearing the execution role, was refused
# before the container started.

# %% [markdown]
# *Every* launch failure leaves CloudWatch Logs empty, not only a logs permission: the image pull
# above did too. Empty logs plus `TaskFailedToStart` means: read the `stoppedReason`. *Not
# authorized* or *AccessDenied*: suspect the execution role. Something else (a network timeout, a
# log group or image that does not exist): the role is not the problem; notebook 05 sorts these
# out.
#
# ## Try the author's fix: permissions on the task role
#
# The article's author kept checking the **task role** and adding S3 and Logs permissions to it.
# The next cell makes the same broken launch, gives the task role CloudWatch Logs (all of it) and
# Amazon Simple Storage Service (S3) read-only, and runs the task again. **Predict**: does the
# `stoppedReason` change?

# %%
import re


def without_ids(task):
    """The stoppedReason without the task's id and the request id."""
    reason = task.stopped_reason.replace(task.id, "<task-id>")
    return re.sub(r"request id: [0-9a-f-]+", "request id: <request-id>", reason)


# the same broken launch as above: the execution role cannot create the log stream
lab.reset_roles()
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")
before = lab.run_task()

# the author's fix: more permissions on the task role
lab.task_role.attach("CloudWatchLogsFullAccess")
lab.task_role.attach("AmazonS3ReadOnlyAccess")
after = lab.run_task()
report(after)
print("same stopCode as before the fix:     ", before.stop_code == after.stop_code)
print("same stoppedReason, ids left out:    ", without_ids(before) == without_ids(after))
on_task_role = after.trace.filter(phase="launch", role="ecs-task-role")
print("launch calls made with the task role:", len(on_task_role))
after.diagram()

# %% [markdown]
# Nothing changed. The two reasons differ only in what differs from task to task: the task's id
# (ECS names the role session after it) and the request id. No launch call used the task role.
#
# The diagram shows why. ECS assumed the task role at launch (`sts:AssumeRole`), only to hand it
# to the application, which never started: its calls are dotted, marked ○ "never reached". The
# refused call (dashed, ✗) is the ECS agent's, wearing the execution role.
#
# No permission on the task role can fix a launch: nobody uses the task role until the container
# runs.

# %% [markdown]
# ## Fix it properly, and minimally
#
# A proper fix has two parts:
#
# 1. **Undo the wrong fix.** The task role should hold what the application calls, no more.
# 2. **Give the execution role what the refused call needs.** The refusal names the action,
#    `logs:CreateLogStream`, and a log stream in the log group `/ecs/orders`. The plan (notebook
#    01) shows the agent also needs `logs:PutLogEvents` on that stream. A log stream's ARN is its
#    log group's ARN followed by `:log-stream:<name>`, so the log group's ARN followed by `:*`
#    covers its streams.
#
# The cell starts where the author's fix left you.

# %%
# the same broken launch as above, with the author's fix on the task role
lab.reset_roles()
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")
lab.task_role.attach("CloudWatchLogsFullAccess")
lab.task_role.attach("AmazonS3ReadOnlyAccess")

# 1. undo the wrong fix
lab.task_role.detach("CloudWatchLogsFullAccess")
lab.task_role.detach("AmazonS3ReadOnlyAccess")

# 2. give the execution role what the refused call needs, on the one log group
log_group_arn = f"arn:aws:logs:{lab.region}:{lab.account_id}:log-group:{lab.resources.log_group}"
lab.execution_role.put_inline("orders-logs", {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "WriteOrdersLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{log_group_arn}:*",
    }],
})
fixed = lab.run_task()
report(fixed)
print(fixed.logs[0])
lab.execution_role

# %% [markdown]
# The task runs to the end, nothing is refused, the logs are back. The task role is as it started;
# the execution role gained two actions on one log group. Its card shows that
# `AmazonEC2ContainerRegistryReadOnly` is still broader than the launch needs (the agent called
# three ECR actions); notebook 06 narrows a role to what the trace shows it used.
#
# Two other fixes work too, and are common:
#
# - attaching `AmazonECSTaskExecutionRolePolicy`, AWS's standard for this role: the logs actions
#   on every log group;
# - attaching `CloudWatchLogsFullAccess`, as the article's Terraform does. The article itself notes
#   that it would be better narrowed to a custom policy. Here is what it allows:

# %%
import json

from ecslab.iam.managed import managed_policy

print(json.dumps(managed_policy("CloudWatchLogsFullAccess").document, indent=2))

# %% [markdown]
# `logs:*` on every resource: creating and *deleting* log groups, changing retention, reading
# every log in the account. The agent needs two actions on one log group.
#
# ## Break secret injection
#
# The task definition asks ECS to inject two secrets (you saw them at the top): `DB_PASSWORD`, the
# `password` key of a JSON secret in Secrets Manager, and `FEATURE_FLAGS`, a `SecureString`
# parameter in Parameter Store, both encrypted with the KMS key `alias/orders-config`. The ECS
# agent fetches and decrypts them with the execution role before the container starts; the
# application only reads environment variables.

# %% [markdown]
# `load(lab, key)`, from `ecslab.scenarios`, resets both roles, applies one of the course's broken
# setups and returns it; its `change` says what was changed (never what will happen).
#
# ### Secrets Manager

# %%
from ecslab.scenarios import load

print(load(lab, "execution-role-without-secret").change)
no_secret = lab.run_task()
report(no_secret)

# %% [markdown]
# `ResourceInitializationError: unable to pull secrets or registry auth` is how Fargate reports a
# failure while it retrieves the registry token or the secrets; "asm" in `unable to retrieve
# secret from asm` is AWS Secrets Manager. Then comes the error the agent received, naming the role
# session (`assumed-role/ecs-execution-role/<task id>`), the action and the secret.
#
# ### Parameter Store
#
# No scenario removes the parameter's statement, so edit the policy directly: take the statement
# `InjectFeatureFlags` out of `orders-launch-secrets`.

# %%
lab.reset_roles()
document = lab.execution_role.inline_policy("orders-launch-secrets")
document["Statement"] = [s for s in document["Statement"] if s["Sid"] != "InjectFeatureFlags"]
lab.execution_role.put_inline("orders-launch-secrets", document)
no_parameter = lab.run_task()
report(no_parameter)

# %% [markdown]
# Same beginning, `unable to retrieve secrets from ssm` this time, and `ssm:GetParameters` refused
# for the ECS agent.
#
# ### The KMS key
#
# The last line says which call the refused one was made through.

# %%
from ecslab.scenarios import load

print(load(lab, "execution-role-without-decrypt").change)
no_decrypt = lab.run_task()
report(no_decrypt)
refused = no_decrypt.trace.denied()[0]
print(refused.principal, "as", refused.role, "—", refused.action, "through", refused.via)

# %% [markdown]
# The agent asked Parameter Store, and Parameter Store asked KMS to decrypt the `SecureString` *on
# the agent's behalf*, as the agent. So the reason nests KMS's refusal (`Service: AWSKMS`) inside
# SSM's, and the refused `kms:Decrypt` is still the ECS agent's, wearing the execution role.
#
# ### The first refusal stops everything after it
#
# The agent works through the launch in an order: in ecslab, registry token → Parameter Store (and
# KMS) → Secrets Manager (and KMS) → image → log stream → the container starts. The first refusal
# stops the task: the next cell lists the agent's planned calls it never made.
#
# <details><summary>Is that order AWS's?</summary>
#
# It is the lab's convention, close to what Fargate reports: its `stoppedReason` puts the registry
# token and the secrets together, as "unable to pull secrets or registry auth". AWS does not
# document the exact order.
#
# </details>

# %%
from ecslab.scenarios import load

# the same broken launch as above: no kms:Decrypt for the execution role
load(lab, "execution-role-without-decrypt")
no_decrypt = lab.run_task()
made = {(e.phase, e.principal, e.action, e.resource, e.via) for e in no_decrypt.trace}
for call in no_decrypt.plan():
    if call.principal == "ECS agent" and call.key() not in made:
        print(f"never reached: [{call.phase}] {call.action} — to {call.why}")

# %% [markdown]
# The image was never pulled and the log stream never created, although the role allows both. So
# a broken secret looks, from CloudWatch Logs, exactly like a broken log permission: nothing.
#
# ## Your turn
#
# Each exercise's first cell loads its broken setup: to come back to an earlier exercise, run its
# first cell again. Change what you think is wrong, run the task (`lab.run_task()`), then the
# check (`ex1.check()`): it reads the roles and your last task, so any correct way counts, and
# says what is still wrong, not how to fix it. `ex1.hint()` first says where you stand (a fix too
# broad, the wrong role changed), then gives hints, more specific each time; `ex1.solution()` shows
# an answer (try first!).
#
# ### Exercise 1: the article's situation

# %%
ex1 = lab.exercise("02-fix-the-launch")
ex1

# %%
# Your code here: read the stoppedReason first (report(lab.run_task())), then fix

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### Exercise 2: inject the database password

# %%
ex2 = lab.exercise("02-inject-the-password")
ex2

# %%
# Your code here

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### Exercise 3: decrypt the feature flags

# %%
ex3 = lab.exercise("02-decrypt-the-flags")
ex3

# %%
# Your code here

# %%
ex3.check()

# %%
# ex3.hint()
# ex3.solution()

# %% [markdown]
# ## Key points
#
# - The task execution role is the ECS agent's: at launch (registry token, image, injected
#   secrets and KMS to decrypt them, log stream), then only to deliver the logs. The application
#   never uses it.
# - `AmazonECSTaskExecutionRolePolicy` covers the image and the logs, on every resource. Injected
#   secrets need your own statements, each on its own resource.
# - When the execution role lacks something the launch needs, the task stops with
#   `TaskFailedToStart` and CloudWatch Logs stays empty, whatever was refused. (Lacking only
#   `logs:PutLogEvents`, the task runs, but no line reaches the stream.) The `stoppedReason` says
#   what happened; the trace says who was refused, wearing which role. An image pull refusal does
#   not even name the IAM action.
# - Permissions on the task role change nothing at launch: the same `stoppedReason`.
# - Fix the execution role with what the refused call needs, and undo changes made to the wrong
#   role.

# %% [markdown]
# ## What's next
#
# In `03_task_role.ipynb` the task starts and the *application* is refused: the other half of the
# article's rule of thumb, where the task role is the one to fix.
