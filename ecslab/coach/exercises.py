"""Exercises for the notebooks, in the style of Kaggle's learntools.

>>> ex = lab.exercise("02-fix-the-launch")   # doctest: +SKIP  (loads the broken setup)
>>> ex.check()      # correct / not yet (what is still wrong) / not attempted
>>> ex.hint()       # the next hint; ex.hint(2) for the second
>>> ex.solution()   # the answer

A check reads the lab — the roles as IAM has them and the tasks run since the exercise began —
never the learner's code, so any way of getting it right counts. "Not yet" says what is still
wrong without saying how to fix it; hints get more specific one by one; the solution is code.
"""

from __future__ import annotations

import difflib
import json
import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ecslab.i18n import _, language, ngettext
from ecslab.iam import evaluate
from ecslab.iam.analyzer import access_level, granted_actions

if TYPE_CHECKING:
    from ecslab.lab import Lab

CORRECT, NOT_YET, NOT_ATTEMPTED = "correct", "not yet", "not attempted"

# The exercise each lab holds now: loading one replaces the setup of the one before it.
_CURRENT: weakref.WeakKeyDictionary[Lab, Exercise] = weakref.WeakKeyDictionary()

# What the ECS agent needs to launch the course's task and ship its logs: exactly what
# AmazonECSTaskExecutionRolePolicy grants (the registry and the log stream).
LAUNCH_ACTIONS = frozenset(
    {
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
)
# What only the ECS agent needs: the launch and the logs, and the injected values (SSM parameters
# and their KMS key; Secrets Manager is left out, since apps read secrets too).
AGENT_ACTIONS = LAUNCH_ACTIONS | {"ssm:GetParameters", "kms:Decrypt"}


@dataclass
class Result:
    """What a check found."""

    status: str
    problems: list[str] = field(default_factory=list)
    praise: str = ""

    def __bool__(self) -> bool:
        return self.status == CORRECT

    def describe(self) -> str:
        if self.status == CORRECT:
            praise = _(self.praise) if self.praise else ""
            return " ".join(("✓", _("Correct."), praise)).rstrip()
        if self.status == NOT_ATTEMPTED:
            return " ".join(("○", _("Not attempted yet:"), *self.problems))
        return "✗ " + _("Not yet:") + "\n" + "\n".join(f"- {p}" for p in self.problems)

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        head, *rest = self.describe().split("\n")
        items = "".join(f"<li>{escape(line[2:])}</li>" for line in rest)
        return f'<div role="status"><p><strong>{escape(head)}</strong></p><ul>{items}</ul></div>'


class RoleChanged(str):
    """A problem that says a role was changed although it is not the one at fault: the hint
    about where the learner stands looks for it, in any language (``untouched`` returns one)."""


@dataclass
class _Text:
    text: str
    code: bool = False

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        if self.code:
            return f"<pre><code>{escape(self.text)}</code></pre>"
        return f"<p>{escape(self.text)}</p>"


# -- reading the lab ------------------------------------------------------------------------------


def snapshot(lab: Lab, role: str) -> tuple:
    """What decides a role's permissions, comparable: managed policy ARNs, inline documents (by
    name) and the trust policy."""
    r = lab.role(role)
    inline = tuple(
        (n, json.dumps(r.inline_policy(n), sort_keys=True)) for n in r.inline_policy_names
    )
    return (tuple(r.managed_policy_arns), inline, json.dumps(r.trust_policy, sort_keys=True))


def grants(lab: Lab, role: str, action: str, resource: str, resource_policy: Any = None) -> bool:
    """Would the role's identity policies allow this (judged as AWS would)? A KMS key's own key
    policy is used for a key in the lab (a key policy must let IAM policies grant access);
    ``resource_policy`` gives one for any other resource, or a key that is not in the lab."""
    arn = f"arn:aws:sts::{lab.account_id}:assumed-role/{role}/exercise"
    if resource_policy is None and action.lower().startswith("kms:") and ":key/" in resource:
        resource_policy = lab.world.account.key_policy(resource.rsplit("/", 1)[-1])
    return evaluate(
        arn,
        action,
        resource,
        identity_policies=lab.role(role).documents(),
        resource_policy=resource_policy,
    ).allowed


def granted(lab: Lab, role: str) -> frozenset[str]:
    """Every concrete action the role's policies allow on some resource."""
    found: set[str] = set()
    for _name, document in lab.role(role).documents():
        found |= granted_actions(document)
    return frozenset(found)


def role_label(lab: Lab, role: str) -> str:
    """How messages name a role: "the execution role", "the task role", "the role X"."""
    if role == lab.execution_role.name:
        # TRANSLATORS: how a problem names the task execution role, at the start of a sentence.
        return _("the execution role")
    if role == lab.task_role.name:
        # TRANSLATORS: how a problem names the task role, at the start of a sentence.
        return _("the task role")
    return _("the role {role}").format(role=role)


# -- how much wider than needed ------------------------------------------------------------------

_READ_LEVELS = frozenset({"Read", "List"})
# Services whose actions make the plainest examples of "too much", in this order.
_EXAMPLE_SERVICES = (
    "iam",
    "s3",
    "dynamodb",
    "sqs",
    "sns",
    "secretsmanager",
    "ssm",
    "kms",
    "ecr",
    "logs",
    "ecs",
)


def examples(actions: Iterable[str], count: int = 3) -> str:
    """A few of ``actions`` to name in a message ("a, b, c..."): the course's services first, one
    per service before a second of any, a Delete action first where a service has one."""

    def rank(service: str) -> tuple[int, str]:
        known = service in _EXAMPLE_SERVICES
        return (_EXAMPLE_SERVICES.index(service) if known else len(_EXAMPLE_SERVICES), service)

    by_service: dict[str, list[str]] = {}
    for action in sorted(
        set(actions), key=lambda a: (not a.split(":", 1)[1].startswith("Delete"), a)
    ):
        by_service.setdefault(action.split(":", 1)[0], []).append(action)
    order = sorted(by_service, key=rank)
    chosen: list[str] = []
    depth = 0
    while len(chosen) < count and any(len(by_service[s]) > depth for s in order):
        chosen += [by_service[s][depth] for s in order if len(by_service[s]) > depth]
        depth += 1
    chosen = sorted(chosen[:count], key=lambda a: rank(a.split(":", 1)[0]))
    total = sum(len(names) for names in by_service.values())
    return ", ".join(chosen) + ("..." if total > len(chosen) else "")


def one_action_of_its_service(ex: Exercise, role: str, action: str, why: str) -> list[str]:
    """A problem if ``role`` allows other actions of ``action``'s service than ``action`` itself
    (``why`` says why one is enough: ``N_("injecting a secret only reads it.")``, translated
    here)."""
    service = action.split(":", 1)[0]
    extra = sorted(a for a in granted(ex.lab, role) if a.startswith(f"{service}:") and a != action)
    if not extra:
        return []
    return [
        # TRANSLATORS: {role} is "the execution role"/"the task role"; {why} a sentence of its own.
        _("{role} now also allows {actions}: {why}").format(
            role=role_label(ex.lab, role), actions=examples(extra), why=_(why)
        )
    ]


def wider_than_needed(
    ex: Exercise,
    role: str,
    needed: Iterable[str],
    who: str,
    judged: Iterable[str] = (),
    said: Iterable[str] = (),
    from_scratch: bool = False,
) -> list[str]:
    """The "and nothing more" of a task: a problem if ``role`` now grants actions it did not
    grant when the exercise began, beyond ``needed`` — any action of another service, or one that
    does more than read in a service of ``needed`` (a read-only managed policy for the registry is
    fine).

    ``who`` says who uses the role (``N_("the orders app")``: it is translated here); ``judged``
    are services the exercise's own check already judges action by action, ``said`` actions
    another problem already names.
    ``from_scratch``: what the role granted when the exercise began counts too (the exercise is
    to narrow it).
    """
    lab = ex.lab
    needed = frozenset(needed)
    before = frozenset() if from_scratch else ex.baseline_grants.get(role, frozenset())
    new = granted(lab, role) - before - needed - frozenset(said)
    services = {a.split(":", 1)[0] for a in needed}
    judged = frozenset(judged)
    extra = []
    for action in new:
        service = action.split(":", 1)[0]
        if service in judged:
            continue
        if service in services and access_level(action) in _READ_LEVELS:
            continue
        extra.append(action)
    if not extra:
        return []
    if from_scratch:
        # TRANSLATORS: {who} is who uses the role: "the launch", "the orders app".
        text = ngettext(
            "{role} allows {count} action that {who} never uses ({actions}).",
            "{role} allows {count} actions that {who} never uses ({actions}).",
            len(extra),
        )
    else:
        # TRANSLATORS: {who} is who uses the role: "the launch", "the orders app".
        text = ngettext(
            "{role} now also allows {count} action that {who} never uses ({actions}).",
            "{role} now also allows {count} actions that {who} never uses ({actions}).",
            len(extra),
        )
    return [
        text.format(
            role=role_label(lab, role),
            count=f"{len(extra):,}",
            who=_(who),
            actions=examples(extra),
        )
    ]


# -- KMS keys ------------------------------------------------------------------------------------


def _statements(document: Any) -> list[Any]:
    if isinstance(document, str):
        document = json.loads(document or "{}")
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    return [statements] if isinstance(statements, dict) else list(statements)


def may_decrypt_with(
    lab: Lab, role: str, key_arn: str, context: dict[str, Any] | None = None
) -> bool:
    """Would the role's identity policies let it call kms:Decrypt with ``key_arn``, a key whose
    key policy is KMS's default one (which lets IAM policies decide)? Without a key policy, KMS
    allows nothing, so ``grants`` alone would say no for a key that is not in the lab.

    ``context``: the request's condition keys, e.g. what KMS sets when Parameter Store decrypts
    for the caller (``kms:ViaService``, ``kms:CallerAccount``, ``kms:ResourceAliases``).
    """
    # The default key policy: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    default_key_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{lab.account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    return evaluate(
        f"arn:aws:sts::{lab.account_id}:assumed-role/{role}/exercise",
        "kms:Decrypt",
        key_arn,
        identity_policies=lab.role(role).documents(),
        resource_policy=default_key_policy,
        context=context,
    ).allowed


def any_key_problems(ex: Exercise, role: str, key: str) -> list[str]:
    """A problem if ``role`` may decrypt with a KMS key other than the lab's (``key`` names the
    lab's key in words, translated or marked ``N_``), even if only under a condition such as
    kms:ViaService."""
    lab = ex.lab
    other = f"arn:aws:kms:{lab.region}:{lab.account_id}:key/00000000-0000-4000-8000-000000000000"
    key = _(key)
    if may_decrypt_with(lab, role, other):
        return [
            _("{role} may now decrypt with any KMS key, not only {key}.").format(
                role=role_label(lab, role), key=key
            )
        ]
    # Another key of the account, used the way the launch uses the lab's: through Parameter
    # Store or Secrets Manager, with the condition keys KMS sets then. A kms:ViaService condition
    # still holds; a kms:ResourceAliases condition naming the lab's alias does not.
    for service in ("ssm", "secretsmanager"):
        context = {
            "kms:ViaService": f"{service}.{lab.region}.amazonaws.com",
            "kms:CallerAccount": lab.account_id,
            "kms:ResourceAliases": ["alias/another-application"],
        }
        if may_decrypt_with(lab, role, other, context):
            return [
                _(
                    "{role}'s kms:Decrypt covers every KMS key, not only {key}: a condition such "
                    "as kms:ViaService limits how a key may be used, not which key. IAM policies "
                    "name a key by its key ARN (lab.resources.key_arn), or by its alias through "
                    "the kms:ResourceAliases condition key."
                ).format(role=role_label(lab, role), key=key)
            ]
    return []


# -- ARNs written wrong ---------------------------------------------------------------------------

# A secret's ARN: its name, "-" and 6 random characters (Secrets Manager adds them).
_SECRET_ARN = re.compile(r"(arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:.+)-[A-Za-z0-9]{6}")


def _written_resources(lab: Lab, role: str) -> set[str]:
    """The resources the role's Allow statements name, as written."""
    found: set[str] = set()
    for _name, document in lab.role(role).documents():
        for statement in _statements(document):
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            resources = statement.get("Resource", [])
            found.update([resources] if isinstance(resources, str) else resources)
    return found


def _where(lab: Lab, arn: str) -> str:
    """Where the lab keeps this ARN (``lab.resources.key_arn``), or the ARN itself."""
    for attr in ("db_secret_arn", "api_key_secret_arn", "key_arn"):
        if getattr(lab.resources, attr) == arn:
            return f"{arn}, lab.resources.{attr}"
    return arn


def arn_notes(ex: Exercise) -> list[str]:
    """Refusals in the last task that come from an ARN written wrong: a secret named without its
    random suffix, a KMS key named by its alias."""
    lab = ex.lab
    last = ex.last_task()
    notes: list[str] = []
    for event in lab.trace.events[ex._first_event :]:
        if event.task != last.id or event.allowed or not event.role:
            continue
        if event.action.startswith("secretsmanager:"):
            match = _SECRET_ARN.fullmatch(event.resource)
            if match and match.group(1) in _written_resources(lab, event.role):
                notes.append(
                    _(
                        "{role} names the secret {written}, but Secrets Manager appends '-' and 6 "
                        "random characters to a secret's name in its ARN ({arn}): use the full "
                        "ARN, or end the name with -??????."
                    ).format(
                        role=role_label(lab, event.role),
                        written=match.group(1),
                        arn=_where(lab, event.resource),
                    )
                )
        elif event.action.startswith("kms:") and ":key/" in event.resource:
            for alias in sorted(w for w in _written_resources(lab, event.role) if "alias/" in w):
                notes.append(
                    _(
                        "{role} names a KMS key by its alias ({alias}): IAM policies name a key by "
                        "its key ARN ({arn}); an alias counts only through the "
                        "kms:ResourceAliases condition."
                    ).format(
                        role=role_label(lab, event.role),
                        alias=alias,
                        arn=_where(lab, event.resource),
                    )
                )
    return list(dict.fromkeys(notes))


class Exercise:
    """One exercise, bound to a lab; it starts by loading its broken setup."""

    def __init__(
        self,
        key: str,
        lab: Lab,
        task: str,
        scenario: str | None,
        check: Callable[[Exercise], list[str]],
        hints: list[str],
        solution: str,
        praise: str = "",
    ) -> None:
        self.key = key
        self.lab = lab
        self.task_text = task
        self._check = check
        self.hints = hints
        self._solution = solution
        self._praise = praise
        self._hinted = 0
        self._situation_shown = ""
        self.run_hint = "lab.run_task()"
        #: the role the learner named as at fault, when the exercise asks for it (notebook 05)
        self.named: str | None = None
        #: the exercise's name in its notebook (ex1, ex2, ...)
        self.variable = "ex"
        #: whether the goal includes the task running to the end (see Spec.goal_is_a_run)
        self.goal_is_a_run = True
        if scenario is not None:
            from ecslab.coach.scenarios import load

            load(lab, scenario)
        self.begin()

    def begin(self) -> None:
        """The exercise starts now (after its setup): tasks, calls and the roles' state from here
        on are the learner's. It becomes the lab's current exercise."""
        self._first_task = len(self.lab.ecs.tasks)
        self._first_event = len(self.lab.trace)
        self.remember_baseline()
        _CURRENT[self.lab] = self

    def remember_baseline(self) -> None:
        """Remember the two course roles as they are now: ``touched`` and ``wider_than_needed``
        compare with this."""
        names = (self.lab.execution_role.name, self.lab.task_role.name)
        self.baseline = {name: snapshot(self.lab, name) for name in names}
        self.baseline_grants = {name: granted(self.lab, name) for name in names}

    # -- what the learner calls -------------------------------------------------------------------

    def check(self) -> Result:
        """Whether the exercise is done, and what is left; the result is recorded for the
        instructor (ecslab.coach.progress: the key, the result and when, nothing else)."""
        from ecslab.coach.progress import record

        result = self._result()
        record(self.key, result.status)
        return result

    def _result(self) -> Result:
        stale = self._stale()
        if stale:
            return Result(NOT_ATTEMPTED, [stale])
        if self.setup_undone():
            return Result(
                NOT_YET,
                [
                    _(
                        "the course's roles were put back as they start (lab.reset_roles(), or a "
                        "scenario loaded) after this exercise began: that undoes its setup "
                        "instead of fixing it. Load it again ({variable} = "
                        'lab.exercise("{key}")), then make the fix yourself.'
                    ).format(variable=self.variable, key=self.key)
                ],
            )
        if self.run_attempts() and self.last_attempt_refused():
            return Result(NOT_YET, [_("your last RunTask was refused: no task was started.")])
        if not self.tasks():
            return Result(
                NOT_ATTEMPTED,
                [_("run the task ({run}) after your change.").format(run=self.run_hint)],
            )
        try:
            problems = self._check(self)
        except ClientError as error:  # e.g. a role the learner deleted
            # TRANSLATORS: {error} is AWS's own message, in English.
            problems = [
                _("the lab could not be read: {error}").format(
                    error=error.response["Error"]["Message"]
                )
            ]
        if problems:
            try:
                notes = arn_notes(self)
            except ClientError:
                notes = []
            return Result(NOT_YET, problems + [n for n in notes if n not in problems])
        return Result(CORRECT, praise=self._praise)

    def _stale(self) -> str:
        """Why this exercise can no longer be checked in its lab ("" when it can)."""
        if not self.lab.is_open:
            return _(
                "the lab this exercise was loaded in is closed (a newer Lab() replaced it): "
                'load it again in the new lab ({variable} = lab.exercise("{key}")).'
            ).format(variable=self.variable, key=self.key)
        current = _CURRENT.get(self.lab)
        if current is not self:
            if current is None:
                text = _(
                    "another exercise was loaded after this one and replaced its setup: run this "
                    'exercise\'s first cell again (lab.exercise("{key}")), make your change, '
                    "then check."
                )
            else:
                text = _(
                    "exercise {other} was loaded after this one and replaced its setup: run this "
                    'exercise\'s first cell again (lab.exercise("{key}")), make your change, '
                    "then check."
                )
            return text.format(other=getattr(current, "key", ""), key=self.key)
        return ""

    def hint(self, number: int | None = None) -> _Text:
        """The next hint (``number`` for a given one). Without a number, a hint about where the
        learner stands comes first: a setup undone, a change that works but is too broad, the
        role that is not at fault changed."""
        stale = self._stale()
        if stale:
            return _Text(_("First: {problem}").format(problem=stale))
        if number is None:
            situation = self._situation()
            if situation and situation != self._situation_shown:
                self._situation_shown = situation  # said once; the next call goes on to the hints
                return _Text(situation)
            self._hinted = min(self._hinted + 1, len(self.hints))
            number = self._hinted
        number = max(1, min(number, len(self.hints)))
        if number < len(self.hints):
            text = _(
                "Hint {number} of {total}: {hint} ({variable}.hint() again for a more specific one)"
            )
        else:
            text = _("Hint {number} of {total}: {hint}")
        return _Text(
            text.format(
                number=number,
                total=len(self.hints),
                hint=_(self.hints[number - 1]),
                variable=self.variable,
            )
        )

    def _situation(self) -> str:
        """A hint read from the lab as it is now, or "" when the graded hints fit."""
        if self.setup_undone():
            return _(
                "Your roles were put back as the course starts them, which undoes this exercise "
                'instead of solving it: load it again (lab.exercise("{key}")) and change only '
                "what is at fault."
            ).format(key=self.key)
        if not self.tasks() or self.last_attempt_refused():
            return ""
        result = self.check()
        if result.status != NOT_YET:
            return ""
        if self.goal_is_a_run and not ran_to_the_end(self):
            if language() == "en":  # the problems as sentences of their own
                said = " ".join(_sentence(p) for p in result.problems)
            else:
                said = "".join(result.problems)
            return _(
                "Your last task runs to the end. What the check still says: {problems} Keep what "
                "made the task run ({variable}.hint() again for the hints, {variable}.hint({last}) "
                "for the most specific)."
            ).format(problems=said, variable=self.variable, last=len(self.hints))
        changed = [p for p in result.problems if isinstance(p, RoleChanged) or " was changed" in p]
        if changed:
            return _(
                "{problem} Undo that change first: which caller was refused, and which role does "
                "that caller wear?"
            ).format(problem=changed[0])
        return ""

    def solution(self) -> _Text:
        # A solution is code; one with prose in it (a comment, a printed text) is in the catalog.
        return _Text(_(self._solution), code=True)

    def __repr__(self) -> str:
        return _("Exercise {key}: {task}").format(key=self.key, task=_(self.task_text))

    def _repr_html_(self) -> str:
        # TRANSLATORS: the label before an exercise's task, in bold.
        label = _("Exercise")
        return f"<p><strong>{escape(label)}</strong>: {escape(_(self.task_text))}</p>"

    # -- what checks read -------------------------------------------------------------------------

    @property
    def first_event(self) -> int:
        """Where the exercise began in the lab's trace: ``lab.trace.events[ex.first_event:]``
        are the learner's calls."""
        return self._first_event

    def tasks(self) -> list[Any]:
        """The tasks run since the exercise began (RunTask refusals leave no task)."""
        return list(self.lab.ecs.tasks.values())[self._first_task :]

    def run_attempts(self) -> int:
        """RunTask calls since the exercise began (refused ones included)."""
        events = self.lab.trace.events[self._first_event :]
        return sum(e.action == "ecs:RunTask" for e in events)

    def last_attempt_refused(self) -> bool:
        """Did the most recent RunTask create no task?"""
        events = self.lab.trace.events[self._first_event :]
        runs = [i for i, e in enumerate(events) if e.action == "ecs:RunTask"]
        if not runs:
            return False
        known = {state.id for state in self.lab.ecs.tasks.values()}
        after = [e.task for e in events[runs[-1] :] if e.task]
        return not any(task in known for task in after)

    def last_task(self) -> Any:
        tasks = self.tasks()
        return tasks[-1] if tasks else None

    def setup_undone(self) -> bool:
        """Was the account set up again (the roles reset, a scenario loaded) since it began?"""
        return any(e.phase == "setup" for e in self.lab.trace.events[self._first_event :])

    def touched(self, role: str) -> bool:
        return snapshot(self.lab, role) != self.baseline[role]


# -- what checks share ---------------------------------------------------------------------------


def started(ex: Exercise) -> list[str]:
    """A problem if the last task did not start (it stopped at launch)."""
    last = ex.last_task()
    if last.stop_code == "TaskFailedToStart":
        return [_("the last task you ran still did not start (stopCode TaskFailedToStart).")]
    return []


def _sentence(problem: str) -> str:
    """A problem as a sentence of its own: its first letter capitalised, unless it begins with a
    name that is written as it is (ecs-task-role, orders/nightly, s3:GetObject)."""
    first = problem.split(" ", 1)[0]
    if any(mark in first for mark in "-_:/.") or not first.isalpha():
        return problem
    return problem[:1].upper() + problem[1:]


def ran_to_the_end(ex: Exercise) -> list[str]:
    """A problem unless the last task started and its essential container exited with 0."""
    last = ex.last_task()
    problems = started(ex)
    if problems:
        return problems
    essential = next((c for c in last.containers if c.definition.essential), last.containers[0])
    if essential.exit_code != 0:
        return [
            _("the app in the last task exited with code {code}.").format(code=essential.exit_code)
        ]
    return []


def untouched(ex: Exercise, role: str, why: str) -> list[str]:
    """A problem if ``role`` was changed although ``why`` (a sentence, marked ``N_`` for the
    catalog) says it is not the one at fault."""
    if ex.touched(role):
        return [
            RoleChanged(
                _("{role} was changed, but {why} Put it back as it was.").format(
                    role=role, why=_(why)
                )
            )
        ]
    return []


@dataclass(frozen=True)
class Spec:
    # The texts (task, hints, solution, praise) are English, marked N_("...") for the catalog:
    # the exercise shows them in the learner's language.
    task: str
    scenario: str | None
    check: Callable[[Exercise], list[str]]
    hints: tuple[str, ...]
    solution: str
    praise: str = ""
    setup: Callable[[Lab], None] | None = None
    # A plausible wrong answer (code, like the solution); tests check it is not accepted.
    wrong: str = ""
    run_hint: str = "lab.run_task()"  # how to run the task this exercise looks at
    # Roles the learner is asked to create: loading the exercise deletes what an earlier attempt
    # left of them, so every attempt starts from the same account.
    creates: tuple[str, ...] = ()
    # The name the notebook gives the exercise, which the solution may use (suspect(ex1, ...)):
    # by default ex1, ex2, ... in the order its lesson module defines its notebook's exercises.
    variable: str = ""
    # Whether a task running to the end shows the learner is on the way (False where the goal is
    # a task that stops, e.g. one left with no credentials, or where the task runs to the end
    # whatever the learner did, e.g. ECS Exec or a log router): the hint about where the learner
    # stands then never says "keep what made the task run".
    goal_is_a_run: bool = True


# Every exercise of the course, by key ("NN-slug": the notebook it belongs to, then what it is
# about). Each lesson module in ecslab.coach.lessons adds its own.
EXERCISES: dict[str, Spec] = {}


def exercise(lab: Lab, key: str) -> Exercise:
    """Start exercise ``key`` in ``lab`` (it loads the exercise's broken setup)."""
    import ecslab.coach.lessons  # noqa: F401 — the notebooks' own exercises register themselves

    if key not in EXERCISES:
        close = [
            k for k in EXERCISES if k.partition("-")[2] == str(key)
        ] or difflib.get_close_matches(str(key), list(EXERCISES), n=1)
        if close:
            message = _(
                "No exercise {key}; the course's exercises are: {keys}. Did you mean {close}?"
            )
        else:
            message = _("No exercise {key}; the course's exercises are: {keys}")
        raise ValueError(
            message.format(
                key=repr(key), keys=", ".join(EXERCISES), close=repr(close[0]) if close else ""
            )
        )
    spec = EXERCISES[key]
    ex = Exercise(
        key, lab, spec.task, spec.scenario, spec.check, list(spec.hints), spec.solution, spec.praise
    )
    ex.run_hint = spec.run_hint
    ex.variable = variable_of(key)
    ex.goal_is_a_run = spec.goal_is_a_run
    if spec.setup is not None:
        spec.setup(lab)
    if spec.creates:
        _delete_roles(lab, spec.creates)
    if spec.setup is not None or spec.creates:
        ex.begin()
    return ex


def variable_of(key: str) -> str:
    """The exercise's name in its notebook: ``ex1`` for the first exercise of its notebook, ..."""
    spec = EXERCISES[key]
    if spec.variable:
        return spec.variable
    siblings = [k for k in EXERCISES if k.split("-", 1)[0] == key.split("-", 1)[0]]
    return f"ex{siblings.index(key) + 1}"


def _delete_roles(lab: Lab, names: Iterable[str]) -> None:
    """Delete these roles if they exist (their policies first, as IAM requires), as setup."""
    existing = set(lab.world.account.role_names())
    with lab.world.setup() as root:
        iam = root.client("iam")
        for name in (n for n in names if n in existing):
            for policy in lab.role(name).managed_policy_arns:
                iam.detach_role_policy(RoleName=name, PolicyArn=policy)
            for policy in lab.role(name).inline_policy_names:
                iam.delete_role_policy(RoleName=name, PolicyName=policy)
            iam.delete_role(RoleName=name)


__all__ = [
    "AGENT_ACTIONS",
    "EXERCISES",
    "LAUNCH_ACTIONS",
    "Exercise",
    "Result",
    "RoleChanged",
    "exercise",
    "variable_of",
]
