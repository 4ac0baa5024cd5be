# %% [markdown]
# # Start here: which IAM role does Amazon ECS use, and when?
#
# An Amazon Elastic Container Service (ECS) task uses **two** AWS Identity and Access Management
# (IAM) roles:
#
# - the **task execution role**: the ECS agent uses it to *launch* the task (the image, the log
#   stream, the secrets it injects);
# - the **task role**: *your application* uses it while it *runs* (Amazon S3, DynamoDB, ...).
#
# When a task never starts, adding permissions to the task role changes nothing. This course shows
# you why, in a simulated AWS account: offline, in milliseconds, with no AWS account.
#
# Click the next cell and press **Shift+Enter**: it builds your simulated account and launches a
# task in it.

# %%
from ecslab import Lab

lab = Lab()  # a fresh simulated AWS account: run this cell again to start over
task = lab.run_task()
task

# %% [markdown]
# The task ran to the end (`EssentialContainerExited`, exit code 0). First the ECS agent
# *launched* it, wearing the task execution role. Then the orders application *ran*, wearing the
# task role: it read its configuration from S3, wrote to DynamoDB, sent messages to SQS and SNS.
# What it printed reached Amazon CloudWatch Logs:

# %%
for line in task.logs:
    print(line)

# %% [markdown]
# ## Break the execution role
#
# Take the AWS managed policy `AmazonECSTaskExecutionRolePolicy` away from the execution role and
# launch again. **Predict** before you run: does the application start? How many log lines will
# there be?
#
# (`lab.reset_roles()` puts both roles back as the course starts them, so the cell can be run again.)

# %%
lab.reset_roles()
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
broken = lab.run_task()
print("stopCode:     ", broken.stop_code)
print("stoppedReason:", broken.stopped_reason)
print("log lines:    ", len(broken.logs))
broken.diagram()

# %% [markdown]
# The agent was refused its very first call, so the task stopped before the application started
# (`TaskFailedToStart`). The `stoppedReason` carries AWS's error: the role session, the action, the
# resource. No log line: the log stream was never created.
#
# The diagram draws the task's calls in order, numbered: the **launch** phase, then the **run**
# phase. Each arrow is one IAM action: solid with ✓ when allowed, dashed with ✗ when denied,
# dotted with ○ when the task stopped before making it. Its text equivalent is under the picture.
#
# Put the policy back, and the task runs to the end again:

# %%
lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")
print("exit code:", lab.run_task().exit_code)

# %% [markdown]
# ## How to use these notebooks
#
# - **Shift+Enter** runs a cell and moves to the next one; **Run → Run All Cells** runs the page.
# - Every notebook's first cell builds a fresh lab: run it again to start over. Every cell before
#   the exercises can be run on its own after it, and again.
# - A few cells fail on purpose, to show an error; their text says so.
# - **Kernel → Restart Kernel and Run All Cells** starts from a clean slate.
#
# You need to read a little Python. You do not need an AWS account: nothing here talks to the real
# AWS, and AWS credentials on your computer are set aside while a lab is open.
#
# ## Check your environment
#
# The next cell should print four lines ending in "ok". Plain `boto3`, the AWS SDK for Python,
# talks to the simulated account as its administrator.

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
# ## The map of the course
#
# | notebook | what you do there |
# |---|---|
# | 00 Start here | this page |
# | 01 Two principals | watch a healthy task: who calls what, wearing which role, when |
# | 02 The task execution role | break the image pull, the logs, the secrets; try the wrong fix |
# | 03 The task role | how the app gets its credentials; break its calls; two services |
# | 04 The workbench | predict with the plan, toggle policies, run, compare |
# | 05 Troubleshooting | the rule of thumb; mystery tasks; real error messages |
# | 06 Least privilege and trust | what policies grant; narrow them; trust and `iam:PassRole` |
# | 07 Terraform | `execution_role_arn` vs `task_role_arn`; the article's Terraform in a lab |
#
# The course follows a Japanese blog post by an infrastructure engineer who added permissions to
# the wrong role while his task never started: every idea in it is an experiment here.

# %% [markdown]
# ## How the simulation works
#
# - The account's resources are stored by [moto](https://github.com/getmoto/moto), a widely used
#   AWS simulator: the bucket, table, queue, secrets and roles really exist in the lab.
# - Every call is judged by ecslab's IAM judge, which follows AWS's documented policy evaluation
#   logic and answers with the service's real error text. Every call is recorded in `lab.trace`.
# - Running a task follows what ECS does on AWS Fargate: ECS assumes both roles, the agent launches
#   the task with the execution role, then your application runs with the task role.
#
# <details><summary>What the simulation does not do (read it once)</summary>
#
# - Only the operations the course needs are modelled; anything else is refused with a clear
#   message.
# - Only the Fargate launch type and standalone tasks (`RunTask`): no EC2 container instances, no
#   ECS services, load balancers or auto scaling. (When notebook 03 speaks of "two services", it
#   means two applications, each run as its own task.)
# - No network: a task cannot time out reaching an endpoint, so network failures, which look like
#   permission problems, are shown from real messages, not reproduced.
# - The container's program is a Python function that runs inside your notebook's process, to the
#   end, before the task stops; real containers run side by side and for as long as they like.
# - The app gets its credentials from a local endpoint at 127.0.0.1 (variable
#   `AWS_CONTAINER_CREDENTIALS_FULL_URI`); Fargate serves them at 169.254.170.2
#   (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`). Your code does not notice: the SDK finds either.
# - Time in the lab is simulated: the same ids, timestamps and messages on every run.
#
# </details>

# %% [markdown]
# ## Key points
#
# - Two roles, two callers: the ECS agent launches the task with the **task execution role**; the
#   application runs with the **task role**.
# - When the execution role lacks a permission the *launch* needs, the task stops with
#   `TaskFailedToStart` before your application runs, and writes no log line.
# - `task.diagram()` shows who called which API, in which order, and what the task never reached.
#
# ## What's next
#
# Notebook **01 Two principals** looks closely at a healthy task: who calls what, and when.
