"""The judge is pure Python: importing and using it loads nothing from moto, boto3 or ECS code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

JUDGE = Path(__file__).resolve().parents[2] / "ecslab" / "iam"
FORBIDDEN_ROOTS = ("moto", "boto3", "botocore", "pandas", "ipywidgets", "graphviz")

PROBE = """
import sys
from ecslab.iam import evaluate
from ecslab.iam.analyzer import validate_policy
from ecslab.iam.managed import managed_policy
evaluate("arn:aws:sts::123456789012:assumed-role/r/s", "s3:GetObject", "arn:aws:s3:::b/k",
         identity_policies=[managed_policy("AmazonS3ReadOnlyAccess").policy])
validate_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                 "Action": "s3:GetObject", "Resource": "*"}]})
loaded = sorted(m for m in sys.modules
                if m.split(".")[0] in {roots}
                or (m.startswith("ecslab.") and not m.startswith(("ecslab.iam", "ecslab.i18n"))))
print(",".join(loaded))
"""


def test_using_the_judge_loads_no_simulation_code():
    probe = PROBE.replace("{roots}", repr(set(FORBIDDEN_ROOTS)))
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_judge_source_imports_only_itself_and_its_data_library():
    for path in JUDGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root not in FORBIDDEN_ROOTS, f"{path.name} imports {name}"
                if root == "ecslab":  # itself, and the learner's language (below every room)
                    assert name.startswith(("ecslab.iam", "ecslab.i18n")), f"{path.name}: {name}"
