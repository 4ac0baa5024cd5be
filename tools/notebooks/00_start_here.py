"""00 Start here — the course's first notebook (built by tools/build_notebooks.py)."""

CELLS = [
    (
        "markdown",
        """# Start here: which IAM role does Amazon ECS use, and when?

An Amazon Elastic Container Service (ECS) task uses **two** AWS Identity and Access Management
(IAM) roles, and most people who are new to ECS mix them up:

- the **task execution role** is used by the ECS agent while it *launches* the task: it pulls the
  image from Amazon Elastic Container Registry (ECR), creates the CloudWatch Logs stream and fetches
  the secrets injected as environment variables;
- the **task role** is used by *your application* inside the container, through the SDK's temporary
  credentials: Amazon S3, DynamoDB, SQS, SNS, Secrets Manager at run time.

When a task never starts, adding permissions to the task role changes nothing. This course lets you
see why, in a simulated AWS account that runs offline in milliseconds.

**Status.** The course notebooks are being written. Today this notebook checks your environment and
shows the pieces everything else rests on: a simulated AWS account, an IAM judge that decides every
request the way AWS does and says why, and an ECS task launched in that account.""",
    ),
    (
        "markdown",
        """## Your simulated AWS account

The next cell builds a fresh simulated account (a `Lab`). Run it again whenever you want to start
over: a new lab replaces the old one. Nothing here talks to the real AWS, and any AWS credentials
on your computer are set aside while the lab is open.""",
    ),
    (
        "code",
        """from ecslab import Lab

lab = Lab()
lab""",
    ),
    (
        "markdown",
        """## Check your environment

Plain `boto3`, the AWS SDK for Python, now talks to the simulated account as its administrator.
The next cell should print three lines ending in "ok".""",
    ),
    (
        "code",
        """import sys

import boto3

from ecslab import evaluate

identity = boto3.client("sts").get_caller_identity()
print("Python 3.10 or newer:", "ok" if sys.version_info >= (3, 10) else "too old")
print("Simulated account:", "ok" if identity["Account"] == lab.account_id else "not reached")
judge = evaluate("arn:aws:iam::123456789012:root", "s3:ListBucket", "arn:aws:s3:::example")
print("IAM judge answers:", "ok" if judge.allowed else "broken")""",
    ),
    (
        "markdown",
        """## The IAM judge at work

The ECS agent writes your container's output to a CloudWatch Logs *stream* inside a log *group*. A
policy that names only the log group does not cover its streams, so the agent is refused and the
task stops before your application runs. The judge gives AWS's own error text and its reasons, in
the order AWS evaluates policies.""",
    ),
    (
        "code",
        """ACCOUNT = lab.account_id
agent = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-execution-role/0f4e1c9a"
stream = (f"arn:aws:logs:ap-northeast-1:{ACCOUNT}:log-group:/ecs/orders"
          ":log-stream:ecs/orders/0f4e1c9a")
group_only = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Logs", "Effect": "Allow",
                   "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                   "Resource": f"arn:aws:logs:ap-northeast-1:{ACCOUNT}:log-group:/ecs/orders"}],
}
decision = evaluate(agent, "logs:CreateLogStream", stream,
                    identity_policies=[("ecs-logs", group_only)])
print(decision.explain())""",
    ),
    ("markdown", """Add `:*` to the log group's ARN and ask again: the stream is now covered."""),
    (
        "code",
        """group_only["Statement"][0]["Resource"] += ":*"
print(evaluate(agent, "logs:CreateLogStream", stream,
               identity_policies=[("ecs-logs", group_only)]).decision)""",
    ),
    (
        "markdown",
        """## Every call is recorded

The lab keeps a trace of every call made in the account: who made it, in which phase, which IAM
action on which resource, and whether it was allowed. Building the account took these calls (all
made by the lab itself as the account root); your own call to `get_caller_identity` is the last.""",
    ),
    (
        "code",
        """lab.trace.to_frame()[["seq", "phase", "principal", "action", "decision"]].tail(4)""",
    ),
    (
        "markdown",
        """## Launch a task

`lab.run_task()` launches the course's "orders" task in the lab's cluster, the way Amazon ECS on
AWS Fargate does. First the ECS agent *launches* it with the **task execution role**: it fetches
the registry credentials, the injected secrets and the image, and creates the log stream. Then the
orders application *runs* with the **task role**: it reads its configuration from S3, writes to
DynamoDB, sends to SQS and SNS. What it prints reaches CloudWatch Logs.""",
    ),
    (
        "code",
        """task = lab.run_task()
task""",
    ),
    (
        "code",
        """for line in task.logs:
    print(line)""",
    ),
    (
        "markdown",
        """## Break the execution role

Take the AWS managed policy `AmazonECSTaskExecutionRolePolicy` away from the execution role and
launch again. The agent is refused at its very first call, so the task stops before the application
starts: its `stoppedReason` carries AWS's error, naming the role session, the action and the
resource. There is no log line, because the log stream was never created.""",
    ),
    (
        "code",
        """lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
broken = lab.run_task()
print(broken.stop_code)
print(broken.stopped_reason)
print("log lines:", len(broken.logs))""",
    ),
    (
        "markdown",
        """## See who called what

`broken.diagram()` draws the task's calls: the **launch** phase on top, the **run** phase below.
Each arrow is one IAM action: solid with ✓ when allowed, dashed with ✗ when denied (and why), dotted
with ○ when the task stopped before making it. Under the picture, the same in sentences.""",
    ),
    (
        "code",
        """broken.diagram()""",
    ),
    (
        "markdown",
        """Put the policy back, and the task runs to the end again (exit code 0).""",
    ),
    (
        "code",
        """lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")
print(lab.run_task().exit_code)""",
    ),
    (
        "markdown",
        """## Try it yourself: the role workbench

The workbench puts both roles side by side. Tick and untick managed policies, edit an inline
policy or the trust policy, press **Run task**, and read the status, the logs, the diagram and the
trace. **Load scenario** gives you one of the course's broken setups; **Reset** puts the roles back.
(The workbench is interactive: it needs a running notebook.)""",
    ),
    (
        "code",
        """lab.workbench()""",
    ),
    (
        "markdown",
        """## Key points

- Two roles, two callers: the ECS agent launches the task with the **task execution role**; the
  application runs with the **task role**.
- The lab is a whole AWS account in your notebook: plain `boto3` works against it, every call is
  authorized as AWS would and recorded in `lab.trace`.
- A log group's ARN without `:*` does not cover its log streams.
- When the execution role is missing a permission, the task stops with `TaskFailedToStart` before
  your application runs, and writes no log line.
- `task.diagram()` shows which principal called which API in each phase, and what it never
  reached.

## What's next

The next notebooks break and fix each role in turn, including the fix most people try first.""",
    ),
]
