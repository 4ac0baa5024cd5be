# %% [markdown]
# # The task role's other jobs: ECS Exec, FireLens and EFS
#
# The article's rule of thumb sorts an Amazon Elastic Container Service (ECS) task's calls in two:
# what ECS does to *launch* the task uses the **task execution role**; what *your application*
# does uses the **task role**. Three features look like they belong to the first group, because
# you switch them on in the task definition and never write a line of code for them. They all
# sign with the task role:
#
# - **ECS Exec**, a shell in a running container;
# - **FireLens**, a log router container that ships your app's logs;
# - **Amazon Elastic File System (EFS) volumes with IAM authorization**, a shared file system
#   mounted into the task.

# %% [markdown]
# ## What you will learn
#
# - Who signs each of these features' calls, and when: a process *inside* the task, with the task
#   role's credentials.
# - What each failure looks like: ECS Exec's `TargetNotConnectedException`, logs that never
#   arrive, a task that stops with `ResourceInitializationError` while it mounts a volume.
# - Why granting the same permissions to the execution role changes nothing.
# - An exception to the article's rule of thumb: a launch failure that is fixed on the task
#   role.

# %% [markdown]
# ## Before you start
#
# You know the two roles (notebooks 01 to 03) and how to read a failed task (notebook 05).
# Everything runs in a simulated AWS account on your computer, and AWS Identity and Access
# Management (IAM) judges every call. Allow about 60 minutes.
#
# The next cell builds a fresh lab (run it again to start over) and defines two things the ECS
# Exec experiments use: `ECS_EXEC`, the policy the AWS documentation asks for, and
# `open_shell(task)`, which asks ECS for a shell in the task's container, as
# `aws ecs execute-command` does, then prints the task's ECS Exec calls from the trace.

# %%
from botocore.exceptions import ClientError

from ecslab import Lab

lab = Lab()  # a fresh simulated AWS account: run this cell again to start over

ECS_EXEC = {"Version": "2012-10-17", "Statement": [{
    "Sid": "EcsExecChannels", "Effect": "Allow", "Resource": "*",
    "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
               "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]}]}


def open_shell(task):
    """ECS Exec's ExecuteCommand on the task's container, then the task's ssmmessages calls."""
    try:
        answer = lab.client("ecs").execute_command(
            cluster=lab.resources.cluster, task=task.arn, interactive=True, command="/bin/sh")
        print("ExecuteCommand: a session,", answer["session"]["sessionId"])
    except ClientError as error:
        print("ExecuteCommand:", error.response["Error"]["Code"], "-",
              error.response["Error"]["Message"])
    for call in task.trace:
        if call.service == "ssmmessages":
            print(" ", call)
            if call.error:
                print("   ", call.error)


lab

# %% [markdown]
# ## ECS Exec: a shell in your container
#
# ECS Exec opens a shell (or runs one command) in a running container, without SSH. You run the
# task with `enableExecuteCommand`, and ECS starts an AWS Systems Manager (SSM) agent in each
# container. When the container starts, that agent opens a *control channel* to Systems Manager's
# message service, `ssmmessages`. Later, `aws ecs execute-command` asks ECS for a session, and the
# agent opens a *data channel* for it.
#
# The agent runs inside your task, so it signs with the credentials your app gets: the task
# role's. The AWS documentation says so: "The ECS Exec feature requires a task IAM role to grant
# containers the permissions needed for communication between the managed SSM agent
# (execute-command agent) and the SSM service."
# ([Monitor Amazon ECS containers with ECS Exec](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-required-iam-permissions))
#
# **Predict**: the course's task role has no `ssmmessages` permission. Will the task start? Will
# the shell open?

# %%
lab.reset_roles()  # the course's roles, as they start
task = lab.run_task(enable_execute_command=True)
print(task.summary())
print()
open_shell(task)

# %% [markdown]
# The task ran to the end, as it always does: the app never noticed. The refusal came at run time,
# from a new caller, `SSM agent (ECS Exec)`, wearing `ecs-task-role`. With no control channel, ECS
# has no agent to connect your session to, and answers `TargetNotConnectedException` with a
# message that says nothing about permissions: "an internal error. Try again later."
#
# That message sends people looking everywhere. Because ECS Exec feels like infrastructure, the
# usual first try is the execution role. Try it: give the execution role the whole `ECS_EXEC`
# policy, and nothing to the task role.

# %%
lab.reset_roles()
lab.execution_role.put_inline("ecs-exec", ECS_EXEC)  # the classic wrong fix
task = lab.run_task(enable_execute_command=True)
open_shell(task)

# %% [markdown]
# Nothing changed: the refused session is still `assumed-role/ecs-task-role/<task id>`. Only the
# ECS agent wears the execution role (image pull, injected secrets, `awslogs` log shipping); the
# SSM agent never does. Now the same policy on the task role:

# %%
lab.reset_roles()
lab.task_role.put_inline("ecs-exec", ECS_EXEC)
task = lab.run_task(enable_execute_command=True)
open_shell(task)

# %% [markdown]
# Four calls, all as the task role: the control channel when the container started, the data
# channel when you asked for a session. `ssmmessages` has no resource types, so the statement's
# `Resource` is `"*"`
# ([actions of the message gateway service](https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmessagegatewayservice.html)).
#
# Two more conditions make ECS Exec work, and neither is a role: the task must be *run* with
# `enableExecuteCommand` (else ECS answers `InvalidParameterException`, "execute command was not
# enabled when the task was run"), and you need `ecs:ExecuteCommand` yourself.
#
# <details><summary>What the simulation does not do (ECS Exec)</summary>
#
# - A task's whole life runs inside `RunTask`, so every task is already STOPPED when you call
#   `execute_command`; the lab answers as ECS did while the task ran. AWS refuses a stopped task.
# - There is no shell: the session's id, stream URL and token have AWS's form, and nothing
#   listens on them.
# - On AWS a refused *data* channel still creates the session, and the Session Manager plugin then
#   fails to connect; the lab shows that refusal only in the trace.
# - The exec session's logging and encryption (the cluster's `executeCommandConfiguration`:
#   AWS Key Management Service, S3, CloudWatch Logs), which also use the task role, are not
#   modelled.
#
# </details>

# %% [markdown]
# ## FireLens: a log router that ships your app's logs
#
# With the `awslogs` log driver, as in the course's task so far, the ECS agent ships the app's
# output to CloudWatch Logs with the execution role. FireLens hands that job to a *log router*:
# a second container (Fluent Bit, from AWS's `aws-for-fluent-bit` image) that receives the app's
# output and sends it on. The app's `logConfiguration` names the `awsfirelens` log driver.
#
# The router is a process in your task, so it sends with the task role. AWS's example task
# definition asks for "a task IAM role Amazon Resource Name (ARN) that contains the permissions
# needed for the task to route the logs"
# ([Route logs to FireLens](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html)).
# The execution role keeps its launch work: it pulls the router's image.
#
# `with_log_router(definition)` adds a router to a copy of a task definition. **Predict**: will the task start? Will its log lines arrive?

# %%
from ecslab.ecs.firelens import with_log_router

lab.reset_roles()
task = lab.run_task(with_log_router(lab.task_definition()))
print(task.summary())
print("The app's lines in CloudWatch Logs:", len(task.logs))
print("The router's own output:")
for line in task.container_logs("log_router"):
    print("  ", line)

# %% [markdown]
# The task started and ran to the end, both containers exited with 0, and there is no error in
# `stoppedReason`. Yet not one of the app's lines arrived. The only trace of the failure is in
# the router's own output: Fluent Bit's `cloudwatch_logs` plugin was refused
# `logs:CreateLogStream` as `assumed-role/ecs-task-role/<task id>`.
#
# Now look at who did what. The cell prints the calls about the router: its image and its logs.

# %%
from ecslab.ecs.firelens import with_log_router

lab.reset_roles()
task = lab.run_task(with_log_router(lab.task_definition()))
for call in task.trace:
    if "fluent-bit" in call.resource or "firelens" in call.resource:
        print(call)

# %% [markdown]
# Two roles, two jobs:
#
# - At launch, the **ECS agent**, as the execution role, pulled `aws-for-fluent-bit` (from AWS's
#   own registry account) and created the stream for the router's *own* output, which still goes
#   through `awslogs`.
# - At run time, the **log router**, as the task role, was refused the stream for the *app's*
#   lines.
#
# Notice that the execution role already allows `logs:CreateLogStream` and `logs:PutLogEvents` on
# every log group (`AmazonECSTaskExecutionRolePolicy` does). It did not help: the router never
# wears it. The fix is on the task role, narrowed to the app's log group:

# %%
from ecslab.ecs.firelens import with_log_router

lab.reset_roles()
r = lab.resources
lab.task_role.put_inline("ship-logs", {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": f"arn:aws:logs:{r.region}:{r.account_id}:log-group:{r.log_group}:log-stream:*"}]})
task = lab.run_task(with_log_router(lab.task_definition()))
print("The app's lines in CloudWatch Logs:", len(task.logs))
for line in task.logs[:3]:
    print("  ", line)

# %% [markdown]
# <details><summary>What the simulation does not do (FireLens)</summary>
#
# - The router ships each container's lines once, after the containers ran; a real Fluent Bit
#   flushes every few seconds and retries a failed chunk.
# - Only Fluent Bit's `cloudwatch_logs` output is modelled; with another output (Amazon Data
#   Firehose, Amazon S3...) the router ships nothing, and says so.
# - With `auto_create_group` set to `true`, the router also calls `logs:CreateLogGroup`, with the
#   task role; a custom configuration file kept in S3 (not on Fargate) is fetched by the agent with
#   the execution role ([FireLens](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html)).
#   The lab models the first, not the second.
#
# </details>

# %% [markdown]
# ## EFS with IAM authorization: a launch failure fixed on the task role
#
# An Amazon EFS volume in a task definition is mounted at launch, before the app runs: the
# execution role's territory, by the rule of thumb. With `authorizationConfig.iam` set to
# `ENABLED`, though, the mount helper identifies the task to EFS with the **task role** (IAM
# authorization also needs `transitEncryption` `ENABLED`; `with_efs_volume` sets both). The ECS
# API reference says what the setting does: "Determines whether to use the Amazon ECS task role
# defined in a task definition when mounting the Amazon EFS file system"
# ([EFSAuthorizationConfig](https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSAuthorizationConfig.html)).
# EFS then wants `elasticfilesystem:ClientMount` to mount, and `elasticfilesystem:ClientWrite` to
# write ([IAM for Network File System (NFS) clients](https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html)).
#
# `lab.file_system` is an EFS file system whose policy grants nothing, so the task role's own
# policy decides. **Predict**: the course's task role has no `elasticfilesystem` permission.
# When will the task fail, and what will `stoppedReason` name?

# %%
from ecslab.ecs.efs import with_efs_volume

lab.reset_roles()
fs = lab.file_system
task = lab.run_task(with_efs_volume(lab.task_definition(), fs.id, iam=True, read_only=False))
print(task.summary())
print("log lines:", len(task.logs))
for call in task.trace:
    if call.action.startswith("elasticfilesystem:"):
        print(call)
        print("   ", call.error)

# %% [markdown]
# Everything here says *launch*: `TaskFailedToStart`, `ResourceInitializationError`, no log line.
# By the rule of thumb you would suspect the execution role, and the message does not argue: it
# names no role at all, only `mount.nfs4: access denied by server`. The trace does. The mount
# helper, `EFS mount (efs-utils)`, was refused `ClientMount` as `ecs-task-role`.
#
# Try the rule of thumb's fix anyway: give the execution role both permissions.

# %%
from ecslab.ecs.efs import with_efs_volume

lab.reset_roles()
fs = lab.file_system
lab.execution_role.put_inline("efs", {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": fs.arn,
    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]}]})
task = lab.run_task(with_efs_volume(lab.task_definition(), fs.id, iam=True, read_only=False))
print(task.stop_code)
print(task.stopped_reason)

# %% [markdown]
# The same failure. Now the same policy on the task role:

# %%
from ecslab.ecs.efs import with_efs_volume

lab.reset_roles()
fs = lab.file_system
lab.task_role.put_inline("efs", {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": fs.arn,
    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]}]})
task = lab.run_task(with_efs_volume(lab.task_definition(), fs.id, iam=True, read_only=False))
print(task.summary())
for call in task.trace:
    if call.action.startswith("elasticfilesystem:"):
        print(call)

# %% [markdown]
# So here the article's rule of thumb is wrong, and it is worth saying plainly: **a launch
# failure is not always the execution role's.** The better question is the one this notebook
# keeps asking: *who made the refused call, wearing which role?* `diagnose` reads this
# `stoppedReason` the same way, and names the task role.
#
# Two more things decide the mount. EFS also reads the **file system policy**: in the same
# account, an allow there for the task role is enough, and an explicit deny there wins. And a
# volume mounted read-only needs only `ClientMount`.
#
# <details><summary>What the simulation does not do (EFS)</summary>
#
# - The app sees no files: only the mount and its permissions are simulated.
# - Access points, `rootDirectory` and `elasticfilesystem:ClientRootAccess` are not modelled.
# - A file system with *no* policy gets EFS's default one, which grants every client that can
#   reach a mount target full access: the task role would not matter. That is why the lab's file
#   system has a policy (it only refuses clients without Transport Layer Security, TLS); `fs.delete_policy()` removes it.
# - On AWS, a writable volume without `ClientWrite` is mounted read-only, and the task starts;
#   the lab shows the refused `ClientWrite` only in the trace.
#
# </details>

# %% [markdown]
# ## The rule of thumb, revisited
#
# Sort the calls by *who makes them*, and the roles fall into place:
#
# | Job | When | Caller | Role | Refused: what you see |
# |---|---|---|---|---|
# | image pull, `awslogs` stream, injected secrets | launch | ECS agent | execution | `TaskFailedToStart`; the error names the execution role |
# | the FireLens router's image | launch | ECS agent | execution | `TaskFailedToStart` |
# | EFS mount with IAM authorization | launch | mount helper | **task** | `TaskFailedToStart`; the error names no role |
# | FireLens shipping the app's logs | run | log router | **task** | the task runs; logs missing; the router's output says why |
# | ECS Exec channels | run | SSM agent | **task** | the task runs; `TargetNotConnectedException` |
# | your app's calls | run | your app | **task** | AccessDenied in the app's log |
#
# `diagnose` knows these too. The cell gives it the three failures of this notebook, as they
# were printed above.

# %%
from ecslab import diagnose

failures = {
    "ECS Exec": "An error occurred (TargetNotConnectedException) when calling the ExecuteCommand "
                "operation: The execute command failed due to an internal error. Try again later.",
    "FireLens": "[error] [output:cloudwatch_logs:cloudwatch_logs.0] CreateLogStream API responded "
                "with error='AccessDeniedException', message='User: arn:aws:sts::123456789012:"
                "assumed-role/ecs-task-role/0123456789abcdef0123456789abcdef is not authorized to "
                "perform: logs:CreateLogStream on resource: arn:aws:logs:ap-northeast-1:"
                "123456789012:log-group:/ecs/orders:log-stream:firelens-orders'",
    "EFS": "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS "
           "volumes: stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/' "
           ": unsuccessful EFS utils command execution; code: 32",
}
for job, message in failures.items():
    found = diagnose(message)
    print(f"{job:<10} suspect: {found.role:<10} phase: {found.phase:<7} category: {found.category}")

# %% [markdown]
# ## Your turn
#
# Each exercise's first cell loads its setup into your lab: it puts the course's roles back as they
# start. Do the exercises one at a time; to come back to one, run its first cell again. `exN.check()`
# says whether the feature works in the last task you ran, and whether you changed only the right
# role; `exN.hint()` gives hints, more specific each time; `exN.solution()` shows an answer.
#
# ### Exercise 1: a shell in the orders container

# %%
ex1 = lab.exercise("09-ecs-exec")
ex1

# %%
# Your code here: run the task with ECS Exec, read who was refused, fix that role, run it again.

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### Exercise 2: the logs that never arrive

# %%
ex2 = lab.exercise("09-firelens")
ex2

# %%
# Your code here: from ecslab.ecs.firelens import with_log_router, run the task with the router,
# read the router's output, fix the role it wears, run it again.

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### Exercise 3: the volume that will not mount

# %%
ex3 = lab.exercise("09-efs")
ex3

# %%
# Your code here: from ecslab.ecs.efs import with_efs_volume, run the task with the volume,
# find who was refused, fix that role (or the file system policy), run it again.

# %%
ex3.check()

# %%
# ex3.hint()
# ex3.solution()

# %% [markdown]
# ### Exercise 4 (a mystery): all three jobs at once

# %%
ex4 = lab.exercise("09-mystery")
ex4

# %%
# Your code here: run the task with all three jobs, find the job and the role at fault, fix it.

# %%
ex4.check()

# %%
# ex4.hint()
# ex4.solution()

# %% [markdown]
# ## Key points
#
# - ECS Exec's SSM agent, inside your task, opens its `ssmmessages` channels with the
#   **task role**. Without them the task runs, and `execute_command` answers
#   `TargetNotConnectedException`, "an internal error".
# - The same permissions on the execution role change nothing: only the ECS agent wears it
#   (image pull, injected secrets, `awslogs`).
# - A FireLens log router ships the app's logs with the **task role**; the execution role only
#   pulls its image (and ships the router's own output with `awslogs`). Refused, the task runs,
#   the logs never arrive, and only the router's output says why.
# - An EFS volume with IAM authorization is mounted at launch, but with the **task role**
#   (`ClientMount`, `ClientWrite`): of this notebook's launch failures, the one the execution role
#   cannot fix. Its `stoppedReason` names no role; the trace does.
# - Ask *who makes the call*, not *does it feel like infrastructure*: a process in the task signs
#   with the task role.

# %% [markdown]
# ## What's next
#
# Notebook 10 ([10_not_iam.ipynb](10_not_iam.ipynb)) looks at failures that are not about either
# role: a network with no route to AWS, an image that does not exist, a resource that is missing.
