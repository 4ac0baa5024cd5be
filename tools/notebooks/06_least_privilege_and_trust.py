# %% [markdown]
# # Least privilege and trust
#
# Why does Amazon Elastic Container Service (ECS) have two roles at all? The article's first
# answer is *least privilege*: the permissions only ECS needs should not be in the application's
# hands, and the application should not get strong permissions it does not need. Its Terraform then
# attaches `CloudWatchLogsFullAccess` to the task execution role — with the author's own note that
# it "should really be narrowed to a custom policy".
#
# This notebook does that narrowing and proves it, with a task that still runs. Then it looks at the
# other side of a role: not *what* the wearer may do, but *who* may wear it (the trust policy) and
# *who* may hand it to ECS (`iam:PassRole`).

# %% [markdown]
# ## What you will learn
#
# - The difference between AWS managed, customer managed and inline policies, and how much each of
#   the article's policies really grants.
# - To generate a least-privilege policy from what a task really did, apply it, and prove it by
#   running the task again.
# - Why a log group's Amazon Resource Name (ARN) needs `:*` in a policy, and why `*` alone is too
#   much.
# - What the trust policy's `sts:AssumeRole` for `ecs-tasks.amazonaws.com` means, and how the
#   `aws:SourceAccount` and `aws:SourceArn` conditions protect a role from the *confused deputy*.
# - Why the person or pipeline that runs a task needs `iam:PassRole`, and what ECS says when it
#   is missing.
#
# ## Before you start
#
# You should have met both roles (notebooks 01 to 03) and read a failed task (notebook 05). AWS
# Identity and Access Management (IAM) policies are JSON documents; you will read a few and write
# small ones. Nothing here talks to the real AWS.

# %% [markdown]
# ## Your lab
#
# The next cell builds a fresh simulated account. Run it again whenever you want to start over.

# %%
import json

from ecslab import Lab, diagnose, evaluate

lab = Lab()
lab

# %% [markdown]
# ## Three kinds of policy
#
# A role's permissions come from policies of three kinds:
#
# - **AWS managed** policies are written and updated by AWS, the same in every account, and meant
#   for many uses — so they are usually broad (`"Resource": "*"`). Their ARNs start with
#   `arn:aws:iam::aws:policy/`.
# - **Customer managed** policies are yours: written for your account, reusable by several roles,
#   versioned by IAM.
# - **Inline** policies are part of one role, and are deleted with it.
#
# The role card shows each policy of the execution role with its kind and the number of concrete
# IAM actions it grants (wildcards expanded; resources and conditions not counted).

# %%
lab.execution_role.card()

# %% [markdown]
# The course's execution role uses the AWS managed `AmazonECSTaskExecutionRolePolicy` —
# what the article recommends as the safe base — plus an inline policy for the two secrets injected
# at launch. Nine actions in all.
#
# ## What CloudWatchLogsFullAccess really grants
#
# Now give the execution role what the article's Terraform gives it: the AWS managed policies
# `AmazonEC2ContainerRegistryReadOnly` and `CloudWatchLogsFullAccess` instead of
# `AmazonECSTaskExecutionRolePolicy`. **Predict**: how many actions will the role grant?

# %%
lab.reset_roles()  # start from the course's two roles, so that this cell can be run again
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")
lab.execution_role.attach("CloudWatchLogsFullAccess")
lab.execution_role.card()

# %% [markdown]
# Here is the AWS managed policy's document, as AWS publishes it. The first action is
# `logs:*`: every CloudWatch Logs action, on every resource.

# %%
from ecslab.iam.managed import managed_policy

print(json.dumps(managed_policy("CloudWatchLogsFullAccess").document, indent=2))

# %% [markdown]
# `expand_action` turns a pattern into the concrete actions it matches, from AWS's list of
# actions. The ECS agent needs two of them; `logs:*` matches far more, including every delete.

# %%
from ecslab.iam.analyzer import expand_action

every_logs_action = expand_action("logs:*")
deletes = [action for action in every_logs_action if action.startswith("logs:Delete")]
print(len(every_logs_action), "actions match logs:*;", len(deletes), "of them delete something:")
print(", ".join(deletes))

# %% [markdown]
# Ask the IAM judge: with these policies, may a session of the execution role delete the
# log group itself?

# %%
card = lab.execution_role.card()
policies = [(row.name, document) for row, document in zip(card.policies, card.documents)]
session = f"arn:aws:sts::{lab.account_id}:assumed-role/ecs-execution-role/0f4e1c9a"
log_group = f"arn:aws:logs:{lab.region}:{lab.account_id}:log-group:/ecs/orders"
decision = evaluate(session, "logs:DeleteLogGroup", log_group, identity_policies=policies)
print(decision.decision, "by", decision.deciding_statements[0].policy_name)

# %% [markdown]
# And yet the task runs perfectly. That is the trap: a role that *works* says nothing about
# how much more it *could* do. Anyone or anything that obtains this role's credentials could delete
# every log group in the account.

# %%
task = lab.run_task()
print(task.stop_code, "exit code", task.exit_code)

# %% [markdown]
# ## A least-privilege policy from the trace
#
# The trace records every call the execution role made for that task. For a task that stopped
# early, the task's *plan* also says what it would have needed next. `least_privilege` turns those
# calls into the smallest policy that allows them, with each resource named the way the service
# names it:
#
# - a log stream's name holds the task id, so the policy names the group's streams:
#   `log-group:/ecs/orders:*`;
# - a Secrets Manager ARN ends with six random characters, matched as `-??????`;
# - `ecr:GetAuthorizationToken` only accepts `"*"`, so it keeps `"*"`.

# %%
suggestion = task.trace.least_privilege("ecs-execution-role")
suggestion

# %% [markdown]
# Eight actions used, against 153 granted. `apply()` makes the suggestion the role's only
# permissions policy (an inline one). Then comes the proof: run the task again.

# %%
suggestion.apply()
print(lab.execution_role.card())
task = lab.run_task()
print()
print(task.stop_code, "exit code", task.exit_code)

# %% [markdown]
# Same task, same result, with 8 actions instead of 153 — and each one limited to the
# resources this task uses.
#
# Mind what the trace cannot know. It holds what *this* task definition needed and what *this* run
# of the application did. Add a secret, a container or a log group to the task definition, or run
# a code path of the application that did not run here, and the policy must be generated again. A
# narrowed policy is also yours to maintain, where AWS maintains its managed policies: that is why
# `AmazonECSTaskExecutionRolePolicy` plus the secrets you inject is a sound default, as the article
# says.
#
# ### The same policy as a customer managed policy
#
# The suggestion can also become a customer managed policy, which other task execution roles can
# share. The cell is safe to run twice: the policy is created only once.

# %%
iam = lab.client("iam")
try:
    iam.create_policy(PolicyName="orders-execution", PolicyDocument=suggestion.json)
except iam.exceptions.EntityAlreadyExistsException:
    pass  # created by an earlier run of this cell
if "ecs-execution-role-least-privilege" in lab.execution_role.policies:  # not on a re-run
    lab.execution_role.remove_inline("ecs-execution-role-least-privilege")
lab.execution_role.attach(f"arn:aws:iam::{lab.account_id}:policy/orders-execution")
print(lab.execution_role.card())
print()
print("exit code", lab.run_task().exit_code)

# %% [markdown]
# ## The log group `:*` pitfall
#
# The least-privilege policy names the log group as `log-group:/ecs/orders:*`. Why not simply the
# log group's ARN? Because the ECS agent creates a log *stream* and writes to it, and IAM checks
# those calls against the stream's ARN: the group's ARN followed by `:log-stream:<name>`. The judge
# shows what three ways of writing the resource cover.

# %%
streams = {
    "a stream of /ecs/orders": f"{log_group}:log-stream:ecs/orders/0f4e1c9a",
    "a stream of /ecs/orders-admin": (f"arn:aws:logs:{lab.region}:{lab.account_id}"
                                      ":log-group:/ecs/orders-admin:log-stream:audit"),
}
for resource in (log_group, log_group + ":*", log_group + "*"):
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": resource}]}
    print("Resource ...:" + resource.split(":", 5)[5])
    for name, stream in streams.items():
        verdict = evaluate(session, "logs:CreateLogStream", stream, identity_policies=[policy])
        print(f"    {name:<30} {verdict.decision}")

# %% [markdown]
# - The group's ARN alone covers none of its streams: the agent is refused.
# - `:*` covers the streams of `/ecs/orders`, and only those.
# - A `*` glued to the name also covers `/ecs/orders-admin`, `/ecs/orders-old`, ... — every group
#   whose name starts the same way. Too much.
#
# Now watch it happen to a task. This time you are told what is loaded: the scenario
# `log-group-without-star` (it puts the roles back as they start, then replaces
# `AmazonECSTaskExecutionRolePolicy` with an inline policy that names the log group without `:*`).

# %%
from ecslab.scenarios import load

print(load(lab, "log-group-without-star").change)
task = lab.run_task()
print()
print(task.stop_code)
print(task.stopped_reason)

# %% [markdown]
# Compare the resource in the denial with the resource in the policy's `WriteLogs`
# statement: the denial names `...:log-group:/ecs/orders:log-stream:ecs/orders/<task id>`, the
# policy only `...:log-group:/ecs/orders`.

# %%
document = lab.execution_role.inline_policy("pull-and-logs")
print(json.dumps(document["Statement"][1], indent=2))

# %% [markdown]
# Add `:*` and run again.

# %%
document["Statement"][1]["Resource"] += ":*"
lab.execution_role.put_inline("pull-and-logs", document)
task = lab.run_task()
print(task.stop_code, "exit code", task.exit_code)

# %% [markdown]
# ## The trust policy: who may wear a role
#
# Permissions say what a role's wearer may do. The **trust policy** says who may become the wearer.
# The next cell puts both roles back as the course starts them (`lab.reset_roles()`), then shows the
# execution role's trust policy: the article's, word for word.

# %%
lab.reset_roles()
print(json.dumps(lab.execution_role.trust_policy, indent=2))

# %% [markdown]
# It allows one principal, the service `ecs-tasks.amazonaws.com`, to call `sts:AssumeRole`
# on the role. When you run a task, Amazon ECS does exactly that, once per role: AWS Security Token
# Service (STS) gives it temporary credentials for a session named after the task's id. ECS hands
# the execution role's session to the ECS agent for the launch, and the task role's session to the
# container's credentials endpoint, where the SDK in your application finds it. These are the first
# two rows of every task's trace; the third is the agent's first call with its new session.

# %%
task = lab.run_task()
for call in list(task.trace)[:3]:
    print(call)
task.trace.cloudtrail(0)

# %% [markdown]
# As CloudTrail would record it, the caller is an `AWSService`, invoked by
# `ecs-tasks.amazonaws.com`: no person and no role of yours made that call. The request names the
# role and a session named after the task. (`responseElements`, where AWS records what it handed
# out — the access key ID, the session token and its expiration, never the secret key — is left
# empty: the lab does not keep them.)
#
# ### The confused deputy
#
# ECS assumes roles for the tasks of every AWS account. A trust policy that only names
# `ecs-tasks.amazonaws.com` says "ECS may assume this role" — without saying *for whom*. The
# *confused deputy problem* is a service with broad access being used on behalf of someone who has
# no access of their own
# ([AWS IAM User Guide: the confused deputy problem](https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)).
# For task roles, the ECS documentation recommends guarding against it with two condition keys that
# ECS supplies when it assumes a role
# ([Amazon ECS task IAM role](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html)):
#
# - `aws:SourceAccount` — the account the task belongs to;
# - `aws:SourceArn` — an ECS ARN in that account, which the documentation's example matches with
#   `ArnLike` and `arn:aws:ecs:<region>:<account>:*`.
#
# First ask the judge. The trust policy below requires this account; ECS asks once for a task of
# this account and once for a task of another account (111122223333).

# %%
guarded_trust = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": lab.account_id},
            "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{lab.region}:{lab.account_id}:*"},
        },
    }],
}
for account in (lab.account_id, "111122223333"):
    context = {"aws:SourceAccount": account,
               "aws:SourceArn": f"arn:aws:ecs:{lab.region}:{account}:task/orders-cluster/abc"}
    decision = evaluate("ecs-tasks.amazonaws.com", "sts:AssumeRole", lab.task_role.arn,
                        resource_policy=guarded_trust, context=context)
    print(f"for a task of account {account}: {decision.decision}")
print()
print(decision.explain())

# %% [markdown]
# Now in the lab. ECS always runs *your* tasks for *your* account, so to see the condition
# refuse, write the wrong account into the execution role's trust policy — as a copy-paste from
# another project would. **Predict**: will the task fail to start, or will RunTask itself refuse?

# %%
wrong_account = json.loads(json.dumps(guarded_trust))
wrong_account["Statement"][0]["Condition"] = {"StringEquals": {"aws:SourceAccount": "111122223333"}}
lab.execution_role.set_trust_policy(wrong_account)
refused = lab.run_task()
print(refused.failure)
print()
for call in refused.trace:
    print(call)
    print("   ", call.error)

# %% [markdown]
# RunTask refused, and no task was created: ECS could not assume the execution role, so it
# never tried to launch. The diagram draws it: the denied assume (dashed, ✗), and every call that
# was planned and never made (dotted, ○). The same in sentences is under the picture.

# %%
refused.diagram()

# %% [markdown]
# Put the guarded trust policy, with the right account, on both roles, and the task runs.
# The role card now says under which condition ECS may assume each role.

# %%
lab.execution_role.set_trust_policy(guarded_trust)
lab.task_role.set_trust_policy(guarded_trust)
print(lab.task_role.card())
print()
print("exit code", lab.run_task().exit_code)

# %% [markdown]
# **What the simulation assumes.** When it assumes a task's roles, the lab supplies
# `aws:SourceAccount` = the task's account and `aws:SourceArn` = the task's ARN. The ECS
# documentation does not spell out the exact ARN that ECS sends; it says that naming a specific
# cluster in `aws:SourceArn` "is not currently supported" and that you should use the wildcard for
# all clusters, as above. A condition written that way behaves the same in the lab and on AWS; a
# condition naming one task or one cluster may not.
#
# ## iam:PassRole: who may hand a role to ECS
#
# The trust policy lets ECS assume the role. But who may *tell* ECS to use it? Anyone who could run
# a task with any role could borrow that role's permissions. So ECS checks that whoever calls
# RunTask (or RegisterTaskDefinition) has `iam:PassRole` on each role the task definition names
# ([Amazon ECS task IAM role](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html)).
#
# You, the lab's administrator, have every permission, so you never saw this check fail. Create a
# second caller: an IAM user `deployer` that may run tasks and describe them, and nothing else. It
# gets an access key, and a plain `boto3` client signs its calls with that key — the simulated
# account identifies the caller from the key, as AWS does, before it asks the IAM judge. (The secret
# key is never printed.)

# %%
import boto3

iam = lab.client("iam")
run_only = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["ecs:RunTask", "ecs:DescribeTasks"], "Resource": "*"}]}
if "deployer" not in [user["UserName"] for user in iam.list_users()["Users"]]:
    iam.create_user(UserName="deployer")
for old in iam.list_access_keys(UserName="deployer")["AccessKeyMetadata"]:  # at most two keys
    iam.delete_access_key(UserName="deployer", AccessKeyId=old["AccessKeyId"])
iam.put_user_policy(UserName="deployer", PolicyName="run-orders-tasks",
                    PolicyDocument=json.dumps(run_only))
key = iam.create_access_key(UserName="deployer")["AccessKey"]
deployer_ecs = boto3.client("ecs", region_name=lab.region, aws_access_key_id=key["AccessKeyId"],
                            aws_secret_access_key=key["SecretAccessKey"])
print(boto3.client("sts", region_name=lab.region, aws_access_key_id=key["AccessKeyId"],
                   aws_secret_access_key=key["SecretAccessKey"]).get_caller_identity()["Arn"])

# %% [markdown]
# The deployer runs the orders task, with the same request `lab.run_task()` makes for you.
# **Predict**: which call will be refused?

# %%
from botocore.exceptions import ClientError

request = {"cluster": lab.resources.cluster, "taskDefinition": "orders", "launchType": "FARGATE",
           "networkConfiguration": lab.network_configuration}
try:
    deployer_ecs.run_task(**request)
except ClientError as error:
    print(error)
    passrole_error = str(error)
print()
for call in list(lab.trace)[-2:]:
    print(call)

# %% [markdown]
# ECS allowed `ecs:RunTask` itself, then checked `iam:PassRole` on the roles of the task
# definition — the task role first — and refused. Neither role was touched, no task was created,
# and nothing about the roles is wrong: the *caller* is missing a permission. That is what the
# coach says too.

# %%
diagnose(passrole_error)

# %% [markdown]
# Give the deployer `iam:PassRole` on exactly the two roles, and only for handing them to
# ECS: the condition key `iam:PassedToService` names the service the role is passed to.

# %%
pass_orders_roles = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "iam:PassRole",
    "Resource": [lab.execution_role.arn, lab.task_role.arn],
    "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}}]}
iam.put_user_policy(UserName="deployer", PolicyName="pass-orders-roles",
                    PolicyDocument=json.dumps(pass_orders_roles))
started = deployer_ecs.run_task(**request)["tasks"][0]
print("RunTask answered:", started["lastStatus"])
described = deployer_ecs.describe_tasks(cluster=lab.resources.cluster,
                                        tasks=[started["taskArn"]])["tasks"][0]
print("Later:", described["lastStatus"], described["stopCode"],
      "exit code", described["containers"][0]["exitCode"])

# %% [markdown]
# As on AWS, RunTask answers at once with the task `PROVISIONING`; `describe_tasks` shows
# how it ended. (In the lab the whole task has already run by the time RunTask returns; on Fargate it
# takes its time.)
#
# So three different policies must agree before a task runs with a role: the **caller's**
# `iam:PassRole`, the **role's trust policy** for `ecs-tasks.amazonaws.com`, and the **role's
# permissions** for the calls made with it.
#
# ## Your turn
#
# Each exercise starts from the course roles as they start (it resets them), so do them one at a
# time. `ex.check()` reads the lab, not your code: any correct way counts. `ex.hint()` gives a hint
# (call it again for a more specific one); `ex.solution()` shows an answer — try without it first.
#
# ### Narrow the logs
#
# The execution role gets `CloudWatchLogsFullAccess` on top of its policies, like the article's.
# Narrow the role to what the launch needs and keep the task running.

# %%
ex1 = lab.exercise("06-narrow-the-logs")
ex1

# %%
# Your code here

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### Guard both roles against the confused deputy
#
# Write trust policies that let ECS assume each role only for tasks of this account. The check asks
# the judge whether ECS, working for another account, could still assume either role.

# %%
ex2 = lab.exercise("06-confused-deputy")
ex2

# %%
# Your code here

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### Let the pipeline pass the roles
#
# A user `ci-pipeline` may call RunTask but may pass no role. Give it what it needs — and no more —
# then run the task *as ci-pipeline* (create an access key and a `boto3` client, as for the
# deployer above).

# %%
ex3 = lab.exercise("06-pass-role")
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
# - AWS managed policies are broad by design: `CloudWatchLogsFullAccess` grants 138 actions,
#   every delete included, where the ECS agent uses two.
# - A task that runs proves that a role has *enough*, never that it has *only* what it needs.
# - `task.trace.least_privilege(role)` writes the smallest policy for what the task used;
#   `.apply()` and a second run prove it. Generate it again when the task definition or the
#   application changes.
# - A log group's ARN does not cover its streams: write `log-group:<name>:*`, not the bare ARN and
#   not `<name>*`.
# - The trust policy decides who may assume a role: for ECS, `ecs-tasks.amazonaws.com` with
#   `sts:AssumeRole`. Conditions on `aws:SourceAccount` and `aws:SourceArn` keep ECS from assuming
#   it for someone else's tasks. A trust policy that refuses ECS makes RunTask itself fail.
# - Whoever runs the task needs `iam:PassRole` on its roles (best with `iam:PassedToService`); when
#   it is missing, RunTask is refused and neither role is at fault.
#
# ## What's next
#
# Notebook 07 loads the article's Terraform into a lab, runs it, and exports the least-privilege
# roles you built here as Terraform (`lab.to_terraform(least_privilege=True)`).
