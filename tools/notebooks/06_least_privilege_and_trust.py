# %% [markdown]
# # Least privilege and trust
#
# Why does Amazon Elastic Container Service (ECS) have two roles at all? The article's first
# answer is *least privilege*: the permissions only ECS needs should not be in the application's
# hands, and the application should not get strong permissions it does not need.
#
# Its Terraform then attaches `CloudWatchLogsFullAccess` to the task execution role, with the
# author's own note: 「本来はカスタムに権限を絞る方が良いです」, "it is better to narrow this down with
# a custom policy". This notebook does that narrowing, on actions *and* on resources, and proves it
# with a task that still runs. Then it looks at the other side of a role: *who* may wear it (the
# trust policy) and *who* may hand it to ECS (`iam:PassRole`).

# %% [markdown]
# ## What you will learn
#
# - AWS managed, customer managed and inline policies, and how much the article's policies grant.
# - To generate a least-privilege policy from what a task did, apply it, and prove it by running
#   the task again.
# - Why least privilege names the resources too: `AmazonECSTaskExecutionRolePolicy` allows its
#   actions on every log group and every repository (`"Resource": "*"`).
# - Why a log group's Amazon Resource Name (ARN) needs `:*`, and why `*` alone is too much.
# - What the trust policy for `ecs-tasks.amazonaws.com` means, and how `aws:SourceAccount` and
#   `aws:SourceArn` protect a role from the *confused deputy*.
# - Why whoever runs a task needs `iam:PassRole`, and what ECS says when it is missing.
#
# ## Before you start
#
# You have met both roles (notebooks 01 to 03) and read a failed task (notebook 05). AWS Identity
# and Access Management (IAM) policies are JSON documents: you will read a few and write small
# ones. Allow about 55 minutes.

# %% [markdown]
# ## Three kinds of policy
#
# A role's permissions come from policies of three kinds:
#
# - **AWS managed**: written and updated by AWS, the same in every account, meant for many uses,
#   so usually broad (`"Resource": "*"`). Their ARNs start with `arn:aws:iam::aws:policy/`.
# - **Customer managed**: yours, written for your account, shareable by several roles, versioned.
# - **Inline**: part of one role, deleted with it.
#
# The next cell builds a fresh simulated account (run it again to start over) and shows the
# execution role's card: each policy, its kind, and how many IAM actions it grants (wildcards
# expanded; resources not counted). It also defines two helpers that later cells use:
# `use_the_article_policies()` gives the execution role the article's policies, and
# `user_session(user, policy)` signs in as an IAM user whose only policy is `policy`.

# %%
import json

import boto3

from ecslab import Lab, diagnose, evaluate

lab = Lab()  # a fresh simulated account: run this cell again to start over


def use_the_article_policies():
    """The execution role with the article's AWS managed policies (the course's secrets stay)."""
    lab.reset_roles()
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")
    lab.execution_role.attach("CloudWatchLogsFullAccess")


def user_session(user, policy):
    """A boto3 session with a new access key of IAM user `user`, whose only policy is `policy`."""
    iam = lab.client("iam")
    if user not in [found["UserName"] for found in iam.list_users()["Users"]]:
        iam.create_user(UserName=user)
    for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
        iam.delete_user_policy(UserName=user, PolicyName=name)
    iam.put_user_policy(UserName=user, PolicyName=f"{user}-policy",
                        PolicyDocument=json.dumps(policy))
    for old in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:  # two keys at most
        iam.delete_access_key(UserName=user, AccessKeyId=old["AccessKeyId"])
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return boto3.Session(key["AccessKeyId"], key["SecretAccessKey"], region_name=lab.region)


lab.execution_role.card()

# %% [markdown]
# The course's execution role has the AWS managed `AmazonECSTaskExecutionRolePolicy`, which the
# article calls the safe base, plus an inline policy for the two secrets injected at launch. Nine
# actions in all.
#
# ## What CloudWatchLogsFullAccess really grants
#
# Now give the execution role what the article's Terraform gives it: the AWS managed policies
# `AmazonEC2ContainerRegistryReadOnly` and `CloudWatchLogsFullAccess` instead of
# `AmazonECSTaskExecutionRolePolicy`. **Predict**: how many actions will the role grant?

# %%
use_the_article_policies()
lab.execution_role.card()

# %% [markdown]
# Here is the AWS managed policy's document, as AWS publishes it. The first action is `logs:*`:
# every CloudWatch Logs action, on every resource.

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
# Ask the IAM judge whether a session of the execution role, with the article's policies, may
# delete the log group itself. Then run the task.

# %%
use_the_article_policies()
session = f"arn:aws:sts::{lab.account_id}:assumed-role/ecs-execution-role/0f4e1c9a"
log_group = f"arn:aws:logs:{lab.region}:{lab.account_id}:log-group:/ecs/orders"
decision = evaluate(session, "logs:DeleteLogGroup", log_group,
                    identity_policies=lab.execution_role.documents())
print("logs:DeleteLogGroup:", decision.decision, "by", decision.deciding_statements[0].policy_name)
task = lab.run_task()
print("The task:", task.stop_code, "exit code", task.exit_code)

# %% [markdown]
# The task runs perfectly. That is the trap: a role that *works* says nothing about how much more
# it *could* do. Anyone who obtains this role's credentials could delete every log group in the
# account.
#
# ## A least-privilege policy from the trace
#
# The trace records every call the execution role made for a task (for a task that stopped early,
# its *plan* adds what it would have needed next). `least_privilege` turns those calls into the
# smallest policy that allows them, each resource named the way the service names it:
#
# - a log stream's name holds the task id, so the policy names the group's streams:
#   `log-group:/ecs/orders:*`;
# - a Secrets Manager ARN ends with six random characters, matched as `-??????`;
# - `ecr:GetAuthorizationToken` only accepts `"*"`, so it keeps `"*"`.

# %%
use_the_article_policies()
task = lab.run_task()
suggestion = task.trace.least_privilege("ecs-execution-role")
suggestion

# %% [markdown]
# Eight actions used, against 153 granted. `apply()` makes the suggestion the role's only
# permissions policy (an inline one). Then comes the proof: run the task again.

# %%
use_the_article_policies()  # the same suggestion as above
suggestion = lab.run_task().trace.least_privilege("ecs-execution-role")
suggestion.apply()
print(lab.execution_role.card())
print()
task = lab.run_task()
print(task.stop_code, "exit code", task.exit_code)

# %% [markdown]
# Same task, same result, with 8 actions instead of 153, each one limited to the resources this
# task uses.
#
# Mind what the trace cannot know. It holds what *this* task definition needed and what *this*
# run of the application did. Add a secret, a container or a log group, or run a code path that
# did not run here, and the policy must be generated again. A narrowed policy is also yours to
# maintain, where AWS maintains its managed policies.

# %% [markdown]
# ### Least privilege names the resources too
#
# The article calls `AmazonECSTaskExecutionRolePolicy` plus the secrets you inject a safe base,
# and it is a sound default: six actions, five of which this task uses. But its
# `"Resource": "*"` allows them on *every* log group and *every* repository of the account. The
# judge compares the course's execution role with the least-privilege one, on another service's
# log group and repository.

# %%
session = f"arn:aws:sts::{lab.account_id}:assumed-role/ecs-execution-role/0f4e1c9a"
where = f"{lab.region}:{lab.account_id}"
elsewhere = [
    ("logs:PutLogEvents", f"arn:aws:logs:{where}:log-group:/ecs/another-service:log-stream:x"),
    ("ecr:BatchGetImage", f"arn:aws:ecr:{where}:repository/another-app"),
]


def verdicts():
    documents = lab.execution_role.documents()
    return [evaluate(session, action, resource, identity_policies=documents).decision
            for action, resource in elsewhere]


lab.reset_roles()  # AmazonECSTaskExecutionRolePolicy, and the secrets' inline policy
course = verdicts()
lab.run_task().trace.least_privilege("ecs-execution-role").apply()
narrowed = verdicts()
for (action, resource), before, after in zip(elsewhere, course, narrowed):
    print(action, "on", resource)
    print(f"    the course's role: {before:<18} least privilege: {after}")

# %% [markdown]
# With the managed policy, a leaked session of this role could write into another service's logs
# and pull another team's images. The least-privilege policy names `/ecs/orders` and `orders-app`,
# and nothing else.
#
# ### The same policy as a customer managed policy
#
# The suggestion can also become a customer managed policy, which other task execution roles can
# share. The cell is safe to run twice: the policy is created only once.

# %%
lab.reset_roles()
suggestion = lab.run_task().trace.least_privilege("ecs-execution-role")
iam = lab.client("iam")
try:
    iam.create_policy(PolicyName="orders-execution", PolicyDocument=suggestion.json)
except iam.exceptions.EntityAlreadyExistsException:
    pass  # created by an earlier run of this cell
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.remove_inline("orders-launch-secrets")
lab.execution_role.attach(f"arn:aws:iam::{lab.account_id}:policy/orders-execution")
print(lab.execution_role.card())
print()
print("exit code", lab.run_task().exit_code)

# %% [markdown]
# ## The log group `:*` pitfall
#
# The least-privilege policy names the log group as `log-group:/ecs/orders:*`. Why not simply
# the log group's ARN? Because the ECS agent creates a log *stream* and writes to it, and IAM
# checks those calls against the stream's ARN: the group's ARN followed by `:log-stream:<name>`.
# The judge shows what three ways of writing the resource cover.

# %%
session = f"arn:aws:sts::{lab.account_id}:assumed-role/ecs-execution-role/0f4e1c9a"
log_group = f"arn:aws:logs:{lab.region}:{lab.account_id}:log-group:/ecs/orders"
streams = {
    "a stream of /ecs/orders": f"{log_group}:log-stream:ecs/orders/0f4e1c9a",
    "a stream of /ecs/orders-admin": f"{log_group}-admin:log-stream:audit",
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
# - A `*` glued to the name also covers `/ecs/orders-admin`, `/ecs/orders-old`, ...: every group
#   whose name starts the same way. Too much.
#
# Now watch it happen to a task. The scenario `log-group-without-star` puts the roles back as they
# start, then replaces `AmazonECSTaskExecutionRolePolicy` with an inline policy that names the log
# group without `:*`. The cell prints the stop, then the policy's `WriteLogs` statement.

# %%
from ecslab.scenarios import load

print(load(lab, "log-group-without-star").change)
task = lab.run_task()
print()
print(task.stop_code)
print(task.stopped_reason)
print()
print(json.dumps(lab.execution_role.inline_policy("pull-and-logs")["Statement"][1], indent=2))

# %% [markdown]
# Compare the resource in the denial with the one in the statement: the denial names
# `...:log-group:/ecs/orders:log-stream:ecs/orders/<task id>`, the policy only
# `...:log-group:/ecs/orders`. Add `:*` and run again.

# %%
from ecslab.scenarios import load

load(lab, "log-group-without-star")  # the same broken role as above
document = lab.execution_role.inline_policy("pull-and-logs")
document["Statement"][1]["Resource"] += ":*"
lab.execution_role.put_inline("pull-and-logs", document)
task = lab.run_task()
print(task.stop_code, "exit code", task.exit_code)

# %% [markdown]
# ## The trust policy: who may wear a role
#
# Permissions say what a role's wearer may do. The **trust policy** says who may become the
# wearer. Here is the execution role's trust policy as the course starts it: the article's, word
# for word.

# %%
lab.reset_roles()
print(json.dumps(lab.execution_role.trust_policy, indent=2))

# %% [markdown]
# It allows one principal, the service `ecs-tasks.amazonaws.com`, to call `sts:AssumeRole` on the
# role. When you run a task, ECS does exactly that, once per role: AWS Security Token Service
# (STS) gives it temporary credentials for a session named after the task's id. ECS hands the
# execution role's session to the ECS agent for the launch, and the task role's session to the
# container's credentials endpoint, where the SDK in your application finds it.
#
# The next cell prints the first three calls of a task (the two assumes, then the agent's first
# call) and the first one as AWS CloudTrail would record it.

# %%
lab.reset_roles()
task = lab.run_task()
for call in list(task.trace)[:3]:
    print(call)
print()
record = json.loads(task.trace.cloudtrail(0))
shown = ("userIdentity", "eventSource", "eventName", "requestParameters", "responseElements")
print(json.dumps({field: record[field] for field in shown}, indent=2))

# %% [markdown]
# The caller is an `AWSService`, invoked by `ecs-tasks.amazonaws.com`: no person and no role of
# yours made that call. The request names the role and a session named after the task.
# (`responseElements`, where AWS records what it handed out, is left empty: the lab does not keep
# the keys.)
#
# ### The confused deputy
#
# ECS assumes roles for the tasks of every AWS account. A trust policy that only names
# `ecs-tasks.amazonaws.com` says "ECS may assume this role", without saying *for whom*. The
# *confused deputy problem* is a service with broad access being used on behalf of someone who
# has no access of their own
# ([AWS IAM User Guide: the confused deputy problem](https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)).

# %% [markdown]
# For task roles, the ECS documentation recommends a guard: two condition keys that ECS supplies
# when it assumes a role
# ([Amazon ECS task IAM role](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html)):
#
# - `aws:SourceAccount`: the account the task belongs to;
# - `aws:SourceArn`: an ECS ARN in that account, which the documentation's example matches with
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
# Now in the lab. ECS always runs *your* tasks for *your* account, so to see the condition refuse,
# write the wrong account into the execution role's trust policy, as a copy-paste from another
# project would. **Predict**: will the task fail to start, or will RunTask itself refuse?
#
# The diagram draws the denied assume (dashed, ✗) and every call that was planned and never made
# (dotted, ○); its text description is under the picture.

# %%
wrong_account = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}
lab.reset_roles()
lab.execution_role.set_trust_policy(wrong_account)
refused = lab.run_task()
print(refused.failure)
print()
for call in refused.trace:
    print(call)
    print("   ", call.error)
refused.diagram()

# %% [markdown]
# RunTask refused, and no task was created: ECS could not assume the execution role, so it never
# tried to launch.
#
# With the right account in the condition, ECS assumes the role and the task runs. The role card
# now says under which condition ECS may assume it. (The task role is yours, in the exercises.)

# %%
lab.reset_roles()
trust = lab.execution_role.trust_policy
trust["Statement"][0]["Condition"] = {
    "StringEquals": {"aws:SourceAccount": lab.account_id},
    "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{lab.region}:{lab.account_id}:*"},
}
lab.execution_role.set_trust_policy(trust)
print(lab.execution_role.card())
print()
print("exit code", lab.run_task().exit_code)

# %% [markdown]
# <details><summary>What the simulation assumes about these condition keys</summary>
#
# When it assumes a task's roles, the lab supplies `aws:SourceAccount` = the task's account and
# `aws:SourceArn` = the task's ARN. The ECS documentation does not spell out the exact ARN that ECS
# sends; it says that naming a specific cluster in `aws:SourceArn` "is not currently supported"
# and that you should use the wildcard for all clusters, as above. A condition written that way
# behaves the same in the lab and on AWS; a condition naming one task or one cluster may not.
#
# </details>
#
# ## iam:PassRole: who may hand a role to ECS
#
# The trust policy lets ECS assume the role. But who may *tell* ECS to use it? Anyone who could
# run a task with any role could borrow that role's permissions. So ECS checks that whoever calls
# RunTask (or RegisterTaskDefinition) has `iam:PassRole` on each role the task definition names
# ([Amazon ECS task IAM role](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html)).

# %% [markdown]
# You, the lab's administrator, have every permission, so you never saw this check fail. The next
# cell signs in as a second caller: an IAM user `deployer` that may run tasks and describe them,
# and nothing else (`user_session`, from the first cell, gives it an access key; the simulated
# account identifies the caller from the key, as AWS does). The deployer runs the orders task
# with the request `lab.run_task()` makes for you. **Predict**: which call will be refused?

# %%
from botocore.exceptions import ClientError

lab.reset_roles()
run_only = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["ecs:RunTask", "ecs:DescribeTasks"], "Resource": "*"}]}
deployer = user_session("deployer", run_only).client("ecs")
request = {"cluster": lab.resources.cluster, "taskDefinition": "orders", "launchType": "FARGATE",
           "networkConfiguration": lab.network_configuration}
try:
    deployer.run_task(**request)
except ClientError as error:
    print(error)
    refusal = str(error)
print()
for call in list(lab.trace)[-2:]:
    print(call)
print()
diagnose(refusal)

# %% [markdown]
# ECS allowed `ecs:RunTask` itself, then checked `iam:PassRole` on the roles of the task
# definition, the task role first, and refused. Neither role was touched, no task was created, and
# nothing about the roles is wrong: the *caller* is missing a permission. The coach says so too.
#
# Give the deployer `iam:PassRole` on exactly the two roles, and only for handing them to ECS: the
# condition key `iam:PassedToService` names the service the role is passed to.

# %%
lab.reset_roles()
run_and_pass = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["ecs:RunTask", "ecs:DescribeTasks"], "Resource": "*"},
    {"Effect": "Allow", "Action": "iam:PassRole",
     "Resource": [lab.execution_role.arn, lab.task_role.arn],
     "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}}]}
deployer = user_session("deployer", run_and_pass).client("ecs")
started = deployer.run_task(cluster=lab.resources.cluster, taskDefinition="orders",
                            launchType="FARGATE",
                            networkConfiguration=lab.network_configuration)["tasks"][0]
print("RunTask answered:", started["lastStatus"])
described = deployer.describe_tasks(cluster=lab.resources.cluster,
                                    tasks=[started["taskArn"]])["tasks"][0]
print("Later:", described["lastStatus"], described["stopCode"],
      "exit code", described["containers"][0]["exitCode"])

# %% [markdown]
# As on AWS, RunTask answers at once with the task `PROVISIONING`; `describe_tasks` shows how it
# ended. (In the lab the whole task has already run when RunTask returns; on Fargate it takes its
# time.)
#
# So three different policies must agree before a task runs with a role: the **caller's**
# `iam:PassRole`, the **role's trust policy** for `ecs-tasks.amazonaws.com`, and the **role's
# permissions** for the calls made with it.

# %% [markdown]
# ## Your turn
#
# Each exercise's first cell loads its setup: it puts the course's roles back as they start, then
# changes what the exercise is about. So do them one at a time, and to come back to an earlier
# one, run its first cell again. `ex1.check()` reads the lab, not your code: any correct way
# counts. `ex1.hint()` first says where you stand, then gives hints one by one, each more specific;
# `ex1.solution()` shows an answer. Try without it first.
#
# ### Narrow the logs
#
# The execution role gets `CloudWatchLogsFullAccess` on top of its policies, like the article's.
# Narrow the role to what the launch needs, on actions *and* resources: the check wants the orders
# log group and the orders repository named, so `AmazonECSTaskExecutionRolePolicy`'s `"*"` is not
# narrow enough. Keep the task running.

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
# Write trust policies that let ECS assume each role only for tasks of this account, and keep the
# task running. The check asks the judge whether ECS, working for another account, could still
# assume either role.

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
# A user `ci-pipeline` may call RunTask but may pass no role. Give it what it needs, and no more,
# then run the task *as ci-pipeline* (`user_session`, as for the deployer above, or an access key
# and a `boto3` client of your own).

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
#   every delete included; the ECS agent uses two.
# - A task that runs proves that a role has *enough*, never *only* what it needs.
# - `task.trace.least_privilege(role)` writes the smallest policy for what the task used, each
#   resource named; `.apply()` and a second run prove it. Generate it again when the task changes.
# - `AmazonECSTaskExecutionRolePolicy` is a sound default, but its `"*"` covers every log group and
#   every repository.
# - A log group's ARN does not cover its streams: write `log-group:<name>:*`, not the bare ARN,
#   not `<name>*`.
# - The trust policy decides who may assume a role. Conditions on `aws:SourceAccount` and
#   `aws:SourceArn` keep ECS from assuming it for someone else's tasks. A trust policy that
#   refuses ECS makes RunTask itself fail.
# - Whoever runs the task needs `iam:PassRole` on its roles (best with `iam:PassedToService`);
#   without it, RunTask is refused and neither role is at fault.

# %% [markdown]
# ## What's next
#
# Notebook 07 loads the article's Terraform into a lab, runs it, and has you write its narrowing
# as Terraform yourself.
