"""Regenerate ecslab/iam/data/managed_policies*.json from the documents moto bundles.

moto ships the real AWS managed policy documents (moto/iam/aws_managed_policies.py, refreshed from
AWS by moto's maintainers). ecslab's judge must not import moto, so the documents are copied into
package data: the ones the course uses in a small file read on first use, all of them in a
compressed file read only when someone asks for a policy outside the course's set.

    .venv/bin/python tools/extract_managed_policies.py
"""

from __future__ import annotations

import gzip
import json
from importlib.metadata import version
from pathlib import Path

from moto.iam.aws_managed_policies import aws_managed_policies_data

DATA = Path(__file__).resolve().parents[1] / "ecslab" / "iam" / "data"

COURSE = (
    # the execution role's usual policy and its parts
    "AmazonECSTaskExecutionRolePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEC2ContainerRegistryPowerUser",
    "CloudWatchLogsFullAccess",
    "CloudWatchLogsReadOnlyAccess",
    "SecretsManagerReadWrite",
    "AmazonSSMReadOnlyAccess",
    # what apps in the course call at run time
    "AmazonS3ReadOnlyAccess",
    "AmazonS3FullAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonSQSReadOnlyAccess",
    "AmazonSQSFullAccess",
    "AmazonSNSReadOnlyAccess",
    "AmazonSNSFullAccess",
    # people and other roles
    "AdministratorAccess",
    "ReadOnlyAccess",
    "AmazonECS_FullAccess",
    "AmazonEC2ContainerServiceforEC2Role",
)


def entry(name: str, raw: dict) -> dict:
    path = raw.get("Path", "/")
    return {
        "name": name,
        "arn": f"arn:aws:iam::aws:policy{path}{name}",
        "path": path,
        "version_id": raw.get("DefaultVersionId"),
        "created": raw.get("CreateDate"),
        "updated": raw.get("UpdateDate"),
        "document": raw["Document"],
    }


def main() -> None:
    everything = json.loads(aws_managed_policies_data)
    source = f"moto {version('moto')} (moto/iam/aws_managed_policies.py)"
    course = {name: entry(name, everything[name]) for name in COURSE}
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "managed_policies.json").write_text(
        json.dumps({"source": source, "policies": course}, indent=1, sort_keys=True) + "\n"
    )
    every = {name: entry(name, raw) for name, raw in sorted(everything.items())}
    payload = json.dumps({"source": source, "policies": every}, sort_keys=True).encode()
    # mtime=0 keeps the file byte-identical between runs.
    (DATA / "managed_policies_all.json.gz").write_bytes(gzip.compress(payload, mtime=0))
    # The names alone: a misspelt name is answered without loading the whole catalog.
    (DATA / "managed_policy_names.txt").write_text("".join(f"{name}\n" for name in every))
    print(f"{len(course)} course policies, {len(every)} in all, from {source}")


if __name__ == "__main__":
    main()
