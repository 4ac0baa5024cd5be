"""The IAM judge: decides requests exactly as AWS IAM does, and says why.

Pure Python; knows nothing of moto, ECS or the rest of ecslab.

>>> from ecslab.iam import evaluate
>>> d = evaluate("arn:aws:sts::123456789012:assumed-role/ecs-task-role/abc", "s3:GetObject",
...              "arn:aws:s3:::config/app.json", identity_policies=[])
>>> d.decision
'ImplicitlyDenied'
"""

from ecslab.iam.evaluation import (
    ALLOWED,
    EXPLICIT,
    IMPLICIT,
    Decision,
    StatementRef,
    Step,
    denial_message,
    evaluate,
)
from ecslab.iam.policy import MalformedPolicyDocument, Policy, StatementResult, parse_policy

__all__ = [
    "ALLOWED",
    "EXPLICIT",
    "IMPLICIT",
    "Decision",
    "MalformedPolicyDocument",
    "Policy",
    "StatementRef",
    "StatementResult",
    "Step",
    "denial_message",
    "evaluate",
    "parse_policy",
]
