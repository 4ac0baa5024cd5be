# %% [markdown]
# # Troubleshooting: which role is at fault?
#
# An Amazon Elastic Container Service (ECS) task fails and the error mentions "not authorized".
# Which of the two roles do you fix? The article this course is built on ends with the author's own
# rule of thumb, learned the hard way:
#
# > When a permission error occurs:
# > - the task does not start, or goes STOPPED → suspect the **task execution role**;
# > - the task starts, but the application gets AccessDenied while it runs → suspect the
# >   **task role**.
# >
# > Read the error message in CloudWatch Logs *together with when the error happened* (at launch
# > or at run time), and the role at fault becomes easy to name.
#
# Here you turn that rule into a method, try it on "mystery tasks" whose broken role you are not
# told, and let the course's coach read error messages pasted from real accounts.

# %% [markdown]
# ## What you will learn
#
# - To ask three questions of any failed task: did RunTask create it, did it start, and who was
#   refused?
# - To read `stoppedReason`, the CloudWatch Logs lines and the trace together, in time order.
# - To name the role at fault from the session in the error (`assumed-role/<role>/<session>`) and
#   from *when* the call was made — not from the role's name.
# - To use `diagnose` and `ecslab explain` on the lab's errors and on real ones, and to recognise
#   failures that are not about either role.

# %% [markdown]
# ## Before you start
#
# You know what the task execution role and the task role are for (notebooks 01 to 03).
# Everything runs in a simulated AWS account on your computer; AWS Identity and Access Management
# (IAM) decides every call. Allow about 50 minutes.
#
# The next cell builds a fresh lab (run it again to start over). It also defines `triage(task)`:
# the rule of thumb's questions as code. Read it: it prints only what a task shows you, and leaves
# the verdict to you. It tries it on a healthy task.

# %%
import re

from ecslab import Lab, diagnose
from ecslab.coach.lessons.nb05 import mystery, suspect

lab = Lab()  # a fresh simulated AWS account: run this cell again to start over


def triage(task):
    """The evidence the article's rule of thumb asks about. Which role is at fault: your call."""
    if task.failure:  # RunTask itself said no: there is no task at all
        print("Did RunTask create a task?  no. Its error:")
        print(task.failure)
        print("? No task: neither launch nor run began. Who was refused what? (task.trace)")
        return
    print("Did RunTask create a task?  yes")
    print(f"Did the task start?         {'yes' if task.started else 'no'} "
          f"(stopCode {task.stop_code}, {len(task.logs)} log lines)")
    if task.started:
        print(f"The app's exit code:        {task.exit_code}")
        # AWS words a refusal in several ways: "... is not authorized to perform ...",
        # S3's bare "Access Denied", KMS's "... or you are not allowed to access ...".
        signs = ("not authorized", "AccessDenied", "Access Denied", "not allowed to access")
        refusals = [line for line in task.logs if any(sign in line for sign in signs)]
        evidence = refusals[-1] if refusals else "(none)"
        print("Last refusal in its log:   ", evidence)
    else:
        evidence = task.stopped_reason
        print("stoppedReason:             ", evidence)
    session = re.search(r"assumed-role/\S+", evidence)
    print("Refused session:           ", session.group() if session else "(none named)")
    if task.exit_code != 0:
        print("? Refused at launch (the ECS agent) or at run time (your app)? Which role to fix?")


triage(lab.run_task())

# %% [markdown]
# ## The rule of thumb, made precise
#
# Careful with one word of the rule: *every* task in this lab ends STOPPED, even a healthy one,
# because the orders app does its work and exits. What tells a launch failure from a run failure is
# the stop code and whether the container started. And RunTask itself can refuse, a case the
# article does not mention: then there is no task at all.
#
# | What you see | When | Who was calling | Suspect |
# |---|---|---|---|
# | RunTask fails; no task exists | before launch | ECS, or you | trust, or your `iam:PassRole` |
# | TaskFailedToStart; no log line | launch | the ECS agent | the task execution role |
# | started; "not authorized" in the app's log; exit 1 | run | the application | the task role |
# | started; exit code not 0; no "not authorized" | run | the application | neither: the app's bug |
#
# <details><summary>"Before launch" in the trace and in <code>diagnose</code></summary>
#
# "Before launch" means inside the RunTask call, before the ECS agent makes any call. The trace has
# no phase of that name: it files ECS assuming a role under `launch` (the first thing a launch
# does) and your own `iam:PassRole` check under `admin`; `diagnose` calls the whole moment the
# *deploy* phase.
#
# </details>

# %% [markdown]
# ## Mystery A
#
# `mystery(lab, "A")` puts the course roles back as they start, then changes something in them
# without telling you what. The cell loads it, runs the task, triages it and shows its trace.
#
# **Predict** first: if the task does not start, how many log lines will it have? Then, from the
# output, decide which role you would fix before you read on.

# %%
case = mystery(lab, "A")
task_a = lab.run_task()
triage(task_a)
task_a.trace.to_frame()[["time", "phase", "principal", "role", "action", "decision"]]

# %% [markdown]
# Read the `stoppedReason` from the inside out:
#
# - `ResourceInitializationError: unable to pull secrets or registry auth` — Fargate's wording for
#   a failure while it prepares the task, before any container starts;
# - `failed to fetch secret ... from secrets manager` — the agent was fetching the database
#   password that the task definition injects as an environment variable;
# - `User: ...:assumed-role/ecs-execution-role/<task id>` — **who** was refused: a session of
#   `ecs-execution-role` named after the task's id. That is the ECS agent working for this task.
#
# The trace agrees: Amazon ECS assumed both roles, then the ECS agent made the launch calls as the
# execution role until one was refused. The application never made a call. So the fix belongs to
# the **task execution role**.

# %% [markdown]
# Allow the execution role to read that one secret: its Amazon Resource Name (ARN) is
# `lab.resources.db_secret_arn`. Run the task again, and only then look at what the mystery was.

# %%
case = mystery(lab, "A")  # the same mystery as above
document = lab.execution_role.inline_policy("orders-launch-secrets")
document["Statement"].append({"Sid": "InjectDatabasePassword", "Effect": "Allow",
                              "Action": "secretsmanager:GetSecretValue",
                              "Resource": lab.resources.db_secret_arn})
lab.execution_role.put_inline("orders-launch-secrets", document)
triage(lab.run_task())
case.reveal()

# %% [markdown]
# ## Mystery B
#
# Same method, another mystery. **Predict**: if the launch goes well and the application is
# refused, what will `stoppedReason` say? The cell also prints the app's whole log. Decide which
# role you would fix before you read on.

# %%
case = mystery(lab, "B")
task_b = lab.run_task()
triage(task_b)
print()
print("stoppedReason:", task_b.stopped_reason)
print("The app's log, all of it:")
for line in task_b.logs:
    print("  ", line)

# %% [markdown]
# `stoppedReason` only says that the essential container exited: ECS does not know *why* your
# application stopped. The reason is in the application's own output, which the awslogs driver
# shipped to CloudWatch Logs. The app read its configuration, wrote to DynamoDB, and was refused
# when it sent its event to Amazon Simple Queue Service (SQS) — as `ecs-task-role`, while it ran.
#
# The app's calls are the **task role**'s business, so the fix goes there: allow
# `sqs:SendMessage` on the orders-events queue, and nothing more.

# %%
case = mystery(lab, "B")  # the same mystery as above
document = lab.task_role.inline_policy("orders-app")
document["Statement"].append({"Sid": "OrderEvents", "Effect": "Allow",
                              "Action": "sqs:SendMessage", "Resource": lab.resources.queue_arn})
lab.task_role.put_inline("orders-app", document)
triage(lab.run_task())
case.reveal()

# %% [markdown]
# ## When did it happen?
#
# Both tasks ended STOPPED, yet one failed at launch and the other at run time. The article's
# advice is to read the error *together with when it happened*. The function `timeline(task)`
# below puts one task's life in time order: the timestamps ECS reports in `describe_tasks`
# (`createdAt`, `pullStartedAt`, `startedAt`, `stoppedAt`, ...), every call in the trace, and every
# CloudWatch Logs event, read with `get_log_events`. Times are the lab's simulated clock, in UTC.
# The cell runs mysteries A and B again and prints both timelines.

# %%
import textwrap
from datetime import datetime, timezone


def timeline(task):
    """ECS's timestamps, the task's calls and its log events, in time order (UTC)."""
    rows = []  # (time, order at equal times: calls, then ECS, then logs; source; what)

    def add(when, order, source, what):  # to the millisecond, as the trace and the logs say it
        when = when.astimezone(timezone.utc)
        rows.append((when.replace(microsecond=when.microsecond // 1000 * 1000), order, source, what))

    for call in task.trace:
        mark = "✓" if call.allowed else "✗ DENIED"
        add(datetime.strptime(call.time, "%Y-%m-%dT%H:%M:%S.%f%z"), 0, call.phase,
            f"{call.principal}: {call.action} {mark}")
    for field, value in task.describe().items():
        if field.endswith("At"):
            add(value, 1, "ECS", field)
    if task.logs:  # a stream exists only if the agent created it
        answer = lab.client("logs").get_log_events(
            logGroupName=lab.resources.log_group, logStreamName=task.log_stream)
        for event in answer["events"]:
            add(datetime.fromtimestamp(event["timestamp"] / 1000, timezone.utc), 2, "log",
                event["message"])
    for when, _, source, what in sorted(rows, key=lambda row: row[:2]):
        head = f"{when:%H:%M:%S}.{when.microsecond // 1000:03d}  {source:<6}  "
        # A long line wraps under the text column, whole: its end names who was refused.
        print(textwrap.fill(what, 100, initial_indent=head, subsequent_indent=" " * len(head),
                            break_on_hyphens=False, break_long_words=False))


for letter in ("A", "B"):  # the same two mysteries as above
    mystery(lab, letter)
    print(f"Mystery {letter}:")
    timeline(lab.run_task())
    print()

# %% [markdown]
# **Mystery A**: ECS created the task, assumed its two roles, and the agent started its launch
# calls. The refusal came before the image pull even began (there is no `pullStartedAt`), and
# there is no `startedAt` at all: the container never ran, and no log stream was created. A
# failure in that window is always the ECS agent's, and on Fargate the agent only ever wears the
# task execution role.
#
# **Mystery B** went through the whole launch — image pulled (`pullStartedAt` to
# `pullStoppedAt`), log stream created — and `startedAt` comes *before* the refusal. Log lines and
# calls interleave: the app logged a line, made a call, logged the next. The refused call comes
# after `startedAt`, in the run phase, made by the orders app: the task role.
#
# <details><summary>Why the agent's <code>logs:PutLogEvents</code> comes last</summary>
#
# The simulation runs the app to completion before the agent ships its output, so the agent's
# single `logs:PutLogEvents` comes last. On Fargate the awslogs driver ships lines as they come.
#
# </details>

# %% [markdown]
# ## Mystery C: when RunTask itself says no
#
# One more mystery, for the first row of the table. The cell triages the task and prints its
# trace, with the error of any refused call. Decide what you would fix before you read on.

# %%
case = mystery(lab, "C")
task_c = lab.run_task()
triage(task_c)
print()
for call in task_c.trace:
    print(call)
    if call.error:
        print("   ", call.error)

# %% [markdown]
# There is no task to describe, no `stoppedReason`, no log: the error came back from the RunTask
# call itself. The trace shows why: Amazon ECS, as the service principal
# `ecs-tasks.amazonaws.com`, was refused `sts:AssumeRole` on the execution role, because the role's
# **trust policy** does not name it.
#
# A role's *trust policy* says who may wear it; its *permissions policies* say what the wearer may
# do. No permission you add to the role fixes a trust problem. Notebook 06 looks at trust policies
# in depth; here, `lab.reset_roles()` puts both roles back as the course starts them.

# %%
case = mystery(lab, "C")  # the same mystery as above
lab.reset_roles()
triage(lab.run_task())
case.reveal()

# %% [markdown]
# ## Let the coach read the error
#
# `diagnose(message)` reads an error message the way you just did — the wrapper text, the refused
# action, the session that made the call — and says which role to fix (`execution`, `task`,
# `neither`, `unknown`, or the rest of the cast of notebooks 08–10), in which phase, why, and how.
# It only reads the text you give it.
#
# ### On the lab's own messages
#
# The cell runs mysteries A and B again and gives `diagnose` three texts: A's `stoppedReason`, B's
# `stoppedReason`, and B's last log line. **Predict** what each will say.

# %%
mystery(lab, "A")  # the same two mysteries as above
task_a = lab.run_task()
mystery(lab, "B")
task_b = lab.run_task()
print(diagnose(task_a.stopped_reason))
print()
print(diagnose(task_b.stopped_reason))
print()
print(diagnose(task_b.logs[-1]))

# %% [markdown]
# Mystery A's `stoppedReason` points at the execution role. Mystery B's `stoppedReason` points at
# neither role, and rightly: that text alone only says the container exited. B's log line names
# the task role.
#
# ### On messages from real accounts
#
# The messages below were pasted by people into public issues and guides, as they are (account
# numbers and names are theirs, or their placeholders). They come from the course's collection of
# real messages (`tests/coach/corpus/messages.json`), which keeps their sources.
#
# **Predict** the suspect for each before you run the cell.
#
# <details><summary>Where each message comes from</summary>
#
# 1. The article's situation, on Fargate: the execution role could not create the log stream —
#    from a bootcamp journal,
#    [seekatekode/aws-bootcamp-cruddur-2024](https://github.com/seekatekode/aws-bootcamp-cruddur-2024/blob/main/journal/week6.md).
# 2. An AWS Systems Manager (SSM) parameter injected at launch, with the console's odd
#    capitalisation
#    ("Resourceinitializationerror") — [aws/copilot-cli#4504](https://github.com/aws/copilot-cli/issues/4504).
# 3. An application refused by SQS through its SDK —
#    [aws/copilot-cli#4965](https://github.com/aws/copilot-cli/issues/4965).
# 4. A role *named* like a task role, refused while creating the log stream at launch —
#    [doctorray117/minecraft-ondemand#12](https://github.com/doctorray117/minecraft-ondemand/issues/12).
# 5. A network problem that looks like a permission problem —
#    [aws-samples/aws-fargate-pipeline-lambda-autoscaling#3](https://github.com/aws-samples/aws-fargate-pipeline-lambda-autoscaling/issues/3).
# 6. The person running the task may not pass the role —
#    [LBHackney-IT/Data-Platform#1992](https://github.com/LBHackney-IT/Data-Platform/pull/1992).
# 7. An Amazon Elastic Compute Cloud (EC2) instance's role answering for a container that has
#    no task role —
#    [xtdb/xtdb#2949](https://github.com/xtdb/xtdb/pull/2949).
#
# </details>

# %%
real_messages = {
    "1 logs at launch": (
        "ResourceInitializationError: failed to validate logger args: create stream has been "
        "retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: "
        "arn:aws:sts::1819......:assumed-role/CruddurServiceExecutionRole/"
        "3caf853ecb00491db67740079d4a02a7 is not authorized to perform: logs:CreateLogStream on "
        "resource: arn:aws:logs:us-east-1:123456789012:log-group:cruddur:log-stream:backend-flask/"
        "backend-flask/3caf853ecb00491db67740079d4a02a7 because no identity-based policy allows "
        "the logs:CreateLogStream action status code: 400, request id: "
        "061e0f7c-b758-4b95-8fab-c791d3f8665e : exit status 1"
    ),
    "2 SSM at launch": (
        "Stopped reason\nResourceinitializationerror: unable to pull secrets or registry auth: "
        "execution resource retrieval failed: unable to retrieve secrets from ssm: service call "
        "has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::<account id>:"
        "assumed-role/aits-demo-app-test-demo-app-ExecutionRole-28VBAJL3T0YT/"
        "f83b93a4dc3442a18eaaf8c2a235cd37 is not authorized to perform: ssm:GetParameters on "
        "resource: arn:aws:ssm:eu-west-2:<account id>:parameter/GOOGLE_CLIENT_ID because no "
        "identity-based policy allows the ssm:GetParameters action status code: 400, request id: "
        "1adcb55f-f798-4503-b8a3-cd1533290001"
    ),
    "3 SQS from the app": (
        "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the "
        "GetQueueAttributes operation: User: arn:aws:sts::[ACCOUNT-ID]:assumed-role/"
        "my_app-dev-my_service-TaskRole-156CD4K40PPZT/b757b335a0074434834c664052d5db09 is not "
        "authorized to perform: sqs:getqueueattributes on resource: "
        "arn:aws:sqs:eu-north-1:[ACCOUNT-ID]:my_queue-dev because no identity-based policy "
        "allows the sqs:getqueueattributes action"
    ),
    "4 a name that misleads": (
        "ResourceInitializationError: failed to validate logger args: create stream has been "
        "retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: "
        "arn:aws:sts::zzzzzzzzzzzz:assumed-role/ecs.task.minecraft-server/123456a999ee4b919..."
    ),
    "5 the network": (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution "
        "resource retrieval failed: unable to retrieve ecr registry auth: service call has been "
        "retried 1 time(s): RequestError: send request failed caused by: "
        "Post https://api.ecr...."
    ),
    "6 iam:PassRole": (
        "botocore.errorfactory.AccessDeniedException: An error occurred (AccessDeniedException) "
        "when calling the RunTask operation: User: arn:aws:iam::123456789012:user/"
        "parking-airflow-user is not authorized to perform: iam:PassRole on resource: "
        "arn:aws:iam::123456789012:role/dataplatform-stg-ecs-parking because no identity-based "
        "policy allows the iam:PassRole action"
    ),
    "7 an instance role": (
        '"User: arn:aws:sts::<accountid>:assumed-role/xtdb-stack-ecs-EC2InstanceRole-'
        'cq4KLVh142Ez/i-0221dfee3da46d752 is not authorized to perform: sqs:createqueue on '
        "resource: arn:aws:sqs:eu-west-1:<account-id>:xtdb-object-store-notifs-queue-"
        "7de3c104-82b7-4463-a224-d93f831776d7 because no identity-based policy allows the "
        "sqs:createqueue action (Service: Sqs, Status Code: 403, Request ID: "
        'fa4ced72-32cf-51b5-9c7f-b0923e8b76df, Extended Request ID: null)"}}'
    ),
}
print(f"{'message':<24}{'suspect':<11}{'phase':<8}category")
for name, message in real_messages.items():
    found = diagnose(message)
    print(f"{name:<24}{found.role:<11}{found.phase:<8}{found.category}")

# %% [markdown]
# Four lessons from that table:
#
# - **The session tells who, the wrapper tells when.** Message 4's role is called
#   `ecs.task.minecraft-server`, yet it was refused creating the log stream, under
#   `ResourceInitializationError`: at launch, by the agent. Whatever its name, it was used as the
#   task execution role. Trust the phase, not the name.
# - **Not every launch failure is a permission.** Message 5 never got an answer (`send request
#   failed`): no route to Amazon Elastic Container Registry (ECR). No IAM change helps.
# - **The caller can be you.** Message 6 was refused to the *user who ran the task*: ECS checks
#   that whoever hands it a role may pass it (`iam:PassRole`). Notebook 06 shows it happen.
# - **On Amazon Elastic Compute Cloud (EC2), another role can answer.** Message 7's session is an
#   EC2 instance id: the container had no task role, so the AWS SDK (software development kit)
#   fell back to the instance's role.

# %% [markdown]
# Here is the whole diagnosis for message 4.

# %%
diagnose(  # message 4 again: a role named like a task role, refused at launch
    "ResourceInitializationError: failed to validate logger args: create stream has been "
    "retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: "
    "arn:aws:sts::zzzzzzzzzzzz:assumed-role/ecs.task.minecraft-server/123456a999ee4b919..."
)

# %% [markdown]
# ## From the command line: `ecslab explain`
#
# The same coach works in a terminal, where you paste errors most often. With the course's
# environment active, type `ecslab explain "<message>"`, or pipe the message in
# (`pbpaste | ecslab explain`); `--json` prints the diagnosis for scripts. It reads only the
# message: no AWS account, no network, no credentials.
#
# In a notebook, `!` runs a shell command. The cell runs it as `python -m ecslab.cli` with the
# kernel's own interpreter (`sys.executable`), so it uses this notebook's environment; `{message}`
# puts the Python variable into the command, and `explained = !...` keeps the output's lines. The
# message is a real one, from [aws/aws-cdk#29876](https://github.com/aws/aws-cdk/issues/29876).

# %% active="ipynb"
# import sys
#
# message = ("CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to "
#            "resolve ref 123456789123.dkr.ecr.us-east-1.amazonaws.com/a2-ecr-app-repo:latest: "
#            "pulling from host 123456789123.dkr.ecr.us-east-1.amazonaws.com failed with status "
#            "code [manifests latest]: 403 Forbidden")
# explained = !"{sys.executable}" -m ecslab.cli explain "{message}"
# print("\n".join(explained))

# %% [markdown]
# There is no role in that message at all, only a `403 Forbidden` while pulling the image
# manifest. The coach still names the execution role, because on Fargate the image is pulled during
# the launch, with the execution role's credentials.

# %% [markdown]
# ## Your turn: three mystery tasks
#
# Each exercise's first cell loads its mystery into your lab (it puts the roles back as they start
# first). So do them one at a time, and to come back to an earlier one, run its first cell again.
# For each mystery:
#
# 1. run the task (`task = lab.run_task()`) and read it: `triage(task)`, `timeline(task)`,
#    `diagnose(...)`;
# 2. name the role you would fix: `suspect(ex1, "execution")` or `suspect(ex1, "task")` (for
#    mystery 2, `ex2`...). The check does not pass until you have named the right one;
# 3. change **only that role**, as little as you can, and run the task again;
# 4. `ex1.check()` says whether the task now runs to the end and only the right role was changed.
#
# `ex1.hint()` first tells you where you stand, then gives hints, more specific each time;
# `ex1.solution()` shows an answer — try without it first.
#
# ### Mystery 1

# %%
ex1 = lab.exercise("05-mystery-1")
ex1

# %%
# Your code here: run the task, read it, name the role, fix it, run the task again.

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### Mystery 2

# %%
ex2 = lab.exercise("05-mystery-2")
ex2

# %%
# Your code here

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### Mystery 3

# %%
ex3 = lab.exercise("05-mystery-3")
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
# - Ask three questions, in order: did RunTask create the task? Did the task start? Who was
#   refused?
# - RunTask refused, no task: a trust policy (ECS could not assume a role) or the caller's own
#   `iam:PassRole`, not the roles' permissions.
# - `TaskFailedToStart`, no `startedAt`, no log line: the ECS agent was refused at launch,
#   wearing the **task execution role**.
# - Started, then "not authorized" in the app's log: the application was refused at run time,
#   wearing the **task role**. `stoppedReason` only says the container exited; the reason is
#   in CloudWatch Logs.
# - The session in the error (`assumed-role/<role>/<session>`) names the role actually used; the
#   wrapper text and the timestamps say when. A role's name can mislead.
# - Some failures are neither role's: no network route, a missing image, the app's own bug, an
#   EC2 instance role answering instead of a task role.
# - `diagnose(message)` and `ecslab explain "<message>"` read pasted errors the same way.

# %% [markdown]
# ## What's next
#
# Notebook 06 narrows both roles to least privilege, proves the narrowed roles still work, and
# looks at the two things that decide whether a role can be used at all: its trust policy and
# `iam:PassRole`.
