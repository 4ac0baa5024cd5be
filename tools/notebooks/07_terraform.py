# %% [markdown]
# # Terraform: `execution_role_arn` and `task_role_arn`
#
# The article this course is built on sets up its two roles with Terraform. In a Terraform task
# definition for Amazon Elastic Container Service (ECS), the two roles are two different
# arguments, and putting a permission on the wrong one is exactly the mistake from notebook 02.
#
# In this notebook you load the article's own Terraform into a lab, run the course's task with it,
# and see what it gets right and what this app still needs. Then you write the narrowing the
# article asks for (「本来はカスタムに権限を絞る方が良いです」, "it is better to narrow this down with a
# custom policy") as Terraform yourself.

# %% [markdown]
# ## What you will learn
#
# - Which Terraform argument names which role, and who uses each.
# - How to read the article's roles in a lab, and what AWS would do with them.
# - How to write a role's own policy in HashiCorp Configuration Language (HCL), the language of
#   Terraform files: `aws_iam_role_policy`, Amazon Resource Names (ARNs) built from `data`
#   sources, a secret's `-??????`, a key named by its alias, a log group's `:*`.
# - How `lab.to_terraform()` exports a lab's roles as Terraform.
#
# ## Before you start
#
# Notebooks 02 (the task execution role), 03 (the task role) and 06 (least privilege: this
# notebook writes as Terraform what 06 did in Python). You do not need Terraform installed: ecslab
# reads the `.tf` text itself. Allow about 25 minutes.
#
# <details><summary>What is simulated</summary>
#
# ecslab reads the AWS Identity and Access Management (IAM) and ECS task definition resources of a
# Terraform file and applies them to the lab through IAM, as `terraform apply` would through the
# AWS API. It does not run Terraform: there is no state and no plan, and other resources
# (clusters, networks, providers) are listed as ignored. `data "aws_caller_identity"` and
# `data "aws_region"` answer with the lab's account and region.
#
# </details>

# %% [markdown]
# ## Your lab
#
# The next cell builds a fresh simulated account (run it again to start over). It also imports
# what this notebook works with: `article_terraform()`, the article's Terraform as text, and
# `load_terraform(lab, text)`, which applies Terraform to the lab.

# %%
from ecslab import Lab, diagnose
from ecslab.coach.lessons.nb07 import article_terraform
from ecslab.coach.terraform import load_terraform

lab = Lab()  # a fresh simulated account: run this cell again to start over
lab

# %% [markdown]
# ## Two arguments, two roles
#
# `lab.to_terraform()` writes the lab's roles and the course's task definition as Terraform. Here
# is the task definition: `execution_role_arn` is the **task execution role**, used by the ECS
# agent while it launches the task; `task_role_arn` is the **task role**, used by the application
# inside the container.

# %%
text = lab.to_terraform()
print(text[text.index('resource "aws_ecs_task_definition"') :])

# %% [markdown]
# ## The article's Terraform
#
# Here it is, its comments translated (`article_terraform("ja")` gives the article's own Japanese
# comments) and indented as `terraform fmt` writes it. Two roles, each trusting
# `ecs-tasks.amazonaws.com` in its `assume_role_policy` (the trust policy), and four AWS managed
# policies. The execution role gets read access to Amazon Elastic Container Registry (ECR) and
# `CloudWatchLogsFullAccess`, which the article itself says to narrow. The task role gets
# read-only Amazon S3 and Amazon DynamoDB.

# %%
print(article_terraform())

# %% [markdown]
# `load_terraform(lab, text)` applies it to the lab, as you would with `terraform apply`. The
# article's role names are the course's, so its roles *replace* the course's: same names, the
# article's policies. (`Lab.from_terraform(text)` does the same in a new lab, in one step.)
#
# **Predict** before you run: the orders task definition injects a database password from AWS
# Secrets Manager and feature flags from AWS Systems Manager (SSM) Parameter Store, both
# encrypted with a customer managed AWS Key Management Service (KMS) key. Which role will fail
# first, and in which phase?

# %%
print(load_terraform(lab, article_terraform()))
task = lab.run_task()
print()
print(task.stop_code)
print(task.stopped_reason)
print()
diagnose(task.stopped_reason)

# %% [markdown]
# The ECS agent, wearing the execution role, got the registry token (ECR read access), but was
# refused the injected feature flags before the image pull began: nothing in the article's
# policies allows `ssm:GetParameters`. The article's example app injects no secrets, so its
# Terraform never needed this. `diagnose` reads the message the same way.
#
# ## A role's own policy, in Terraform
#
# The launch needs more on the execution role, and the logs need less. A policy of one role's own
# is an `aws_iam_role_policy` block; its `policy` is the JSON document, written with `jsonencode`.
# The next cell applies the article, then a file that defines the execution role again.
# `load_terraform` replaces a role whole: `CloudWatchLogsFullAccess` is gone because its block is
# not in the file.

# %% [markdown]
# What to notice in the file:
#
# - `data "aws_caller_identity"` and `data "aws_region"` give the account and the region, so the
#   ARNs hold no hard-coded numbers (`local.where` joins them);
# - the logs statement names the group's streams, `log-group:/ecs/orders:*` (notebook 06);
# - a secret's ARN ends with six random characters, matched with `-??????`;
# - IAM names a KMS key by its key ARN, never by its alias in `Resource`; to name
#   `alias/orders-config`, the statement says `"*"` with the condition key `kms:ResourceAliases`.

# %%
EXECUTION_ROLE = """
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  where = "${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}"
}

resource "aws_iam_role" "ecs_execution" {
  name = "ecs-execution-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Principal = {
        Service = "ecs-tasks.amazonaws.com"
      }
      Action = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ecs_execution_ecr_read_only" {
  role       = aws_iam_role.ecs_execution.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
}

resource "aws_iam_role_policy" "ecs_execution_launch" {
  name = "orders-launch"
  role = aws_iam_role.ecs_execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:aws:logs:${local.where}:log-group:/ecs/orders:*"
      },
      {
        Effect   = "Allow"
        Action   = "ssm:GetParameters"
        Resource = "arn:aws:ssm:${local.where}:parameter/orders/feature-flags"
      },
      {
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = "arn:aws:secretsmanager:${local.where}:secret:orders/db-password-??????"
      },
      {
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = "*"
        Condition = {
          "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/orders-config" }
        }
      },
    ]
  })
}
"""
load_terraform(lab, article_terraform())  # the article's roles, as above
print(load_terraform(lab, EXECUTION_ROLE))
task = lab.run_task()
print()
print(task.stop_code, "- exit code", task.exit_code)
for line in task.logs:
    print(line)
print()
diagnose(task.logs[-1])

# %% [markdown]
# Now the task starts: the launch is complete, without `CloudWatchLogsFullAccess`. The application
# gets further and stops at its first write: the article's task role is read-only for DynamoDB.
# This time the caller in the error is `assumed-role/ecs-task-role/...`: the task role, in the run
# phase.
#
# Two things are left, for your exercise: `AmazonEC2ContainerRegistryReadOnly` still lets the
# execution role pull every repository's images (`"Resource": "*"`), and the task role needs a
# policy of its own for what the app calls.
#
# ## Exporting a lab as Terraform
#
# `lab.to_terraform(least_privilege=True)` exports the lab's roles, each with one custom policy
# holding exactly what the trace shows it used. Use it to keep what you built by hand (in the
# workbench, say), or to compare with your own Terraform. The cell starts from the course's roles,
# exports them, and proves the export: applied back, the task runs with no denied call.

# %%
lab.reset_roles()
lab.run_task()
narrowed = lab.to_terraform(least_privilege=True)
print(narrowed[: narrowed.index('resource "aws_ecs_task_definition"')])
load_terraform(lab, narrowed)
task = lab.run_task()
print(task.stop_code, "- exit code", task.exit_code, "- denied calls:", len(task.trace.denied()))

# %% [markdown]
# ## When the Terraform has a mistake
#
# A typo in a managed policy's ARN is a clear error that names the block and the line where it
# starts, and nothing is applied. (This cell fails on purpose.) Here the lab is stricter than
# Terraform: `terraform plan` does not check that a managed policy exists, and `terraform apply`
# creates the roles and the other attachments, fails on that one attachment, and rolls nothing
# back. The lab checks everything first, so a mistake never leaves a half-built lab behind.

# %% tags=["raises-exception"]
load_terraform(
    lab, article_terraform().replace("AmazonDynamoDBReadOnlyAccess", "AmazonDynamoDBReadOnlyAcess")
)

# %% [markdown]
# ## Your turn
#
# The exercise's first cell loads its setup: the article's two roles, exactly as its Terraform
# writes them. Run it again to start over, or to come back to the exercise later.
# `ex1.check()` reads the lab; `ex1.hint()` first says where you stand, then gives hints one by
# one, each more specific; `ex1.solution()` shows one answer. Try without it first.
#
# ### Fix the article's Terraform
#
# Write the narrowing as Terraform: copy the article's text into a cell as a string
# (`text = """..."""`), replace its attachments with `aws_iam_role_policy` blocks of your own,
# apply it with `load_terraform(lab, text)`, and run the task. The task must run to the end, and
# each role may reach only the orders task's own resources: no other log group, repository,
# secret or parameter for the execution role; no other bucket, table, queue, topic or secret for
# the task role. `lab.to_terraform(least_privilege=True)`'s output is not an answer: write yours.

# %%
ex1 = lab.exercise("07-fix-the-article")
ex1

# %%
# Your code here

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ## Key points
#
# - In `aws_ecs_task_definition`, `execution_role_arn` is the task execution role (the ECS agent,
#   launch phase) and `task_role_arn` is the task role (your application, run phase).
# - Both roles trust `ecs-tasks.amazonaws.com` in `assume_role_policy`; notebook 06's guard on
#   `aws:SourceAccount` and `aws:SourceArn` goes there too. Whoever applies a task definition needs
#   `iam:PassRole` on both roles.
# - The article's roles are a good start. An app that injects secrets needs more on the execution
#   role; an app that writes needs more than read-only on the task role; `CloudWatchLogsFullAccess`
#   is better narrowed, as the article says.
# - A role's own policy is an `aws_iam_role_policy`. Build its ARNs from `data` sources; end a
#   secret's name with `-??????`, a log group's ARN with `:*`; name a KMS key by its alias through
#   `kms:ResourceAliases`.
# - `lab.to_terraform(least_privilege=True)` exports each role narrowed to what it used.

# %% [markdown]
# ## What's next
#
# The two roles are done. The next three notebooks meet the rest of the cast: the EC2 instance
# role ([08_ec2_instance_role.ipynb](08_ec2_instance_role.ipynb)), the task role's other jobs
# (09) and the failures that are not IAM at all (10). Or go back to the workbench (notebook 04)
# and try your own broken setups; `ecslab explain "<message>"` reads errors from your real
# account.
