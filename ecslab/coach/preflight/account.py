"""The account a preflight reasons about: what the inputs say, answered through the same questions
the simulated account answers (:class:`ecslab.cloud.account.Account`), so that the operation map
(:mod:`ecslab.cloud.operations`) and the plan (:mod:`ecslab.ecs.plan`) work on a real deployment
without moto and without a lab. What the inputs do not say is answered as AWS would for a
resource that exists with its defaults (a log group exists, a secret uses the AWS managed key)."""

from __future__ import annotations

import json

from ecslab.cloud.account import RolePolicies, StoredKey, StoredParameter, StoredRole, StoredSecret
from ecslab.coach.preflight.inputs import Deployment

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


class OfflineAccount:
    """Duck-typed :class:`~ecslab.cloud.account.Account` over a :class:`Deployment`."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.account_id = deployment.account_id or DEFAULT_ACCOUNT
        self.region = deployment.region or DEFAULT_REGION
        self.assumed: list[str] = []  # keys whose default key policy was assumed
        self.missing_groups: list[str] = []  # log groups taken as missing (awslogs-create-group)

    # -- IAM ---------------------------------------------------------------------------------------

    def role(self, name: str) -> StoredRole | None:
        role = self.deployment.roles.get(name)
        if role is None:
            return None
        return StoredRole(
            name=role.name,
            arn=role.arn,
            role_id=role.name,
            path="/",
            description=None,
            max_session_duration=3600,
            permissions_boundary_arn=role.boundary[0] if role.boundary else None,
            managed_policy_arns=tuple(role.attached),
            inline_policies=tuple(role.identity),
            trust=role.trust or "{}",
            created=None,
        )

    def role_names(self) -> list[str]:
        return sorted(self.deployment.roles)

    def role_policies(self, name: str) -> RolePolicies | None:
        role = self.deployment.roles.get(name)
        if role is None:
            return None
        return RolePolicies(
            role.name,
            role.arn,
            tuple(role.identity),
            role.boundary if role.boundary and role.boundary[1] else None,
            role.trust,
        )

    def managed_policies(self) -> dict:
        return {}

    def user(self, name: str) -> None:
        return None

    def task_definition_roles(self, reference: str) -> list[str]:
        return []

    def latest_task_definition_revision(self, family: str) -> int | None:
        return None

    # -- resources -------------------------------------------------------------------------------

    def secret(self, secret_id: str) -> StoredSecret | None:
        for arn, key in self.deployment.secrets.items():
            if secret_id in (arn, arn.rsplit(":", 1)[-1]) or arn.startswith(secret_id):
                return StoredSecret(arn, key)
        return None

    def secret_policy(self, secret_id: str) -> str | None:
        return None

    def _key_arn(self, key_id: str) -> str | None:
        for arn in self.deployment.key_policies:
            if key_id in (arn, arn.rsplit("/", 1)[-1]):
                return arn
        return None

    def key(self, key_id: str) -> StoredKey | None:
        arn = self._key_arn(key_id)
        if arn is None:
            if key_id.startswith("arn:aws:kms:"):
                return StoredKey(key_id.rsplit("/", 1)[-1], key_id)
            return None
        return StoredKey(arn.rsplit("/", 1)[-1], arn)

    def key_policy(self, key_id: str) -> str | None:
        """The key's policy as given; for a key the inputs name but give no policy for, AWS's
        default key policy, which lets the account's IAM policies decide
        (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html)."""
        arn = self._key_arn(key_id)
        if arn is not None:
            return self.deployment.key_policies[arn]
        if key_id.startswith("arn:aws:kms:") and ":key/" in key_id:
            self.assumed.append(key_id)
            return json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "Enable IAM User Permissions",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{self.account_id}:root"},
                            "Action": "kms:*",
                            "Resource": "*",
                        }
                    ],
                }
            )
        return None

    def key_arn(self, key_id: str) -> str | None:
        found = self.key(key_id)
        return found.arn if found else None

    def key_aliases(self, key_id: str) -> list[str]:
        return []

    def parameter(self, name: str) -> StoredParameter | None:
        short = (
            "/" + name.split(":parameter/", 1)[-1].lstrip("/") if name.startswith("arn:") else name
        )
        for known, (kind, key) in self.deployment.parameters.items():
            if known in (name, short) or "/" + known.lstrip("/") == short:
                return StoredParameter(known, kind, key)
        return None

    def parameter_arn(self, name: str) -> str:
        if name.startswith("arn:"):
            return name
        return f"arn:aws:ssm:{self.region}:{self.account_id}:parameter/{name.lstrip('/')}"

    def parameters_under(self, path: str, recursive: bool) -> list[StoredParameter]:
        return []

    def repository_policy(self, name: str) -> str | None:
        return None

    def repository_exists(self, name: str) -> bool:
        return True

    def log_group_exists(self, group: str) -> bool:
        """Asked only when the task definition has awslogs-create-group: a group the inputs do not
        create is taken as missing (so CreateLogGroup is judged), and said."""
        if group in self.deployment.log_groups:
            return True
        self.missing_groups.append(group)
        return False

    def bucket_policy(self, name: str) -> str | None:
        return None

    def queue_arn(self, url_or_name: str) -> str:
        name = url_or_name.rstrip("/").rsplit("/", 1)[-1]
        return f"arn:aws:sqs:{self.region}:{self.account_id}:{name}"

    def queue_policy(self, url_or_name: str) -> str | None:
        return None

    def topic_policy(self, arn: str) -> str | None:
        return None
