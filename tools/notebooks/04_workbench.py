# %% [markdown]
# # The workbench: predict, change a role, run, compare
#
# You have met both roles of an Amazon Elastic Container Service (ECS) task: the **task execution
# role**, used by the ECS agent while it launches the task, and the **task role**, used by your
# application while it runs. This notebook gives you a place to play with them: the **role
# workbench**, where you switch AWS Identity and Access Management (IAM) policies on and off, press
# **Run task** and see at once what happened and who was refused.
#
# Playing is more useful with a habit: **predict, then run, then compare**. Before each run, say
# what you expect — which phase, which caller, which action — and then check.
#
# ## What you will learn
#
# - To picture a task's two phases, launch and run, and who calls AWS in each.
# - To predict what a task will ask for, and from whom, with the plan view `lab.plan()`.
# - To use the workbench: toggle managed policies, edit an inline policy, run the task, read its
#   status, logs, diagram and trace — by clicking, or with the same handlers in code.
# - To tell in seconds which role a failure points to, from *when* it happened.
#
# ## Before you start
#
# Run [00 Start here](00_start_here.ipynb) first; notebooks 01 to 03 explain what you will see here.
# The workbench is an interactive widget (ipywidgets): it works in a running notebook (JupyterLab or
# Jupyter Notebook). If you are only reading this file, each workbench shows as one line of text —
# run the notebook to get the real thing. Allow about 30 minutes.
#
# The next cell builds a fresh simulated account; running it again starts the notebook over.

# %%
from ecslab import Lab

lab = Lab()
lab

# %% [markdown]
# ## The two phases as a picture
#
# Run the course's task once, with the roles as the course starts them, and draw it.

# %%
healthy = lab.run_task()
healthy.diagram()

# %% [markdown]
# How to read the picture (the sentences under it say the same thing):
#
# - On the left, outside the boxes, *Amazon ECS* assumes both roles for the task and hands each
#   to its wearer.
# - The top box is the **launch** phase. The *ECS agent*, wearing `ecs-execution-role`, gets the
#   registry token, fetches the injected secrets (with KMS, the Key Management Service, to decrypt
#   them), pulls the image and creates the log stream.
# - The bottom box is the **run** phase. The *orders app*, wearing `ecs-task-role`, reads its
#   configuration, writes and reads an order, sends an event, publishes a notification and reads
#   the payments API key. The agent then ships the app's output to CloudWatch Logs — still with
#   the execution role.
# - Each arrow is one IAM action. ✓ and a solid line: allowed. ✗ and a dashed line: denied (with
#   the reason). ○ and a dotted line: never reached, because the task stopped first. Marks and line
#   styles say it even without the colours.
#
# The rule this picture teaches: **a refusal in the launch box is the execution role's; a refusal
# in the run box, by the app, is the task role's.** A refusal on one of Amazon ECS's hand-over
# arrows, outside the boxes, is neither role's permissions: ECS could not assume the role (its trust
# policy does not let `ecs-tasks.amazonaws.com` assume it: a wrong principal, or a failing
# `aws:SourceAccount`/`aws:SourceArn` condition), RunTask itself fails, and the error names the
# role whose **trust policy** to fix — notebook 06 shows it.
#
# ## Predict with the plan view
#
# `lab.plan()` draws the same picture *before* anything runs: every call the task definition will
# lead to, who will make it, wearing which role, and why. It reads the task definition (images,
# secrets, log configuration, roles) and what the orders app is known to call. It does not say
# whether a call will be allowed: that is your prediction to make.

# %%
lab.plan()

# %% [markdown]
# To predict a run, go through the plan line by line and ask: *does the role named here
# have a policy that allows this action on this resource?* The role cards tell you what each role has
# (and how many actions each policy grants):

# %%
lab.execution_role.card()

# %%
lab.task_role.card()


# %% [markdown]
# The first call the roles do not allow is where the task will stop. If it is in the launch
# phase, the task never starts (`TaskFailedToStart`) and writes no log line; if it is in the run
# phase, the app runs up to that call, logs the error and exits with code 1.
#
# The small helper below puts your prediction beside what happened: the first refused call (phase,
# caller, action) and the task's status.

# %%
def compare(prediction, task):
    """Your prediction beside what happened: the first refused call, the task's status."""
    refused = next((e for e in task.trace if not e.allowed), None)
    print("You predicted:", prediction)
    print("What happened:", (refused.phase, refused.principal, refused.action)
          if refused else "nothing refused")
    print(task.summary())


# %% [markdown]
# ## The role workbench
#
# Here it is, on the healthy roles (the notebook resets them first, so this cell always shows the
# course's starting point):
#
# - **Two panels**, *Task execution role* and *Task role*. In each: a checkbox per AWS managed
#   policy (ticked = attached), the role's inline policies in an editor (checked as you type; saved
#   with **Save inline policy**), and the trust policy.
# - **Run task** runs the orders task with the roles as they are now; **Reset** puts both roles
#   back; **Scenario** and **Load scenario** load one of the course's broken setups.
# - Under the buttons: the task's status and `stoppedReason`, its CloudWatch log lines, the
#   diagram ("Who called what") and the trace.
#
# Every click is an IAM call made as you, exactly like `lab.execution_role.attach(...)` in code, so
# the workbench shows only what IAM accepted, and IAM's own error when it refused.

# %%
lab.reset_roles()
wb = lab.workbench()
wb

# %% [markdown]
# Everything the workbench does by clicking, it also does through methods, and this
# notebook uses them so that each step is recorded and reproducible:
#
# | Click | Code |
# |---|---|
# | tick or untick a managed policy | `wb.execution.toggle("PolicyName", True)` (or `False`) |
# | edit and **Save inline policy** | `wb.task.apply_inline("policy-name", json_text)` |
# | choose a policy, **Remove inline policy** | `wb.task.remove_inline("policy-name")` |
# | **Run task** | `task = wb.run()` |
# | **Reset** | `wb.reset()` |
# | choose a scenario, **Load scenario** | `wb.load("scenario-key")` |
#
# `wb.execution` is the execution role's panel, `wb.task` the task role's. When code changes a
# role through the workbench, the workbench above updates too: scroll up to
# see it. You can also do each step below by clicking instead of running the cell.
#
# ## Guided challenges
#
# ### Challenge 1: the article's situation
#
# The article this course comes from: the task does not start, CloudWatch Logs is empty, and the
# author keeps adding permissions to the task role.
#
# **Change.** In the *Task execution role* panel, untick `AmazonECSTaskExecutionRolePolicy` — or
# run the next cell.

# %%
wb.execution.toggle("AmazonECSTaskExecutionRolePolicy", False)
print(lab.execution_role.policies)

# %% [markdown]
# **Predict.** Look at the plan again (scroll up to `lab.plan()`): which is the first call
# the execution role can no longer make? Which phase is it in, and who makes it? Write it in the next
# cell, in place of `"?"`, for example `("launch", "ECS agent", "logs:CreateLogStream")`.

# %%
prediction = "?"  # your prediction: (phase, caller, action) or "nothing refused"

# %% [markdown]
# **Run and compare.** Press **Run task** — or run the next cell.

# %%
task = wb.run()
compare(prediction, task)

# %% [markdown]
# The very first call of the launch, the registry token (`ecr:GetAuthorizationToken`), was
# refused to the ECS agent wearing `ecs-execution-role`. Everything after it was never reached: in
# the workbench's diagram they are dotted. The launch stopped before the agent's
# `logs:CreateLogStream`, so the log stream was never even created, and the app never ran — that is
# why the article's CloudWatch Logs was empty.
#
# **The wrong fix.** Do what the article's author did: in the *Task role* panel, tick
# `AmazonEC2ContainerRegistryReadOnly` and `CloudWatchLogsFullAccess`. Predict: will anything
# change? Then run.

# %%
wb.task.toggle("AmazonEC2ContainerRegistryReadOnly", True)
wb.task.toggle("CloudWatchLogsFullAccess", True)
prediction = "?"  # your prediction
task = wb.run()
compare(prediction, task)

# %% [markdown]
# The same refusal, by the same caller, wearing the same role. The task role is handed to
# the application, which never got to run: nothing it is allowed to do can matter before it starts.
#
# **The right fix.** Untick the two policies on the task role (they were never needed), tick
# `AmazonECSTaskExecutionRolePolicy` on the execution role again, and run.

# %%
wb.task.toggle("AmazonEC2ContainerRegistryReadOnly", False)
wb.task.toggle("CloudWatchLogsFullAccess", False)
wb.execution.toggle("AmazonECSTaskExecutionRolePolicy", True)
task = wb.run()
compare("nothing refused", task)

# %% [markdown]
# ### Challenge 2: the article's Terraform policies
#
# The article's Terraform does not attach `AmazonECSTaskExecutionRolePolicy`; it gives the
# execution role `AmazonEC2ContainerRegistryReadOnly` and `CloudWatchLogsFullAccess` instead (and
# notes itself that the logs policy should be narrowed). Make that change on the *execution* role
# this time, then predict: will the task start? Will the app finish?

# %%
wb.execution.toggle("AmazonECSTaskExecutionRolePolicy", False)
wb.execution.toggle("AmazonEC2ContainerRegistryReadOnly", True)
wb.execution.toggle("CloudWatchLogsFullAccess", True)
prediction = "?"  # your prediction
task = wb.run()
compare(prediction, task)

# %% [markdown]
# It works: the launch needs the registry token, the image and the log stream, and these
# two policies allow all of that — together with the `orders-launch-secrets` inline policy, still
# attached, which covers the injected secrets (notebook 07 shows these two policies failing alone). But compare what the execution role grants now with the healthy
# role's card further up:

# %%
lab.execution_role.card()

# %% [markdown]
# Working is not the same as least privilege: `CloudWatchLogsFullAccess` lets the ECS
# agent's credentials do every CloudWatch Logs action there is — delete log groups included —
# where the agent needs two (`logs:CreateLogStream` at launch, `logs:PutLogEvents` to ship the
# app's output). Notebook 06 narrows it. Put the roles back before the next
# challenge: press **Reset**, or run the next cell.

# %%
wb.reset()
print(lab.execution_role.policies, lab.task_role.policies)

# %% [markdown]
# ### Challenge 3: edit the task role's inline policy
#
# This time, break the *app's* side, in the inline-policy editor. In the *Task role* panel, the
# editor shows `orders-app`. Delete the whole statement whose `Sid` is `Notifications` (mind the
# commas), then press **Save inline policy**. The next cell does the same with the same handler.
#
# **Predict** first: will the task start? Will there be log lines? Which will be the last one, and
# which role will it name?

# %%
import json

document = lab.task_role.inline_policy("orders-app")
document["Statement"] = [s for s in document["Statement"] if s["Sid"] != "Notifications"]
wb.task.apply_inline("orders-app", json.dumps(document, indent=2))

prediction = "?"  # your prediction
task = wb.run()
compare(prediction, task)
print("Last log line:", task.logs[-1])

# %% [markdown]
# This time the task started: the refusal is in the run phase, by the orders app, wearing
# `ecs-task-role`, and the app's own log line says so. Every call before it worked; the payments
# API key was never read (dotted in the diagram).
#
# The editor also protects you from typing mistakes. IAM refuses a malformed policy, and the
# workbench says why instead of saving it (here `"Effect": "Alow"`):

# %%
broken = (
    '{"Version": "2012-10-17", "Statement": '
    '[{"Effect": "Alow", "Action": "sns:Publish", "Resource": "*"}]}'
)
print("saved:", wb.task.apply_inline("typo", broken))
print("roles unchanged:", lab.task_role.policies)

# %% [markdown]
# The message under the editor (in the workbench above) quotes IAM's
# `MalformedPolicyDocument` error. Here it is again, as the workbench shows it:

# %%
from IPython.display import HTML

HTML(wb.task.inline_messages.value)

# %% [markdown]
# Reset the roles once more:

# %%
wb.reset()
compare("nothing refused", wb.run())

# %% [markdown]
# ## Your turn
#
# Each exercise loads a broken setup into the lab, then shows a workbench of its own on that setup.
# Predict with `lab.plan()` and the role cards, fix it in the workbench (or in code), run the task,
# then run `ex.check()`. The check reads the lab — the roles and the tasks you ran — so a fix made
# by clicking counts exactly like one typed as code. `ex.hint()` gives a hint (more specific each
# time); `ex.solution()` shows an answer, in workbench code — try first!
#
# ### Exercise 1: the notification that nothing seems to allow

# %%
ex = lab.exercise("04-explicit-deny")
ex

# %%
deny_bench = lab.workbench(scenarios=False)
deny_bench

# %%
# Your code here (or click in the workbench above, then Run task)

# %%
ex.check()

# %%
# ex.hint()

# %%
# ex.solution()

# %% [markdown]
# ### Exercise 2: the task that does not start

# %%
ex = lab.exercise("04-decrypt")
ex

# %%
decrypt_bench = lab.workbench(scenarios=False)
decrypt_bench

# %%
# Your code here (or click in the workbench above, then Run task)

# %%
ex.check()

# %%
# ex.hint()

# %%
# ex.solution()

# %% [markdown]
# ## Key points
#
# - A task has two phases. **Launch**: the ECS agent, with the task execution role (registry token,
#   injected secrets and their KMS key, image, log stream). **Run**: your app, with the task role
#   (and the agent shipping logs, with the execution role).
# - `lab.plan()` shows every call before the task runs; comparing it with the role cards predicts
#   where a task will stop.
# - The workbench changes the roles through IAM, like code does: tick, untick, edit, **Run task**,
#   read the status, the logs, the diagram and the trace. Its handlers (`toggle`, `apply_inline`,
#   `remove_inline`, `run`, `reset`, `load`) do the same in code.
# - A refusal before the app starts is the execution role's — except a refused RunTask (a trust
#   policy, or your own `iam:PassRole`); adding to the task role changes nothing. A refusal the app
#   logs is the task role's.
# - A policy set that works is not necessarily least privilege: count what it grants.
# - An explicit `Deny` wins over every `Allow`.
#
# ## What's next
#
# Notebook 05, *Troubleshooting*, gives you mystery tasks: read the `stoppedReason`, the logs and
# *when* it failed, name the role, and fix it.
