# %% [markdown]
# # The task execution role: what ECS needs to launch your task
#
# The **task execution role** is the role the ECS agent wears while it *launches* a task on Amazon
# Elastic Container Service (ECS): it pulls the image from Amazon Elastic Container Registry (ECR),
# creates the task's log stream in Amazon CloudWatch Logs, and fetches the secrets that it injects
# into the container as environment variables. When the role lacks one of these permissions, the
# task stops *before your application runs* — and CloudWatch Logs stays empty.
#
# That is exactly where the article this course is built on starts: a task that would not start, not
# one log line, and hours spent adding permissions to the *task role*. In this notebook you break
# the execution role in each of its jobs, try that same fix, watch it change nothing, and then fix
# the right role with the smallest change that works.

# %% [markdown]
# ## What you will learn
#
# - What the task execution role is for, and *when* ECS uses it.
# - What the AWS managed policy `AmazonECSTaskExecutionRolePolicy` allows, and what it leaves out.
# - What a task looks like when its image pull, its log stream or an injected secret is refused:
#   its `stopCode`, its `stoppedReason`, its (empty) logs, and the refused call in the trace.
# - Why adding permissions to the task role never fixes a task that does not start.
# - How to fix the execution role with the smallest change.

# %% [markdown]
# ## Before you start
#
# - Work through `01_two_principals.ipynb` first: it introduces the two principals (the ECS agent
#   and your application), the trace, the diagram and the plan.
# - Allow about 40 minutes.
# - The next cell builds a fresh simulated AWS account and defines `report(task)`, which prints
#   what to look at first when a task stops: its `stopCode`, its `stoppedReason`, how many lines
#   reached CloudWatch Logs, and the calls that were refused. Run it again whenever you want to
#   start over.

# %%
from ecslab import Lab

lab = Lab()


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
# The Amazon ECS Developer Guide puts it in one sentence: "The task execution role grants the Amazon
# ECS container and Fargate agents permission to make AWS API calls on your behalf." It adds that
# these permissions are not directly accessible to the containers in the task
# ([Amazon ECS task execution IAM role](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html)).
#
# Each of the role's jobs comes from a line of the task definition: the image, the secrets to
# inject, and the log configuration.

# %%
container = lab.task_definition()["containerDefinitions"][0]
print("image:  ", container["image"])
for secret in container["secrets"]:
    print("secret: ", secret["name"], "from", secret["valueFrom"])
logging = container["logConfiguration"]
print("logging:", logging["logDriver"], logging["options"])

# %% [markdown]
# Run a healthy task and list every call made with the execution role, with its time and
# phase. One line marks when the container started, as the ECS `DescribeTasks` API reports it
# (times are UTC, Coordinated Universal Time, from the lab's simulated clock).

# %%
from datetime import timezone

healthy = lab.run_task()
started = healthy.describe()["startedAt"].astimezone(timezone.utc).strftime("%H:%M:%S.%f")[:12]
for event in healthy.trace.filter(role="ecs-execution-role"):
    if started and event.time[11:23] > started:
        print(started, "-- the container starts")
        started = None
    print(event.time[11:23], f"[{event.phase}]", event.action)

# %% [markdown]
# Three jobs, in four steps, all done before the container starts. In the trace they come in
# this order:
#
# 1. **The registry token** — `ecr:GetAuthorizationToken`.
# 2. **The injected secrets** — `ssm:GetParameters` for `FEATURE_FLAGS` from AWS Systems Manager
#    (SSM) Parameter Store, `secretsmanager:GetSecretValue` for `DB_PASSWORD` from AWS Secrets
#    Manager, and `kms:Decrypt` (once for each) because both are encrypted with a customer-managed
#    AWS Key Management Service (KMS) key.
# 3. **The image** — `ecr:BatchGetImage` (the image manifest), then `ecr:GetDownloadUrlForLayer`
#    once per layer.
# 4. **The log stream** — `logs:CreateLogStream`, the task's own stream in CloudWatch Logs.
#
# One call comes later: `logs:PutLogEvents`, in the *run* phase. The application writes to its
# standard output; the agent delivers those lines to CloudWatch Logs, still with the execution role.
#
# The application itself never uses the execution role:

# %%
print(healthy.trace.filter(principal="orders app", role="ecs-execution-role"))

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
# Six actions on every resource (`"Resource": "*"`): four for ECR, two for CloudWatch Logs.
# That covers the image and the log stream. It does **not** cover injected secrets: there is no
# `ssm:GetParameters`, no `secretsmanager:GetSecretValue`, no `kms:Decrypt`. The ECS Developer
# Guide asks you to add those yourself, for the secrets and keys your task definition names (same
# page as above, "Required IAM permissions for Amazon ECS secrets").
#
# That is why the course's execution role has a second, inline policy. Notice that each statement
# names one resource: one secret, one parameter, one key.

# %%
secrets_policy = lab.execution_role.inline_policy("orders-launch-secrets")
print(json.dumps(secrets_policy, indent=2))

# %% [markdown]
# This is the set-up the article recommends: the managed policy, plus permission to fetch
# the secrets the launch needs. Two details of those ARNs trip people up when they write such a
# policy themselves:
#
# - a Secrets Manager secret's ARN ends with a hyphen and six random characters that Secrets
#   Manager adds (`orders/db-password-jBCRVP` above): name the full ARN, or end it with `-??????`;
# - a KMS key is named by its **key** ARN (`...:key/<key id>`). An alias ARN (`...:alias/...`) in
#   `Resource` controls the alias, not the key, so it does not allow `kms:Decrypt`; to name a key by
#   its alias, use the `kms:ResourceAliases` condition key.
#
# ## Break the image pull
#
# Suppose someone replaced the managed policy with a hand-written one: the registry token and the
# logs are there, but the two actions that actually fetch the image were forgotten.
#
# `lab.reset_roles()` first puts both roles back as the course starts them, so this section works
# even if you ran other cells before it. **Predict** before you run: does the task start? Which call
# is refused? How many log lines will there be?

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
# - The `stoppedReason` is Fargate's: `CannotPullContainerError ... 403 Forbidden`. It names the
#   image and the registry's answer, **not** the IAM action. (ecslab reproduces the wording from
#   public reports of this failure.)
# - The trace names what the text does not: the ECS agent, wearing `ecs-execution-role`, was refused
#   `ecr:BatchGetImage` on the `orders-app` repository.
# - Zero log lines: the log stream is created *after* the image pull, so it was never created.
#
# When the agent cannot even get the registry token, the reason looks different
# (`ResourceInitializationError: unable to pull secrets or registry auth: ...`); you will meet it in
# the exercises.
#
# ## Break the log stream: no logs at all
#
# The article's Terraform attaches two AWS managed policies to the execution role:
# `AmazonEC2ContainerRegistryReadOnly` and `CloudWatchLogsFullAccess`. Forget the second one, and
# you are in the author's situation. (`lab.reset_roles()` again, so this works on its own.)

# %%
lab.reset_roles()
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")
no_logs = lab.run_task()
report(no_logs)

# %% [markdown]
# The image was pulled this time; the very next call, `logs:CreateLogStream`, was refused.
# Now look where the author looked, in CloudWatch Logs. The log stream this task should have written
# to does not exist:

# %%
print("task.logs:", no_logs.logs)
print("expected log stream:", no_logs.log_stream)
answer = lab.client("logs").describe_log_streams(
    logGroupName=lab.resources.log_group, logStreamNamePrefix=no_logs.log_stream
)
print("streams found:", answer["logStreams"])

# %% [markdown]
# Not one line, and no stream at all. This is the situation the article describes
# (translated from Japanese): "not a single line in CloudWatch Logs, and the container did not
# start". Nothing your application could print would help, because it never ran. The explanation is
# in the task's `stoppedReason` (from `DescribeTasks`, or the task's page in the ECS console): the
# ECS agent, wearing the execution role, was refused before the container started.
#
# Keep in mind: *every* launch failure leaves CloudWatch Logs empty, not only a logs permission
# problem — the image pull above did too. Empty logs plus `TaskFailedToStart` means: read the
# `stoppedReason`. When it says *not authorized* or *AccessDenied*, suspect the execution role;
# when it says something else (a network timeout, a log group or image that does not exist), the
# role is not the problem — notebook 05 sorts these out.
#
# ## Try the author's fix: permissions on the task role
#
# The article's author, in the same situation, kept checking the **task role** and adding S3 and
# Logs permissions to it. Do the same: give the task role CloudWatch Logs (all of it) and Amazon S3
# (read-only), then run the task again.

# %%
lab.task_role.attach("CloudWatchLogsFullAccess")
lab.task_role.attach("AmazonS3ReadOnlyAccess")
after = lab.run_task()
report(after)

# %% [markdown]
# Nothing changed. To see that it is *exactly* the same failure, compare the two reasons
# after removing the only parts that differ from task to task: the task's id (ECS names the role
# session after it) and the request id.

# %%
import re


def without_ids(task):
    """The stoppedReason without the task's id and the request id."""
    reason = task.stopped_reason.replace(task.id, "<task-id>")
    return re.sub(r"request id: [0-9a-f-]+", "request id: <request-id>", reason)


print("same stopCode:     ", no_logs.stop_code == after.stop_code)
print("same stoppedReason:", without_ids(no_logs) == without_ids(after))
print(without_ids(after))

# %% [markdown]
# Which launch-phase calls were made *with* the task role? None:

# %%
print(after.trace.filter(phase="launch", role="ecs-task-role"))

# %% [markdown]
# The diagram shows why. ECS assumed the task role at launch (the `sts:AssumeRole` arrow),
# but only to hand it to the application — and the application never started: every one of its
# calls is drawn dotted, marked ○ "never reached". The refused call (dashed, ✗) is the ECS agent's,
# wearing the execution role. The caption under the picture says the same in words.

# %%
after.diagram()

# %% [markdown]
# No permission on the task role can fix a launch, because nobody uses the task role until
# the container is running.
#
# ## Fix it properly, and minimally
#
# A proper fix has two parts:
#
# 1. **Undo the wrong fix.** The task role should hold what the application calls and nothing
#    more; those two policies only widened it.
# 2. **Give the execution role what the refused call needs.** The refusal names the action,
#    `logs:CreateLogStream`, and the resource, a log stream in the log group `/ecs/orders`. The plan
#    of the task (notebook 01) shows the agent will also need `logs:PutLogEvents` on the same
#    stream to deliver the output. A log stream's Amazon Resource Name (ARN) is the log group's ARN
#    followed by `:log-stream:<name>`, so the log group's ARN followed by `:*` covers its streams.

# %%
for wrong_fix in ("CloudWatchLogsFullAccess", "AmazonS3ReadOnlyAccess"):
    if wrong_fix in lab.task_role.policies:  # (gone already when this cell is run again)
        lab.task_role.detach(wrong_fix)

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

# %% [markdown]
# The task runs to the end, no call is refused, and the logs are back. The task role is as
# it started; the execution role gained two actions on one log group.
#
# Two other fixes work too, and are common:
#
# - attaching `AmazonECSTaskExecutionRolePolicy` — AWS's standard for this role: the logs actions
#   on every log group;
# - attaching `CloudWatchLogsFullAccess`, as the article's Terraform does. The article itself notes
#   that it would be better narrowed to a custom policy. Here is what it allows:

# %%
print(json.dumps(managed_policy("CloudWatchLogsFullAccess").document, indent=2))

# %% [markdown]
# `logs:*` on every resource: creating and *deleting* log groups, changing retention,
# reading every log in the account. The agent needs two actions on one log group.
#
# The role's card counts what each policy grants. `AmazonEC2ContainerRegistryReadOnly` is still
# broader than the launch needs (the agent called three ECR actions); notebook 06 narrows a role to
# exactly what the trace shows it used.

# %%
lab.execution_role

# %% [markdown]
# ## Break secret injection
#
# The task definition asks ECS to inject two secrets (you saw them at the top): `DB_PASSWORD`, the
# `password` key of a JSON secret in Secrets Manager, and `FEATURE_FLAGS`, a `SecureString`
# parameter in Parameter Store. Both are encrypted with the customer-managed KMS key
# `alias/orders-config`. The ECS agent fetches and decrypts them with the execution role before
# the container starts; the application only reads environment variables.
#
# The course's broken setups are in `ecslab.scenarios`. `load(lab, key)` resets both roles, applies
# one, and returns it; its `change` says what was changed (never what will happen).
#
# ### Secrets Manager

# %%
from ecslab.scenarios import load

print(load(lab, "execution-role-without-secret").change)
no_secret = lab.run_task()
report(no_secret)

# %% [markdown]
# `ResourceInitializationError: unable to pull secrets or registry auth` is how Fargate
# reports a failure while it retrieves the registry token or the secrets; "asm" in `unable to
# retrieve secret from asm` is AWS Secrets Manager. Then comes the error the agent received,
# naming the role session (`assumed-role/ecs-execution-role/<task id>`), the action and the secret.
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
# Same beginning, `unable to retrieve secrets from ssm` this time, and `ssm:GetParameters`
# refused for the ECS agent.
#
# ### The KMS key

# %%
print(load(lab, "execution-role-without-decrypt").change)
no_decrypt = lab.run_task()
report(no_decrypt)

# %% [markdown]
# The agent asked Parameter Store, and Parameter Store asked KMS to decrypt the
# `SecureString` *on the agent's behalf*, as the agent: so the reason nests KMS's refusal
# (`Service: AWSKMS`) inside SSM's, and the refused `kms:Decrypt` is still the ECS agent's, wearing
# the execution role. The trace records which call it was made through:

# %%
refused = no_decrypt.trace.denied()[0]
print(refused.principal, "as", refused.role, "—", refused.action, "through", refused.via)

# %% [markdown]
# ### The first refusal stops everything after it
#
# The agent works through the launch in an order: in ecslab, registry token → Parameter Store (and
# KMS) → Secrets Manager (and KMS) → image → log stream → the container starts. (That order is the
# lab's convention, close to what Fargate reports: its `stoppedReason` puts the registry token and
# the secrets together, as "unable to pull secrets or registry auth"; AWS does not document the exact
# order.) The first refusal stops the task, so everything later is never
# attempted. The diagram's text lists what this task never
# reached in its launch phase:

# %%
for line in no_decrypt.diagram().describe().splitlines():
    if line.startswith("  ○") and "ECS agent" in line:
        print(line)

# %% [markdown]
# The image was never pulled and the log stream never created, although the role allows
# both. That is why a broken secret looks, from CloudWatch Logs, exactly like a broken log
# permission: nothing at all.
#
# ## Your turn
#
# Each exercise loads its own broken setup into the lab. Change what you think is wrong, run the
# task (`lab.run_task()`), then run `ex.check()`: it reads the roles and your last task, so any
# correct way counts, and it says what is still wrong without saying how to fix it. `ex.hint()`
# gives a hint, more specific each time; `ex.solution()` shows an answer (try first!).
#
# ### Exercise 1: the article's situation

# %%
ex = lab.exercise("02-fix-the-launch")
ex

# %%
# Your code here: read the stoppedReason first (report(lab.run_task())), then fix

# %%
ex.check()

# %%
# ex.hint()
# ex.solution()

# %% [markdown]
# ### Exercise 2: inject the database password

# %%
ex = lab.exercise("02-inject-the-password")
ex

# %%
# Your code here

# %%
ex.check()

# %%
# ex.hint()
# ex.solution()

# %% [markdown]
# ### Exercise 3: decrypt the feature flags

# %%
ex = lab.exercise("02-decrypt-the-flags")
ex

# %%
# Your code here

# %%
ex.check()

# %%
# ex.hint()
# ex.solution()

# %% [markdown]
# ## Key points
#
# - The task execution role is the ECS agent's. It is used at launch, before the container
#   starts — registry token, image pull, injected secrets (Secrets Manager, Parameter Store, and
#   KMS to decrypt them), the log stream — and afterwards only to deliver the logs. The application
#   never uses it.
# - `AmazonECSTaskExecutionRolePolicy` covers the image and the logs, on every resource. Injected
#   secrets need your own statements: `secretsmanager:GetSecretValue`, `ssm:GetParameters`,
#   `kms:Decrypt`, each on its own resource.
# - When the execution role lacks something the launch needs, the task stops with
#   `TaskFailedToStart`, and CloudWatch Logs stays empty whatever was refused. (Lacking only
#   `logs:PutLogEvents` is different: the task runs and exits normally, but no line reaches the
#   stream.) The `stoppedReason` says what happened; the
#   trace says who was refused, wearing which role. An image pull refusal does not even name the
#   IAM action.
# - Adding permissions to the task role changes nothing at launch: the same `stoppedReason`, and
#   no launch-phase call is ever made with the task role.
# - Fix the execution role with what the refused call needs — for the log stream, two actions on the
#   log group's ARN followed by `:*` — and undo any change made to the wrong role.
#
# ## What's next
#
# In `03_task_role.ipynb` the task starts and the *application* is refused: the other half of the
# article's rule of thumb, where the task role is the one to fix.
