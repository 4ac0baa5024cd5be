# %% [markdown]
# # When it is not IAM: the network, the image, a missing resource
#
# A task on Amazon Elastic Container Service (ECS) never starts, and its stop text begins with
# `ResourceInitializationError` or `CannotPullContainerError`. The article's rule of thumb says:
# the task never started, so look at the task execution role, not the task role. Most of the
# time that is right. But the same words also begin failures that no AWS Identity and Access
# Management (IAM) change can fix: a subnet with no way out, an image tag that does not exist, an
# image built for another processor, a registry's rate limit, a secret nobody created.
#
# Here you break each of them, read the stop text and how long the launch took, and extend the
# rule of thumb honestly: first read whether the text names a refusal at all.

# %% [markdown]
# ## What you will learn
#
# - To tell a network failure from an IAM refusal by its text (`i/o timeout`, `context deadline
#   exceeded`) and its timing (minutes, not milliseconds).
# - Which virtual private cloud (VPC) endpoints a task in a private subnet without a network
#   address translation (NAT) gateway needs, and why a public subnet needs a public Internet Protocol (IP) address.
# - To read image failures: a missing tag, a platform mismatch, Docker Hub's rate limit.
# - To tell a secret that does not exist from one the execution role may not read.
# - What `diagnose` says about each.

# %% [markdown]
# ## Before you start
#
# Work through `02_execution_role.ipynb` and `05_troubleshooting.ipynb` first. Allow about 35
# minutes.
#
# The next cell builds a fresh lab and defines two helpers. `read(task)` prints what a stopped
# task shows: its stop code, how long after `createdAt` it started or gave up (on the lab's
# simulated clock), whether its text names an IAM refusal, and the text itself (request ids cut
# to `…`).
# `editable(reference)` returns a registered task definition as fields you can change and
# register again. Run the cell again to start over; every other cell can run on its own after it.

# %%
import copy
import re
import textwrap

from ecslab import Lab, diagnose

lab = Lab()  # a fresh simulated AWS account: run this cell again to start over
REFUSAL_WORDS = ("not authorized", "AccessDenied", "403 Forbidden")


def read(task):
    """Stop code, time to start or to give up, refusal words, the stop text (request ids cut)."""
    times = task.describe()
    end = times.get("startedAt") or times["executionStoppedAt"]
    seconds = (end - times["createdAt"]).total_seconds()
    named = [word for word in REFUSAL_WORDS if word in task.stopped_reason]
    print(f"stopCode {task.stop_code}, {seconds:.1f} s after createdAt")
    print("IAM refusal words:", ", ".join(named) or "none found")
    text = re.sub(r"(?i)(request ?id: )[0-9a-f-]+", r"\1…", task.stopped_reason)
    print(textwrap.fill(text, 100, break_long_words=False, break_on_hyphens=False))


def editable(reference):
    """A registered task definition as RegisterTaskDefinition's fields, to change and register."""
    registered = lab.task_definition(reference)
    fields = ("family", "executionRoleArn", "taskRoleArn", "networkMode",
              "requiresCompatibilities", "cpu", "memory", "containerDefinitions")
    return copy.deepcopy({field: registered[field] for field in fields})


read(lab.run_task())

# %% [markdown]
# ## Same words, two causes
#
# The next cell runs the course's task twice. First in a private subnet with no route out: no
# NAT gateway, no VPC endpoints. Then in the lab's usual subnet,
# with the execution role missing its AWS managed policy. It puts the roles and the network back
# as they start before each run.
#
# **Predict**: which of the two stops later?

# %%
lab.reset_roles()
lab.network.reset()
lab.network.private_subnet(nat=False)  # no NAT gateway, no endpoints
read(lab.run_task())
print()
lab.network.reset()  # the lab's own subnets again (private, with a NAT gateway)
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
read(lab.run_task())
lab.reset_roles()

# %% [markdown]
# Both texts begin with the same words: `ResourceInitializationError: unable to pull secrets or
# registry auth`. Read on to the end:
#
# - The refusal names **who** was refused **what**: `assumed-role/ecs-execution-role/...` `is not
#   authorized to perform: ecr:GetAuthorizationToken`. IAM answered, at once.
# - The timeout names no action and no role: `dial tcp ...:443: i/o timeout`, `retried 3
#   time(s)`, `Please check your task network configuration`. Nobody answered: the call never
#   reached Amazon Elastic Container Registry (ECR), and the agent waited and retried before it
#   gave up.
#
# The times agree: the refusal came back within seconds of the task's creation, the timeout about
# a minute and a half later. On AWS, too, a network failure keeps a task in `PENDING` for minutes.
# No permission on either role changes that.

# %% [markdown]
# ## What a task with no route out needs
#
# On Fargate the ECS agent makes its launch calls through the task's own network interface, in
# the task's subnet. Without a NAT gateway, each service it calls needs a VPC endpoint:
#
# | The agent's call | Endpoint |
# |---|---|
# | registry token (`ecr:GetAuthorizationToken`) | `ecr.api` (interface) |
# | image manifest | `ecr.dkr` (interface) |
# | image layers, kept by ECR in Amazon Simple Storage Service (S3) | `s3` (gateway) |
# | injected parameters and secrets | `ssm`, `secretsmanager` (interface) |
# | log stream and log events | `logs` (interface) |
#
# The next cell adds every endpoint but `s3` and `logs`. **Predict** what stops the task now.
#
# <details><summary>Sources</summary>
#
# [Amazon ECR interface VPC endpoints](https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html)
# (ECS tasks on Fargate need `ecr.dkr`, `ecr.api` and the S3 gateway endpoint, and `logs` for the
# awslogs driver); [Amazon ECS interface VPC endpoints](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html);
# [re:Post: ECS tasks unable to pull secrets](https://repost.aws/knowledge-center/ecs-unable-to-pull-secrets).
#
# </details>

# %%
lab.reset_roles()
lab.network.reset()
lab.network.private_subnet(nat=False)
for endpoint in ("ecr.api", "ecr.dkr", "ssm", "secretsmanager"):
    lab.network.add_endpoint(endpoint)
print(lab.network)
read(lab.run_task())

# %% [markdown]
# The manifest came through `ecr.dkr`; the layers did not. Their address is an S3 bucket
# (`prod-<region>-starport-layer-bucket`), and with no `s3` gateway endpoint the request timed
# out: `dial tcp ...: i/o timeout`, again with no action and no role. (The injected parameter's
# AWS Key Management Service (KMS) key is used by Parameter Store itself, so the agent needs no
# `kms` endpoint.)
#
# ## A public subnet needs a public IP
#
# A subnet whose route table sends traffic to an internet gateway is *public*, but the internet
# gateway only carries traffic for an address it can translate: the task needs a public IP,
# RunTask's `assignPublicIp: ENABLED`. The next cell runs the task in a public subnet without one,
# then with one.

# %%
lab.reset_roles()
lab.network.reset()
lab.network.public_subnet(public_ip=False)
print(lab.network_configuration["awsvpcConfiguration"]["assignPublicIp"])
read(lab.run_task())
print()
lab.network.public_subnet(public_ip=True)
print(lab.network_configuration["awsvpcConfiguration"]["assignPublicIp"])
read(lab.run_task())
lab.network.reset()

# %% [markdown]
# <details><summary>Sources, and what the simulation does not do</summary>
#
# A task in a public subnet needs a public IP to pull its image:
# [Fargate task networking](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html).
# The texts come from public task-failure reports, cited in `ecslab/ecs/network.py`.
#
# Not simulated: security groups, network access control lists and DNS (the Domain Name System)
# are always open; interface endpoints have
# private DNS on; the waits are of the order public reports give (a few minutes), not measured;
# the IP addresses in the texts are stand-ins.
#
# </details>
#
# ## The app needs a path too
#
# Once the container runs, the app's own calls leave through the same network interface: to S3
# for its configuration, to Amazon DynamoDB, Amazon Simple Queue Service (SQS), Amazon Simple
# Notification Service (SNS) and Secrets Manager. The next cell gives the task every endpoint the
# launch needs, and no more. **Predict**: does the task start? Does the app finish?

# %%
lab.reset_roles()
lab.network.reset()
lab.network.private_subnet(nat=False)
for endpoint in ("ecr.api", "ecr.dkr", "s3", "ssm", "secretsmanager", "logs"):
    lab.network.add_endpoint(endpoint)
task = lab.run_task()
read(task)
print("exit code:", task.exit_code)
print("last log line:", task.logs[-1])
lab.network.reset()

# %% [markdown]
# The task started and the app failed, so the article's rule would now suspect the task role.
# But the app's last log line is botocore's `ConnectTimeoutError: Connect timeout on endpoint
# URL`, for DynamoDB: no refusal, no role. The S3 call went through, because the `s3` gateway
# endpoint serves the app as well as the image layers; the cell added none for DynamoDB. In the run
# phase too, read whether the text names a refusal before you touch the task role.
#
# <details><summary>How long the app waited, and sources</summary>
#
# botocore waits 60 seconds for a connection by default and retries; the lab counts that time on
# its clock (see `ecslab/ecs/reach.py`), replacing the retries' random jitter by its mean.
# Endpoints per service: [AWS services that integrate with AWS PrivateLink](https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html);
# S3 and DynamoDB also have gateway endpoints
# ([gateway endpoints](https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html)).
#
# </details>
#
# ## What the coach says
#
# `diagnose` (notebook 05) reads both texts the same way: "neither role: network".

# %%
lab.reset_roles()
lab.network.reset()
lab.network.private_subnet(nat=False)
launch_timeout = lab.run_task().stopped_reason
for endpoint in ("ecr.api", "ecr.dkr", "s3", "ssm", "secretsmanager", "logs"):
    lab.network.add_endpoint(endpoint)
app_timeout = lab.run_task().logs[-1]
lab.network.reset()
print(diagnose(launch_timeout))
print()
found = diagnose(app_timeout)
print("The app's log line:", found.describe().splitlines()[0])

# %% [markdown]
# ## Four stop texts: which one is IAM?
#
# The next cell runs four tasks, each with a task definition of its own (registered under another
# family, so the course's `orders` stays as it is). Each breaks something different. **Decide**
# for each text: did IAM refuse, and what would you fix? The answers follow the cell.

# %%
lab.reset_roles()
lab.network.reset()
lab.ecs.docker_hub.anonymous_quota_used_up = False
registry = lab.resources.repository_uri

print("Mystery 1")
definition = editable("orders:1")
definition["family"] = "orders-mystery-1"
definition["containerDefinitions"][0]["image"] = registry + ":1.5.0"
read(lab.run_task(definition))

print("\nMystery 2")
arm = registry + ":2.0-arm"
try:  # an image built for ARM processors only, as on an Apple silicon Mac
    lab.build_image("2.0-arm", lambda: print("orders 2.0"), platform="linux/arm64")
except lab.client("ecr").exceptions.ImageAlreadyExistsException:
    pass  # pushed by an earlier run of this cell
definition = editable("orders:1")
definition["family"] = "orders-mystery-2"
definition["containerDefinitions"][0]["image"] = arm
read(lab.run_task(definition))

print("\nMystery 3")
lab.ecs.docker_hub.anonymous_quota_used_up = True  # Docker Hub's quota, simulated
definition = editable("orders:1")
definition["family"] = "orders-mystery-3"
definition["containerDefinitions"][0]["image"] = "nginx:1.27"
read(lab.run_task(definition, app=lambda: None))
lab.ecs.docker_hub.anonymous_quota_used_up = False

print("\nMystery 4")
lab.execution_role.put_inline("no-pull", {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "ecr:BatchGetImage", "Resource": "*"}]})
read(lab.run_task())
lab.reset_roles()

# %% [markdown]
# Only mystery 4 was IAM, and its text does not even name the action: `403 Forbidden` while
# pulling the manifest. Fix the execution role. The others:
#
# 1. `failed to resolve ref ...:1.5.0: not found` — the tag does not exist in the repository
#    (ECR answered 404). Fix the task definition's image, or push the tag.
# 2. `image Manifest does not contain descriptor matching platform 'linux/amd64'` — the image was
#    built only for ARM processors, for example with `docker buildx build --platform linux/arm64`
#    on an Apple silicon Mac. Build it for `linux/amd64`, or set `cpuArchitecture` to `ARM64` in
#    the task definition's `runtimePlatform`.
# 3. `429 Too Many Requests ... toomanyrequests` — Docker Hub's pull rate limit for anonymous
#    pulls. Pull with credentials (`repositoryCredentials`), or copy the image to ECR.
#
# <details><summary>Sources, and what the simulation does not do</summary>
#
# [CannotPullContainer task errors](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html)
# lists these causes; [Docker Hub usage and limits](https://docs.docker.com/docker-hub/usage/);
# [private registry authentication](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html).
# The lab never contacts Docker Hub: its quota runs out only when you set
# `lab.ecs.docker_hub.anonymous_quota_used_up = True`. A single-platform image of the wrong
# architecture would pull and fail at start with `exec format error`, which the lab does not
# model.
#
# </details>

# %% [markdown]
# ## A secret: missing, or refused?
#
# Secrets are the case where the text *does* name IAM, yet the fix may not be a permission. The
# next cell injects a second secret, `orders/smtp-password`, that nobody created. It runs the task
# with the course's execution role, which may read only the database password; then with a role
# widened to every secret under `orders/`.

# %%
lab.reset_roles()
lab.network.reset()
r = lab.resources
smtp = f"arn:aws:secretsmanager:{r.region}:{r.account_id}:secret:orders/smtp-password-Xy12Ab"
definition = editable("orders:1")
definition["family"] = "orders-smtp"
definition["containerDefinitions"][0]["secrets"].append(
    {"name": "SMTP_PASSWORD", "valueFrom": smtp})
read(lab.run_task(definition))
print()
lab.execution_role.put_inline("all-orders-secrets", {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
     "Resource": f"arn:aws:secretsmanager:{r.region}:{r.account_id}:secret:orders/*"}]})
read(lab.run_task(definition))
lab.reset_roles()

# %% [markdown]
# The permission is checked before the secret is looked up. So the first run reads as a refusal,
# `AccessDeniedException ... is not authorized to perform: secretsmanager:GetSecretValue`, on an
# Amazon Resource Name (ARN) that exists nowhere. Only once the role allowed the call did Secrets Manager answer
# `ResourceNotFoundException: Secrets Manager can't find the specified secret`.
#
# So read the resource in a refusal too. If the role's policy names the secret you meant and the
# refusal names another ARN, fix the ARN in the task definition, not the role. Widening the role
# only turns the refusal into "not found"
# ([ResourceNotFoundException errors](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-not-found-error.html)).

# %% [markdown]
# ## The rule of thumb, extended
#
# The article's rule, "the task never starts: look at the execution role, not the task role",
# still holds for every refusal in this notebook. Before it, read the text:
#
# 1. Does the text name a refusal (`not authorized`, `AccessDenied`, `403 Forbidden`)? If not —
#    a timeout, `not found`, a platform, `429` — no role change helps: fix the network, the image
#    or the registry.
# 2. If it does, the task execution role was refused, and the rule applies. Read the resource it
#    was refused on, too: is it the one you meant?
# 3. The timing confirms it: a refusal comes back at once, a timeout after minutes.

# %% [markdown]
# ## Your turn
#
# Each exercise's first cell loads its broken setup (roles and network put back as they start,
# then one thing broken): to come back to an earlier exercise, run its first cell again. Change
# what you think is wrong, run the task, then `ex1.check()`: it reads the lab, says what is still
# wrong, never how to fix it. `ex1.hint()` gives hints, more specific each time; `ex1.solution()`
# shows an answer (try first!).
#
# ### Exercise 1: a private subnet, no public IP
#
# Make the task start and run to the end in its private subnet, with no NAT gateway and no
# public IP. `print(lab.network)` shows where it runs.

# %%
ex1 = lab.exercise("10-private-subnet")
ex1

# %%
# Your code here

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### Exercise 2: the nightly job's secret
#
# A nightly job, the task definition family `orders-nightly`, never starts. Run it with
# `lab.run_task("orders-nightly")`, read its stop text, and fix the right thing.

# %%
ex2 = lab.exercise("10-nightly-secret")
ex2

# %%
# Your code here

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ## Key points
#
# - `ResourceInitializationError` and `CannotPullContainerError` say *when* (at launch), not
#   *why*. Read the text to its end.
# - A refusal names who was refused what, or says `403 Forbidden`, and comes back at once. A
#   timeout names neither and takes minutes: the network, not IAM. So does an app's
#   `ConnectTimeoutError`, although the task started.
# - With no NAT gateway, the launch needs the endpoints `ecr.api`, `ecr.dkr`, `s3`, `logs`, and
#   `secretsmanager` or `ssm` for injected values; the app needs one per service it calls. In a
#   public subnet the task needs a public IP.
# - `not found`, a platform mismatch and `429 Too Many Requests` are the image's or the
#   registry's: fix the task definition, the build or the credentials.
# - A refusal on an ARN you never meant is a wrong reference; `ResourceNotFoundException` is a
#   missing resource. Fix the reference, not the role.

# %% [markdown]
# ## What's next
#
# You now have the whole method. Go back to `05_troubleshooting.ipynb` with new eyes, and keep
# `diagnose(message)` and `ecslab explain "<message>"` at hand: they read pasted texts from real
# accounts the way this notebook taught you to.
#
# Then `11_preflight.ipynb`: your own deployment's roles, judged before you deploy it.
