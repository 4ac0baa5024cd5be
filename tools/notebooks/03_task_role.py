# %% [markdown]
# # The task role: the credentials of your application
#
# An Amazon Elastic Container Service (ECS) task has two AWS Identity and Access Management (IAM)
# roles. The previous notebook was about the **task execution role**, the one the ECS agent uses
# while it *launches* the task. This one is about the other: the **task role**, the one *your
# application* uses once it runs. Whenever the code in the container calls Amazon S3, DynamoDB,
# SQS (Simple Queue Service), SNS (Simple Notification Service) or Secrets Manager, AWS judges the
# call against the task role, and only the task role.

# %% [markdown]
# ## What you will learn
#
# - How the AWS SDK (software development kit) inside a container gets the task role's temporary
#   credentials with no key in the code, and how that compares with an IAM role on an Amazon EC2
#   (Elastic Compute Cloud) instance.
# - What happens when the task role lacks a permission: the task *starts*, the app runs, and its
#   own log line names the task role, the action and the resource.
# - Why adding the missing permission to the execution role changes nothing.
# - A secret *injected* at launch (execution role) versus a secret the app reads *at run time*
#   (task role): the same API call, made by two different callers.
# - How two services in one cluster each get a task role with only what they need.

# %% [markdown]
# ## Before you start
#
# You have run [00 Start here](00_start_here.ipynb) and ideally notebooks 01 and 02. You can read a
# little Python and an IAM policy in JSON (JavaScript Object Notation). Allow about 55 minutes.
#
# The next cell builds a fresh simulated account; run it again to start the notebook over. It also
# defines `remove_from_task_role(sid)`, which puts both roles back as the course starts them, then
# removes one statement from the task role's policy. The experiments below use it.

# %%
import os

import boto3

from ecslab import Lab

lab = Lab()  # a fresh simulated AWS account: run this cell again to start over


def remove_from_task_role(sid):
    """The course's healthy roles, minus one statement of the task role's orders-app policy."""
    lab.reset_roles()
    document = lab.task_role.inline_policy("orders-app")
    document["Statement"] = [s for s in document["Statement"] if s["Sid"] != sid]
    lab.task_role.put_inline("orders-app", document)


lab

# %% [markdown]
# ## The task role in one sentence
#
# The AWS documentation defines it like this ([IAM roles for Amazon
# ECS](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-ecs-iam-role-overview.html)):
# *"This role allows your application code (on the container) to use other AWS services."*
#
# In the lab, the task role is `ecs-task-role`. Its card shows who may assume it (the ECS tasks
# service, `ecs-tasks.amazonaws.com`) and its only policy, the inline policy `orders-app`.

# %%
lab.task_role

# %% [markdown]
# `orders-app` has one statement per thing the orders application does. Each statement has
# a `Sid` (statement id), so we can talk about it by name:

# %%
for statement in lab.task_role.inline_policy("orders-app")["Statement"]:
    print(f"{statement['Sid']:15} {statement['Action']}")
    print(f"{'':15} on {statement['Resource']}")

# %% [markdown]
# ## How the app gets its credentials
#
# The orders application never mentions credentials: it only writes `boto3.client("s3")`. So where
# do its keys come from? Ask the SDK twice: here in the notebook, then inside a container.
#
# In the notebook, AWS Security Token Service (STS) says who you are:

# %%
credentials = boto3.Session().get_credentials()
print("the SDK found credentials with its provider:", credentials.method)
print("access key id starts with:", credentials.access_key[:4])
print("I am:", boto3.client("sts").get_caller_identity()["Arn"])

# %% [markdown]
# Here you are the account's administrator: an IAM user with long-term keys (`AKIA...`) in
# environment variables.
#
# ### Your own program in the container
#
# `lab.run_task(app=...)` runs the course's task with a program of your own in place of the
# image's. The one below asks the same questions, and prints which credential variables are set
# (never their values: they include a secret token). The cell then prints the task's trace.

# %%
from urllib.parse import urlsplit


def whoami():
    uri = os.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    where = f"set, host {urlsplit(uri).hostname}" if uri else "not set"
    print("AWS_CONTAINER_CREDENTIALS_FULL_URI:", where)
    for name in ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        print(f"{name}:", "set (value not printed)" if name in os.environ else "not set")
    credentials = boto3.Session().get_credentials()
    print("the SDK found credentials with its provider:", credentials.method)
    print("access key id starts with:", credentials.access_key[:4])
    print("I am:", boto3.client("sts").get_caller_identity()["Arn"])


inside = lab.run_task(app=whoami)
for line in inside.logs:
    print(line)
print()
print(inside.trace)

# %% [markdown]
# Read the log line by line:
#
# - There is **no access key** in the container's environment (`AWS_ACCESS_KEY_ID` is not set).
# - Instead there is an **address** where credentials can be fetched, and a token to present there.
#   The SDK's *container credential provider* fetches them over HTTP: botocore names that provider
#   `container-role`.
# - The access key id starts with `ASIA`: **temporary** credentials from STS.
# - The caller is `assumed-role/ecs-task-role/<task id>`: ECS assumed the task role for this task,
#   and named the role session after the task's id. Every call the app makes carries that name,
#   so AWS's error messages (and CloudTrail) say exactly which task made it.
#
# Same code, different answer. The application does not choose its role: the **task definition**
# does (`taskRoleArn`), and ECS hands the credentials over.

# %% [markdown]
# The trace shows who did what for that task: in the launch phase, Amazon ECS assumed **both**
# roles; in the run phase, the caller was the app wearing `ecs-task-role`. (The last line is the ECS
# agent shipping what the program printed to CloudWatch Logs: that is the execution role's job.)
#
# `sts:GetCallerIdentity` needs no permission at all: *"No permissions are required to perform
# this operation"* ([GetCallerIdentity, AWS STS API
# Reference](https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)). That
# is why it is the first thing to run when you wonder "who am I?" in a container.
#
# On AWS Fargate the SDK fetches the credentials from `169.254.170.2`
# (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`); the lab serves the same provider from `127.0.0.1`.
#
# <details><summary>What the lab does differently from Fargate</summary>
#
# On AWS Fargate, ECS sets **`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`** (a path such as
# `/v2/credentials/...`) and the SDK fetches the credentials from `http://169.254.170.2` followed by
# that path — an address that exists only inside the task's network ([Container credential
# provider, AWS SDKs and Tools Reference
# Guide](https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html);
# [Amazon ECS task IAM
# role](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html)).
#
# The lab cannot use that address on your computer, so it serves the credentials from a small
# server on **`127.0.0.1`** and sets **`AWS_CONTAINER_CREDENTIALS_FULL_URI`** and
# `AWS_CONTAINER_AUTHORIZATION_TOKEN` instead. That is the other documented form of the *same* SDK
# provider, so botocore's own code fetches the credentials exactly as it would on Fargate; only the
# address differs. Your program also runs inside the notebook's Python process rather than in a real
# container (see the README, section "Tasks").
#
# </details>

# %% [markdown]
# ### Like an EC2 instance role, but per task
#
# The article this course is built on puts it simply: for an application developer, a task role
# feels almost the same as attaching an IAM role to an EC2 instance — except that ECS gives a role
# to **each task**.
#
# | | IAM role of an EC2 instance | ECS task role |
# |---|---|---|
# | Who gets the credentials | every process on the instance | the containers of one task |
# | SDK fetches them from | `169.254.169.254` (instance metadata) | `169.254.170.2` (lab: 127.0.0.1) |
# | Role session name | the instance id (`i-...`) | the task id |
# | Chosen by | the instance profile | the task definition's `taskRoleArn` |
# | Two apps on one host | share one role | each task has its own role |
#
# The last row is the point: services can share a cluster, each with only its own permissions;
# you will build that at the end. (Notebook 08 runs the EC2 side: see also [IAM roles for
# Amazon EC2](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html).)

# %% [markdown]
# ## Break the task role, one statement at a time
#
# The orders application works in five steps, each allowed by one statement of `orders-app`:
#
# 1. read its configuration from S3 — `ReadConfig`
# 2. save an order in DynamoDB, then read it back — `Orders`
# 3. send an "order created" event to the SQS queue — `OrderEvents`
# 4. publish a notification to the SNS topic — `Notifications`
# 5. read the payments API key from Secrets Manager, at run time — `PaymentsApiKey`
#
# It prints one line per step. When AWS refuses a call, it prints the SDK's error and exits with
# code 1, as most applications do.
#
# **Predict first.** For each statement removed: will the task start? Will there be log lines?
# Which role will the error name? The cell removes each statement in turn (with
# `remove_from_task_role`) and prints the task's status and its **last log line**.

# %%
for sid in ["ReadConfig", "Orders", "OrderEvents", "Notifications", "PaymentsApiKey"]:
    remove_from_task_role(sid)
    task = lab.run_task()
    print(f"Without {sid}: {task.stop_code}, exit code {task.exit_code}, "
          f"{len(task.logs)} log lines. Last line:")
    print(task.logs[-1])
    print()

# %% [markdown]
# Every time:
#
# - the task **started** (`EssentialContainerExited`, not `TaskFailedToStart`): the launch does not
#   use the task role, so nothing stopped it;
# - there **are** log lines: the app ran until the refused call;
# - the error names **`assumed-role/ecs-task-role/<task id>`**, the action and the resource.
#
# Each service words its refusal its own way, as on AWS: S3 says `AccessDenied`, DynamoDB and
# Secrets Manager `AccessDeniedException`, SQS `AccessDenied` with the action in lower case
# (`sqs:sendmessage`), SNS `AuthorizationError` with `SNS:Publish`. The rule for reading them is
# the same: **the role in the message is the role to fix.**

# %% [markdown]
# Look at one case closely, the missing `OrderEvents`. The diagram shows the launch phase (all
# allowed, ✓), the app's refused call (dashed, ✗) and what the app never reached because it stopped
# (dotted, ○). Its text description (under the picture) says the same.

# %%
remove_from_task_role("OrderEvents")
no_queue = lab.run_task()
no_queue.diagram()

# %% [markdown]
# ## The wrong fix: permissions on the execution role
#
# The mirror image of the article's mistake: the app is refused, so you give the *execution* role
# more permissions — say the AWS managed policy `AmazonSQSFullAccess`, which allows every SQS
# action on every queue. The cell runs the broken task, applies that fix and runs it again. It
# prints both last log lines (task id replaced by `<task id>`), then the call refused after the
# fix. **Predict**, then run.

# %%
remove_from_task_role("OrderEvents")  # the same broken task role as above
before = lab.run_task()
lab.execution_role.attach("AmazonSQSFullAccess")  # the wrong fix
after = lab.run_task()

for label, task in (("before", before), ("after", after)):
    print(f"{label}: exit code {task.exit_code}")
    print("  ", task.logs[-1].replace(task.id, "<task id>"))
same = before.logs[-1].replace(before.id, "") == after.logs[-1].replace(after.id, "")
print("Same error?", same)
print()
print("Refused after the wrong fix:")
for event in after.trace.filter(decision="denied"):
    print(event)
print("Execution role now has:", lab.execution_role.policies)

# %% [markdown]
# Nothing changed. The trace says why: the refused call was made by the orders app wearing the
# **task role**. The execution role now allows `sqs:*`, but the app never wears it: its
# credentials stay with the ECS agent.
#
# Now the right fix, from the same broken task role (without the useless policy on the execution
# role): give the task role back exactly the statement it lost, `sqs:SendMessage` on the one queue.

# %%
remove_from_task_role("OrderEvents")  # the same broken task role as above
document = lab.task_role.inline_policy("orders-app")
document["Statement"].append({"Sid": "OrderEvents", "Effect": "Allow",
                              "Action": "sqs:SendMessage", "Resource": lab.resources.queue_arn})
lab.task_role.put_inline("orders-app", document)

fixed = lab.run_task()
print(fixed.exit_code, "—", fixed.logs[-1])

# %% [markdown]
# ## Injected secret or runtime secret?
#
# The orders task uses two Secrets Manager secrets, in two different ways. Both are fetched with the
# same API action, `secretsmanager:GetSecretValue`, but not by the same caller, not at the same
# time, and not with the same role.
#
# | | `DB_PASSWORD` (injected) | payments API key (runtime) |
# |---|---|---|
# | Named in | the task definition's `secrets` | the app's code |
# | Fetched by | the ECS agent | the application, with boto3 |
# | When | at launch, before the app starts | while the app runs |
# | With | **task execution role** (`InjectDatabasePassword`) | **task role** (`PaymentsApiKey`) |
# | If refused | `TaskFailedToStart`, no log line at all | `AccessDeniedException` in the app's log |
#
# The task definition shows both: the secret to inject, and the plain environment variable that
# only *names* the runtime secret.

# %%
container = lab.task_definition()["containerDefinitions"][0]
for secret in container["secrets"]:
    print(f"secrets      {secret['name']:24} valueFrom {secret['valueFrom']}")
for variable in container["environment"]:
    print(f"environment  {variable['name']:24} value     {variable['value']}")

# %% [markdown]
# In a healthy run, the trace has two `GetSecretValue` calls. Look at the phase, the caller
# and the role of each.

# %%
lab.reset_roles()
healthy = lab.run_task()
for event in healthy.trace.filter(where=lambda e: e.action == "secretsmanager:GetSecretValue"):
    print(event)

# %% [markdown]
# Now break each one. First the injected secret: remove `InjectDatabasePassword` from the
# execution role's `orders-launch-secrets` policy. Then the runtime secret: remove `PaymentsApiKey`
# from the task role. Predict which of the two runs will leave log lines.

# %%
lab.reset_roles()
launch_secrets = lab.execution_role.inline_policy("orders-launch-secrets")
launch_secrets["Statement"] = [s for s in launch_secrets["Statement"]
                               if s["Sid"] != "InjectDatabasePassword"]
lab.execution_role.put_inline("orders-launch-secrets", launch_secrets)
injected = lab.run_task()
print("Injected secret refused:", injected.stop_code, "| log lines:", len(injected.logs))
print(injected.stopped_reason)
print()

remove_from_task_role("PaymentsApiKey")  # this resets the roles first
runtime = lab.run_task()
print("Runtime secret refused:", runtime.stop_code, "| exit code", runtime.exit_code,
      "| log lines:", len(runtime.logs))
print(runtime.logs[-1])

# %% [markdown]
# The same action, refused twice, with two completely different symptoms:
#
# - **Injected**: the ECS agent, as `ecs-execution-role`, was refused during the launch. The task
#   never started, its `stoppedReason` carries Fargate's `ResourceInitializationError`, and
#   CloudWatch Logs has nothing: the article's "no log at all" situation.
# - **Runtime**: the app, as `ecs-task-role`, was refused while running. Its first six lines are in
#   CloudWatch Logs, and the last one names the task role.
#
# So "a secret is missing" is not enough to know which role to fix: ask *who* fetches it and
# *when*.

# %% [markdown]
# ## Two services in one cluster, each with its own task role
#
# Suppose a second service joins `orders-cluster`: a **reports** service that reads the orders
# configuration and the orders, and writes nothing. It could simply reuse `ecs-task-role`, and
# then a bug (or an attacker) in the reports code could write orders, send events and read the
# payments key. The article's point is that ECS lets each task have its own role, so each
# microservice gets only what it needs.

# %% [markdown]
# The cell below builds the reports service in three parts:
#
# 1. its program: it reads the configuration from S3 and order-1001 from DynamoDB, then *tries* to
#    send an order event it has no business sending;
# 2. its own role, `reports-task-role`, with exactly two statements. `lab.create_role` makes a
#    role that trusts `ecs-tasks.amazonaws.com` and puts the inline policy on it (`exist_ok=True`
#    sets an existing role's policies again, so the cell can be re-run);
# 3. its task definition: the same execution role (the ECS agent's launch work is the same),
#    **its own task role**.
#
# Then it runs both services in the same cluster, orders first (it saves order-1001), and shows
# the run phase of both tasks side by side.

# %%
import json

from botocore.exceptions import ClientError


def reports_app():
    bucket, key = os.environ["CONFIG_BUCKET"], os.environ["CONFIG_KEY"]
    config = json.loads(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    order = boto3.client("dynamodb").get_item(
        TableName=config["table"], Key={"order_id": {"S": "order-1001"}})["Item"]
    print(f"report: order-1001 is {order['status']['S']}, "
          f"{order['total']['N']} {order['currency']['S']}")
    try:  # not the reports service's job: its role should refuse it
        boto3.client("sqs").send_message(QueueUrl=config["queue_url"], MessageBody="{}")
        print("sent an order event (it should not be able to!)")
    except ClientError as error:
        print(f"refused, as it should be: {error}")


r = lab.resources
reports_role = lab.create_role("reports-task-role", exist_ok=True, inline={
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ReadConfig", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{r.bucket}/config/*"},
        {"Sid": "ReadOrders", "Effect": "Allow", "Action": "dynamodb:GetItem",
         "Resource": r.table_arn},
    ],
})
reports_definition = {
    "family": "reports",
    "executionRoleArn": lab.execution_role.arn,  # the same launch work: image, logs
    "taskRoleArn": reports_role.arn,  # its own task role
    "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
    "containerDefinitions": [{
        "name": "reports", "image": r.image, "essential": True,
        "environment": [{"name": "CONFIG_BUCKET", "value": r.bucket},
                        {"name": "CONFIG_KEY", "value": r.config_key}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": r.log_group, "awslogs-region": lab.region,
            "awslogs-stream-prefix": "ecs"}},
    }],
}

lab.reset_roles()
orders = lab.run_task()
reports = lab.run_task(reports_definition, app=reports_app)  # registers it, then runs it
print("orders: ", orders.logs[-1])
for line in reports.logs:
    print("reports:", line)
both = lab.trace.filter(phase="run", where=lambda e: e.task in (orders.id, reports.id)
                        and e.principal != "ECS agent")
both.to_frame()[["principal", "role", "action", "decision"]]

# %% [markdown]
# The reports service read what it needed, and its attempt to send an order event was refused,
# while the orders service, a moment earlier in the same cluster, sent one with its own role.
#
# Same cluster, same execution role, same SQS action, two answers: each app is judged only by *its
# own* task role. That is least privilege per microservice.

# %% [markdown]
# ## Your turn
#
# Each exercise's first cell loads its setup into this lab (it resets the two course roles first).
# So to come back to an earlier exercise, run its first cell again. Change the lab in the cell
# marked `# Your code here`, run the task, then run the check (`ex1.check()` for exercise 1). It
# reads the lab, not your code, so any correct way counts.
#
# `ex1.hint()` first tells you where you stand (a change too broad, the wrong role), then gives
# hints, more specific each time; `ex1.solution()` shows an answer. Try first!
#
# ### Exercise 1: the app cannot send its event

# %%
ex1 = lab.exercise("03-fix-the-app")
ex1

# %%
# Your code here (then run the task: lab.run_task())

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### Exercise 2: the runtime secret

# %%
ex2 = lab.exercise("03-runtime-secret")
ex2

# %%
# Your code here

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### Exercise 3: a task role of its own
#
# This exercise registers a third service, **billing**, in `orders-cluster`, with the orders
# service's task role. Run it with `lab.run_task("billing")` and read its trace to see what it
# does.

# %%
ex3 = lab.exercise("03-own-task-role")
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
# - The task role is for **your application**. The SDK in the container gets its temporary
#   credentials from the container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
#   at `169.254.170.2` on Fargate; `..._FULL_URI` at `127.0.0.1` in this lab); no key is in the code
#   or the image.
# - The caller is `assumed-role/<task role>/<task id>`: like an EC2 instance role, but per task.
# - When the task role lacks a permission, the task **starts**, the app runs until the refused call,
#   and its log line names the task role, the action and the resource. Fix the task role.
# - Permissions on the execution role never reach the app.
# - The same `GetSecretValue` is the execution role's job when ECS **injects** the secret at
#   launch, and the task role's when the app **reads** it at run time.
# - Give each service its own task role with only what it uses; services in the same cluster do
#   not share permissions unless you make them.

# %% [markdown]
# ## What's next
#
# [04 The workbench](04_workbench.ipynb) puts both roles side by side: predict what a task will
# ask for with the plan view, toggle policies, run, and compare.
