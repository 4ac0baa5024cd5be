# %% [markdown]
# # The workbench: predict, change a role, run, compare
#
# You have met both roles of an Amazon Elastic Container Service (ECS) task: the **task execution
# role**, used by the ECS agent while it launches the task, and the **task role**, used by your
# application while it runs. This notebook gives you a place to play with them: the **role
# workbench**, where you switch AWS Identity and Access Management (IAM) policies on and off, press
# **Run task** and see at once what happened and who was refused.
#
# Play with a habit: **predict, then run, then compare**. Before each run, say what you expect —
# which phase, which caller, which action — and then check.

# %% [markdown]
# ## What you will learn
#
# - To predict what a task will ask for, and from whom, with the plan view `lab.plan()`.
# - To use the workbench: toggle managed policies, edit an inline policy, run the task, read its
#   status, logs, diagram and trace — by clicking, or with the same handlers in code.
# - To tell in seconds which role a failure points to, from *when* it happened.

# %% [markdown]
# ## Before you start
#
# - Run [00 Start here](00_start_here.ipynb) first; notebooks 01 to 03 explain what you see here.
# - The workbench is an interactive widget (ipywidgets): it works in a running notebook. In a file
#   you only read, each workbench shows as one line of text.
# - Allow about 40 minutes.
#
# The next cell builds a fresh simulated account, the workbench `wb` on its two roles, and
# `compare(prediction, task)`, which puts your prediction beside what happened: the first refused
# call (phase, caller, action) and the task's status. Run it again to start the notebook over.

# %%
from ecslab import Lab

lab = Lab()
wb = lab.workbench()


def compare(prediction, task):
    """Your prediction beside what happened: the first refused call, the task's status."""
    refused = next((e for e in task.trace if not e.allowed), None)
    print("You predicted:", prediction)
    print("What happened:", (refused.phase, refused.principal, refused.action)
          if refused else "nothing refused")
    print(task.summary())


lab

# %% [markdown]
# ## The two phases as a picture
#
# Run the course's task once, with the roles as the course starts them, and draw it.

# %%
healthy = lab.run_task()
healthy.diagram()

# %% [markdown]
# How to read the picture (its text description, under it, says the same):
#
# - Outside the boxes, *Amazon ECS* assumes both roles and hands each to its wearer.
# - The **launch** box: the *ECS agent*, wearing `ecs-execution-role`, gets the registry token,
#   fetches the injected secrets (with the Key Management Service, KMS, to decrypt them), pulls the
#   image and creates the log stream.
# - The **run** box: the *orders app*, wearing `ecs-task-role`, makes its own calls; the agent
#   then ships the app's output to CloudWatch Logs, still with the execution role.
# - Each arrow is one IAM action, numbered in the order it happened. ✓ solid: allowed. ✗ dashed:
#   denied, with the reason. ○ dotted: never reached, because the task stopped first.

# %% [markdown]
# The rule this picture teaches: **a refusal in the launch box is the execution role's; a refusal
# in the run box, by the app, is the task role's.**
#
# A refusal on one of Amazon ECS's hand-over arrows, outside the boxes, is neither role's
# permissions: ECS could not assume the role, because its **trust policy** does not let
# `ecs-tasks.amazonaws.com` assume it (a wrong principal, or a failing `aws:SourceAccount` or
# `aws:SourceArn` condition). RunTask itself then fails, and the error names the role whose trust
# policy to fix; notebook 06 shows it.

# %% [markdown]
# ## Predict with the plan view
#
# `lab.plan()` draws the same picture *before* anything runs: every call the task definition will
# lead to, who will make it, wearing which role, and why. It does not say whether a call will be
# allowed: that is your prediction to make.

# %%
lab.plan()

# %% [markdown]
# To predict a run, go through the plan line by line and ask: *does the role named here have a
# policy that allows this action on this resource?* The role cards say what each role has, and how
# many actions each policy grants:

# %%
lab.execution_role.card()

# %%
lab.task_role.card()

# %% [markdown]
# The first call the roles do not allow is where the task will stop. In the launch phase, the task
# never starts (`TaskFailedToStart`) and writes no log line. In the run phase, the app runs up to
# that call, logs the error and exits with code 1.
#
# ## The role workbench
#
# Here it is. At the top, **Run task** runs the orders task with the roles as they are now, and a
# line beside it says how the last run ended; **Reset** puts both roles back. *Broken setups*, folded,
# loads one of the course's broken setups. Below:
#
# - a tab per role, *Task execution role* and *Task role*, each with its *AWS managed policies*
#   (ticked = attached), its *Inline policies* (an editor checked as you type, saved with **Save
#   inline policy**) and its *Trust policy*;
# - the last task's *Status & logs*, *Diagram* and *Trace*, each in a tab.

# %%
wb.reset()  # the course's roles, whatever ran before
wb

# %% [markdown]
# Every click is an IAM call made as you, exactly like `lab.execution_role.attach(...)` in code, so
# the workbench shows only what IAM accepted, and IAM's own error when it refused.
#
# Everything the workbench does by clicking, it also does through methods. This notebook uses them,
# so that each step is recorded and reproducible; you can click instead of running a cell.

# %% [markdown]
# | Click | Code |
# |---|---|
# | tick or untick a managed policy | `wb.execution.toggle("PolicyName", True)` (or `False`) |
# | edit, then **Save inline policy** | `wb.task.apply_inline("policy-name", json_text)` |
# | choose a policy, **Remove inline policy** | `wb.task.remove_inline("policy-name")` |
# | **Run task** / **Reset** | `task = wb.run()` / `wb.reset()` |
# | choose a setup, **Load scenario** | `wb.load("scenario-key")` |
#
# `wb.execution` is the execution role's tab, `wb.task` the task role's. A change made in code shows
# in the workbench above too.

# %% [markdown]
# ## Guided challenges
#
# ### Challenge 1: the article's situation
#
# The article this course comes from: the task does not start, CloudWatch Logs is empty, and the
# author keeps adding permissions to the task role.
#
# **Change**: untick `AmazonECSTaskExecutionRolePolicy` in the *Task execution role* tab.
# **Predict**: look at the plan above: which is the first call the execution role can no longer
# make, in which phase, by whom? Write it in the next cell in place of `"?"`, for example
# `("launch", "ECS agent", "logs:CreateLogStream")`. **Run and compare**: run the cell.

# %%
prediction = "?"  # your prediction: (phase, caller, action), or "nothing refused"
wb.reset()
wb.execution.toggle("AmazonECSTaskExecutionRolePolicy", False)
compare(prediction, wb.run())

# %% [markdown]
# The ECS agent's first call, for the registry token (`ecr:GetAuthorizationToken`), was refused
# to the ECS agent wearing `ecs-execution-role`. Everything after it was never reached (dotted in
# the workbench's diagram): the log stream was never created, and the app never ran. That is why
# the article's CloudWatch Logs was empty.
#
# **The wrong fix.** Do what the article's author did: on the *Task role*, tick
# `AmazonEC2ContainerRegistryReadOnly` and `CloudWatchLogsFullAccess`. Predict: will anything
# change? The cell makes the same broken launch first, so that it can be run on its own.

# %%
prediction = "?"  # your prediction
wb.reset()
wb.execution.toggle("AmazonECSTaskExecutionRolePolicy", False)  # the article's situation
wb.task.toggle("AmazonEC2ContainerRegistryReadOnly", True)
wb.task.toggle("CloudWatchLogsFullAccess", True)
compare(prediction, wb.run())

# %% [markdown]
# The same refusal, by the same caller, wearing the same role. The task role is handed to the
# application, which never got to run: nothing it may do can matter before it starts.
#
# **The right fix.** Untick the two policies on the task role (they were never needed), tick
# `AmazonECSTaskExecutionRolePolicy` on the execution role again, and run.

# %%
wb.task.toggle("AmazonEC2ContainerRegistryReadOnly", False)
wb.task.toggle("CloudWatchLogsFullAccess", False)
wb.execution.toggle("AmazonECSTaskExecutionRolePolicy", True)
compare("nothing refused", wb.run())

# %% [markdown]
# ### Challenge 2: the article's Terraform policies
#
# The article's Terraform does not attach `AmazonECSTaskExecutionRolePolicy`: it gives the execution
# role `AmazonEC2ContainerRegistryReadOnly` and `CloudWatchLogsFullAccess` instead (and says itself
# that the logs policy should be narrowed). Make that change on the *execution* role this time, then
# predict: will the task start? Will the app finish? The cell then shows the role's card.

# %%
prediction = "?"  # your prediction
wb.reset()
wb.execution.toggle("AmazonECSTaskExecutionRolePolicy", False)
wb.execution.toggle("AmazonEC2ContainerRegistryReadOnly", True)
wb.execution.toggle("CloudWatchLogsFullAccess", True)
compare(prediction, wb.run())
lab.execution_role.card()

# %% [markdown]
# It works: the launch needs the registry token, the image and the log stream, and these two
# policies allow all of that, with the `orders-launch-secrets` inline policy still covering the
# injected secrets (notebook 07 shows the two failing alone).
#
# But compare the card with the healthy role's, further up. Working is not least privilege:
# `CloudWatchLogsFullAccess` lets the agent's credentials do every CloudWatch Logs action there is,
# deleting log groups included, where the agent needs two (`logs:CreateLogStream` at launch,
# `logs:PutLogEvents` to ship the app's output). Notebook 06 narrows it.

# %% [markdown]
# ### Challenge 3: edit the task role's inline policy
#
# This time, break the *app's* side, in the inline-policy editor. In the *Task role* tab, under
# *Inline policies*, the editor shows `orders-app`. Delete the whole statement whose `Sid` is
# `Notifications` (mind the commas), then press **Save inline policy**. The next cell does the same
# with the same handler.
#
# **Predict** first: will the task start? Will there be log lines? Which will be the last one, and
# which role will it name?

# %%
import json

prediction = "?"  # your prediction
wb.reset()
document = lab.task_role.inline_policy("orders-app")
document["Statement"] = [s for s in document["Statement"] if s["Sid"] != "Notifications"]
wb.task.apply_inline("orders-app", json.dumps(document, indent=2))
task = wb.run()
compare(prediction, task)
print("Last log line:", task.logs[-1])

# %% [markdown]
# This time the task started: the refusal is in the run phase, by the orders app, wearing
# `ecs-task-role`, and the app's own log line says so. Every call before it worked; the payments API
# key was never read (dotted in the workbench's *Diagram* tab).
#
# The editor also protects you from typing mistakes. IAM refuses a malformed policy, and the
# workbench says why instead of saving it (here `"Effect": "Alow"`). The cell shows the message the
# workbench puts under the editor:

# %%
from IPython.display import HTML

broken = (
    '{"Version": "2012-10-17", "Statement": '
    '[{"Effect": "Alow", "Action": "sns:Publish", "Resource": "*"}]}'
)
print("saved:", wb.task.apply_inline("typo", broken))
print("the task role's policies:", lab.task_role.policies)
HTML(wb.task.inline_messages.value)

# %% [markdown]
# It gives IAM's `MalformedPolicyDocument` error ("Syntax errors in policy."), with ecslab's note in
# brackets on which statement and field, and the role is unchanged. Reset the roles once
# more:

# %%
wb.reset()
compare("nothing refused", wb.run())

# %% [markdown]
# ## Your turn
#
# Each exercise's first cell loads a broken setup into the lab; the next one shows a workbench of
# its own on that setup. To come back to an exercise later, run its first cell again. Predict with
# `lab.plan()` and the role cards, fix it in the workbench (or in code), run the task, then run the
# check. It reads the lab, the roles and the tasks you ran, so a fix made by clicking counts exactly
# like one typed as code. `hint()` gives a hint about where you stand, then more specific ones;
# `solution()` shows an answer, in workbench code. Try first!
#
# ### Exercise 1: the notification that nothing seems to allow

# %%
ex1 = lab.exercise("04-explicit-deny")
ex1

# %%
deny_bench = lab.workbench(scenarios=False)
deny_bench

# %%
# Your code here (or click in the workbench above, then Run task)

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### Exercise 2: the task that does not start

# %%
ex2 = lab.exercise("04-decrypt")
ex2

# %%
decrypt_bench = lab.workbench(scenarios=False)
decrypt_bench

# %%
# Your code here (or click in the workbench above, then Run task)

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ## Key points
#
# - **Launch**: the ECS agent, with the task execution role (registry token, injected secrets and
#   their KMS key, image, log stream). **Run**: your app, with the task role (and the agent shipping
#   logs, with the execution role).
# - `lab.plan()` shows every call before the task runs; with the role cards, it predicts where a
#   task will stop.
# - The workbench changes the roles through IAM, like code does; its handlers (`toggle`,
#   `apply_inline`, `remove_inline`, `run`, `reset`, `load`) do the same in code.
# - A refusal before the app starts is the execution role's (except a refused RunTask: a trust
#   policy, or your own `iam:PassRole`); adding to the task role changes nothing. A refusal the app
#   logs is the task role's.
# - A policy set that works is not necessarily least privilege: count what it grants.

# %% [markdown]
# ## What's next
#
# Notebook 05, *Troubleshooting*: mystery tasks. Read the `stoppedReason`, the logs and *when* it
# failed, name the role, and fix it.
