"""Who called which AWS API, in which phase, in which order, and what became of it — drawn from
the trace.

A diagram has one cluster per phase (**launch**, then **run**), a node per caller — Amazon ECS
itself, the ECS agent wearing the execution role, the container's app wearing the task role — and
the calls each made. Each IAM action is one edge from the caller, through the text of the call,
to the AWS service — one per resource and per service it came through, too: the agent's
``kms:Decrypt`` for Parameter Store and its ``kms:Decrypt`` for Secrets Manager are two edges,
each with its own purpose.

Every edge is numbered in the order it happened — ECS assuming the two roles, then the launch
calls, then the run calls — and the calls the task never reached go on with the numbers in the
order it planned them, in brackets: "(7) ○ ssm:GetParameters (never reached)". Inside each phase
the calls stand top to bottom in that order, each going to a service node of its own (Amazon
ECR three times at launch), and the text equivalent carries the same numbers in the same order.
An edge is marked three ways at once, so colour is never the only signal:

========== ===================== ========= ================ ====== ==========================
outcome    line colour           text      line             mark   label
           (Okabe–Ito)
========== ===================== ========= ================ ====== ==========================
allowed    bluish green #009E73  #00664A   solid            ✓      N. the action
denied     vermillion #D55E00    #A84A00   dashed, thicker  ✗      N. the action and why
never      grey #999999          #666666   dotted           ○      (N) the action, "(never
                                                                 reached)"
unreach-   reddish purple        #8E3A6B   bold             ⊘      N. the action, "no network
able       #CC79A7                                                 path (timed out)"
planned    blue #0072B2          #0072B2   solid, thin      →      N. the action, what for
========== ===================== ========= ================ ====== ==========================

Lines and arrows keep the Okabe–Ito hues; label text is drawn in a darker shade of the same hue
(``fontcolor``), dark enough for WCAG AA contrast on white (at least 4.5:1) at 10 pt.

Amazon ECS, which only hands roles over, stands left of the phase boxes, and each box's callers
stand in one column: the hand-over edges' labels sit in the open between, never on a box's
border. The picture's title is short — a refused RunTask's title keeps the head of AWS's message
("refused — ClientException"), the text equivalent all of it — so the drawing is no wider than
its content.

*Never reached* edges come from the task's plan (:mod:`ecslab.ecs.plan`): calls the task would
have made had it not stopped first. Every diagram has a text equivalent, :meth:`Diagram.describe`,
folded under the picture in a notebook (a ``<details>`` element) and read by a screen reader as
the picture's description.

Rendering: the ``graphviz`` package builds stable DOT source; SVG comes from the system ``dot``
when there is one, otherwise from ``pygraphviz``, whose wheels bundle the Graphviz libraries and
render in-process — so diagrams work on a fresh machine. Without either, the notebook shows the
description and says why there is no picture. Nothing here changes the simulation.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise
from typing import Any

from ecslab.i18n import N_, _, language, ngettext
from ecslab.show import fonts

# each phase's box title (translated where it is drawn: see phase_label)
DEPLOY_PHASE = "deploy"  # the deployer's RunTask, drawn before launch (ecslab.ecs.deployer)
PHASES = {
    DEPLOY_PHASE: N_("deploy — the deployer calls RunTask and passes the task's roles"),
    "launch": N_("launch — the ECS agent starts the task"),
    "run": N_("run — the application works"),
    "setup": N_("setup — the lab builds the account"),
    "admin": N_("you, in the notebook"),
}
# color: the line and arrow; fontcolor: the label text, the same hue darkened to >= 4.5:1 on white
STYLES = {
    "allowed": {
        "color": "#009E73",
        "fontcolor": "#00664A",
        "style": "solid",
        "penwidth": "1.6",
        "mark": "✓",
    },
    "denied": {
        "color": "#D55E00",
        "fontcolor": "#A84A00",
        "style": "dashed",
        "penwidth": "2.4",
        "mark": "✗",
    },
    "never": {
        "color": "#999999",
        "fontcolor": "#666666",
        "style": "dotted",
        "penwidth": "1.4",
        "mark": "○",
    },
    "unreachable": {
        "color": "#CC79A7",
        "fontcolor": "#8E3A6B",
        "style": "bold",
        "penwidth": "2.4",
        "mark": "⊘",
    },
    "planned": {
        "color": "#0072B2",
        "fontcolor": "#0072B2",
        "style": "solid",
        "penwidth": "1.2",
        "mark": "→",
    },
}
SERVICE_NAMES = {
    "sts": "AWS STS",
    "iam": "AWS IAM",
    "ecr": "Amazon ECR",
    "ecs": "Amazon ECS",
    "logs": "Amazon CloudWatch Logs",
    "secretsmanager": "AWS Secrets Manager",
    "ssm": "AWS Systems Manager\nParameter Store",
    "kms": "AWS KMS",
    "s3": "Amazon S3",
    "dynamodb": "Amazon DynamoDB",
    "sqs": "Amazon SQS",
    "sns": "Amazon SNS",
    "docker.io": "Docker Hub",
}
FONT = "Helvetica,Arial,sans-serif"
# a numbered line of the text equivalent: "  7. ✓ ..." for a call made, "  (7) ○ ..." for one
# never reached
NUMBERED = re.compile(r"^\s+(\d+\.|\(\d+\)) ")


@dataclass(frozen=True)
class Call:
    """One call (or planned call) to draw: the fields of a trace event the diagram needs."""

    phase: str
    principal: str
    role: str | None
    action: str
    resource: str
    outcome: str  # "allowed", "denied", "never", "planned"
    via: str | None = None
    error: str | None = None
    why: str | None = None
    wearer: tuple[str, str] | None = None  # for ECS's sts:AssumeRole: (phase, principal)

    @property
    def service(self) -> str:
        return self.action.split(":", 1)[0].lower()


@dataclass
class Edge:
    """One numbered edge: the calls of one caller to one resource with one outcome, and the one
    line of the text equivalent that says the same."""

    number: int  # its first call's place in the task: 1, 2, 3 ...
    phase: str
    source: str
    target: str
    action: str
    outcome: str
    via: str | None = None  # the call it was made through, e.g. "ssm:GetParameters"
    calls: list[Call] = field(default_factory=list)

    @property
    def numeral(self) -> str:
        """ "7." for a call that was made (or is planned), "(7)" for one never reached."""
        return f"({self.number})" if self.outcome == "never" else f"{self.number}."


class Diagram:
    """A graphviz diagram with its text equivalent; displays inline in JupyterLab.

    In HTML it is a figure: the picture (``role="img"``) named by a short headline, and under it
    the caption — the headline in bold, then the text equivalent folded away in a ``<details>``
    ("Text description of the diagram (17 numbered calls)"), so the output is about as tall as
    the picture. The picture's name is only the headline; the text equivalent is its
    description (``aria-describedby``), which a screen reader reads whether or not the details
    are open. Without a picture the details are open. Every id in it starts with
    :attr:`ident`."""

    def __init__(
        self, digraph: Any, description: Sequence[str], title: str, headline: str | None = None
    ) -> None:
        self.digraph = digraph
        self._description = list(description)
        self.title = title
        #: the picture's short name: its title and status, without a long message's details
        self.headline = headline or title
        self._svg: str | None = None
        self._rendered = False

    @property
    def source(self) -> str:
        """The DOT source: the same text for the same trace, on every machine."""
        return str(self.digraph.source)

    @property
    def ident(self) -> str:
        """The figure's HTML id, and the prefix of every id inside it: from a hash of what it
        shows, so the same on every run and different for every different diagram."""
        content = "\n".join([self.source, self.headline, *self._description])
        return "ecslab-" + hashlib.sha256(content.encode()).hexdigest()[:12]

    def describe(self) -> str:
        """The diagram in plain sentences (its text equivalent)."""
        return "\n".join(self._description)

    def svg(self) -> str | None:
        """The rendered SVG (an ``<svg>`` element), or None when nothing can render it. Its ids
        start with :attr:`ident`, and Graphviz's internal names are not in it."""
        if not self._rendered:
            self._svg = render_svg(self.source, self.ident)
            self._rendered = True
        return self._svg

    def _repr_html_(self) -> str:
        ident = self.ident
        picture = self.svg()
        first, lines = self._description[0], self._description[1:]
        # the caption's first line in bold, and its short form is what names the picture; a
        # refused RunTask's message follows in a paragraph of its own
        if first.startswith(self.headline + ": "):
            heading, rest = self.headline, first[len(self.headline) + 2 :]
        else:
            heading, rest = first, ""
        status = f'<p id="{ident}-status">{escape(rest)}</p>' if rest else ""
        details = ""
        if lines:
            count = sum(bool(NUMBERED.match(line)) for line in lines)
            summary = ngettext(
                "Text description of the diagram ({count} numbered call)",
                "Text description of the diagram ({count} numbered calls)",
                count,
            ).format(count=count)
            details = (
                ("<details>" if picture else '<details open="">')  # open, with no picture
                + f"<summary>{summary}</summary>"
                + f'<div id="{ident}-text">{_nested_list(lines)}</div></details>'
            )
        caption = (
            f'<figcaption><p><strong id="{ident}-title">{escape(heading)}</strong></p>'
            f"{status}{details}</figcaption>"
        )
        if picture is None:
            body = "<p><em>{}</em></p>".format(
                _(
                    "No picture: Graphviz is not available here (neither the <code>dot</code> "
                    "program nor the <code>pygraphviz</code> package). The description says the "
                    "same."
                )
            )
        else:
            # its description: the status and the text equivalent, read from the caption even
            # while the details are folded
            described = [f"{ident}-status"] if status else []
            described += [f"{ident}-text"] if details else []
            describedby = f' aria-describedby="{" ".join(described)}"' if described else ""
            body = f'<div role="img" aria-labelledby="{ident}-title"{describedby}>{picture}</div>'
        return (
            f'<figure id="{ident}" aria-labelledby="{ident}-title" style="margin:0">'
            f"{body}{caption}</figure>"
        )

    def __repr__(self) -> str:
        return self.describe()


def _nested_list(lines: Sequence[str]) -> str:
    """The description's lines as nested HTML lists: a line indented deeper than the one before
    it belongs to that line, the way each call belongs to its phase. HTML would collapse the
    leading spaces that show this in plain text, so the grouping is made structure instead."""
    root: list[tuple[str, list]] = []
    open_items: list[tuple[int, list[tuple[str, list]]]] = [(-1, root)]
    for line in lines:
        text = line.lstrip(" ")
        depth = len(line) - len(text)
        while open_items[-1][0] >= depth:
            open_items.pop()
        item: tuple[str, list] = (text, [])
        open_items[-1][1].append(item)
        open_items.append((depth, item[1]))

    def html(items: list[tuple[str, list]]) -> str:
        inner = "".join(
            f"<li>{escape(text)}{html(children) if children else ''}</li>"
            for text, children in items
        )
        return f"<ul>{inner}</ul>"

    return html(root) if root else ""


# -- building ------------------------------------------------------------------------------------


def build(
    calls: Iterable[Call],
    title: str,
    status: str | None = None,
    roles: Mapping[str, Sequence[str]] | None = None,
    legend: Iterable[str] = ("allowed", "denied", "never"),
) -> Diagram:
    """A diagram of these calls. ``roles``: each role's policy names, shown on its wearer."""
    import graphviz

    calls = list(calls)
    roles = roles or {}
    dot = graphviz.Digraph("ecslab", strict=False)
    # the picture's title: short lines, or the picture would be as wide as its longest line
    short = _short_status(status)
    label = "\n".join(_wrap(title) + (_wrap(short) if short else []))
    font = fonts.JAPANESE_FONTNAME if language() == "ja" else FONT
    dot.attr("graph", label=label, labelloc="t", fontname=font, fontsize="14", rankdir="LR")
    # remincross=false: Graphviz's second pass at fewer crossings, over all the boxes at once,
    # does not keep a column's invisible edges' order (see _in_order); the first pass does
    dot.attr("graph", nodesep="0.15", ranksep="0.9", newrank="true", remincross="false")
    dot.attr("node", fontname=font, fontsize="11")
    dot.attr("edge", fontname=font, fontsize="10")

    phases = _phases(calls)
    edges: list[Edge] = []
    principals: dict[str, tuple[str, str | None, str]] = {}
    for number, group in enumerate(_steps(calls), 1):
        call = group[0]
        source = _principal_id(call.phase, call.principal)
        principals.setdefault(source, (call.principal, call.role, call.phase))
        if _is_hand_over(call):
            # ECS hands a role to its wearer: the edge goes to the agent or the app.
            wearer = _wearer(call, calls)
            target = _principal_id(wearer[0], wearer[1])
            principals.setdefault(target, (wearer[1], wearer[2], wearer[0]))
        else:
            # a service node of its own for every call, so that the calls stand in a column in
            # the order they were made (a shared node would gather them out of order)
            target = _node_id(call.phase, "service", call.service, str(number))
        edges.append(
            Edge(number, call.phase, source, target, call.action, call.outcome, call.via, group)
        )

    # Amazon ECS only hands roles over: drawn left of the phases, so the labels of its edges sit
    # in open space instead of on the boxes' borders (each edge goes into a different phase)
    outside = {
        source
        for source, (name, _role, _phase) in principals.items()
        if name == "Amazon ECS"
        and all(_hands_over(edge) for edge in edges if edge.source == source)
    }
    for node in outside:
        name, role, _phase = principals[node]
        dot.node(node, _principal_label(name, role, roles), **_principal_style(name))
    for phase in phases:
        with dot.subgraph(name=f"cluster_{phase}") as cluster:
            cluster.attr(
                label=phase_label(phase),
                style="rounded",
                color="#666666",
                fontsize="12",
                margin="16",  # room between the border (and its title) and the edges' labels
            )
            # the callers in a column: none sits further left in its box than the ones ECS
            # hands a role to, so no box reaches back across the hand-over edges' labels; top
            # to bottom in the order of their first call
            callers = sorted(
                (n for n, (_, _, p) in principals.items() if p == phase and n not in outside),
                key=lambda n: min(e.number for e in edges if n in (e.source, e.target)),
            )
            with cluster.subgraph() as column:
                column.attr(rank="same")
                for node in callers:
                    name, role, _phase = principals[node]
                    column.node(node, _principal_label(name, role, roles), **_principal_style(name))
                _in_order(column, callers)
            # then the calls, and the service each went to, in two columns top to bottom in
            # the order the calls were made: a call is the text on its line, a node of its own
            called = [e for e in edges if e.phase == phase and not _hands_over(e)]
            with cluster.subgraph() as column:
                column.attr(rank="same")
                for edge in called:
                    style = STYLES[edge.outcome]
                    column.node(
                        _call_id(edge),
                        _edge_text(edge),
                        shape="plaintext",
                        height="0",
                        margin="0.06,0.02",
                        fontsize="10",
                        fontcolor=style["fontcolor"],
                        tooltip=_tooltip(edge),
                    )
                _in_order(column, [_call_id(e) for e in called])
            with cluster.subgraph() as column:
                column.attr(rank="same")
                for edge in called:
                    service = edge.calls[0].service
                    column.node(
                        edge.target,
                        SERVICE_NAMES.get(service, service),
                        shape="cylinder",
                        height="0.36",
                        style="filled",
                        fillcolor="#F7F7F7",
                        color="#444444",
                    )
                _in_order(column, [e.target for e in called])
    for edge in edges:
        style = STYLES[edge.outcome]
        line = {
            "color": style["color"],
            "style": style["style"],
            "penwidth": style["penwidth"],
            "tooltip": _tooltip(edge),
        }
        if _hands_over(edge):
            dot.edge(
                edge.source,
                edge.target,
                label=_edge_text(edge),
                fontcolor=style["fontcolor"],
                **line,
            )
        else:  # the caller's line runs into the call's text, and on from it to the service
            dot.edge(edge.source, _call_id(edge), arrowhead="none", **line)
            dot.edge(_call_id(edge), edge.target, **line)
    shown = [o for o in legend if o in STYLES]
    if any(c.outcome == "unreachable" for c in calls) and "unreachable" not in shown:
        shown.append("unreachable")
    _legend(dot, shown)
    headline = title + (f": {short}" if short else "")
    return Diagram(dot, describe(calls, title, status, roles), title, headline)


def _hands_over(edge: Edge) -> bool:
    """Whether the edge is Amazon ECS handing a role to its wearer (an sts:AssumeRole)."""
    return _is_hand_over(edge.calls[0])


def _is_hand_over(call: Call) -> bool:
    return call.action == "sts:AssumeRole" and call.principal == "Amazon ECS"


def phase_label(phase: str) -> str:
    """A phase's words, as its box and the text equivalent name it, in the learner's language."""
    return _(PHASES[phase]) if phase in PHASES else phase


def principal_name(name: str) -> str:
    """Who made a call, as the diagram names it in the learner's language. The trace's own words
    ("ECS agent", "orders app") are values code filters on, so only the drawing translates them."""
    if name == "ECS agent":
        return _("ECS agent")
    if name == "you (administrator)":
        return _("you (administrator)")
    if name == "deployer":
        return _("deployer")
    if name == "Amazon ECS (service-linked role)":
        return _("Amazon ECS (service-linked role)")
    # the rest of the cast (ecslab.ecs.exec, firelens, efs)
    if name == "SSM agent (ECS Exec)":
        return _("SSM agent (ECS Exec)")
    if name == "log router (Fluent Bit)":
        return _("log router (Fluent Bit)")
    if name == "EFS mount (efs-utils)":
        return _("EFS mount (efs-utils)")
    if name.endswith(" app") and len(name) > len(" app"):
        return _("{container} app").format(container=name[: -len(" app")])
    return name


def _phases(calls: Iterable[Call]) -> list[str]:
    """The calls' phases in the order a task goes through them (launch, then run)."""
    return sorted(
        dict.fromkeys(c.phase for c in calls),
        key=lambda p: list(PHASES).index(p) if p in PHASES else len(PHASES),
    )


def _steps(calls: Iterable[Call]) -> list[list[Call]]:
    """The calls grouped as they are drawn and told — one edge and one line of the text
    equivalent for each caller, action, resource and outcome (and the call it came through) in
    a phase — in the order of each group's first call. A group's place in this list is its
    number: the order the task made its calls in, then the calls it never reached, in the
    order it planned them."""
    groups: dict[tuple[str, str, str, str, str, str | None], list[Call]] = {}
    for call in calls:
        key = (call.phase, call.principal, call.action, call.outcome, call.resource, call.via)
        groups.setdefault(key, []).append(call)
    return list(groups.values())


def _edge_text(edge: Edge) -> str:
    """The text on an edge: its number, mark and action, then what it came through, what ECS
    handed over, why it was denied, that it was never reached, or what it is for."""
    style = STYLES[edge.outcome]
    count = len(edge.calls)
    text = f"{edge.numeral} {style['mark']} {edge.action}" + (f" ×{count}" if count > 1 else "")
    first = edge.calls[0]
    if edge.via:
        text += "\n" + _("(via {service})").format(service=edge.via.split(":")[0])
    if _hands_over(edge):
        text += "\n" + _("hands over\n{role}").format(role=first.resource.rsplit("/", 1)[-1])
    if edge.outcome == "denied":
        text += f"\n{_short_reason(first.error)}"
    elif edge.outcome == "unreachable":
        text += "\n" + _("no network path (timed out)")
    elif edge.outcome == "never":
        text += "\n" + _("(never reached)")
    elif edge.outcome == "planned" and _purposes(edge.calls):
        purposes = _purposes(edge.calls)
        if _hands_over(edge):  # kept narrow: see HAND_OVER_WIDTH
            purposes = [line for why in purposes for line in _wrap(why, HAND_OVER_WIDTH)]
        text += "\n" + "\n".join(purposes)
    return text


def _call_id(edge: Edge) -> str:
    """The node of a call's text."""
    return _node_id(edge.phase, "call", str(edge.number))


def _tooltip(edge: Edge) -> str:
    """What a browser shows on hovering over a call: its resources, or why it was denied."""
    return "; ".join(dict.fromkeys(c.error or c.resource for c in edge.calls))[:500]


def _in_order(column: Any, nodes: Sequence[str]) -> None:
    """Keep the nodes of a column (a ``rank=same`` subgraph) top to bottom in this order: an
    invisible edge from each to the one above it (Graphviz puts the tail of an edge within a
    rank before its head — left of it, which rankdir=LR turns into below it)."""
    for upper, lower in pairwise(nodes):
        column.edge(lower, upper, style="invis")


TITLE_WIDTH = 80  # characters on a line of the picture's title
# characters on a line of a hand-over edge's label: the edge slants from Amazon ECS up or down
# to its phase, and past a label this wide it would cross the label's end
HAND_OVER_WIDTH = 28


def _short_status(status: str | None) -> str | None:
    """The status as the picture's title shows it. A long one — a refused RunTask carries AWS's
    whole message — keeps its head ("refused — ClientException"); the text equivalent has all
    of it."""
    if status and len(status) > TITLE_WIDTH // 2 and ": " in status:
        head = status.split(": ", 1)[0]
        if len(head) <= TITLE_WIDTH // 2:
            return head
    return status


def _wrap(text: str, width: int = TITLE_WIDTH) -> list[str]:
    """The lines of ``text``, each broken between words to at most ``width`` characters; a
    Japanese line (no spaces between words) is broken between characters, by its width on
    screen (a kana or kanji is two characters wide), never before 、。」 and the like."""
    import textwrap

    return [
        wrapped
        for line in text.split("\n")
        for wrapped in (
            (
                _wrap_wide(line, width)
                if _has_wide(line)
                else textwrap.wrap(line, width, break_on_hyphens=False)
            )
            or [""]
        )
    ]


# Japanese line-breaking rules (kinsoku): a line does not start with these ...
_NO_LINE_START = set(
    "、。，．・：；？！ー」』）〕］｝〉》】ぁぃぅぇぉっゃゅょァィゥェォッャュョ),.:;!?"
)
# ... and does not end with these.
_NO_LINE_END = set("「『（〔［｛〈《【(")


def _has_wide(text: str) -> bool:
    import unicodedata

    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def _wrap_wide(line: str, width: int) -> list[str]:
    import unicodedata

    # pieces that stay whole: a run of Latin letters, digits and the like (an action name, an
    # ARN), or one wide character
    pieces = re.findall(r"[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+|.", line)
    size = lambda piece: sum(  # noqa: E731 - a one-line helper read right here
        2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in piece
    )
    lines: list[str] = []
    current = ""
    for piece in pieces:
        fits = size(current.rstrip()) + size(piece.rstrip()) <= width
        if (
            current
            and not fits
            and piece[0] not in _NO_LINE_START
            and current[-1] not in _NO_LINE_END
        ):
            lines.append(current.rstrip())
            current = piece.lstrip()
        else:
            current += piece
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _legend(dot: Any, outcomes: list[str]) -> None:
    if not outcomes:
        return
    names = {
        "allowed": _("allowed (solid)"),
        "denied": _("denied (dashed)"),
        "never": _("never reached (dotted)"),
        "planned": _("what the task will ask for"),
        "unreachable": _("unreachable: no network path (bold)"),
    }
    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label=_("key"), style="dashed", color="#999999", fontsize="10")
        for outcome in outcomes:
            style = STYLES[outcome]
            legend.node(f"legend_{outcome}_a", "", shape="point", width="0.05")
            legend.node(f"legend_{outcome}_b", "", shape="point", width="0.05")
            legend.edge(
                f"legend_{outcome}_a",
                f"legend_{outcome}_b",
                label=f"{style['mark']} {names[outcome]}",
                color=style["color"],
                fontcolor=style["fontcolor"],
                style=style["style"],
                penwidth=style["penwidth"],
                fontsize="9",
            )


def _principal_id(phase: str, principal: str) -> str:
    return _node_id(phase, principal)


def _node_id(*parts: str) -> str:
    """A DOT node id without ':' (which DOT reads as a port)."""
    return "__".join(re.sub(r"[^A-Za-z0-9]+", "_", part) for part in parts)


def _wearer(call: Call, calls: list[Call]) -> tuple[str, str, str | None]:
    """Whom ECS assumed this role for: (phase, principal, role)."""
    role = call.resource.rsplit("/", 1)[-1]
    if call.wearer is not None:
        return call.wearer[0], call.wearer[1], role
    for other in calls:
        if other.role == role and other.principal != "Amazon ECS":
            return other.phase, other.principal, role
    return "launch", "ECS agent", role


def _principal_label(name: str, role: str | None, roles: Mapping[str, Sequence[str]]) -> str:
    if role is None:
        if name == "Amazon ECS":
            return f"{name}\n(ecs-tasks.amazonaws.com)"
        return principal_name(name)
    lines = [principal_name(name), _("as role {role}").format(role=role)]
    policies = roles.get(role)
    if policies is not None and len(", ".join(policies)) <= 48:
        shown = ", ".join(policies) if policies else _("none")
        lines.append(_("policies: {policies}").format(policies=shown))
    elif policies is not None:
        lines += [_("policies:"), *policies]
    return "\n".join(lines)


def _principal_style(name: str) -> dict[str, str]:
    if name == "ECS agent":
        return {
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": "#E5F1F8",
            "color": "#0072B2",
            "penwidth": "1.5",
        }
    if name == "Amazon ECS":
        return {
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": "#F2F2F2",
            "color": "#444444",
        }
    return {
        "shape": "box",
        "style": "rounded,filled",
        "fillcolor": "#FDF1DC",
        "color": "#E69F00",
        "penwidth": "1.5",
    }


def _short_reason(error: str | None) -> str:
    """Why a call was denied, in a few words read from AWS's message (whose words, such as the
    kind of policy, stay as AWS wrote them)."""
    if not error:
        return _("denied")
    if _registry_refusal(error):
        return _("refused by the registry:\n429 toomanyrequests")
    if "explicit deny" in error:
        found = re.search(r"with an explicit deny in an? ([\w -]+?policy)", error)
        if found:
            return _("explicit deny in {policy}").format(policy=found.group(1))
        return _("explicit deny")
    if "no identity-based policy allows" in error:
        return _("no identity-based policy allows it")
    if "because no" in error:
        policy = error.split("because no", 1)[1].strip().split(" allows")[0]
        return _("no {policy} allows it").format(policy=policy)
    return _("denied")


def _registry_refusal(error: str | None) -> bool:
    """A container registry's refusal (Docker Hub's 429 ``toomanyrequests``), not IAM's."""
    return bool(error) and "Server message: toomanyrequests" in str(error)


# -- the text equivalent ---------------------------------------------------------------------------


def describe(
    calls: Sequence[Call],
    title: str,
    status: str | None = None,
    roles: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """The diagram in sentences: a headline, then one line per edge, phase by phase, each with
    the edge's number ("7." for a call made, "(7)" for one never reached)."""
    roles = roles or {}
    lines = [title + (f": {status}" if status else "")]
    steps = list(enumerate(_steps(calls), 1))
    for phase in _phases(calls):
        lines.append(_("Phase {phase}:").format(phase=phase_label(phase)))
        for number, group in steps:
            first = group[0]
            if first.phase != phase:
                continue
            outcome = first.outcome
            tense = {"never": "would", "planned": "will"}.get(outcome, "did")
            what = _what(first, len(group), tense)
            if outcome == "allowed":
                lines.append(f"  {number}. ✓ " + _("{what}: allowed.").format(what=what))
            elif outcome == "denied" and _registry_refusal(first.error):
                said = _("{what}: REFUSED by the registry (not an IAM decision).").format(what=what)
                lines.append(f"  {number}. ✗ {said} {first.error or ''}".rstrip())
            elif outcome == "denied":
                said = _("{what}: DENIED.").format(what=what)
                lines.append(f"  {number}. ✗ {said} {first.error or ''}".rstrip())
            elif outcome == "unreachable":
                said = _("{what}: UNREACHABLE — no network path, the call timed out.").format(
                    what=what
                )
                lines.append(f"  {number}. ⊘ {said} {first.error or ''}".rstrip())
            elif outcome == "never":
                lines.append(f"  ({number}) ○ " + _("Never reached: {what}.").format(what=what))
            else:
                whys = _purposes(group)
                if whys:
                    purposes = _("; to ").join(whys)
                    said = _("{what} — to {purposes}.").format(what=what, purposes=purposes)
                else:
                    said = _("{what}.").format(what=what)
                lines.append(f"  {number}. → {said}")
    for role, policies in roles.items():
        if policies:
            said = _("Role {role} has: {policies}.").format(role=role, policies=", ".join(policies))
        else:
            said = _("Role {role} has: no policies.").format(role=role)
        lines.append(said)
    return lines


def _what(call: Call, times: int, tense: str) -> str:
    """What a call did ("did"), would have done had the task got that far ("would"), or will do
    ("will"): one whole clause, so that a translation can put its parts in its own order."""
    count = _(" ({count} times)").format(count=times) if times > 1 else ""
    if _is_hand_over(call):
        role = call.resource.rsplit("/", 1)[-1]
        template = {
            "did": _("Amazon ECS assumed role {role}{times}"),
            "would": _("Amazon ECS would have assumed role {role}{times}"),
            "will": _("Amazon ECS will assume role {role}{times}"),
        }[tense]
        return template.format(role=role, times=count)
    via = _(" (through {service})").format(service=call.via.split(":")[0]) if call.via else ""
    if call.role:
        template = {
            "did": _("{who}, as role {role}, called {action} on {resource}{via}{times}"),
            "would": _(
                "{who}, as role {role}, would have called {action} on {resource}{via}{times}"
            ),
            "will": _("{who}, as role {role}, will call {action} on {resource}{via}{times}"),
        }[tense]
    else:
        template = {
            "did": _("{who} called {action} on {resource}{via}{times}"),
            "would": _("{who} would have called {action} on {resource}{via}{times}"),
            "will": _("{who} will call {action} on {resource}{via}{times}"),
        }[tense]
    return template.format(
        who=_who(call.principal),
        role=call.role,
        action=call.action,
        resource=call.resource,
        via=via,
        times=count,
    )


def _purposes(calls: Sequence[Call]) -> list[str]:
    """What the calls are for, each purpose once, in order (in the learner's language: a
    purpose the plan marked for translation is translated here)."""
    return list(dict.fromkeys(_(c.why) for c in calls if c.why))


def _who(principal: str) -> str:
    """ "ECS agent" → "The ECS agent", "orders app" → "The orders app" (at the head of a
    sentence; in Japanese, the diagram's name for it)."""
    if principal.startswith(("Amazon", "AWS", "you")):
        return principal if principal != "you (administrator)" else principal_name(principal)
    if principal == "ECS agent":
        return _("The ECS agent")
    if principal.endswith(" app") and len(principal) > len(" app"):
        return _("The {container} app").format(container=principal[: -len(" app")])
    return _("The {principal}").format(principal=principal_name(principal))


# -- rendering ---------------------------------------------------------------------------------


def renderer() -> str | None:
    """What will render SVG here: "dot" (the system program), "pygraphviz", or None."""
    if shutil.which("dot"):
        return "dot"
    try:
        import pygraphviz  # noqa: F401
    except ImportError:
        return None
    return "pygraphviz"


def render_svg(source: str, ident: str | None = None) -> str | None:
    """SVG for DOT source, as an ``<svg>`` element ready to sit inside HTML; None if neither
    the system ``dot`` nor pygraphviz is available. See :func:`clean_svg` for ``ident``."""
    fonts.use_shipped_font()  # before Graphviz's fontconfig starts: Japanese is measured right
    engine = renderer()
    if engine == "dot":
        import graphviz

        raw = graphviz.Source(source).pipe(format="svg", encoding="utf-8")
    elif engine == "pygraphviz":
        import pygraphviz

        with _quiet_fontconfig():
            raw = pygraphviz.AGraph(string=source).draw(format="svg", prog="dot").decode("utf-8")
    else:
        return None
    return clean_svg(raw, ident)


# How a diagram sits in a page: as wide as there is room for, as high as the window allows.
SVG_STYLE = "max-width:100%;max-height:85vh;width:auto;height:auto"


def clean_svg(raw: str, ident: str | None = None) -> str:
    """Graphviz's SVG made fit to sit inside a page: from the ``<svg>`` element on, without
    comments or ``<title>`` elements — Graphviz names each group with its DOT name
    ("launch__Amazon_ECS->launch__ECS_agent"), which a browser shows as a tooltip. The edges'
    own tooltips (``xlink:title``: the resource, or why it was denied) stay. With ``ident``,
    every id (Graphviz numbers them "graph0", "node1", ... in every diagram alike) starts with
    it, so that two diagrams in a page share none.

    It keeps Graphviz's ``viewBox`` and shrinks to the width there is (``max-width:100%;
    height:auto``): JupyterLab's stylesheet does this for every SVG in an output, and the
    picture says it itself for notebook viewers that do not. It also shrinks to fit the window's
    height (``max-height:85vh``), so that a task's whole picture is on the screen at once."""
    start = raw.find("<svg")
    svg = re.sub(r"<!--.*?-->\s*", "", raw[start:], flags=re.S)
    svg = svg.replace("<svg", f'<svg style="{SVG_STYLE}"', 1)
    svg = re.sub(r"<title>[^<]*</title>\s*", "", svg)
    if ident:
        svg = re.sub(r'(\sid=")([^"]*")', rf"\g<1>{ident}-\g<2>", svg)
        svg = re.sub(r'(href="#|url\(#)', rf"\g<1>{ident}-", svg)
    return svg.strip()


@contextmanager
def _quiet_fontconfig() -> Iterator[None]:
    """Graphviz in the pygraphviz wheel bundles a fontconfig older than some systems' font
    configuration; starting up, it writes a harmless "Fontconfig warning" straight to the
    process's standard error — which Jupyter shows in the notebook. Catch what is written to
    file descriptor 2 meanwhile, drop those lines, and pass anything else on."""
    try:
        saved = os.dup(2)
    except OSError:  # no standard error to speak of
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read().decode("utf-8", errors="replace")
            kept = [line for line in text.splitlines() if not line.startswith("Fontconfig ")]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
