# %% [markdown]
# # Terraform: `execution_role_arn` and `task_role_arn`
#
# The article this course is built on sets up its two roles with Terraform. In a Terraform task
# definition the two roles are two different arguments, and putting a permission on the wrong one
# is exactly the mistake from notebook 02. In this notebook you load the article's own Terraform
# into a lab, run the course's task with it, see what it gets right and what this app still needs,
# and export a least-privilege version as Terraform again.
#
# **What you will learn**
#
# - which Terraform argument names which role, and who uses each;
# - how to read the article's roles in a lab, and what AWS would do with them;
# - how to write the roles a task really needs back out as HashiCorp Configuration Language (HCL),
#   the language Terraform files are written in.
#
# **Before you start**: notebooks 02 (the task execution role), 03 (the task role) and 06 (least
# privilege). You do not need Terraform installed: ecslab reads the `.tf` text itself.
#
# **What is simulated**: ecslab reads the Identity and Access Management (IAM) and Elastic
# Container Service (ECS) task definition resources of a Terraform file and applies them to the
# lab through IAM, as `terraform apply` would through the AWS API. It does not run Terraform:
# there is no state, no plan, and other resources (clusters, networks, providers) are listed as
# ignored.

# %%
from ecslab import Lab

lab = Lab()
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
# This is the article's Terraform, with its comments translated and indented as `terraform fmt`
# writes it (the article's copy lost its indentation): the two roles, each trusting
# `ecs-tasks.amazonaws.com`, and four AWS managed policies. The execution role gets read access to
# Elastic Container Registry (ECR) and `CloudWatchLogsFullAccess` (the article itself notes it
# should be narrowed); the task role gets read-only Amazon S3 and Amazon DynamoDB.

# %%
from ecslab.coach.lessons.nb07 import ARTICLE_TERRAFORM

print(ARTICLE_TERRAFORM)

# %% [markdown]
# `Lab.from_terraform` builds a fresh lab and applies the Terraform to it. The article's
# role names are the course's, so its roles *replace* the course's: same names, the article's
# policies.

# %%
lab = Lab.from_terraform(ARTICLE_TERRAFORM)
print(lab.terraform.describe())

# %% [markdown]
# **Predict** before you run: the orders task definition injects a database password from
# AWS Secrets Manager and feature flags from AWS Systems Manager Parameter Store, both encrypted
# with a customer-managed key. Which role will fail first, and in which phase?

# %%
task = lab.run_task()
print(task.stop_code)
print(task.stopped_reason)

# %% [markdown]
# The ECS agent, wearing the execution role, got the registry token (ECR read access), but was
# refused the injected feature flags before the image pull began: nothing in the article's policies
# allows `ssm:GetParameters`.
# The article's example app injects no secrets, so its Terraform never needed this. `diagnose`
# reads the message the same way:

# %%
from ecslab import diagnose

print(diagnose(task.stopped_reason))

# %% [markdown]
# ## What the launch still needs
#
# Add one inline policy to the execution role for the injected values: the parameter, the secret
# and the key that encrypts both. The Terraform below is built from the lab's own ARNs (a secret's
# ARN ends with six random characters, matched here with `-??????`). `load_terraform` applies it to
# this lab, as the learner.

# %%
from ecslab.coach.terraform import load_terraform

r = lab.resources
secret = r.db_secret_arn[: -len("-XXXXXX")] + "-??????"
LAUNCH_SECRETS = f'''
resource "aws_iam_role_policy" "inject_secrets" {{
  name = "inject-secrets"
  role = aws_iam_role.ecs_execution.name
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{ Effect = "Allow", Action = "ssm:GetParameters", Resource = "{r.parameter_arn}" }},
      {{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = "{secret}" }},
      {{ Effect = "Allow", Action = "kms:Decrypt", Resource = "{r.key_arn}" }},
    ]
  }})
}}
'''
print(load_terraform(lab, ARTICLE_TERRAFORM + LAUNCH_SECRETS).describe())
task = lab.run_task()
print(task.stop_code, "- exit code", task.exit_code)
for line in task.logs:
    print(line)

# %% [markdown]
# Now the task starts: the launch phase is complete. The application gets further, and
# stops at its first write: the article's task role is read-only for DynamoDB. This time the
# caller named in the error is `assumed-role/ecs-task-role/...` — the task role, in the run phase.

# %%
print(diagnose(task.logs[-1]))

# %% [markdown]
# ## Exporting a least-privilege setup
#
# Start from the course's healthy lab, run the task, and ask for Terraform with each role narrowed
# to what the trace shows it used. Every role gets one custom policy instead of its current ones.
# Then prove it: build a fresh lab from that text and run the task.

# %%
lab = Lab()
lab.run_task()
narrowed = lab.to_terraform(least_privilege=True)
print(narrowed[: narrowed.index('resource "aws_ecs_task_definition"')])

# %%
rebuilt = Lab.from_terraform(narrowed)
task = rebuilt.run_task()
print(task.stop_code, "- exit code", task.exit_code)
print("denied calls:", len(task.trace.denied()))

# %% [markdown]
# ## When the Terraform has a mistake
#
# A typo in a managed policy's ARN is a clear error that names the block and the line where it
# starts, and nothing is applied. (This cell fails on purpose.) Here the lab is stricter than
# Terraform: `terraform plan` does not check that a managed policy exists, and `terraform apply`
# creates the roles and the other attachments, fails on that one attachment, and rolls nothing
# back. The lab checks everything first so that a mistake never leaves a half-built lab behind.

# %% tags=["raises-exception"]
Lab.from_terraform(
    ARTICLE_TERRAFORM.replace("AmazonDynamoDBReadOnlyAccess", "AmazonDynamoDBReadOnlyAcess")
)

# %% [markdown]
# ## Your turn
#
# The exercise puts the article's roles into a fresh lab. Make the orders task run to the end,
# with roles no wider than it needs: no log deletion on the execution role, no access to other
# tables or buckets on the task role. Use Terraform (`load_terraform(lab, text)`) or the role
# methods — the check reads the roles, not your code.

# %%
lab = Lab()
ex = lab.exercise("07-fix-the-article")
ex

# %%
# Your code here

# %%
ex.check()

# %%
# ex.hint()
# ex.solution()

# %% [markdown]
# ## Key points
#
# - In `aws_ecs_task_definition`, `execution_role_arn` is the task execution role (the ECS agent,
#   launch phase) and `task_role_arn` is the task role (your application, run phase).
# - Both roles trust `ecs-tasks.amazonaws.com`; what differs is what each is allowed to do.
# - The article's roles are a good start: ECR pull and logs on the execution role, the app's
#   services on the task role. An app that injects secrets needs more on the execution role; an app
#   that writes needs more than read-only on the task role.
# - `lab.to_terraform(least_privilege=True)` writes each role narrowed to what it used, and a fresh
#   lab built from it proves it works.
#
# ## What's next
#
# This is the last notebook. Go back to the workbench (notebook 04) or the mystery tasks
# (notebook 05) and try your own broken setups; `ecslab explain "<message>"` reads errors from
# your real account.
