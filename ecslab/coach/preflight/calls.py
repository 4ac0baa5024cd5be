"""What the app calls, from a record of it: an iamlive policy, or a CloudTrail log.

- iamlive (https://github.com/iann0036/iamlive) watches an app's SDK calls and writes the policy
  they need: ``{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [...],
  "Resource": ...}]}``. Each action on each resource is one expected call.
- CloudTrail's log files and ``aws cloudtrail lookup-events`` output: ``{"Records": [...]}`` or
  ``{"Events": [{"CloudTrailEvent": "<json>"}]}``. Each management or data event is one call:
  ``eventSource`` (``s3.amazonaws.com``) and ``eventName`` give the action, ``resources[].ARN``
  the resource (``*`` when the event names none). When the log holds the calls of several
  identities, only those made with the task role are kept (a session of
  ``assumed-role/<task role>/...``), once the task role is known.
"""

from __future__ import annotations

import json
from typing import Any

from ecslab.coach.preflight.inputs import Deployment, problem
from ecslab.i18n import _

# CloudTrail event names whose IAM action has another name
# (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)
ACTION_OF_EVENT = {
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "HeadBucket"): "s3:ListBucket",
}


def is_iamlive(document: dict[str, Any]) -> bool:
    return set(document) <= {"Version", "Statement", "Id"} and "Statement" in document


def is_cloudtrail(document: dict[str, Any]) -> bool:
    return isinstance(document.get("Records"), list) or (
        isinstance(document.get("Events"), list)
        and all(isinstance(e, dict) and "CloudTrailEvent" in e for e in document["Events"])
    )


def read_iamlive(document: dict[str, Any], source: str, deployment: Deployment) -> None:
    statements = document.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            raise problem(
                source,
                f"$.Statement[{index}]",
                _("an iamlive policy holds Allow statements with Action and Resource"),
            )
        actions = statement.get("Action") or []
        resources = statement.get("Resource") or "*"
        for action in [actions] if isinstance(actions, str) else actions:
            for resource in [resources] if isinstance(resources, str) else resources:
                deployment.expects.append((str(action), str(resource), source))


def read_cloudtrail(document: dict[str, Any], source: str, deployment: Deployment) -> None:
    records = document.get("Records")
    if records is None:
        records = []
        for index, event in enumerate(document["Events"]):
            try:
                records.append(json.loads(event["CloudTrailEvent"]))
            except (TypeError, ValueError):
                raise problem(
                    source, f"$.Events[{index}].CloudTrailEvent", _("not a CloudTrail event (JSON)")
                ) from None
    for index, record in enumerate(records):
        if not isinstance(record, dict) or "eventSource" not in record or "eventName" not in record:
            raise problem(
                source,
                f"$.Records[{index}]",
                _("a CloudTrail record needs eventSource and eventName"),
            )
        service = str(record["eventSource"]).split(".", 1)[0]
        name = str(record["eventName"])
        action = ACTION_OF_EVENT.get((service, name), f"{service}:{name}")
        caller = str((record.get("userIdentity") or {}).get("arn") or "")
        arns = [str(r.get("ARN")) for r in record.get("resources") or [] if isinstance(r, dict)]
        for resource in arns or ["*"]:
            deployment.expects.append((action, resource, caller))
