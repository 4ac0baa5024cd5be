# %% [markdown]
# # Two principals: who calls AWS while an ECS task runs
#
# When an Amazon Elastic Container Service (ECS) task starts and runs, AWS receives API
# (application programming interface) calls from two callers: ECS itself, which *launches* the
# task, and your application, which *runs* inside it. Each caller wears its own AWS Identity and
# Access Management (IAM) role. In this notebook you run one healthy task and read, call by call,
# who asked AWS for what, wearing which role, and when.

# %% [markdown]
# ## What you will learn
#
# - Why an ECS task has two roles: two callers, and the principle of least privilege.
# - How to predict a task's calls with the plan, before you read them.
# - How to read a task's trace by phase and principal, and how to filter it.
# - How to read a task's diagram and its text description.
# - How to put every call on a timeline: who called what, and when.

# %% [markdown]
# ## Before you start
#
# - Run `00_start_here.ipynb` once: it checks your environment.
# - You need a little Python, and a rough idea of IAM: a *role* is an identity that a person or
#   an AWS service can take on ("assume"), and the *policies* attached to it say what it may do.
# - Allow about 40 minutes.
#
# The next cell builds a fresh simulated AWS account, `lab`, and runs in it `task`, the healthy
# task this whole notebook studies. Run it again to start over; every other cell can be run on its
# own after it.

# %%
from ecslab import Lab

lab = Lab()  # a fresh simulated AWS account: run this cell again to start over
task = lab.run_task()  # the healthy task this notebook studies
task

# %% [markdown]
# The task ran to the end (`EssentialContainerExited`, exit code 0). Before you read what it
# called, meet the callers.
#
# ## Two callers, two roles
#
# The idea the whole course rests on: **ECS and the application in your container are two
# different callers.**
#
# - *ECS* (more precisely the ECS agent and other AWS-managed components) prepares the task: the
#   registry credentials, the image, the log stream, the secrets it puts into the container's
#   environment. It wears the **task execution role**, here `ecs-execution-role`.
# - *Your application* calls AWS through the SDK (software development kit, here `boto3`) while it
#   runs: Amazon Simple Storage Service (S3), Amazon DynamoDB, Amazon Simple Queue Service (SQS),
#   Amazon Simple Notification Service (SNS)... It wears the **task role**, here `ecs-task-role`.

# %% [markdown]
# Why not one role for both? The application would hold permissions only ECS should use (pulling
# images, writing log streams, reading the secrets to inject), and ECS would hold the
# application's. Two roles give each caller exactly what it needs: *least privilege*.
#
# A task definition names both roles, each by its ARN (Amazon Resource Name):

# %%
definition = lab.task_definition()
print("executionRoleArn:", definition["executionRoleArn"])
print("taskRoleArn:     ", definition["taskRoleArn"])

# %% [markdown]
# A role's *card* shows who may assume it and what each of its policies grants. First the
# task execution role:

# %%
lab.execution_role

# %% [markdown]
# Then the task role:

# %%
lab.task_role

# %% [markdown]
# Both roles trust the same service principal, `ecs-tasks.amazonaws.com`: ECS assumes both. What
# differs is *whom ECS hands the credentials to*: the execution role's go to its agent, the task
# role's to your container. Their policies follow: the execution role may pull images, write logs
# and read the two secrets to inject; the task role may do what the orders application does, and
# nothing else.

# %% [markdown]
# ## Predict before you look: the plan
#
# Your task has run, but you have not read its calls yet: predict them first. `lab.plan()` reads
# the task definition (and what the orders application says it will call) and lists every call a
# task *will* make: who, wearing which role, and why. It runs nothing.
#
# Before you run it, make three predictions:
#
# 1. Who asks Amazon Elastic Container Registry (ECR) for the image: ECS or the application?
# 2. Which role does the application's read from S3 use?
# 3. Is the task execution role still used once the application has started?

# %%
lab.plan()

# %% [markdown]
# Each arrow (→) is one IAM action that will be asked; the text description is under the
# picture. Compare with your predictions: the ECS agent fetches the image with the execution role;
# the orders app reads S3 with the task role. The last arrow surprises many people: while the
# application runs, the ECS agent delivers what it prints to Amazon CloudWatch Logs, with the
# **execution** role (in the lab, in one call when the application exits).
#
# ## What the task did
#
# Now check the plan against your task. First, what it printed to CloudWatch Logs:

# %%
for line in task.logs:
    print(line)

# %% [markdown]
# The first line: when the application *started*, the database password and the feature flags
# were already in its environment. The ECS agent had fetched them, at launch, with the execution
# role. Every later line is one of the application's own calls, made with the task role.
#
# ### The trace, grouped by phase and principal
#
# The lab records every call made in the account; `task.trace` is this task's part. Its
# `summary()` counts the calls by *phase* (launch or run), *principal* (who called), *role* (which
# role the caller wore) and action:

# %%
task.trace.summary()

# %% [markdown]
# Read it from top to bottom:
#
# - **launch**, *Amazon ECS* with no role: the service itself assumes the two roles
#   (`sts:AssumeRole`; STS is the AWS Security Token Service).
# - **launch**, *ECS agent* as `ecs-execution-role`: the registry token, the injected secrets
#   (AWS Systems Manager Parameter Store, AWS Secrets Manager, and AWS Key Management Service (KMS)
#   to decrypt them), the image, the log stream.
# - **run**, *orders app* as `ecs-task-role`: S3, DynamoDB, SQS, SNS and a secret read at run time.
# - **run**, *ECS agent* as `ecs-execution-role`: the log delivery.
#
# Displayed on its own, the trace is a table of the calls in order, grouped by phase. Allowed
# calls are marked ✓; a denied call would be marked ✗, in bold.

# %%
task.trace

# %% [markdown]
# ### Filtering the trace
#
# `filter()` keeps the calls that match every criterion you give: `phase`, `principal`, `role`,
# `decision`, `service`. A decision is "allowed" or "denied". IAM knows two kinds of denial, both
# "denied" here: *implicit* (no policy allows the call: the usual case, `ImplicitlyDenied`) and
# *explicit* (a `"Deny"` statement matches, and no `Allow` can override it). Printed, a trace is
# one line per call. Everything the ECS agent did:

# %%
print(task.trace.filter(principal="ECS agent"))

# %% [markdown]
# Everything done with the task role: all of it in the run phase, all of it by the application.

# %%
print(task.trace.filter(role="ecs-task-role"))

# %% [markdown]
# ### The principals as AWS sees them
#
# Each call is signed by one identity, and that is what AWS records (in AWS CloudTrail, for
# example). The trace keeps it as `principal_arn`. Each role session is named after the task's id,
# so on a real account you can tell which task made a call:

# %%
seen = dict.fromkeys((e.phase, e.principal, e.principal_arn) for e in task.trace)
for phase, principal, arn in seen:
    print(f"{phase:7} {principal:11} {arn}")

# %% [markdown]
# There is one more caller, before all of these: **you**. Your `RunTask` call handed both roles to
# ECS, and IAM checked that you may do so (`iam:PassRole`: a permission RunTask checks, not an API
# call of its own, so CloudTrail records no PassRole event). Your calls are in the lab's trace,
# not the task's, because they happen before the task exists:

# %%
first = task.trace[0].seq  # the task's first call: Amazon ECS assumes a role
print(lab.trace.filter(principal="you (administrator)", where=lambda e: e.seq < first))

# %% [markdown]
# So the chain is: you pass the roles → Amazon ECS assumes them → the ECS agent launches the task
# with the execution role → the application runs with the task role.
#
# ### The diagram
#
# `task.diagram()` draws the same calls, numbered in order: the **launch** phase, then the **run**
# phase. Each principal is a box with the role it wears and that role's policies; each arrow is
# one IAM action, solid and marked ✓ when allowed. (Dashed with ✗ is denied, dotted with ○ never
# reached: the next notebook is full of them.)

# %%
task.diagram()

# %% [markdown]
# Its text description is under the picture. `describe()` gives the same text, to copy or to read
# with a screen reader:

# %%
print(task.diagram().describe())

# %% [markdown]
# ## Who called what, when
#
# The article tells the two roles apart by asking *who* calls the API, and *when*. Every trace
# event has a `time` (UTC, Coordinated Universal Time). The lab's clock is simulated: the same
# times on every run, with durations typical of a small AWS Fargate task, not measured ones.
#
# First the order of the callers: consecutive calls by the same principal, wearing the same role,
# grouped together.

# %%
import itertools

by_caller = itertools.groupby(task.trace, key=lambda e: (e.phase, e.principal, e.role))
for (phase, principal, role), calls in by_caller:
    calls = list(calls)
    wearing = f"as {role}" if role else "(the service itself)"
    count = f"{len(calls)} call(s)"
    print(f"{calls[0].time[11:23]} to {calls[-1].time[11:23]}  {phase:6}  "
          f"{principal} {wearing}: {count}")

# %% [markdown]
# Now the same calls beside the moments ECS records for the task itself. `task.describe()`
# returns the task as the ECS `DescribeTasks` API does, with timestamps such as `createdAt`,
# `pullStartedAt` and `startedAt` (the moment the container started). The next cell merges the two
# into one timeline, in UTC.

# %%
from datetime import timezone

described = task.describe()
moments = {
    "createdAt": "ECS accepted RunTask",
    "pullStartedAt": "the image pull starts",
    "pullStoppedAt": "the image pull ends",
    "startedAt": "the container starts: the app runs from here",
    "stoppingAt": "the essential container has exited",
    "stoppedAt": "the task is STOPPED",
}
timeline = []
for event in task.trace:
    who = f"{event.principal} as {event.role}" if event.role else event.principal
    timeline.append((event.time[11:23], 0, f"   [{event.phase}] {who}: {event.action}"))
for name, meaning in moments.items():
    stamp = described[name].astimezone(timezone.utc).strftime("%H:%M:%S.%f")[:12]
    timeline.append((stamp, 1, f"-- {name}: {meaning}"))
for stamp, _, what in sorted(timeline, key=lambda item: item[:2]):  # ties keep trace order
    print(stamp, what)

# %% [markdown]
# Read the timeline:
#
# - For about eight (simulated) seconds after the roles are assumed, nobody calls anything:
#   Fargate is attaching the task's network interface.
# - Apart from ECS assuming the two roles, every call before `startedAt` is the ECS agent's, with
#   the execution role, in a fixed order: registry token, injected secrets, image, log stream.
# - Every call of the application comes after `startedAt`, with the task role.
# - The agent's `logs:PutLogEvents` comes last. On Fargate the log driver sends the output while
#   the application runs; the lab sends it in one call when the application exits.
#
# The troubleshooting rule of the whole course: a permission error *before* the container starts
# is the execution role's; an `AccessDenied` the application meets *while it runs* is the task
# role's.

# %% [markdown]
# ## Your turn
#
# Each exercise's first cell loads its setup into the lab (here, both roles as the course starts
# them): to come back to an earlier exercise, run its first cell again. Write your code under
# `# Your code here`, then run the check (`ex1.check()`): it reads the roles and the trace of your
# last task, so any correct way counts. `ex1.hint()` first says where you stand, then gives hints,
# more specific each time; `ex1.solution()` shows an answer (try first!).
#
# ### Exercise 1: the app asks for the agent's token

# %%
ex1 = lab.exercise("01-app-asks-for-a-token")
ex1

# %%
# Your code here: write a function, run it with lab.run_task(app=...), read task.logs

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# When your check passes, read the refusal in your task's logs: which role does it name? ECS gave
# the agent's credentials to the agent only; inside the container, the SDK finds the task role's
# credentials and nothing else.
#
# ### Exercise 2: a task role of its own

# %%
ex2 = lab.exercise("01-second-task-role")
ex2

# %%
# Your code here: create the role, then run a task that uses it

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# This is what the task role is for: each task (each microservice) can carry its own role, with
# only what its code calls, even when several tasks share one cluster.

# %% [markdown]
# ## Key points
#
# - Two callers, two roles: the ECS agent launches the task with the **task execution role**; your
#   application calls AWS with the **task role**. Both roles trust `ecs-tasks.amazonaws.com`, but
#   ECS hands each one's credentials to a different caller.
# - Keeping them apart is least privilege: the application never holds the agent's permissions,
#   and the agent never holds the application's.
# - `lab.plan()` predicts a task's calls; `task.trace.summary()`, `task.trace` and
#   `task.trace.filter(...)` show what happened, by phase and principal; `task.diagram()` draws it.
# - *When* tells you *who*: calls before the container starts are the agent's (execution role);
#   the application's come after (task role). The agent also delivers the logs, with the execution
#   role.

# %% [markdown]
# ## What's next
#
# In `02_execution_role.ipynb` you break the task execution role in each of its jobs (the image
# pull, the log stream, the injected secrets), try the fix most people try first, on the wrong
# role, and then fix it properly.
