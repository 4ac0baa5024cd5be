"""``Lab``: a fresh simulated AWS account for the course, safe to create again and again.

>>> lab = Lab()                       # doctest: +SKIP
>>> lab.client("s3").list_buckets()   # as the account's administrator, through the gate
>>> lab.task_role.policies
>>> lab.trace.to_frame()

Creating a lab closes the one before it; ``with Lab() as lab:`` closes it at the end of the block,
``lab.close()`` at any time. While a lab is open, real AWS credentials in the environment are set
aside (and given back on close), and plain ``boto3.client(...)`` acts as the lab's administrator.
"""

from __future__ import annotations

from html import escape
from typing import Any

from botocore.exceptions import ClientError

from ecslab.cloud.mistakes import ArgumentTypeError, learner_facing
from ecslab.cloud.world import World
from ecslab.ecs import registries
from ecslab.ecs.apps import orders_app
from ecslab.ecs.definitions import Program
from ecslab.ecs.deployer import DEPLOYER_LABEL, DEPLOYER_ROLE, deployer_keys, ensure_deployer
from ecslab.ecs.efs import FileSystem, course_file_system, file_systems
from ecslab.ecs.exec import AGENT as EXEC_AGENT
from ecslab.ecs.instances import ContainerInstance
from ecslab.ecs.network import Network
from ecslab.ecs.plan import cast_of
from ecslab.ecs.service import ECRAnswers, ECSService
from ecslab.ecs.service_linked import ServiceLinkedRole
from ecslab.i18n import N_, _
from ecslab.lab.course import (
    ECS_TRUST,
    EXECUTION_ROLE,
    IMAGE_TAG,
    REPOSITORY,
    TASK_ROLE,
    CourseResources,
    build,
    course_roles,
    default_task_definition,
)
from ecslab.lab.options import run_options
from ecslab.show.views import PlanView, RoleView, TaskView, TraceView


class Lab:
    """The course's simulated AWS account (account 123456789012, region ap-northeast-1)."""

    def __init__(self) -> None:
        self._world = World().open()
        self.ecs = ECSService(self._world)
        self._world.answerers.update({"ecs": self.ecs, "ecr": ECRAnswers(self._world)})
        file_systems(self._world)  # EFS's API, answered by the lab (ecslab.ecs.efs)
        self._world.account.ecs_catalog = self.ecs
        try:
            self._world.add_learner()
            self.resources: CourseResources = build(self._world)
            self.ecs.images.register(
                REPOSITORY, orders_app, tag=IMAGE_TAG, digest=self.resources.image_digest
            )
            with self._world.setup() as root:
                root.client("ecs").register_task_definition(
                    **default_task_definition(self.resources)
                )
        except BaseException:
            self._world.close()
            raise
        self.terraform: Any = None  # the last Terraform applied (from_terraform, load_terraform)
        self.preflight: Any = None  # what from_preflight predicted and made
        self.execution_role = RoleView(self._world, EXECUTION_ROLE)
        self.task_role = RoleView(self._world, TASK_ROLE)
        self.ecs.course_cluster = self.resources.cluster  # its EC2 instance starts on demand

    # -- the account -----------------------------------------------------------------------------

    @property
    def account_id(self) -> str:
        return self._world.account.account_id

    @property
    def region(self) -> str:
        return self._world.account.region

    @property
    def trace(self) -> TraceView:
        """Every call made in this lab, in order (setup included)."""
        return TraceView(self._world.trace.live_events(), self._world, self.ecs)

    @property
    def clock(self):
        return self._world.clock

    @property
    def world(self) -> World:
        return self._world

    @property
    def is_open(self) -> bool:
        return self._world.is_open

    def client(self, service: str, *, as_deployer: bool = False) -> Any:
        """A boto3 client acting as you, the account's administrator; with
        ``as_deployer=True``, as ``lab.deployer`` (a session of role ecs-deployer)."""
        if not isinstance(as_deployer, bool):
            raise ArgumentTypeError(
                _("as_deployer must be True or False, not {kind}").format(
                    kind=type(as_deployer).__name__
                )
            )
        if not as_deployer:
            return self._world.learner_client(service)
        self._require_open()
        ensure_deployer(self._world, (EXECUTION_ROLE, TASK_ROLE))
        assert self._world.learner_keys is not None
        keys = deployer_keys(self._world, self._world.learner_keys)
        return self._world.pooled_client("deployer", service, keys)

    def role(self, name: str) -> RoleView:
        """Any role in the account, by name."""
        self._require_open()
        return RoleView(self._world, name)

    # -- ECS ---------------------------------------------------------------------------------------

    @property
    def container_instance(self) -> ContainerInstance:
        """The cluster's EC2 container instance (for ``run_task(launch_type="EC2")``): its
        ``hop_limit``, ``http_tokens`` and ``agent_config`` (see ecslab.ecs.instances)."""
        self._require_open()
        return self.ecs.instances.instance(self.resources.cluster)

    @property
    def instance_role(self) -> RoleView:
        """The container instance's role, ``ecsInstanceRole`` (made on first use)."""
        return RoleView(self._world, self.container_instance.role_name)

    @property
    def network_configuration(self) -> dict[str, Any]:
        """The awsvpc network configuration RunTask needs (the lab's subnets are simulated)."""
        r = self.resources
        default = {
            "awsvpcConfiguration": {
                "subnets": list(r.subnets),
                "securityGroups": [r.security_group],
                "assignPublicIp": "DISABLED",
            }
        }
        return self.ecs.network.configuration(default)

    @property
    def network(self) -> Network:
        """The task's network: subnets, routes out and VPC endpoints (``ecslab.ecs.network``)."""
        return self.ecs.network

    @learner_facing
    def task_definition(self, reference: str | None = None) -> dict[str, Any]:
        """A registered task definition (default: the course's ``orders``, latest revision)."""
        answer = self.client("ecs").describe_task_definition(
            taskDefinition=reference or self.resources.family
        )
        return answer["taskDefinition"]

    @learner_facing
    def register_task_definition(
        self, definition: dict[str, Any], programs: dict[str, Program] | None = None
    ) -> str:
        """Register a task definition (RegisterTaskDefinition's fields) as you; returns its
        ``family:revision``. ``programs`` gives containers their program by container name."""
        if not isinstance(definition, dict):
            raise ArgumentTypeError(
                _(
                    "register_task_definition() takes a task definition as a dict of "
                    "RegisterTaskDefinition's fields, not {kind}"
                ).format(kind=type(definition).__name__)
            )
        names = [
            str(c.get("name"))
            for c in definition.get("containerDefinitions") or []
            if isinstance(c, dict)
        ]
        programs = _programs(programs, "programs", names) if programs is not None else {}
        with self.ecs.programs(programs):
            answer = self.client("ecs").register_task_definition(**definition)
        registered = answer["taskDefinition"]
        return f"{registered['family']}:{registered['revision']}"

    @learner_facing
    def build_image(
        self,
        tag: str,
        program: Program,
        repository: str | None = None,
        platform: str = "linux/amd64",
    ) -> str:
        """Push a new image whose process is ``program`` to ECR (as you); returns its URI.

        ``repository``: an existing ECR repository (default: the course's). ``platform``:
        ``"linux/amd64"`` (the default) or ``"linux/arm64"``, pushed as an image index holding
        only that platform, as ``docker buildx build --platform linux/arm64`` does on an Apple
        silicon Mac (see :mod:`ecslab.ecs.registries`)."""
        if not callable(program):
            raise ArgumentTypeError(
                _(
                    "build_image() needs the image's program: a Python function the container "
                    "runs, not {kind}"
                ).format(kind=type(program).__name__)
            )
        repository = repository or self.resources.repository
        registries.check_platform(platform)
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1_466,
                "digest": _digest(f"{repository}:{tag} config"),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 2_048_000,
                    "digest": _digest(f"{repository}:{tag}"),
                }
            ],
        }
        import json

        media_type = "application/vnd.docker.distribution.manifest.v2+json"
        if platform != "linux/amd64":
            child = json.dumps(manifest)
            manifest = registries.image_index(manifest, _digest(child), len(child), platform)
            media_type = manifest["mediaType"]
        try:
            answer = self.client("ecr").put_image(
                repositoryName=repository,
                imageManifest=json.dumps(manifest),
                imageManifestMediaType=media_type,
                imageTag=tag,
            )
        except ClientError:
            raise
        except Exception:  # moto: a bare Exception for a repository that does not exist
            raise registries.repository_not_found(str(repository), self.account_id) from None
        digest = answer["image"]["imageId"]["imageDigest"]
        self.ecs.images.register(repository, program, tag=tag, digest=digest)
        registry = self.resources.repository_uri.split("/", 1)[0]
        return f"{registry}/{repository}:{tag}"

    @learner_facing
    def run_task(
        self,
        task_definition: str | dict[str, Any] | None = None,
        app: Program | dict[str, Program] | None = None,
        *,
        overrides: dict[str, Any] | None = None,
        cluster: str | None = None,
        enable_execute_command: bool = False,
        launch_type: str = "FARGATE",
        as_deployer: bool = False,
    ) -> TaskView:
        """Run a task as you would with ``ecs.run_task``, and follow it to the end.

        ``task_definition``: ``family``, ``family:revision``, an ARN, or a task definition
        (RegisterTaskDefinition's fields) to register first; default: the course's ``orders``.
        ``app``: a program (Python callable) for the essential container instead of the
        image's, or programs by container name. ``launch_type``: ``"FARGATE"`` or ``"EC2"`` (on
        the cluster's container instance, ``lab.container_instance``).
        ``enable_execute_command``: start ECS Exec's agent in every container (RunTask's
        ``enableExecuteCommand``); ``lab.client("ecs").execute_command(...)`` then opens a shell.
        ``as_deployer``: call RunTask as ``lab.deployer`` (a role with only its own policy)
        instead of as you; the task's trace and diagram then begin with that RunTask and the
        ``iam:PassRole`` checks ECS made on it (see ecslab.ecs.deployer).
        """
        self._require_open()
        run_options(launch_type, enable_execute_command, as_deployer)  # a learner's mistake: say so
        start = len(self.trace)
        if isinstance(task_definition, dict):
            task_definition = self.register_task_definition(task_definition)
        reference = task_definition or self.resources.family
        definition = self.ecs.definition(str(reference))
        programs: dict[str, Program] = {}
        if callable(app):
            essential = (
                next((c.name for c in definition.containers if c.essential), None)
                if definition
                else None
            )
            programs = {essential or "": app}
        elif app is not None:
            programs = _programs(
                app, "app", [c.name for c in definition.containers] if definition else None
            )
        request: dict[str, Any] = {
            "cluster": cluster or self.resources.cluster,
            "taskDefinition": reference,
            "launchType": launch_type,
        }
        if definition is None or definition.network_mode == "awsvpc":
            request["networkConfiguration"] = self.network_configuration
        if overrides:
            request["overrides"] = overrides
        if enable_execute_command:
            request["enableExecuteCommand"] = True
        try:
            with self.ecs.programs(programs):
                answer = self.client("ecs", as_deployer=as_deployer).run_task(**request)
        except ClientError as error:
            info = error.response.get("Error", {})
            return TaskView(
                self._world,
                self.ecs,
                None,
                failure=f"{info.get('Code')}: {info.get('Message')}",
                trace_from=start,
                reference=str(reference),
                deployer=as_deployer,
            )
        state = self.ecs.tasks[answer["tasks"][0]["taskArn"]]
        return TaskView(
            self._world,
            self.ecs,
            state,
            trace_from=start,
            reference=str(reference),
            deployer=as_deployer,
        )

    @property
    def file_system(self) -> FileSystem:
        """The lab's EFS file system (made on first use, with a mount target in each of the
        lab's subnets and a file system policy that grants nothing: see ecslab.ecs.efs); use it
        with ``ecslab.ecs.efs.with_efs_volume``."""
        self._require_open()
        return course_file_system(self._world, tuple(self.resources.subnets))

    @property
    def deployer(self) -> RoleView:
        """The deployer, ``ecs-deployer``: a role you assume to run tasks with only its policy
        (``deploy-tasks``: ecs:RunTask, and iam:PassRole on the course's two roles); edit it like
        any role, then ``lab.run_task(as_deployer=True)`` (made on first use)."""
        self._require_open()
        ensure_deployer(self._world, (EXECUTION_ROLE, TASK_ROLE))
        return RoleView(self._world, DEPLOYER_ROLE)

    @property
    def service_linked_role(self) -> ServiceLinkedRole:
        """ECS's own role, ``AWSServiceRoleForECS``, which manages an awsvpc task's network
        interface. Not modelled until ``lab.service_linked_role.model()`` (then also
        ``.exists``, ``.delete()``, ``model(exists=False)``: see ecslab.ecs.service_linked)."""
        self._require_open()
        return self.ecs.service_linked_role

    @learner_facing
    def plan(
        self,
        task_definition: str | dict[str, Any] | None = None,
        app: Program | dict[str, Program] | None = None,
        *,
        overrides: dict[str, Any] | None = None,
        cluster: str | None = None,
        enable_execute_command: bool = False,
        launch_type: str = "FARGATE",
        as_deployer: bool = False,
    ) -> PlanView:
        """What a task will ask AWS for, who will ask and why — before you run it.

        The arguments are :meth:`run_task`'s: ``task_definition`` (a dict is registered first),
        ``app`` the program(s) the task would run instead of the image's, ``launch_type="EC2"``
        (the instance role where it answers), ``enable_execute_command`` (ECS Exec's channels,
        with the task role), ``as_deployer`` (the deployer's RunTask and iam:PassRole first).
        """
        self._require_open()
        options = run_options(launch_type, enable_execute_command, as_deployer)
        if isinstance(task_definition, dict):
            task_definition = self.register_task_definition(task_definition)
        reference = str(task_definition or self.resources.family)
        definition = self.ecs.definition(reference)
        if definition is None:
            raise ValueError(
                _(
                    "No ACTIVE task definition {reference} in this lab; registered families: "
                    "{families}"
                ).format(
                    reference=repr(reference), families=", ".join(sorted(self.ecs.definitions))
                )
            )
        programs: dict[str, Program] = {}
        if callable(app):
            essential = next((c.name for c in definition.containers if c.essential), "")
            programs = {essential: app}
        elif app is not None:
            programs = _programs(app, "app", [c.name for c in definition.containers])
        instance = None
        if options.launch_type == "EC2":
            instance = self.ecs.instances.instance(cluster or self.resources.cluster)
        cast = cast_of(
            definition,
            instance,
            EXEC_AGENT if options.enable_execute_command else None,
            (DEPLOYER_ROLE, DEPLOYER_LABEL) if options.as_deployer else None,
            cluster or self.resources.cluster,
        )
        found = self.ecs.plan(reference, programs, cast=cast, overrides=overrides)
        assert found is not None
        return PlanView(self._world, found)

    @learner_facing
    def create_role(
        self,
        name: str,
        inline: dict[str, Any] | None = None,
        managed: tuple[str, ...] = (),
        trust: dict[str, Any] | None = None,
        *,
        exist_ok: bool = False,
    ) -> RoleView:
        """A new role (trusting ecs-tasks.amazonaws.com unless told otherwise), as you.

        A role of that name that exists already is IAM's ``EntityAlreadyExists``; with
        ``exist_ok=True`` its trust policy and the inline policy are set again instead (IAM's
        UpdateAssumeRolePolicy and PutRolePolicy), so a cell that makes a role can be re-run.
        """
        import json

        iam = self.client("iam")
        document = json.dumps(trust or ECS_TRUST)
        try:
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)
        except ClientError as error:
            if not exist_ok or error.response["Error"]["Code"] != "EntityAlreadyExists":
                raise
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=document)
        role = RoleView(self._world, name)
        if inline:
            role.put_inline(f"{name}-policy", inline)
        for policy in managed:
            role.attach(policy)
        return role

    def workbench(self, scenarios: bool = True) -> Any:
        """The role workbench: toggle policies, edit inline and trust policies, run the task, and
        see its status, logs, diagram and trace (an ipywidgets widget)."""
        from ecslab.coach.workbench import Workbench

        self._require_open()
        return Workbench(self, scenarios)

    @classmethod
    def from_terraform(cls, source: Any, app: Program | None = None) -> Lab:
        """A fresh lab with a learner's Terraform applied (a .tf file, a folder of them, or HCL
        text): its IAM roles, policies and ECS task definition. The result of reading it is in
        ``lab.terraform``. A problem in the Terraform is a ``TerraformError`` naming the block
        and line; nothing is half-applied."""
        from ecslab.coach.terraform import TerraformError, load_terraform

        lab = cls()
        try:
            lab.terraform = load_terraform(lab, source, app)
        except TerraformError as error:
            lab.close()
            raise error.with_traceback(None) from None
        except BaseException:
            lab.close()
            raise
        return lab

    @classmethod
    def from_preflight(cls, *sources: Any) -> Lab:
        """A fresh lab holding what ``ecslab.preflight(*sources)`` read: the same roles,
        policies and task definition (rewritten to the lab's account and region), with the
        repositories, images, log groups, secrets and parameters it needs, so that
        ``lab.run_task(lab.preflight.task_definition)`` shows what the preflight predicted.
        ``lab.preflight`` holds the prediction and what was made (``lab.preflight.notes``)."""
        from ecslab.coach.preflight import PreflightError, from_preflight

        lab = cls()
        try:
            lab.preflight = from_preflight(lab, sources)
        except PreflightError as error:
            lab.close()
            raise error.with_traceback(None) from None
        except BaseException:
            lab.close()
            raise
        return lab

    def to_terraform(self, least_privilege: bool = False, roles: list[str] | None = None) -> str:
        """The lab's roles and the course's task definition as Terraform. With
        ``least_privilege=True``, each role that the trace shows at work gets one custom policy
        with exactly what it used (``lab.trace.least_privilege(role)``) instead of what it has."""
        from ecslab.coach.terraform import to_terraform

        self._require_open()
        policies: dict[str, Any] = {}
        if least_privilege:
            for name in roles or [self.execution_role.name, self.task_role.name]:
                suggestion = self.trace.least_privilege(name)
                if suggestion.needs:
                    policies[name] = suggestion.document
        return to_terraform(self, roles, policies)

    def exercise(self, key: str) -> Any:
        """Start one of the course's exercises (``ex.check()``, ``ex.hint()``,
        ``ex.solution()``); it loads the exercise's broken setup into this lab."""
        from ecslab.coach.exercises import exercise

        self._require_open()
        return exercise(self, key)

    def reset_roles(self) -> None:
        """Put both course roles back as the course starts them (trust policy, managed and
        inline policies); the rest of the account and the trace stay as they are."""
        import json

        self._require_open()
        with self._world.setup() as root:
            iam = root.client("iam")
            for name, (managed, inline) in course_roles(self.resources).items():
                iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(ECS_TRUST))
                for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                    iam.detach_role_policy(RoleName=name, PolicyArn=attached["PolicyArn"])
                for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                    iam.delete_role_policy(RoleName=name, PolicyName=policy)
                for policy in managed:
                    arn = self._world.attach_managed_policy_support(policy)
                    iam.attach_role_policy(RoleName=name, PolicyArn=arn)
                for policy, document in inline.items():
                    iam.put_role_policy(
                        RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(document)
                    )

    # -- closing ---------------------------------------------------------------------------------

    def close(self) -> None:
        """End the simulation and give the environment back as it was."""
        self._world.close()

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _require_open(self) -> None:
        self._world.require_open()

    # -- display ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        if self.is_open:
            text = _("Lab(account {account}, region {region}, open, {calls} calls traced)")
        else:
            text = _("Lab(account {account}, region {region}, closed, {calls} calls traced)")
        return text.format(account=self.account_id, region=self.region, calls=len(self.trace))

    def _repr_html_(self) -> str:
        r = self.resources
        rows = [
            (N_("ECS cluster"), r.cluster),
            (N_("Image"), r.image),
            (N_("Log group"), r.log_group),
            (N_("Injected secret"), r.db_secret),
            (N_("Injected parameter"), f"{r.parameter} (SecureString, {r.key_alias})"),
            (N_("Runtime secret"), r.api_key_secret),
            (N_("Config object"), f"s3://{r.bucket}/{r.config_key}"),
            (N_("DynamoDB table"), r.table),
            (N_("SQS queue"), r.queue_url.rsplit("/", 1)[-1]),
            (N_("SNS topic"), r.topic_arn.rsplit(":", 1)[-1]),
            (N_("Task execution role"), self.execution_role.name),
            (N_("Task role"), self.task_role.name),
        ]
        cell = "<tr><th style='text-align:left'>{}</th><td><code>{}</code></td></tr>"
        body = "".join(cell.format(escape(_(k)), escape(v)) for k, v in rows)
        return f"<p><strong>{escape(repr(self))}</strong></p><table>{body}</table>"


def _digest(text: str) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _programs(given: Any, argument: str, containers: list[str] | None) -> dict[str, Program]:
    """Programs by container name, checked: each a callable, each for a container that exists."""
    if not isinstance(given, dict):
        raise ArgumentTypeError(
            _(
                "{argument} must be a Python function (the essential container's program) or a "
                "dict of container name to function, not {kind}"
            ).format(argument=argument, kind=type(given).__name__)
        )
    for name, program in given.items():
        if not callable(program):
            raise ArgumentTypeError(
                _(
                    "{argument}[{name}] must be a Python function the container runs, not {kind}"
                ).format(argument=argument, name=repr(name), kind=type(program).__name__)
            )
        if containers is not None and name not in containers:
            raise ValueError(
                _(
                    "{argument} names a container {name}, but the task definition's containers "
                    "are: {containers}"
                ).format(
                    argument=argument,
                    name=repr(name),
                    containers=", ".join(repr(c) for c in containers),
                )
            )
    return dict(given)
