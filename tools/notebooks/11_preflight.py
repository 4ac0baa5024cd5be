# %% [markdown]
# # Preflight: will my real task start?
#
# Every notebook so far ran the course's own "orders" account. Your own deployment is different:
# its roles come from Terraform, a CloudFormation template or the AWS Cloud Development Kit (CDK),
# and a failed launch on Amazon Elastic Container Service (ECS) costs minutes of waiting and a
# guess. `ecslab preflight` reads what your tools already produce and says, before anything is
# deployed, what ECS will do: every call it and your app will make, in order, which role makes
# it, allowed or refused by the same AWS Identity and Access Management (IAM) judge as the lab,
# and for the first refusal the exact text ECS would print.
#
# It never calls AWS: it reads files, and nothing leaves your computer.

# %% [markdown]
# ## What you will learn
#
# - To preflight a deployment from Terraform, from a template that `cdk synth` wrote, and from the
#   JSON the AWS Command Line Interface (CLI) prints.
# - To read a preflight: the launch phase (ECS and its agent, the task execution role), the run
#   phase (your app, the task role), the verdict, the smallest fix.
# - To check the prediction in a lab: `Lab.from_preflight(...)` makes the same roles and task
#   definition, and `lab.run_task()` shows what ECS does with them.
# - What a preflight cannot know.
#
# ## Before you start
#
# Finish notebooks 02, 03 and 07 (Terraform) first. You need no AWS account and no Terraform or CDK
# installed. Allow about 15 minutes.

# %% [markdown]
# ## The article's deployment
#
# The next cell imports what this notebook works with: `preflight`, the article's Terraform
# (`article_terraform()`, its two roles), the course's task definition as Terraform
# (`ORDERS_TERRAFORM`), a template written the way `cdk synth` writes it (`cdk_template()`), a
# real deployment that failed (`REAL_WORLD`), the
# orders app's two calls (`APP_CALLS`), the article's Terraform with one attachment moved to the
# wrong role (`MOVED`), and `same_text()`, which cuts request and task ids from ECS's text. Then
# it preflights the article's deployment: the two Terraform texts together, as Terraform reads a
# folder of `.tf` files.

# %%
import json
import re

from ecslab import Lab, preflight
from ecslab.coach.lessons.nb07 import article_terraform
from ecslab.coach.lessons.nb11 import ORDERS_TERRAFORM, REAL_WORLD, cdk_template

APP_CALLS = [
    "s3:GetObject=arn:aws:s3:::orders-config-123456789012/config/app.json",
    "secretsmanager:GetSecretValue="
    "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:orders/payments-api-key-AbCdEf",
]
MOVED = article_terraform().replace(
    'resource "aws_iam_role_policy_attachment" "ecs_execution_ecr_read_only" {\n'
    "  role       = aws_iam_role.ecs_execution.name",
    'resource "aws_iam_role_policy_attachment" "ecs_execution_ecr_read_only" {\n'
    "  role       = aws_iam_role.ecs_task.name",
)


def same_text(text):
    """ECS's text with its request id and task id cut, to compare two runs."""
    text = re.sub(r"RequestID: [0-9a-f-]+", "RequestID: …", text or "")
    return re.sub(r"/[0-9a-f]{32}\b", "/…", text)


article = preflight(article_terraform(), ORDERS_TERRAFORM)
print(article.describe())

# %% [markdown]
# Read it from the top. In the **launch phase**, Amazon ECS assumes both roles (the trust
# policies allow `ecs-tasks.amazonaws.com`), then the ECS agent, wearing the task execution role
# `ecs-execution-role`, asks for a registry token, the image and a log stream. All allowed: the
# task will start. The **run phase** is empty: a preflight cannot know what your app calls until
# you tell it.

# %% [markdown]
# ## Tell it what the app calls
#
# The orders app reads its configuration from Amazon S3 and its payments API key from AWS Secrets
# Manager. Each `expect` entry is one call, `ACTION=RESOURCE`, judged with the task role.
#
# **Predict**: the article gives the task role `AmazonS3ReadOnlyAccess` and
# `AmazonDynamoDBReadOnlyAccess`. Which of the two calls is refused?

# %%
article = preflight(article_terraform(), ORDERS_TERRAFORM, expect=APP_CALLS)
print("exit status:", article.exit_status)
for call in article.calls:
    if call.phase == "run":
        print(call.decision, call.action)
print()
print(article.fixes[0].text)
print(article.fixes[0].terraform)

# %% [markdown]
# The task will start (the launch phase is unchanged), but the app will be refused
# `secretsmanager:GetSecretValue`: exit status 1. The fix names the **task role**, not the task
# execution role, and comes as the smallest statement, ready to paste as Terraform (or as
# CloudFormation: `article.fixes[0].cloudformation`).

# %% [markdown]
# ## The classic mistake, before deploying
#
# Now the mistake from notebook 02: the image pull permission is on the wrong role. `MOVED` is the
# article's Terraform with its `AmazonEC2ContainerRegistryReadOnly` attachment moved from the task
# execution role to the task role. The next cell preflights it.
#
# **Predict**: will the task start? If not, which call is refused, and with which role?

# %%
broken = preflight(MOVED, ORDERS_TERRAFORM)
print("exit status:", broken.exit_status)
print(broken.stopped_reason)
for lint in broken.lints:
    print(lint.level, lint.rule, "-", lint.message)

# %% [markdown]
# The task will not start. The preflight prints the `stoppedReason` ECS would show, word for
# word (a request id and a task id aside), and a lint says what you did: the task role allows
# calls the ECS agent makes, with the task execution role, at launch.

# %% [markdown]
# ## Does the prediction come true?
#
# `Lab.from_preflight(...)` takes the same inputs and makes them in a fresh lab: the roles with
# their policies, the task definition, and what the task needs around it (the repository and the
# image, the log group). Then you run the task and compare ECS's text with the prediction.

# %%
predicted = preflight(MOVED, ORDERS_TERRAFORM)
lab = Lab.from_preflight(MOVED, ORDERS_TERRAFORM)
task = lab.run_task(lab.preflight.task_definition)
print("lab:      ", task.stop_code)
print("same text:", same_text(task.stopped_reason) == same_text(predicted.stopped_reason))

# %% [markdown]
# Same words. The preflight and the lab share their plan of the calls and their IAM judge, so they
# cannot disagree about who asks what; the lab then runs it in the simulated account, as the
# earlier notebooks did. (It checks the preflight against the simulation, not against AWS: for
# what the simulation is faithful to, see `00_start_here`.)

# %% [markdown]
# ## A template that `cdk synth` wrote
#
# CDK apps do not hand you a task definition: they synthesize a CloudFormation template, where
# every role's Amazon Resource Name (ARN) is an `Fn::GetAtt`, names are generated, and the image URI is built with
# `Fn::Join`. The preflight resolves these as CloudFormation would at deploy time; a name only a
# deployed stack knows is written `STACK-<LogicalId>-RANDOM`.
#
# This app granted its bucket to the task role (`bucket.grantRead(taskDefinition.taskRole)`), and
# CDK added the agent's permissions to the execution role by itself.

# %%
template = cdk_template()
synthesised = preflight(template, region="ap-northeast-1", expect=APP_CALLS[:1])
print(synthesised.describe())

# %% [markdown]
# **Your turn**: the CDK app also reads the payments secret. Preflight it with both `APP_CALLS`,
# and find the fix's role in the output. (Hint: the fix names the role that CDK called
# `TaskDefTaskRole1EDB4A67`.)

# %%
# your code here

# %% [markdown]
# ## A real deployment that failed
#
# `REAL_WORLD` is public: New Relic's example task definition for a Fargate sidecar, as it was
# before a fix in their repository, and the execution role their CloudFormation install creates.
# Users reported that the task never started. The example read its license key through a Systems
# Manager (SSM) parameter that points into Secrets Manager.
#
# **Predict**: which role is refused, and which call?

# %%
real = preflight(*REAL_WORLD)
refused = next(call for call in real.calls if call.decision.endswith("Denied"))
print(refused.principal, "/", refused.role)
print(refused.action, refused.resource)
print()
print(real.stopped_reason)

# %% [markdown]
# The execution role allows `secretsmanager:GetSecretValue` on the secret, but the task
# definition asked SSM for it, and the agent's `ssm:GetParameters` is refused: the text users
# reported. New Relic's fix named the secret's own ARN in `valueFrom` instead; adding the
# permission the preflight proposes would work as well.

# %% [markdown]
# ## In continuous integration
#
# From a shell, the same preflight is one command, with an exit status a pipeline can stop on (0:
# the task will start and run; 1: it will not start, or the app will be refused; 2: the input
# cannot be read), and SARIF 2.1.0 for
# code scanning (GitHub shows each finding on the file that caused it):
#
# ```
# aws ecs describe-task-definition --task-definition orders > taskdef.json
# aws iam get-account-authorization-details --filter Role LocalManagedPolicy > iam.json
# ecslab preflight taskdef.json iam.json --expect s3:GetObject=arn:aws:s3:::orders-config/app.json
# cdk synth --json > template.json
# ecslab preflight template.json --region ap-northeast-1 --sarif > preflight.sarif
# ```
#
# With `--json` the command prints `to_dict()` of the same result. The next cell prints the fix
# from it, as a pipeline would read it, and the exit status.

# %%
result = preflight(MOVED, ORDERS_TERRAFORM).to_dict()
print(json.dumps(result["fixes"][0]["statement"], indent=2))
print("exit status:", result["exitStatus"])

# %% [markdown]
# ## What a preflight cannot know
#
# - **Your app's calls**, until you list them (`expect`).
# - **The network**: a subnet with no route to Amazon Elastic Container Registry (ECR) fails the
#   same launch with a timeout (notebook 10); a preflight reads roles and policies, not routes.
# - **Resources**: whether the image tag or the secret exists, and the policies it was not given
#   (a repository's, a secret's). It says so under "Not judged" instead of guessing; a key policy
#   it was not given is taken as AWS's default one, and it says that too.
# - **Organization policies**: service control policies are not among its inputs.
#
# Where it is sure, it is exact: the calls, their order, each decision, and ECS's words.

# %% [markdown]
# ## Key points
#
# - `preflight(...)` / `ecslab preflight` reads Terraform, CloudFormation (`cdk synth` too) and the
#   AWS CLI's JSON, and predicts the launch phase, the run phase you describe, and the verdict.
# - A refusal comes with ECS's own text and the smallest fix, for the role that needs it.
# - `Lab.from_preflight(...)` runs the same deployment in a lab, so you can watch the
#   prediction come true.

# %% [markdown]
# ## What's next
#
# Preflight your own deployment: `ecslab preflight --help` lists the inputs, and the README's
# "Preflight" section shows the commands that produce them. When a real task fails anyway, read
# its text with `diagnose` (notebook 05).
