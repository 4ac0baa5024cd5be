"""Write notebooks/00_start_here.ipynb (the placeholder start notebook) and execute it.

The course notebooks come with issue 7; until then this one checks the environment and shows
the IAM judge answering the question the course is about.

    .venv/bin/python tools/build_start_notebook.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "00_start_here.ipynb"

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
shows the piece everything else rests on: an IAM judge that decides requests the way AWS does, and
says why.""",
    ),
    (
        "markdown",
        """## Check your environment

Run the next cell (Shift+Enter). It should print three lines ending in "ok".""",
    ),
    (
        "code",
        """import sys

import ecslab
from ecslab.iam import evaluate

print("Python 3.10 or newer:", "ok" if sys.version_info >= (3, 10) else "too old")
print("ecslab imports:", "ok")
print("IAM judge answers:", "ok" if evaluate("arn:aws:iam::123456789012:root", "s3:ListBucket",
                                              "arn:aws:s3:::example").allowed else "broken")""",
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
        """ACCOUNT = "123456789012"
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
        """## Key points

- Two roles, two callers: the ECS agent launches the task with the **task execution role**; the
  application runs with the **task role**.
- Every answer in this course comes from an IAM judge that follows AWS's documented evaluation
  logic and reproduces AWS's error texts.
- A log group's ARN without `:*` does not cover its log streams.

## What's next

The next notebooks build a whole simulated account, launch a task, and let you break and fix each
role.""",
    ),
]


def main() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    for kind, source in CELLS:
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        notebook.cells.append(make(source))
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    notebook.metadata["language_info"] = {"name": "python"}  # no interpreter version
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number:02d}"  # stable ids keep diffs quiet
        cell.metadata.pop("execution", None)
    NOTEBOOK.parent.mkdir(exist_ok=True)
    nbformat.write(notebook, NOTEBOOK)
    print(f"wrote {NOTEBOOK.name}")


if __name__ == "__main__":
    main()
