"""What the simulated AWS answers a learner's call with, shown as the learner's mistake.

When IAM refuses what a learner asked for (``NoSuchEntity`` for a policy that is not attached,
``MalformedPolicyDocument`` for ``"Effect": "Alow"``), the learner needs AWS's answer and the line
of their own cell, not the frames of ecslab, contextlib and botocore in between.
:func:`learner_facing` marks the methods a learner calls (``Role.attach``, ``Lab.create_role``...):
a ``ClientError`` (or botocore's ``ParamValidationError``) leaving one of them is re-raised as
:func:`as_learner_mistake` makes it — the same error, an instance of a subclass of its own class
(``except ClientError``, ``except iam.exceptions.NoSuchEntityException`` and
``error.response["Error"]["Code"]`` work as before; it pickles as botocore's own class, as
botocore's modeled errors do) that IPython renders with the learner's frames only
(:class:`ecslab.iam.mistakes.LearnerMistake`). Outside IPython, Python prints the full traceback.

IAM accepts a policy that names an action no service has (``secretsmanager:GetSecretValu``): it is
valid JSON and grammar, it just never allows anything (IAM's "Troubleshoot IAM policies" on
policy summaries that list unrecognized actions:
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_policies.html). ecslab accepts it
too, and :func:`warn_unknown_actions` warns the learner right away with an
:class:`UnknownActionWarning` naming the action and the closest real ones (Access Analyzer's
``INVALID_ACTION`` check, ``ecslab.iam.analyzer.validate_policy``).
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import ClientError, ParamValidationError

from ecslab.i18n import ngettext
from ecslab.iam.analyzer import validate_policy
from ecslab.iam.mistakes import LearnerMistake, cell_label, learners_code

F = TypeVar("F", bound=Callable[..., Any])

# Access Analyzer's checks for actions that do not exist
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
UNKNOWN_ACTION_CODES = ("INVALID_ACTION", "INVALID_SERVICE_IN_ACTION")


class UnknownActionWarning(UserWarning):
    """A policy IAM accepted names an action that exists in no service: it allows nothing.

    Silence it with ``warnings.simplefilter("ignore", UnknownActionWarning)`` after
    ``from ecslab.cloud.mistakes import UnknownActionWarning``.
    """


@functools.lru_cache(maxsize=256)
def _learners_class(base: type[BaseException]) -> type[BaseException]:
    def __reduce__(self: BaseException) -> Any:
        # botocore's own reduction (ClientError pickles as ClientError), with this class
        # replaced by the botocore class it stands for.
        reduced = base.__reduce__(self)
        function, arguments = reduced[0], reduced[1]
        arguments = tuple(base if a is learners else a for a in arguments)
        return (base if function is learners else function, arguments, *reduced[2:])

    learners = type(
        base.__name__,
        (base, LearnerMistake),
        {
            "__module__": __name__,
            "__qualname__": base.__qualname__,
            "__doc__": base.__doc__,
            "__reduce__": __reduce__,
        },
    )
    return learners


def as_learner_mistake(error: BaseException) -> BaseException:
    """``error`` as an instance of a subclass of its class, with the same name, message and
    attributes (``response``, ``operation_name``), that IPython renders without ecslab's frames.
    """
    if isinstance(error, LearnerMistake):
        return error
    learners = _learners_class(type(error))
    mistake = learners.__new__(learners)
    mistake.__dict__.update(error.__dict__)
    mistake.args = error.args
    return mistake


def learner_facing(function: F) -> F:
    """Decorate a method a learner calls: AWS's refusal reaches them as their mistake."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (ClientError, ParamValidationError) as error:
            if isinstance(error, LearnerMistake):
                raise
            below = error.__traceback__.tb_next if error.__traceback__ else None
            raise as_learner_mistake(error).with_traceback(below) from None

    return call  # type: ignore[return-value]


def unknown_actions(document: Any) -> list[str]:
    """Where and what, for each action in ``document`` that exists in no service (a wildcard
    that matches some action is fine), with the closest real ones."""
    return [
        f"{finding.location}: {finding.message}"
        for finding in validate_policy(document)
        if finding.code in UNKNOWN_ACTION_CODES
    ]


def warn_unknown_actions(document: Any, what: str) -> None:
    """Warn (once per call) when ``document``, just accepted by IAM as ``what`` ("inline policy
    'x' of role r"), names actions that do not exist. Shown at the learner's own line."""
    found = unknown_actions(document)
    if not found:
        return
    message = ngettext(
        "IAM accepted {what}, but it names an action that does not exist, which allows nothing:",
        "IAM accepted {what}, but it names actions that do not exist, which allow nothing:",
        len(found),
    ).format(what=what) + "".join(f"\n  {line}" for line in found)
    frame = inspect.currentframe()
    assert frame is not None  # CPython
    while frame.f_back is not None and not learners_code(frame.f_code.co_filename):
        frame = frame.f_back
    filename = frame.f_code.co_filename
    label = cell_label(filename)
    # A notebook cell is named as IPython names it in a traceback ("Cell In[3]"), never by the
    # kernel's temporary file; no registry, so each call warns (warnings' default would show a
    # message once per line number, and every cell has a line 1).
    warnings.warn_explicit(
        message,
        UnknownActionWarning,
        label[len("File ") :] if label.startswith("File ") else label,
        frame.f_lineno,
        module=frame.f_globals.get("__name__", "__main__"),
        registry=None,
    )


class ArgumentTypeError(LearnerMistake, TypeError):
    """A learner-facing method was given the wrong kind of value (shown as ``TypeError``)."""

    shown_as = "TypeError"
