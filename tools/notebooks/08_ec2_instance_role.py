# %% [markdown]
# # EC2 and the instance role: the fallback, and how to block it
#
# On AWS Fargate, an Amazon Elastic Container Service (ECS) task meets two AWS Identity and Access
# Management (IAM) roles: the **task execution role** (the ECS agent, at launch) and the **task
# role** (your application, at run time). Run the same task on your own Amazon Elastic Compute
# Cloud (EC2) instances, the *EC2 launch type*, and a third role joins them: the **container
# instance role**, the role of the EC2 instance itself.
#
# That third role is quiet until a task has no task role. Then the application's software
# development kit (SDK) finds the instance's credentials instead, and your app answers as the
# instance. This notebook shows how that happens, why "just add the permission to the instance
# role" is dangerous, and how to switch the fallback off.

# %% [markdown]
# ## What you will learn
#
# - What the container instance role (`ecsInstanceRole`) is for, and who uses it.
# - How an app in a task *without* a task role ends up with the instance role's credentials,
#   through the instance metadata service (IMDS) — and how to read that in an error message.
# - Why widening the instance role gives every container on the instance the same permissions.
# - The right fix: a task role of the task's own.
# - How to block the fallback: `ECS_AWSVPC_BLOCK_IMDS` for tasks in `awsvpc` network mode, IMDS
#   version 2 (IMDSv2) with a hop limit of 1, and what AWS says about `bridge` and `host` modes.

# %% [markdown]
# ## Before you start
#
# You know the two roles of a task (notebooks 01 to 03) and how to read who was refused
# (notebook 05). Allow about 50 minutes.
#
# The next cell builds a fresh simulated account (run it again to start over). It also registers
# two task definitions: the course's `orders` task *without* a task role, for EC2, in `awsvpc`
# network mode (`orders-ec2`) and in `bridge` network mode (`orders-bridge`). And it imports
# `fresh_instance(lab)`, which puts the container instance and its role back as they start: each
# experiment below begins with it. `ask_the_instance()` is a program for later: read it then.

# %%
import os

import boto3
import botocore.session
from botocore.exceptions import ClientError, NoCredentialsError

from ecslab import Lab, diagnose
from ecslab.coach.lessons.nb08 import fresh_instance, register_without_task_role

lab = Lab()  # a fresh simulated AWS account: run this cell again to start over
register_without_task_role(lab, "orders-ec2", "awsvpc")  # no taskRoleArn
register_without_task_role(lab, "orders-bridge", "bridge")  # no taskRoleArn either


def ask_the_instance():
    """Fetch the instance role's credentials from IMDS directly, then read the payments key."""
    provider = botocore.session.get_session().get_component(
        "credential_provider").get_provider("iam-role")  # the chain's last step, on its own
    found = provider.load()
    if found is None:
        print("the instance metadata service gave no credentials")
        return
    instance = boto3.Session(aws_access_key_id=found.access_key,
                             aws_secret_access_key=found.secret_key,
                             aws_session_token=found.token)
    value = instance.client("secretsmanager").get_secret_value(
        SecretId=os.environ["PAYMENTS_API_KEY_SECRET"])["SecretString"]
    print(f"as the instance role: read the payments key, {len(value)} characters")


lab.container_instance

# %% [markdown]
# `lab.container_instance` is the cluster's one EC2 instance. It starts the way an instance
# launched from the Amazon Linux 2023 ECS-optimized Amazon Machine Image (AMI) starts: IMDSv2 required
# (`http_tokens='required'`), hop limit 2, and the ECS agent's settings in `agent_config` (the file
# `/etc/ecs/ecs.config` on a real instance).

# %% [markdown]
# ## A third role: the container instance role
#
# The ECS developer guide: the container instance role *"provides permissions needed for the Amazon
# ECS container agent and Docker daemon to call AWS APIs on your behalf"* ([Amazon ECS container
# instance IAM role](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html)).
# The ECS console names it `ecsInstanceRole`. It trusts `ec2.amazonaws.com`, reaches the instance
# through an *instance profile*, and holds the AWS managed policy
# `AmazonEC2ContainerServiceforEC2Role`:

# %%
fresh_instance(lab)
lab.instance_role

# %% [markdown]
# Who uses it? Run the course's task (which has both of its roles) on EC2, then look at the lab's
# trace: first EC2 hands the role's credentials to the instance, then the ECS agent registers the
# instance in the cluster with them. The cell also prints which role the app used.

# %%
fresh_instance(lab)
lab.reset_roles()
task = lab.run_task(launch_type="EC2")  # the course's task, on the container instance

agent_at_work = lab.trace.filter(
    where=lambda e: e.principal == "Amazon EC2" or e.action in (
        "ecs:RegisterContainerInstance", "ecs:DiscoverPollEndpoint"))
for event in agent_at_work:
    print(event)
print()
print("the app's last line:", task.logs[-1])
print("roles the app used:", {e.role for e in task.trace.filter(phase="run")
                              if e.principal == "orders app"})

# %% [markdown]
# The agent works as a session of `ecsInstanceRole` named after the **instance id**:
# `assumed-role/ecsInstanceRole/i-0...`. With a task role, nothing else changes: the app still answers as `ecs-task-role`, exactly as on
# Fargate, and the execution role still pulls the image and ships the logs.
#
# One more job: on EC2, a task that injects no secrets can do without an execution role. Then the
# agent pulls its image from Amazon Elastic Container Registry (ECR) with the instance role, and
# Docker ships its `awslogs` logs with it: that is why the managed policy allows `ecr:` reads and
# `logs:` writes ([Amazon ECR on Amazon
# ECS](https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html)).

# %% [markdown]
# ## Mystery 1: who answered?
#
# A colleague moved the orders service to EC2 and wrote a task definition, `orders-ec2`, with the
# execution role but **no task role** (`taskRoleArn` is missing). The task starts, and the app
# stops. Run it and read the last log line. **Before reading on**: which role does the Amazon
# Resource Name (ARN) name, and what is the last part of it?

# %%
fresh_instance(lab)
lab.reset_roles()
mystery = lab.run_task("orders-ec2", launch_type="EC2")
print(mystery.stop_code, "| exit code", mystery.exit_code)
print(mystery.logs[-1])

# %% [markdown]
# `assumed-role/ecsInstanceRole/i-0...`: neither of the task's roles. The caller is a session of
# the **instance role**, named after the **instance id**. A task role's session would carry the
# task id.
#
# Where did the app get those credentials? The SDK looks for credentials in a fixed order, the
# *default credential chain*. Inside a task with a task role, ECS gives the container an address
# to fetch them from (the container credentials provider). Without a task role there is no such
# address, so the chain goes on, and its last step asks the **instance metadata service** at
# `169.254.169.254`, which answers with the credentials of the instance's role. AWS says it
# plainly: *"If a task can't find the IAM task role ... then the task uses the Amazon EC2 instance
# role"* ([AWS re:Post](https://repost.aws/knowledge-center/ecs-iam-task-roles-config-errors)).

# %% [markdown]
# The trace says the same: in the run phase, the caller is the orders app wearing
# `ecsInstanceRole`. And `diagnose`, the coach of notebook 05, reads the message the same way.

# %%
fresh_instance(lab)
lab.reset_roles()
mystery = lab.run_task("orders-ec2", launch_type="EC2")
for event in mystery.trace.filter(phase="run"):
    print(event)
diagnose(mystery.logs[-1])

# %% [markdown]
# <details><summary>The SDK's credential chain, and what the lab serves</summary>
#
# botocore (the SDK under boto3) tries, in order: explicit keys, environment variables, shared
# files, ..., the container credentials provider (`AWS_CONTAINER_CREDENTIALS_*`), and last the
# instance metadata service ([IMDS credential
# provider](https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html)). With
# IMDSv2 it first asks for a token (`PUT /latest/api/token`), then reads
# `/latest/meta-data/iam/security-credentials/<role>` with it ([Retrieve security credentials from
# instance
# metadata](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html)).
#
# The lab serves that metadata service on `127.0.0.1` for each container on the instance (botocore's
# `AWS_EC2_METADATA_SERVICE_ENDPOINT`), so botocore's own code does the fetching, as on EC2.
#
# </details>

# %% [markdown]
# ### Mystery 2: the same task on Fargate
#
# Now run the very same `orders-ec2` on Fargate (it is registered for both). Predict the last log
# line before you run the cell.

# %%
lab.reset_roles()
on_fargate = lab.run_task("orders-ec2")  # launch type FARGATE, the lab's default
print(on_fargate.stop_code, "| exit code", on_fargate.exit_code)
print(on_fargate.logs[-1])


# %% [markdown]
# `Unable to locate credentials` is botocore's `NoCredentialsError`: the chain found **nothing**.
# A Fargate task runs on no instance of yours, and its containers cannot reach an instance role,
# so a task without a task role has no AWS credentials at all.
#
# That is a classic migration surprise: a service that "worked for years" on EC2 without a task
# role was living on the instance role's permissions all along. On Fargate they are gone. The
# cure is the same in both cases: a task role.

# %% [markdown]
# ## The tempting fix: widen the instance role
#
# The app needs S3, DynamoDB, SQS, SNS and Secrets Manager, and the error names `ecsInstanceRole`.
# So why not give `ecsInstanceRole` the orders app's policy? The cell does that, runs `orders-ec2`
# again, then runs a *second* task on the same instance: some other program, with no task role,
# that has no business reading the payments API key. **Predict** both outcomes.

# %%
# another program, for a second task on the same instance
def curious():
    """Another program on the same instance, without a task role: can it read the payments key?"""
    secret = os.environ["PAYMENTS_API_KEY_SECRET"]
    try:
        value = boto3.client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]
        print(f"read {secret}: {len(value)} characters")
    except (ClientError, NoCredentialsError) as error:
        print(f"refused: {error}")


fresh_instance(lab)
lab.reset_roles()
lab.instance_role.put_inline("orders-app", lab.task_role.inline_policy("orders-app"))  # the "fix"
orders = lab.run_task("orders-ec2", launch_type="EC2")
other = lab.run_task("orders-ec2", app=curious, launch_type="EC2")
print("orders app:     ", orders.logs[-1])
print("other program:  ", other.logs[-1])
print("instance role now has:", lab.instance_role.policies)

# %% [markdown]
# The orders app works, and so does the other program: it read the payments API key. The instance
# role has **one** session for the whole instance, and every container that reaches the metadata
# service gets it. So does every process on the host, and the ECS agent.
#
# That breaks least privilege twice: each service gets every other service's permissions, and
# CloudTrail can no longer tell them apart, since all of them are `assumed-role/ecsInstanceRole/i-0...`.
# AWS recommends the opposite: keep the instance role to what `AmazonEC2ContainerServiceforEC2Role`
# allows ([Amazon ECS task IAM
# role](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html)).

# %% [markdown]
# ### A task role does not close the door
#
# Give a task its task role and its SDK uses the task role only. But the metadata service is still
# there, one address away. `ask_the_instance()`, in the first cell, skips the chain and asks the
# metadata service directly, as any code in the container could. Read it, then widen the instance
# role the same way and run it in the course's task, which **has** a task role.

# %%
fresh_instance(lab)
lab.reset_roles()
lab.instance_role.put_inline("orders-app", lab.task_role.inline_policy("orders-app"))
with_role = lab.run_task(app=ask_the_instance, launch_type="EC2")  # this task HAS a task role
print(with_role.logs[-1])
for event in with_role.trace.filter(phase="run", where=lambda e: e.principal != "ECS agent"):
    print(event)

# %% [markdown]
# The task had a task role, and still read the secret **as `ecsInstanceRole`**. Whatever you put
# on the instance role, every container can take. Two rules follow: keep the instance role narrow,
# and block the containers' way to the metadata service.

# %% [markdown]
# ## The right fix: a task role of its own
#
# The orders app's permissions belong in a task role. The course's `ecs-task-role` allows exactly
# what the app calls, so run `orders-ec2` with it (`overrides` sets `taskRoleArn` for this run; a
# new revision of the task definition is the lasting way). The instance role stays as it started.

# %%
fresh_instance(lab)
lab.reset_roles()
fixed = lab.run_task("orders-ec2", launch_type="EC2",
                     overrides={"taskRoleArn": lab.task_role.arn})
print(fixed.logs[-1])
print("roles the app used:", {e.role for e in fixed.trace.filter(phase="run")
                              if e.principal == "orders app"})
print("instance role:", lab.instance_role.policies)

# %% [markdown]
# ## Block the fallback
#
# A task role fixes one task. To make sure no container can reach the instance role at all, close
# the way to the metadata service. How depends on the task's network mode.
#
# ### `awsvpc` mode: `ECS_AWSVPC_BLOCK_IMDS`
#
# For tasks in `awsvpc` network mode (each task gets its own network interface), the ECS agent has
# a setting: `ECS_AWSVPC_BLOCK_IMDS=true` in `/etc/ecs/ecs.config`. The cell sets it, then runs
# three tasks: `orders-ec2` without a task role, the same with the task role, and the program that
# asks the metadata service directly.

# %%
fresh_instance(lab)
lab.reset_roles()
lab.container_instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"] = "true"

without = lab.run_task("orders-ec2", launch_type="EC2")
print("no task role:     ", without.logs[-1])
with_task_role = lab.run_task("orders-ec2", launch_type="EC2",
                              overrides={"taskRoleArn": lab.task_role.arn})
print("with a task role: ", with_task_role.logs[-1])
direct = lab.run_task(app=ask_the_instance, launch_type="EC2")
print("asking IMDS:      ", direct.logs[-1])

# %% [markdown]
# Now the task without a task role fails loudly with `NoCredentialsError`, as it would on Fargate,
# instead of quietly borrowing the instance's permissions. The task role still works: it comes from
# the container credentials endpoint, not from the metadata service. And asking the metadata
# service directly gives nothing.

# %% [markdown]
# ### `bridge` mode: the hop limit
#
# `ECS_AWSVPC_BLOCK_IMDS` does nothing for `bridge` mode, where containers share Docker's bridge
# network. What the lab lets you turn instead are the instance's metadata options:
#
# - `http_tokens`: `"required"` (IMDSv2 only: a token first) or `"optional"` (IMDSv1, no token,
#   still answers);
# - `hop_limit`: how many network hops the IMDSv2 token response may travel. From a container it
#   takes two, so with a hop limit of 1 the token never arrives.
#
# The cell runs `orders-bridge` (no task role) under four settings and prints who answered.

# %%
settings = [
    ("as the instance starts", {}, 2, "required"),
    ("ECS_AWSVPC_BLOCK_IMDS=true", {"ECS_AWSVPC_BLOCK_IMDS": "true"}, 2, "required"),
    ("hop limit 1, IMDSv1 allowed", {}, 1, "optional"),
    ("hop limit 1, IMDSv2 required", {}, 1, "required"),
]
lab.reset_roles()
for label, agent_config, hop_limit, http_tokens in settings:
    fresh_instance(lab)
    lab.container_instance.agent_config.update(agent_config)
    lab.container_instance.hop_limit = hop_limit
    lab.container_instance.http_tokens = http_tokens
    task = lab.run_task("orders-bridge", launch_type="EC2")
    answer = "instance role" if "assumed-role/ecsInstanceRole/" in task.logs[-1] else "no credentials"
    print(f"{label:30} -> {answer}")

# %% [markdown]
# Only the last line blocks: with a hop limit of 1 the IMDSv2 token does not reach the container,
# and the SDK falls back to IMDSv1, which answers unless tokens are **required**. Both settings
# are needed.
#
# Be honest about this lever. It blocks *every* container's metadata, not only credentials. It
# does not block `host` mode tasks, which share the instance's network (no extra hop). And the
# remedy ECS's own guide gives for `bridge` mode is a firewall rule on the instance, not the hop
# limit: see below.

# %% [markdown]
# <details><summary>What AWS's documentation says about each network mode</summary>
#
# - **`awsvpc`**: *"ECS_AWSVPC_BLOCK_IMDS=true"* in `/etc/ecs/ecs.config` ([How can I prevent
#   containers from accessing Amazon EC2 instance metadata in Amazon
#   ECS?](https://repost.aws/knowledge-center/ecs-container-ec2-metadata); [Amazon ECS task IAM
#   role](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html)).
# - **`bridge`**: an `iptables` rule that drops traffic from Docker's bridge to `169.254.169.254`
#   (`DOCKER-USER` chain), set before Docker starts (same pages).
# - **`host`**: *"You can't prevent access with the host networking mode"*, because the ECS agent
#   runs in the host's network namespace and needs the metadata service (re:Post, above).
# - **Hop limit**: *"In a container environment, if the hop limit is 1, the IMDSv2 response does
#   not return because going to the container is considered an additional network hop"*; the EC2
#   guide recommends 2 when containers *should* reach IMDS ([Instance metadata
#   options](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html)).
#
# When a task has a task role, its SDK uses *only* the task role's credentials and *"no longer
# inherit[s] any IAM permissions"* from the instance (ECS task IAM role page, above) — as long as
# the code uses the default chain.
#
# </details>
#
# <details><summary>What the simulation does not do</summary>
#
# - The `iptables` rule for `bridge` mode is not simulated: use the hop limit in the lab.
# - Where AWS drops packets (over the hop limit, a blocked route) the SDK waits about a second per
#   try; the lab refuses at once. The outcome is the same, only faster.
# - The metadata service serves only credentials and the instance id; other paths answer 404.
# - One instance takes every task: no instance types, resources or placement. Turning
#   `ECS_ENABLE_TASK_IAM_ROLE` off is refused with an error.
# - The agent's own long poll (`ecs:Poll`) and telemetry session are not in the trace.
#
# </details>

# %% [markdown]
# ## Your turn
#
# Each exercise's first cell loads its setup into this lab: it puts the course's roles, the
# container instance and its role back as they start (the third exercise then lets IMDSv1
# answer), and registers the task definition it is about. So to come back to an exercise, run its
# first cell again. Make your change, run the task on EC2 (the comment in each exercise's code
# cell shows how), then check.
# `ex1.hint()` gives hints, more specific each time; `ex1.solution()` shows an answer.
#
# ### Exercise 1: the app answers as the instance role

# %%
ex1 = lab.exercise("08-own-task-role")
ex1

# %%
# Your code here (then run: lab.run_task("orders-ec2", launch_type="EC2"))

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### Exercise 2: block the fallback in `awsvpc` mode

# %%
ex2 = lab.exercise("08-block-awsvpc")
ex2

# %%
# Your code here (then run: lab.run_task("orders-ec2", launch_type="EC2"))

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### Exercise 3: block the fallback in `bridge` mode

# %%
ex3 = lab.exercise("08-block-bridge")
ex3

# %%
# Your code here (then run: lab.run_task("orders-bridge", launch_type="EC2"))

# %%
ex3.check()

# %%
# ex3.hint()
# ex3.solution()

# %% [markdown]
# ## Key points
#
# - On EC2 a third role works: the **container instance role** (`ecsInstanceRole`, with
#   `AmazonEC2ContainerServiceforEC2Role`). The ECS agent uses it to register the instance and,
#   without an execution role, to pull images.
# - An app in a task **without a task role** falls through the SDK's credential chain to the
#   instance metadata service and answers as `assumed-role/ecsInstanceRole/i-0...`: the session
#   name is an **instance id**, not a task id. On Fargate the same task gets `NoCredentialsError`.
# - Never fix that by widening the instance role: every container on the instance (and every
#   process on the host) gets the same permissions.
# - Give the task its own **task role**, with only what the app calls.
# - Block the fallback: `ECS_AWSVPC_BLOCK_IMDS=true` for `awsvpc` tasks; for `bridge` tasks, the
#   `iptables` rule of ECS's guide, or IMDSv2 required with hop limit 1. `host` mode cannot be
#   blocked.

# %% [markdown]
# ## What's next
#
# [09 The task role's other jobs](09_task_role_jobs.ipynb): ECS Exec, FireLens and Amazon Elastic
# File System (EFS) volumes, where the task role works for more than your app's own calls.
