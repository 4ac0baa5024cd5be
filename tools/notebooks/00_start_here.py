# %% [markdown]
# # Start here: which IAM role does Amazon ECS use, and when?
#
# An Amazon Elastic Container Service (ECS) task uses **two** AWS Identity and Access Management
# (IAM) roles, and most people who are new to ECS mix them up:
#
# - the **task execution role** is used by the ECS agent while it *launches* the task: it pulls the
#   image from Amazon Elastic Container Registry (ECR), creates the Amazon CloudWatch Logs stream
#   and fetches the secrets injected as environment variables;
# - the **task role** is used by *your application* inside the container, through the software
#   development kit's (SDK's) temporary credentials: Amazon S3, DynamoDB, SQS, SNS, AWS Secrets
#   Manager at run time.
#
# When a task never starts, adding permissions to the task role changes nothing. This course lets
# you see why, in a simulated AWS account that runs offline, in milliseconds, with no AWS account.
#
# **Who this is for**: anyone who has deployed, or is about to deploy, a container on ECS and wants
# to understand which role does what — developers, operators, students. You need to read a little
# Python; you do not need an AWS account.
#
# **What you will learn in this notebook**
#
# - how to use these notebooks;
# - the map of the course;
# - how the simulation works, and what it does not simulate;
# - and you will check that your environment works, then launch your first task.

# %% [markdown]
# ## How to use a notebook
#
# A notebook is a page of text and code cells. Click a code cell and press **Shift+Enter** to run it
# and move to the next one; **Run → Run All Cells** runs the whole page. Cells that build on each
# other are meant to run from top to bottom. If something looks wrong, **Kernel → Restart Kernel
# and Run All Cells** starts again from a clean slate. A few cells fail on purpose, to show an error;
# their text says so.
#
# Every notebook starts by building a fresh simulated account in its first code cell. Run that cell
# again whenever you want to start over.

# %% [markdown]
# ## The map of the course
#
# | notebook | what you do there |
# |---|---|
# | 00 Start here | this page: how it works, and your first task |
# | 01 Two principals | why ECS has two roles; watch a healthy task: who called what, when |
# | 02 The task execution role | break the image pull, the logs, the secrets; try the wrong fix |
# | 03 The task role | how the app gets its credentials; break its calls one by one; two services |
# | 04 The workbench | predict with the plan, toggle policies, run, compare |
# | 05 Troubleshooting | the rule of thumb; mystery tasks; diagnose real error messages |
# | 06 Least privilege and trust | what policies grant; narrow them; trust, `iam:PassRole` |
# | 07 Terraform | `execution_role_arn` vs `task_role_arn`; the article's Terraform in a lab |
#
# The course follows a Japanese blog post by an infrastructure engineer who added permissions to the
# wrong role while his task never started; every idea in it is an experiment here.

# %% [markdown]
# ## Your simulated AWS account
#
# The next cell builds a fresh simulated account (a `Lab`): account 123456789012 in the Tokyo
# region, with an ECS cluster, an image in ECR, a log group, a secret and a parameter encrypted with
# a customer-managed key, an S3 bucket, a DynamoDB table, an SQS queue, an SNS topic — and the two
# roles. Nothing here talks to the real AWS, and any AWS credentials on your computer are set aside
# while the lab is open and given back when it closes.

# %%
from ecslab import Lab

lab = Lab()
lab

# %% [markdown]
# ## Check your environment
#
# Plain `boto3`, the AWS SDK for Python, now talks to the simulated account as its administrator.
# The next cell should print four lines ending in "ok".

# %%
import sys

import boto3

from ecslab import evaluate
from ecslab.show.diagram import renderer

identity = boto3.client("sts").get_caller_identity()
print("Python 3.10 or newer:", "ok" if sys.version_info >= (3, 10) else "too old")
print("Simulated account:", "ok" if identity["Account"] == lab.account_id else "not reached")
judge = evaluate("arn:aws:iam::123456789012:root", "s3:ListBucket", "arn:aws:s3:::example")
print("IAM judge answers:", "ok" if judge.allowed else "broken")
print("Diagrams can be drawn:", "ok" if renderer() else "no (you will read their text instead)")

# %% [markdown]
# ## How the simulation works
#
# - **Storage is [moto](https://github.com/getmoto/moto)'s**, a widely used AWS simulator: the
#   buckets, tables, queues, secrets, roles and policies really exist in the lab.
# - **Every call is judged by ecslab's IAM judge**, which follows AWS's documented policy evaluation
#   logic — identity and resource policies, explicit denies, key policies, trust policies — and
#   answers with the service's real error text. Every call is recorded in `lab.trace`.
# - **ECS is ecslab's own**: running a task goes through what ECS does on AWS Fargate — ECS assumes
#   both roles, the agent launches the task with the execution role, then your application runs with
#   the task role and its output goes to CloudWatch Logs.
#
# **What it does not simulate** (the notebooks say so again where it matters):
#
# - Only the operations the course needs are modelled; anything else is refused with a clear message.
# - Only the Fargate launch type and standalone tasks (`RunTask`): no EC2 container instances, no
#   ECS services (when notebook 03 speaks of "two services", it means two applications, each run as
#   its own task), no load balancers or auto scaling.
# - No network: a task cannot time out reaching an endpoint, so network failures (which look like
#   permission problems) are shown from real messages, not reproduced.
# - The container's program is a Python function that runs inside your notebook's process, to the
#   end, before the task stops; real containers run side by side and for as long as they like.
# - The app gets its credentials from a local endpoint at 127.0.0.1 (variable
#   `AWS_CONTAINER_CREDENTIALS_FULL_URI`); Fargate serves them at 169.254.170.2
#   (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`). Your code does not notice: the SDK finds either.
# - Time in the lab is simulated: the same ids, timestamps and messages on every run.

# %% [markdown]
# ## Launch a task
#
# `lab.run_task()` launches the course's "orders" task in the lab's cluster. First the ECS agent
# *launches* it with the **task execution role**: registry credentials, the injected secrets, the
# image, the log stream. Then the orders application *runs* with the **task role**: it reads its
# configuration from S3, writes to DynamoDB, sends to SQS and SNS. What it prints reaches CloudWatch
# Logs.

# %%
task = lab.run_task()
task

# %%
for line in task.logs:
    print(line)

# %% [markdown]
# ## Break the execution role
#
# Take the AWS managed policy `AmazonECSTaskExecutionRolePolicy` away from the execution role and
# launch again. The agent is refused at its very first call, so the task stops before the
# application starts: its `stoppedReason` carries AWS's error, naming the role session, the action
# and the resource. There is no log line, because the log stream was never created.

# %%
lab.reset_roles()  # start from the course's two roles, so that this cell can be run again
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
broken = lab.run_task()
print(broken.stop_code)
print(broken.stopped_reason)
print("log lines:", len(broken.logs))

# %% [markdown]
# ## See who called what
#
# `broken.diagram()` draws the task's calls: the **launch** phase on top, the **run** phase below.
# Each arrow is one IAM action: solid with ✓ when allowed, dashed with ✗ when denied (and why),
# dotted with ○ when the task stopped before making it. Under the picture, the same in sentences.

# %%
broken.diagram()

# %% [markdown]
# Put the policy back, and the task runs to the end again (exit code 0).

# %%
lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")
print(lab.run_task().exit_code)

# %% [markdown]
# ## Key points
#
# - Two roles, two callers: the ECS agent launches the task with the **task execution role**; the
#   application runs with the **task role**.
# - The lab is a whole AWS account in your notebook: plain `boto3` works against it, and every call
#   is authorized as AWS would and recorded in `lab.trace`.
# - When the execution role is missing a permission the *launch* needs (the image, the log stream,
#   an injected secret), the task stops with `TaskFailedToStart` before your application runs, and
#   writes no log line.
# - `task.diagram()` shows which principal called which API in each phase, and what it never
#   reached.
#
# ## What's next
#
# Notebook **01 Two principals** looks closely at a healthy task: who calls what, and when.
