"""Diagrams are computed from the trace and the plan: allowed, denied and never-reached edges in
both phases, the same DOT on every run, a text equivalent, and SVG with or without `dot`."""

from __future__ import annotations

import os
import re
import stat
import sys
from itertools import pairwise

import pytest

import ecslab.show.diagram as diagram_module
from ecslab.show import fonts

ACCOUNT = "123456789012"


def attributes(text: str) -> dict[str, str]:
    return {k: v.strip('"') for k, v in re.findall(r'(\w+)=("[^"]*"|\S+)', text)}


NUMBER = re.compile(r"(\d+)\. |\((\d+)\) ")


def edges(source: str) -> list[dict]:
    """Each edge of DOT source as a learner reads it, in the order of its number: who it goes
    from and to, its number ("3." or "(4)" for one never reached), its label's first line
    after the number, the lines under it, and its colours and style. A hand-over is one DOT
    edge with a label; a call is a node with the call's text, the caller's line into it and a
    line out of it to the service."""
    found = []
    lines = {
        (m.group(1), m.group(2)): attributes(m.group(3))
        for m in re.finditer(r"^\t(\S+) -> (\S+) \[(.*?)\]$", source, flags=re.M | re.S)
        if not m.group(1).startswith("legend_")
    }
    texts = {
        m.group(1): attributes(m.group(2))
        for m in re.finditer(r"^\t+(\w+__call__\d+) \[(.*?)\]$", source, flags=re.M | re.S)
    }
    for (tail, head), line in lines.items():
        if tail in texts:
            continue  # the line from a call's text on to its service
        if head in texts:  # a call: the caller's line into its text, and on
            [(to, onward)] = [(h, a) for (t, h), a in lines.items() if t == head]
            assert (onward["color"], onward["style"]) == (line["color"], line["style"])
            label, fontcolor, head = texts[head]["label"], texts[head]["fontcolor"], to
        else:
            label, fontcolor = line.get("label", ""), line.get("fontcolor", "")
        number = NUMBER.match(label)
        assert number is not None, label
        first, *detail = label[number.end() :].split("\n")
        found.append(
            {
                "from": tail,
                "to": head,
                "number": int(number.group(1) or number.group(2)),
                "numeral": number.group(0).strip(),
                "label": first,
                "detail": detail,
                "color": line["color"],
                "fontcolor": fontcolor,
                "style": line["style"],
            }
        )
    return sorted(found, key=lambda edge: edge["number"])


def by_label(source: str) -> dict[str, dict]:
    return {e["label"]: e for e in edges(source)}


def test_a_healthy_task_is_all_allowed_in_both_phases(lab):
    task = lab.run_task()
    diagram = task.diagram()
    found = by_label(diagram.source)
    assert set(found) == {
        "✓ sts:AssumeRole",
        "✓ ecr:GetAuthorizationToken",
        "✓ ssm:GetParameters",
        "✓ kms:Decrypt",  # two edges: via ssm and via secretsmanager (see below)
        "✓ secretsmanager:GetSecretValue",
        "✓ ecr:BatchGetImage",
        "✓ ecr:GetDownloadUrlForLayer ×3",
        "✓ logs:CreateLogStream",
        "✓ s3:GetObject",
        "✓ dynamodb:PutItem",
        "✓ dynamodb:GetItem",
        "✓ sqs:SendMessage",
        "✓ sns:Publish",
        "✓ logs:PutLogEvents",
    }
    assert {(e["color"], e["style"]) for e in edges(diagram.source)} == {("#009E73", "solid")}
    # the secret is read twice by different callers: once per phase, each its own edge
    secret_edges = [e for e in edges(diagram.source) if "GetSecretValue" in e["label"]]
    assert sorted(e["from"] for e in secret_edges) == ["launch__ECS_agent", "run__orders_app"]
    # ECS hands each role to its wearer
    handed = [e for e in edges(diagram.source) if e["label"] == "✓ sts:AssumeRole"]
    assert sorted((e["to"], e["detail"]) for e in handed) == [
        ("launch__ECS_agent", ["hands over", "ecs-execution-role"]),
        ("run__orders_app", ["hands over", "ecs-task-role"]),
    ]
    assert "cluster_launch" in diagram.source and "cluster_run" in diagram.source
    # more than fits on a line: one policy per line under the role
    assert "policies:\nAmazonECSTaskExecutionRolePolicy\norders-launch-secrets" in diagram.source
    assert "policies: orders-app" in diagram.source


def test_a_launch_failure_shows_the_denied_call_and_all_that_was_never_reached(lab):
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    task = lab.run_task()
    source = task.diagram().source
    found = by_label(source)
    denied = found["✗ ecr:GetAuthorizationToken"]
    assert (denied["color"], denied["style"]) == ("#D55E00", "dashed")
    assert denied["detail"] == ["no identity-based policy allows it"]
    never = {label for label, e in found.items() if e["style"] == "dotted"}
    assert never == {
        "○ ssm:GetParameters",
        "○ kms:Decrypt",  # two edges: via ssm and via secretsmanager
        "○ secretsmanager:GetSecretValue",
        "○ ecr:BatchGetImage",
        "○ ecr:GetDownloadUrlForLayer",
        "○ logs:CreateLogStream",
        "○ s3:GetObject",
        "○ dynamodb:PutItem",
        "○ dynamodb:GetItem",
        "○ sqs:SendMessage",
        "○ sns:Publish",
        "○ logs:PutLogEvents",
    }
    assert all(found[label]["detail"][-1] == "(never reached)" for label in never)
    assert all(found[label]["color"] == "#999999" for label in never)
    assert "policies: orders-launch-secrets" in source  # the role as it is now
    text = task.diagram().describe()
    assert text.splitlines()[0] == f"Task {task.id} (orders:1): STOPPED, TaskFailedToStart"
    assert (
        "  3. ✗ The ECS agent, as role ecs-execution-role, called ecr:GetAuthorizationToken on *: "
        "DENIED. User: arn:aws:sts::123456789012:assumed-role/ecs-execution-role/"
        f"{task.id} is not authorized to perform: ecr:GetAuthorizationToken on resource: * "
        "because no identity-based policy allows the ecr:GetAuthorizationToken action"
    ) in text.splitlines()
    assert (
        "  (11) ○ Never reached: The orders app, as role ecs-task-role, would have called "
        f"s3:GetObject on arn:aws:s3:::orders-config-{ACCOUNT}/config/app.json."
    ) in text.splitlines()


def test_a_task_role_failure_stops_the_app_midway(lab):
    without_order_events(lab)
    task = lab.run_task()
    found = by_label(task.diagram().source)
    assert found["✗ sqs:SendMessage"]["style"] == "dashed"
    assert found["○ sns:Publish"]["style"] == "dotted"
    assert found["✓ dynamodb:GetItem"]["style"] == "solid"
    assert found["✓ logs:PutLogEvents"]["style"] == "solid"  # the agent still delivers the logs
    launch = [e for e in edges(task.diagram().source) if e["from"].startswith("launch__")]
    assert all(e["style"] == "solid" for e in launch)


def test_an_explicit_deny_says_so_on_the_edge(lab):
    lab.task_role.put_inline(
        "no-sns",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "sns:*", "Resource": "*"}],
        },
    )
    found = by_label(lab.run_task().diagram().source)
    assert found["✗ sns:Publish"]["detail"] == ["explicit deny in identity-based policy"]


def test_a_role_ecs_cannot_assume_refuses_the_run_and_nothing_else_happens(lab):
    lab.task_role.set_trust_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    task = lab.run_task()
    diagram = task.diagram()
    found = edges(diagram.source)
    assert [(e["label"], e["to"]) for e in found if e["style"] != "dotted"] == [
        ("✓ sts:AssumeRole", "launch__ECS_agent"),
        ("✗ sts:AssumeRole", "run__orders_app"),
    ]
    assert {e["label"] for e in found if e["style"] == "dotted"} >= {
        "○ ecr:GetAuthorizationToken",
        "○ s3:GetObject",
    }
    assert (
        diagram.describe()
        .splitlines()[0]
        .startswith(
            "RunTask of orders: refused — ClientException: ECS was unable to assume the role"
        )
    )


def test_the_dot_source_is_the_same_in_every_lab():
    from ecslab import Lab

    def source() -> str:
        lab = Lab()
        lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
        lab.run_task()
        lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")
        return lab.run_task().diagram().source

    assert source() == source()


def test_every_edge_carries_a_mark_and_a_line_style_not_only_a_colour(lab):
    lab.task_role.remove_inline("orders-app")
    source = lab.run_task().diagram().source
    for edge in edges(source):
        mark = edge["label"][:1]
        style = {"✓": "solid", "✗": "dashed", "○": "dotted"}[mark]
        assert edge["style"] == style, edge


def test_the_trace_and_the_plan_have_diagrams(lab):
    lab.run_task()
    trace = lab.trace.diagram()
    assert "cluster_setup" not in trace.source  # the tasks' phases only, by default
    assert trace.describe().splitlines()[0].startswith("Trace: ")
    assert "cluster_setup" in lab.trace.diagram(phases=("setup",)).source
    plan = lab.plan()
    source = plan.diagram().source
    assert {e["style"] for e in edges(source)} == {"solid"}
    assert {e["color"] for e in edges(source)} == {"#0072B2"}
    assert by_label(source)["→ ssm:GetParameters"]["detail"] == [
        "inject FEATURE_FLAGS from Parameter Store"
    ]
    assert (
        "  3. → The ECS agent, as role ecs-execution-role, will call ecr:GetAuthorizationToken "
        "on * — to get a registry token for the image pull."
    ) in plan.describe().splitlines()
    assert plan._repr_html_().startswith("<figure")


# -- when: every call numbered in the order it happened ------------------------------------------


def shown(source: str) -> list[tuple[str, str, str]]:
    """(number, mark, action) of each edge of DOT source, in the order of the numbers."""
    return [(e["numeral"], *e["label"].split(" ")[:2]) for e in edges(source)]


def told(text: str) -> list[tuple[str, str, str]]:
    """(number, mark, action) of each numbered line of a text equivalent, in its order."""
    found = []
    for line in text.splitlines():
        numbered = re.match(r"  (\d+\.|\(\d+\)) (\S) (.*)$", line)
        if numbered:
            numeral, mark, said = numbered.groups()
            call = re.search(r" (?:called|call) (\S+) on ", said)
            assert call or re.search(
                r"Amazon ECS (?:assumed|would have assumed|will assume) ", said
            )
            found.append((numeral, mark, call.group(1) if call else "sts:AssumeRole"))
    return found


HEALTHY = [
    ("1.", "✓", "sts:AssumeRole"),  # ECS takes the execution role for the agent
    ("2.", "✓", "sts:AssumeRole"),  # and the task role for the app
    ("3.", "✓", "ecr:GetAuthorizationToken"),
    ("4.", "✓", "ssm:GetParameters"),
    ("5.", "✓", "kms:Decrypt"),
    ("6.", "✓", "secretsmanager:GetSecretValue"),
    ("7.", "✓", "kms:Decrypt"),
    ("8.", "✓", "ecr:BatchGetImage"),
    ("9.", "✓", "ecr:GetDownloadUrlForLayer"),
    ("10.", "✓", "logs:CreateLogStream"),
    ("11.", "✓", "s3:GetObject"),
    ("12.", "✓", "dynamodb:PutItem"),
    ("13.", "✓", "dynamodb:GetItem"),
    ("14.", "✓", "sqs:SendMessage"),
    ("15.", "✓", "sns:Publish"),
    ("16.", "✓", "secretsmanager:GetSecretValue"),
    ("17.", "✓", "logs:PutLogEvents"),
]


def test_every_call_is_numbered_in_the_order_it_happened(lab):
    """ECS assuming the two roles, then the agent's launch calls, then the app's run calls: the
    edges' numbers follow the trace, and the text equivalent says the same numbers in the same
    order."""
    task = lab.run_task()
    diagram = task.diagram()
    assert shown(diagram.source) == HEALTHY
    made = [(e.principal, e.action, e.resource, e.via) for e in task.trace]
    assert [action for _, _, action in HEALTHY] == [
        action for _, action, _, _ in dict.fromkeys(made)
    ]  # the trace's order; the three layer downloads are one edge, "×3"
    assert by_label(diagram.source)["✓ ecr:GetDownloadUrlForLayer ×3"]["number"] == 9
    assert told(diagram.describe()) == HEALTHY
    text = diagram.describe().splitlines()
    assert text[2] == "  1. ✓ Amazon ECS assumed role ecs-execution-role: allowed."
    assert text[4].startswith("  3. ✓ The ECS agent, as role ecs-execution-role, called ecr:Get")
    assert text[12] == "Phase run — the application works:"
    assert text[13].startswith("  11. ✓ The orders app, as role ecs-task-role, called s3:GetObject")


def test_calls_never_reached_go_on_with_the_numbers_in_the_planned_order(lab):
    """The launch fails at its first call; the calls it never made keep the plan's order and
    numbers in brackets, in the picture and in the text."""
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    diagram = lab.run_task().diagram()
    expected = [HEALTHY[0], HEALTHY[1], ("3.", "✗", "ecr:GetAuthorizationToken")] + [
        (f"({n})", "○", action) for n, (_, _, action) in enumerate(HEALTHY[3:], 4)
    ]
    assert shown(diagram.source) == told(diagram.describe()) == expected
    planned = [c.action for c in lab.plan().calls]
    assert [action for _, _, action in expected] == planned
    never = by_label(diagram.source)["○ ssm:GetParameters"]
    assert (never["numeral"], never["detail"]) == ("(4)", ["(never reached)"])
    assert (
        "  (4) ○ Never reached: The ECS agent, as role ecs-execution-role, would have called "
        "ssm:GetParameters on "
    ) in diagram.describe()


def test_the_agent_s_logs_come_between_the_app_s_last_call_and_what_it_never_reached(lab):
    without_order_events(lab)
    diagram = lab.run_task().diagram()
    assert (
        shown(diagram.source)[10:]
        == told(diagram.describe())[10:]
        == [
            ("11.", "✓", "s3:GetObject"),
            ("12.", "✓", "dynamodb:PutItem"),
            ("13.", "✓", "dynamodb:GetItem"),
            ("14.", "✗", "sqs:SendMessage"),
            ("15.", "✓", "logs:PutLogEvents"),  # the agent delivers the logs of the stopped app
            ("(16)", "○", "sns:Publish"),
            ("(17)", "○", "secretsmanager:GetSecretValue"),
        ]
    )


def test_a_trace_of_two_tasks_numbers_each_call_where_it_first_happened(lab):
    """The second task is refused its first launch call: a new edge, numbered after all of the
    first task's, and listed in its phase, the launch."""
    lab.run_task()
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    lab.run_task()
    diagram = lab.trace.diagram()
    assert shown(diagram.source) == [*HEALTHY, ("18.", "✗", "ecr:GetAuthorizationToken")]
    # the text lists the calls phase by phase, as the picture's boxes show them
    assert told(diagram.describe()) == [*HEALTHY[:10], shown(diagram.source)[17], *HEALTHY[10:]]
    text = diagram.describe().splitlines()
    launch = text[text.index("Phase launch — the ECS agent starts the task:") + 1 :]
    launch = launch[: launch.index("Phase run — the application works:")]
    assert [line.split(" ", 3)[2] for line in launch] == [f"{n}." for n in [*range(1, 11), 18]]
    assert launch[0] == "  1. ✓ Amazon ECS assumed role ecs-execution-role (2 times): allowed."
    assert by_label(diagram.source)["✗ ecr:GetAuthorizationToken"]["from"] == "launch__ECS_agent"


def test_every_diagram_numbers_its_edges_one_to_n_and_its_text_says_the_same():
    """The same numbers on the same calls, in the picture and in the text, which goes phase by
    phase: for one task, in the order of the numbers; for a trace of several tasks, each
    phase's calls in the order of their numbers."""
    for kind, diagram in every_kind_of_diagram().items():
        numbers = [e["number"] for e in edges(diagram.source)]
        assert numbers == list(range(1, len(numbers) + 1)), kind
        told_here, shown_here = told(diagram.describe()), shown(diagram.source)
        if kind == "trace of two tasks":
            told_here.sort(key=lambda line: int(line[0].strip("().")))
        assert told_here == shown_here, kind


def test_the_plan_numbers_the_calls_in_the_order_planned(lab):
    plan = lab.plan()
    diagram = plan.diagram()
    planned = [("→", c.action) for c in plan.calls]
    assert [(mark, action) for _, mark, action in shown(diagram.source)] == planned
    assert [numeral for numeral, _, _ in shown(diagram.source)] == [f"{n}." for n in range(1, 18)]
    assert told(diagram.describe()) == shown(diagram.source)


# -- a call is also what it came through ---------------------------------------------------------


KEY = f"arn:aws:kms:ap-northeast-1:{ACCOUNT}:key/"


def decrypts(source: str) -> list[tuple[str, list[str]]]:
    """The kms:Decrypt edges of DOT source: (first line, the lines under it)."""
    return [(e["label"], e["detail"]) for e in edges(source) if "kms:Decrypt" in e["label"]]


def decrypt_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "kms:Decrypt" in line]


def test_the_plan_draws_each_decrypt_with_its_own_purpose(lab):
    """The agent decrypts twice in the launch phase, for two injected values: one edge each,
    each naming what it is for (not one "kms:Decrypt ×2 (via ssm)")."""
    plan = lab.plan()
    assert decrypts(plan.diagram().source) == [
        ("→ kms:Decrypt", ["(via ssm)", "inject FEATURE_FLAGS from Parameter Store"]),
        ("→ kms:Decrypt", ["(via secretsmanager)", "inject DB_PASSWORD from Secrets Manager"]),
    ]
    lines = decrypt_lines(plan.describe())
    assert len(lines) == 2
    assert lines[0].startswith(
        "  5. → The ECS agent, as role ecs-execution-role, will call kms:Decrypt on " + KEY
    )
    assert lines[1].startswith("  7. → The ECS agent")
    assert lines[0].endswith(" (through ssm) — to inject FEATURE_FLAGS from Parameter Store.")
    assert lines[1].endswith(
        " (through secretsmanager) — to inject DB_PASSWORD from Secrets Manager."
    )
    assert "times)" not in plan.describe()


def test_a_healthy_task_and_the_trace_show_both_decrypts(lab):
    task = lab.run_task()
    for diagram in (task.diagram(), lab.trace.diagram()):
        assert decrypts(diagram.source) == [
            ("✓ kms:Decrypt", ["(via ssm)"]),
            ("✓ kms:Decrypt", ["(via secretsmanager)"]),
        ]
        lines = decrypt_lines(diagram.describe())
        assert [line.split(KEY, 1)[1].split(" ", 1)[1] for line in lines] == [
            "(through ssm): allowed.",
            "(through secretsmanager): allowed.",
        ]


def test_a_failed_launch_never_reaches_either_decrypt(lab):
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    diagram = lab.run_task().diagram()
    assert decrypts(diagram.source) == [
        ("○ kms:Decrypt", ["(via ssm)", "(never reached)"]),
        ("○ kms:Decrypt", ["(via secretsmanager)", "(never reached)"]),
    ]
    lines = decrypt_lines(diagram.describe())
    assert [line.split(KEY, 1)[1].split(" ", 1)[1] for line in lines] == [
        "(through ssm).",
        "(through secretsmanager).",
    ]
    assert [line.split(" Never reached: The ECS agent")[0] for line in lines] == [
        "  (5) ○",
        "  (7) ○",
    ]


def test_a_decrypt_made_for_one_service_does_not_hide_the_other_never_reached(lab):
    """Parameter Store's decrypt happens; Secrets Manager is refused, so its decrypt is never
    reached — and must still be listed, although a kms:Decrypt on the same key was made."""
    lab.execution_role.put_inline(
        "no-secrets",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
            ],
        },
    )
    task = lab.run_task()
    assert task.stop_code == "TaskFailedToStart"
    diagram = task.diagram()
    assert decrypts(diagram.source) == [
        ("✓ kms:Decrypt", ["(via ssm)"]),
        ("○ kms:Decrypt", ["(via secretsmanager)", "(never reached)"]),
    ]
    assert by_label(diagram.source)["✗ secretsmanager:GetSecretValue"]["style"] == "dashed"
    lines = decrypt_lines(diagram.describe())
    assert [line.split(" The ECS agent")[0] for line in lines] == [
        "  5. ✓",
        "  (7) ○ Never reached:",
    ]
    assert lines[1].endswith("(through secretsmanager).")


def test_calls_grouped_on_one_edge_keep_every_purpose():
    """When several planned calls share an edge, each distinct purpose is shown, in order."""
    calls = [
        diagram_module.Call(
            "launch",
            "ECS agent",
            "r",
            "logs:CreateLogStream",
            "s",
            "planned",
            why="create the stream (the group is missing)",
        ),
        diagram_module.Call(
            "launch",
            "ECS agent",
            "r",
            "logs:CreateLogStream",
            "s",
            "planned",
            why="create the stream",
        ),
    ]
    diagram = diagram_module.build(calls, "Plan", legend=())
    [edge] = edges(diagram.source)
    assert (edge["label"], edge["detail"]) == (
        "→ logs:CreateLogStream ×2",
        ["create the stream (the group is missing)", "create the stream"],
    )
    assert diagram.describe().splitlines()[2] == (
        "  1. → The ECS agent, as role r, will call logs:CreateLogStream on s (2 times) — to "
        "create the stream (the group is missing); to create the stream."
    )


# -- contrast: label text on white -----------------------------------------------------------------


def contrast(foreground: str, background: str = "#FFFFFF") -> float:
    """The WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula():
    assert round(contrast("#000000"), 2) == 21.0
    assert round(contrast("#FFFFFF"), 2) == 1.0
    assert round(contrast("#009E73"), 1) == 3.4  # too light for text: the reviewer's numbers
    assert round(contrast("#D55E00"), 1) == 3.9


def test_every_label_colour_reaches_wcag_aa_on_white(lab):
    """Lines keep the Okabe–Ito hues; every label's text (fontcolor) is a darker shade that
    reads at 4.5:1 or more on the white page — in every kind of diagram, the key included."""
    lab.task_role.put_inline(
        "no-sns",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "sns:*", "Resource": "*"}],
        },
    )
    sources = [
        lab.run_task().diagram().source,  # allowed, denied and never reached
        lab.trace.diagram().source,
        lab.plan().diagram().source,  # planned
    ]
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    sources.append(lab.run_task().diagram().source)
    fontcolors = {c for source in sources for c in re.findall(r'fontcolor="(#\w{6})"', source)}
    assert fontcolors == {"#00664A", "#A84A00", "#666666", "#0072B2"}
    for colour in fontcolors:
        assert contrast(colour) >= 4.5, colour
    for source in sources:
        labelled = re.findall(r" -> \S+ \[label=.*?\]$", source, flags=re.M | re.S)
        assert labelled and all("fontcolor=" in edge for edge in labelled)  # none left default
        for edge in edges(source):
            mark = edge["label"][:1]
            line, text = {
                "✓": ("#009E73", "#00664A"),
                "✗": ("#D55E00", "#A84A00"),
                "○": ("#999999", "#666666"),
                "→": ("#0072B2", "#0072B2"),
            }[mark]
            assert (edge["color"], edge["fontcolor"]) == (line, text), edge


# -- the text equivalent in HTML -----------------------------------------------------------------


def caption(html: str):
    """The figure's caption as an element tree."""
    import xml.etree.ElementTree as ET

    found = re.search(r"<figcaption.*?</figcaption>", html, flags=re.S)
    assert found is not None
    return ET.fromstring(found.group(0))


def outline(element) -> list:
    """A list element as [(item text, [sub-items...]), ...]."""
    items = []
    for item in element.findall("li"):
        nested = item.find("ul")
        items.append(((item.text or ""), outline(nested) if nested is not None else []))
    return items


def test_the_caption_keeps_the_phases_grouping_as_nested_lists(lab, monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # the caption alone is enough
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    diagram = lab.run_task().diagram()
    figure = caption(diagram._repr_html_())
    text = diagram.describe().splitlines()
    assert figure.find("p/strong").text == text[0]
    [top] = figure.findall("details/div/ul")
    expected, current = [], None
    for line in text[1:]:  # the plain text's grouping: a phase, then its calls indented
        if line.startswith("  "):
            current[1].append((line.strip(), []))
        else:
            current = (line, [])
            expected.append(current)
    assert outline(top) == expected
    phases = [item for item, children in outline(top) if children]
    assert phases == [
        "Phase launch — the ECS agent starts the task:",
        "Phase run — the application works:",
    ]
    assert outline(top)[-1] == ("Role ecs-task-role has: orders-app.", [])
    assert not any(li.text.startswith(" ") for li in figure.iter("li"))


def test_the_plan_caption_is_nested_too_and_the_same_every_time(lab, monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setitem(sys.modules, "pygraphviz", None)
    from ecslab import Lab

    html = lab.plan()._repr_html_()
    lab.close()
    with Lab() as other:
        assert other.plan()._repr_html_() == html  # the same text in every lab
    top = outline(caption(html).find("details/div/ul"))
    launch = dict(top)["Phase launch — the ECS agent starts the task:"]
    assert sum("kms:Decrypt" in item for item, _ in launch) == 2
    assert all(children == [] for _, children in launch)
    assert "<li>Phase run — the application works:<ul><li>11. → The orders app" in html


# -- rendering -------------------------------------------------------------------------------------


FAKE_DOT = """#!{python}
import sys
import pygraphviz
source = sys.stdin.read()
sys.stdout.write("<?xml version='1.0'?>\\n<!-- rendered by the fake dot -->\\n")
sys.stdout.write(pygraphviz.AGraph(string=source).draw(format="svg", prog="dot").decode()
                 .split("<svg", 1)[1].join(["<svg", ""]))
"""


def test_with_dot_on_the_path_the_system_program_renders(lab, tmp_path, monkeypatch):
    dot = tmp_path / "dot"
    dot.write_text(FAKE_DOT.format(python=sys.executable))
    dot.chmod(dot.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    assert diagram_module.renderer() == "dot"
    svg = lab.run_task().diagram().svg()
    assert svg is not None and svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "<!--" not in svg


def test_without_dot_pygraphviz_renders_in_process(lab, monkeypatch):
    monkeypatch.setenv("PATH", "")
    assert diagram_module.renderer() == "pygraphviz"
    task = lab.run_task()
    svg = task.diagram().svg()
    assert svg is not None and svg.startswith("<svg")
    assert "ecr:GetAuthorizationToken" in svg
    html = task.diagram()._repr_html_()
    assert html.startswith("<figure") and 'role="img"' in html and "<figcaption" in html
    name = re.search(r'role="img" aria-labelledby="([^"]+)"', html).group(1)
    assert f'<strong id="{name}">' in html


def test_with_nothing_to_render_the_text_stands_in(lab, monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # as if it were not installed
    assert diagram_module.renderer() is None
    html = lab.run_task().diagram()._repr_html_()
    assert "No picture: Graphviz is not available here" in html
    assert "ecr:GetAuthorizationToken" in html  # the description is all there


def test_rendering_in_process_prints_nothing_into_the_notebook(lab, monkeypatch, capfd):
    monkeypatch.setenv("PATH", "")
    lab.run_task().diagram().svg()
    captured = capfd.readouterr()
    assert "Fontconfig" not in captured.err and captured.out == ""


def test_looking_at_the_lab_adds_nothing_to_the_trace(lab):
    from ecslab.show.cards import RoleCard

    task = lab.run_task()
    before, clock = len(lab.trace), lab.clock.now()
    task.diagram()._repr_html_()
    lab.plan().diagram()
    lab.trace.diagram()
    RoleCard(lab.execution_role)._repr_html_()
    lab.task_role._repr_html_()
    lab.workbench()
    assert (len(lab.trace), lab.clock.now()) == (before, clock)


# -- what the reviewers found in a browser -----------------------------------------------------


TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def without_order_events(lab) -> None:
    """The task role loses sqs:SendMessage: the app stops midway, the agent still delivers its
    logs, and the app's last two calls are never reached — after the agent's call."""
    document = lab.task_role.inline_policy("orders-app")
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "OrderEvents"]
    lab.task_role.put_inline("orders-app", document)


def every_kind_of_diagram(language: str = "en") -> dict[str, diagram_module.Diagram]:
    """A diagram of each kind the module draws: healthy, failed launch, stopped midway,
    refused, plan, trace (of one task, and of two); its texts in ``language``."""
    from ecslab import Lab
    from ecslab.i18n import set_language

    set_language(language)
    found = {}
    with Lab() as lab:
        found["healthy"] = lab.run_task().diagram()
        found["trace"] = lab.trace.diagram()
        found["plan"] = lab.plan().diagram()
        lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
        found["failed launch"] = lab.run_task().diagram()
        found["trace of two tasks"] = lab.trace.diagram()
    with Lab() as lab:
        lab.task_role.set_trust_policy(TRUST_EC2)
        found["refused"] = lab.run_task().diagram()
    with Lab() as lab:
        without_order_events(lab)
        found["stopped midway"] = lab.run_task().diagram()
    return found


def graph_label(source: str) -> str:
    """The picture's title: the graph's label in DOT source."""
    found = re.search(r'^\tgraph \[.*?\blabel="([^"]*)"', source, flags=re.M | re.S)
    assert found is not None
    return found.group(1)


def test_a_refused_run_keeps_the_picture_title_short_and_the_text_whole(lab):
    """The title was AWS's whole ClientException message on one line: a drawing ~1,900 units
    wide, every label a few pixels high once shrunk to the notebook."""
    lab.task_role.set_trust_policy(TRUST_EC2)
    diagram = lab.run_task().diagram()
    assert graph_label(diagram.source) == "RunTask of orders\nrefused — ClientException"
    assert diagram.headline == "RunTask of orders: refused — ClientException"
    first = diagram.describe().splitlines()[0]
    assert first.startswith("RunTask of orders: refused — ClientException: ECS was unable")
    assert first.endswith("that your IAM user has permissions to pass this role.")
    html = diagram._repr_html_()
    # the bold headline names the picture; the message follows it in the caption, whole
    assert "<strong " in html and ">RunTask of orders: refused — ClientException</strong>" in html
    assert (
        f'<p id="{diagram.ident}-status">ECS was unable to assume the role &#x27;arn:aws:iam::'
        in html
    )


def test_every_title_the_module_draws_is_short():
    for kind, diagram in every_kind_of_diagram().items():
        lines = graph_label(diagram.source).split("\n")
        assert 1 <= len(lines) <= 3, (kind, lines)
        assert all(len(line) <= diagram_module.TITLE_WIDTH for line in lines), (kind, lines)
        assert len(diagram.headline) <= 2 * diagram_module.TITLE_WIDTH, kind


def test_a_long_title_is_broken_into_lines_of_at_most_80_characters():
    call = diagram_module.Call(
        "launch", "ECS agent", "r", "ecr:GetAuthorizationToken", "*", "allowed"
    )
    title = "A title " + "that goes on " * 12
    status = "stopped — " + "because of this and that " * 6  # long, and no ": " to cut at
    diagram = diagram_module.build([call], title, status)
    lines = graph_label(diagram.source).split("\n")
    assert len(lines) > 2 and all(len(line) <= 80 for line in lines)
    assert " ".join(lines).split() == f"{title} {status}".split()  # nothing lost, only broken
    assert diagram.describe().splitlines()[0] == f"{title}: {status}"


def layout(source: str) -> dict:
    """Graphviz's layout of DOT source (its JSON output), made in-process by pygraphviz."""
    import json

    pygraphviz = __import__("pytest").importorskip("pygraphviz")
    # as render_svg does: Graphviz's fontconfig, started once a process, finds ecslab's
    # Japanese font, so that Japanese labels are measured as they are drawn
    fonts.use_shipped_font()
    with diagram_module._quiet_fontconfig():
        return json.loads(pygraphviz.AGraph(string=source).draw(format="json", prog="dot"))


def text_boxes(operations: list[dict] | None) -> list[tuple[float, float, float, float, str]]:
    """(left, bottom, right, top, text) of each line of text Graphviz draws."""
    boxes, size = [], 14.0
    for op in operations or []:
        if op["op"] == "F":
            size = op["size"]
        elif op["op"] == "T":
            (x, y), width = op["pt"], op["width"]
            left = {"l": x, "r": x - width}.get(op["align"], x - width / 2)
            boxes.append((left, y - 0.25 * size, left + width, y + 0.8 * size, op["text"]))
    return boxes


def labels(drawn: dict) -> list[dict]:
    """Every label Graphviz draws for an edge — a hand-over's label (a head or tail label too,
    were there one), or a call's text, which is a node of its own — with the boxes of its
    lines, its number (None for the key's), and the edges that are its own."""
    found = []
    for index, edge in enumerate(drawn.get("edges", [])):
        for key in ("_ldraw_", "_hldraw_", "_tldraw_"):
            if edge.get(key):
                found.append({"boxes": text_boxes(edge[key]), "own": {index}})
    for gvid, node in enumerate(drawn.get("objects", [])):
        if "__call__" in node.get("name", "") and node.get("_ldraw_"):
            own = {i for i, e in enumerate(drawn["edges"]) if gvid in (e["tail"], e["head"])}
            found.append({"boxes": text_boxes(node["_ldraw_"]), "own": own, "node": gvid})
    for label in found:
        number = NUMBER.match(label["boxes"][0][4])
        label["number"] = int(number.group(1) or number.group(2)) if number else None
    return found


def clusters(drawn: dict) -> list[tuple[str, list[float], list]]:
    """(name, [left, bottom, right, top], title boxes) of each box."""
    return [
        (o["name"], [float(v) for v in o["bb"].split(",")], text_boxes(o.get("_ldraw_")))
        for o in drawn.get("objects", [])
        if o.get("name", "").startswith("cluster_")
    ]


def overlap(a: tuple, b: tuple) -> bool:
    return not (a[2] <= b[0] or a[0] >= b[2] or a[3] <= b[1] or a[1] >= b[3])


def label_collisions(source: str) -> list[tuple[str, str, str]]:
    """Labels that cross a cluster's border or cover its title: (text, cluster, what)."""
    drawn = layout(source)
    found = []
    for label in labels(drawn):
        for left, bottom, right, top, text in label["boxes"]:
            for name, (x0, y0, x1, y1), titles in clusters(drawn):
                inside = x0 <= left and right <= x1 and y0 <= bottom and top <= y1
                outside = right <= x0 or left >= x1 or top <= y0 or bottom >= y1
                if not inside and not outside:
                    found.append((text, name, "border"))
                if any(overlap((left, bottom, right, top), title) for title in titles):
                    found.append((text, name, "title"))
    return found


def line_points(edge: dict, steps: int = 20) -> list[tuple[float, float]]:
    """Points along an edge's line as drawn (its cubic Bézier pieces)."""
    points = []
    for op in edge.get("_draw_", []):
        if op["op"] in ("b", "B"):
            p = op["points"]
            for i in range(0, len(p) - 3, 3):
                (x0, y0), (x1, y1), (x2, y2), (x3, y3) = p[i : i + 4]
                for k in range(steps + 1):
                    t = k / steps
                    u = 1 - t
                    points.append(
                        (
                            u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                            u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
                        )
                    )
    return points


def label_overlaps(source: str) -> list[tuple[str, str]]:
    """Labels drawn over another edge's label or across another edge's line: (text, what)."""
    drawn = layout(source)
    found = []
    every = labels(drawn)
    for i, label in enumerate(every):
        for other in every[i + 1 :]:
            for box in label["boxes"]:
                found += [(box[4], f"label {o[4]}") for o in other["boxes"] if overlap(box, o)]
        for index, edge in enumerate(drawn.get("edges", [])):
            if index in label["own"]:
                continue  # a label's own line runs along it
            for left, bottom, right, top, text in label["boxes"]:
                if any(left < x < right and bottom < y < top for x, y in line_points(edge)):
                    found.append((text, f"line {index}"))
    return found


def order_problems(source: str) -> list[str]:
    """Where the calls are not drawn top to bottom in the order of their numbers: in each phase
    box (their text, and the service each goes to), and the hand-overs outside; and the launch
    box not above the run box."""
    drawn = layout(source)
    boxes = clusters(drawn)
    objects = drawn["objects"]
    found = []
    rows: dict[str | None, list[tuple[int, float, float | None]]] = {}
    for label in labels(drawn):
        if label["number"] is None:
            continue
        left, bottom, right, top, _ = label["boxes"][0]
        box = next(
            (n for n, (x0, y0, x1, y1), _ in boxes if x0 <= left and right <= x1 and y0 <= bottom),
            None,
        )
        service = None
        if "node" in label:  # the service its line goes on to
            [onward] = [
                e
                for e in drawn["edges"]
                if e["tail"] == label["node"] and e.get("style") != "invis"
            ]
            service = float(objects[onward["head"]]["pos"].split(",")[1])
        rows.setdefault(box, []).append((label["number"], top, service))
    for box, row in rows.items():
        row.sort()
        for (n, top, service), (m, lower_top, lower_service) in pairwise(row):
            if not lower_top < top:  # Graphviz's y grows upwards
                found.append(f"{box}: {m} is not below {n}")
            if service is not None and not lower_service < service:
                found.append(f"{box}: the service of {m} is not below that of {n}")
    where = {name: bb for name, bb, _ in boxes}
    phases = where.get("cluster_launch"), where.get("cluster_run")
    if None not in phases and not phases[1][3] < phases[0][1]:
        found.append("the run box is not below the launch box")
    return found


def as_drawn_before(source: str) -> str:
    """The layout the reviewers saw: Amazon ECS inside the launch box, callers not lined up,
    no margin inside the boxes."""
    ecs = re.search(r"^\tlaunch__Amazon_ECS \[.*?\]\n", source, flags=re.M | re.S).group(0)
    source = source.replace(ecs, "").replace("margin=16 ", "")
    source = re.sub(r"\t\t\{\n\t\t\trank=same\n(.*?)\t\t\}\n", r"\1", source, flags=re.S)
    return source.replace("subgraph cluster_launch {\n", "subgraph cluster_launch {\n" + ecs, 1)


def test_the_collision_check_sees_a_label_on_a_border(lab):
    """The check below is not vacuous: in the layout before the fix, "✓ sts:AssumeRole /
    hands over ecs-task-role" crossed the boxes' borders."""
    source = lab.run_task().diagram().source
    assert label_collisions(source) == []
    before = as_drawn_before(source)
    assert "rank=same" not in before and before.index("launch__Amazon_ECS [") > before.index(
        "subgraph cluster_launch"
    )
    assert any(what == "border" for _, _, what in label_collisions(before))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_no_edge_label_sits_on_a_box_border_or_title(language):
    """ "✓ sts:AssumeRole / hands over ecs-task-role" sat on the border between the launch and
    run boxes. Amazon ECS is drawn left of the boxes now, each box's callers in one column.
    In Japanese too, measured with the Japanese font ecslab ships."""
    for kind, diagram in every_kind_of_diagram(language).items():
        assert label_collisions(diagram.source) == [], kind


@pytest.mark.parametrize("language", ["en", "ja"])
def test_no_label_lies_on_another_and_the_calls_go_top_to_bottom_in_order(language):
    """The launch box stacked its calls bottom to top: ecr:GetAuthorizationToken, the first
    call, was drawn last. Now every box shows its calls top to bottom in the order of their
    numbers, each label clear of the others and of every other line — also when the agent's
    call comes between two of the app's (stopped midway) and in a trace of two tasks."""
    for kind, diagram in every_kind_of_diagram(language).items():
        assert label_overlaps(diagram.source) == [], kind
        assert order_problems(diagram.source) == [], kind


def without_invisible_edges(source: str) -> str:
    return re.sub(r"^\t+\S+ -> \S+ \[style=invis\]\n", "", source, flags=re.M)


def as_head_labels(source: str) -> str:
    """Each call's text moved onto the caller's line as a head label, which Graphviz draws
    without making room for it; the call itself a dot."""
    texts = dict(re.findall(r'^\t+(\w+__call__\d+) \[label="([^"]*)"', source, flags=re.M))
    for node, text in texts.items():
        source = re.sub(
            rf'^(\t+{node} \[)label="[^"]*"', r'\1label="" shape=point', source, flags=re.M
        )
        source = re.sub(
            rf"^(\t\S+ -> {node} \[)",
            lambda m, text=text: f'{m.group(1)}headlabel="{text}" labelangle=0 ',
            source,
            flags=re.M,
        )
    return source


def test_the_layout_checks_see_calls_out_of_order_and_labels_on_each_other(lab):
    """The checks above are not vacuous. Without the invisible edges that chain each column,
    Graphviz draws the calls bottom to top, as it did before; letting its second pass at fewer
    crossings run (remincross) moves the first call of the launch box to its bottom when the
    app stops midway; and text that Graphviz makes no room for lies on lines and labels."""
    without_order_events(lab)
    source = lab.run_task().diagram().source
    assert order_problems(source) == [] and label_overlaps(source) == []
    assert "cluster_launch: 4 is not below 3" in order_problems(without_invisible_edges(source))
    assert " remincross=false" in source
    second_pass = source.replace(" remincross=false", "")
    assert "cluster_launch: 4 is not below 3" in order_problems(second_pass)
    assert "cluster_run: 14 is not below 13" in order_problems(second_pass)
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    crowded = as_head_labels(lab.run_task().diagram().source)
    assert {what.split(" ")[0] for _, what in label_overlaps(crowded)} == {"label", "line"}


def test_each_phase_box_has_three_columns_in_the_order_of_the_calls(lab):
    """Callers, the calls' text, and the services they went to: one service node per call
    (Amazon ECR three times at launch), each column chained top to bottom by invisible edges
    from each node to the one above it."""
    source = lab.run_task().diagram().source
    launch = source[source.index("subgraph cluster_launch") : source.index("subgraph cluster_run")]
    columns = re.findall(r"\t\t\{\n\t\t\trank=same\n(.*?)\t\t\}\n", launch, flags=re.S)
    nodes = [re.findall(r"^\t\t\t(\w+) \[label=", column, flags=re.M) for column in columns]
    chains = [re.findall(r"^\t\t\t(\w+) -> (\w+) \[style=invis\]$", c, flags=re.M) for c in columns]
    assert nodes == [
        ["launch__ECS_agent"],
        [f"launch__call__{n}" for n in range(3, 11)],
        [
            "launch__service__ecr__3",
            "launch__service__ssm__4",
            "launch__service__kms__5",
            "launch__service__secretsmanager__6",
            "launch__service__kms__7",
            "launch__service__ecr__8",
            "launch__service__ecr__9",
            "launch__service__logs__10",
        ],
    ]
    assert chains == [[], *[list(zip(n[1:], n, strict=False)) for n in nodes[1:]]]
    assert source.count("shape=cylinder") == 15 and source.count("Amazon ECR") == 3


def test_amazon_ecs_stands_outside_the_phases_it_hands_roles_into(lab):
    source = lab.run_task().diagram().source
    ecs = source.index("\tlaunch__Amazon_ECS [label=")
    assert ecs < source.index("subgraph cluster_launch")  # declared at the top level
    assert "\t\t\tlaunch__ECS_agent [" in source  # the callers: one column in their box
    assert source.count("rank=same") == 6  # callers, calls and services in each of two boxes
    assert "margin=16 style=rounded" in source


def test_the_svg_has_no_graphviz_names_for_tooltips(lab, monkeypatch):
    """Graphviz titles each group with its DOT name, which browsers show on hover."""
    monkeypatch.setenv("PATH", "")
    diagram = lab.run_task().diagram()
    svg = diagram.svg()
    assert svg is not None
    assert "<title" not in svg and "launch__" not in svg and "ecslab</" not in svg
    assert 'xlink:title="arn:aws:s3:::orders&#45;config' in svg  # an edge's own tooltip stays
    assert diagram_module.render_svg(diagram.source) is not None
    assert "<title" not in diagram_module.render_svg(diagram.source)


SVG = "{http://www.w3.org/2000/svg}"


def figure_tree(html: str):
    """The whole figure, picture included, as an element tree."""
    import xml.etree.ElementTree as ET

    return ET.fromstring(html)


def test_the_picture_is_named_by_its_headline_and_described_by_the_folded_text(lab, monkeypatch):
    """A screen reader read the whole caption (2,700-3,350 characters) as the picture's name,
    then the caption again; and the caption, some 25 lines under every diagram, made each
    output about 2,000 pixels tall. The picture is named by the headline only and described by
    the text equivalent, which is folded in a <details> under it: the output is about as tall
    as the picture, and nothing of the text is lost."""
    monkeypatch.setenv("PATH", "")  # pygraphviz draws
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    diagram = lab.run_task().diagram()
    ident = diagram.ident
    figure = figure_tree(diagram._repr_html_())
    assert (figure.tag, figure.get("id"), figure.get("aria-labelledby")) == (
        "figure",
        ident,
        f"{ident}-title",
    )
    picture, figcaption = list(figure)
    assert picture.attrib == {
        "role": "img",
        "aria-labelledby": f"{ident}-title",
        "aria-describedby": f"{ident}-text",
    }
    assert [child.tag for child in picture] == [f"{SVG}svg"]
    # under the picture: the headline, in bold, and the text equivalent folded
    assert [child.tag for child in figcaption] == ["p", "details"]
    headline, folded = list(figcaption)
    [name] = list(headline)
    assert (name.tag, name.get("id"), name.text) == ("strong", f"{ident}-title", diagram.headline)
    assert name.text == diagram.describe().splitlines()[0] and len(name.text) <= 100
    assert "open" not in folded.attrib  # folded until the learner opens it
    summary, text = list(folded)
    assert (summary.tag, summary.text) == (
        "summary",
        "Text description of the diagram (17 numbered calls)",
    )
    assert (text.tag, text.get("id")) == ("div", f"{ident}-text")
    # every line of the text equivalent, in its order, numbers and all
    assert [li.text for li in text.iter("li")] == [
        line.strip() for line in diagram.describe().splitlines()[1:]
    ]
    assert len("".join(text.itertext())) > 2000
    assert [li.text.split(" ", 1)[0] for li in text.iter("li")][2:5] == ["2.", "3.", "(4)"]


def test_a_refused_run_is_described_by_its_message_and_the_text(lab, monkeypatch):
    """The refused RunTask's message stays in sight under the headline, and is part of the
    picture's description."""
    monkeypatch.setenv("PATH", "")
    lab.task_role.set_trust_policy(TRUST_EC2)
    diagram = lab.run_task().diagram()
    ident = diagram.ident
    picture, figcaption = list(figure_tree(diagram._repr_html_()))
    assert picture.get("aria-describedby") == f"{ident}-status {ident}-text"
    headline, status, folded = list(figcaption)
    assert (
        headline.find("strong").text
        == diagram.headline
        == "RunTask of orders: refused — ClientException"
    )
    assert status.get("id") == f"{ident}-status"
    assert status.text.startswith("ECS was unable to assume the role")
    assert f"{diagram.headline}: {status.text}" == diagram.describe().splitlines()[0]
    assert folded.find("summary").text == "Text description of the diagram (17 numbered calls)"


def test_without_a_picture_the_text_is_not_folded(lab, monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setitem(sys.modules, "pygraphviz", None)
    diagram = lab.run_task().diagram()
    figure = figure_tree(diagram._repr_html_())
    assert figure.find("figcaption/details").get("open") == ""
    assert "aria-describedby" not in diagram._repr_html_()  # no picture to describe
    assert figure.find("figcaption/details/summary").text == (
        "Text description of the diagram (17 numbered calls)"
    )


def test_the_svg_keeps_its_proportions_and_fits_the_notebook_width(lab, monkeypatch):
    """JupyterLab shrinks an output's SVG to the width there is; the picture asks for it
    itself too, for notebook viewers that do not, and keeps Graphviz's viewBox to scale by."""
    monkeypatch.setenv("PATH", "")
    svg = figure_tree(lab.run_task().diagram()._repr_html_()).find(f"div/{SVG}svg")
    assert svg.get("style") == "max-width:100%;max-height:85vh;width:auto;height:auto"
    assert re.fullmatch(r"0\.00 0\.00 \d+\.\d\d \d+\.\d\d", svg.get("viewBox"))
    assert svg.get("width").endswith("pt") and svg.get("height").endswith("pt")


def all_ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_ids_are_unique_across_diagrams_and_the_same_on_every_run(monkeypatch):
    """Graphviz numbers its groups "graph0", "node1", ... alike in every diagram: two diagrams
    on one page shared them. Each figure's ids start with a hash of what it shows."""
    monkeypatch.setenv("PATH", "")
    pages = []
    for _ in range(2):
        kinds = every_kind_of_diagram()
        pages.append({kind: diagram._repr_html_() for kind, diagram in kinds.items()})
    assert pages[0] == pages[1]  # the same ids, on every run
    page = "".join(pages[0].values())
    ids = all_ids(page)
    assert len(ids) == len(set(ids)) > 5 * 40
    for html in pages[0].values():
        ident = all_ids(html)[0]
        assert re.fullmatch(r"ecslab-[0-9a-f]{12}", ident)
        assert all(i == ident or i.startswith(f"{ident}-") for i in all_ids(html))
        for target in re.findall(r'aria-labelledby="([^"]+)"', html):
            assert all_ids(html).count(target) == 1


# -- in Japanese ---------------------------------------------------------------------------------

# words of ecslab's own that a Japanese text equivalent must not contain (AWS's messages, which
# stay as AWS writes them, and names such as "orders" are not among them)
OUR_ENGLISH = re.compile(
    r"\b(?:Phase|The ECS agent|as role|called|would have|will call|will assume|Never reached|"
    r"allowed\.|DENIED\.|times\)|through|has: |no policies)"
)


def numerals(text: str) -> list[tuple[str, str]]:
    """(number, mark) of each numbered line of a text equivalent, in whatever language."""
    return re.findall(r"^  (\d+\.|\(\d+\)) (\S) ", text, flags=re.M)


def test_in_japanese_a_failed_launch_is_drawn_and_told_in_japanese_then_english_again(lab):
    from ecslab.i18n import set_language

    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    task = lab.run_task()
    english = task.diagram()
    set_language("ja")
    japanese = task.diagram()
    source = japanese.source
    # the phase boxes, the callers, the edge notes and the key
    assert 'label="起動 (launch) — ECS エージェントがタスクを開始"' in source
    assert 'label="実行 (run) — アプリケーションが動作"' in source
    assert "ECS エージェント\nロール: ecs-execution-role\nポリシー: orders-launch-secrets" in source
    assert "orders アプリ\nロール: ecs-task-role" in source
    found = by_label(source)
    assert found["✗ ecr:GetAuthorizationToken"]["detail"] == [
        "アイデンティティベースのポリシーに許可なし"
    ]
    assert found["○ s3:GetObject"]["detail"] == ["(未到達)"]
    handed = [e for e in edges(source) if e["label"] == "✓ sts:AssumeRole"]
    assert sorted(e["detail"][0] for e in handed) == ["引き渡すロール:"] * 2
    assert 'label="✓ 許可 (実線)"' in source and 'label="✗ 拒否 (破線)"' in source
    assert 'label="○ 未到達 (点線)"' in source and 'label="凡例"' in source
    assert graph_label(source) == f"タスク {task.id} (orders:1)\nSTOPPED, TaskFailedToStart"
    # the same edges, numbers, marks, colours and styles as in English: only the words differ
    assert shown(source) == shown(english.source)
    assert [(e["color"], e["style"]) for e in edges(source)] == [
        (e["color"], e["style"]) for e in edges(english.source)
    ]
    assert "Amazon ECS" in source and "Amazon ECR" in source  # service names stay
    # the text equivalent: Japanese around the action names, ARNs and AWS's own message
    text = japanese.describe()
    lines = text.splitlines()
    assert lines[0] == f"タスク {task.id} (orders:1): STOPPED, TaskFailedToStart"
    assert lines[1] == "フェーズ「起動 (launch) — ECS エージェントがタスクを開始」:"
    assert "  1. ✓ Amazon ECS によるロール ecs-execution-role の引き受け: 許可。" in lines
    assert (
        "  3. ✗ ECS エージェント (ロール ecs-execution-role) による ecr:GetAuthorizationToken "
        "の呼び出し (対象: *): 拒否 (DENIED)。 User: arn:aws:sts::123456789012:assumed-role/"
        f"ecs-execution-role/{task.id} is not authorized to perform: ecr:GetAuthorizationToken "
        "on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken "
        "action"
    ) in lines
    assert (
        "  (11) ○ 未到達: orders アプリ (ロール ecs-task-role) が呼び出すはずだった "
        f"s3:GetObject (対象: arn:aws:s3:::orders-config-{ACCOUNT}/config/app.json)。"
    ) in lines
    assert "ロール ecs-task-role のポリシー: orders-app。" in lines
    assert numerals(text) == numerals(english.describe())
    aws_says = next(line for line in lines if "✗" in line).split("User: ", 1)[0]
    assert not OUR_ENGLISH.search("\n".join([*lines[:3], aws_says, *lines[4:]]))
    html = japanese._repr_html_()
    assert "<summary>図のテキストによる説明 (番号付きの呼び出し 17 件)</summary>" in html
    # and back: English exactly as before
    set_language("en")
    again = task.diagram()
    assert again.source == english.source
    assert again.describe() == english.describe()
    assert again._repr_html_() == english._repr_html_()


def test_in_japanese_the_plan_the_trace_and_a_refused_run_have_japanese_titles(lab):
    from ecslab import Lab
    from ecslab.i18n import set_language

    lab.run_task()
    set_language("ja")
    plan = lab.plan().diagram()
    assert graph_label(plan.source) == "orders:1 のプラン: タスクが AWS に求めるもの"
    assert 'label="→ タスクが求める呼び出し"' in plan.source
    assert (
        "  3. → ECS エージェント (ロール ecs-execution-role) が呼び出す予定の "
        "ecr:GetAuthorizationToken (対象: *) — 目的: "
    ) in plan.describe()
    trace = lab.trace.diagram()
    calls = len([e for e in lab.trace if e.phase in ("launch", "run")])
    assert trace.describe().splitlines()[0] == (
        f"トレース: フェーズ launch, run の呼び出し {calls} 件: すべて許可"
    )
    assert 'label="✓ 許可 (実線)"' in trace.source
    with Lab() as refused:
        refused.task_role.set_trust_policy(TRUST_EC2)
        task = refused.run_task()
        diagram = task.diagram()
        # the head of AWS's message stays in the short title, whole in the text
        assert graph_label(diagram.source) == "orders の RunTask\n拒否 — ClientException"
        assert diagram.headline == "orders の RunTask: 拒否 — ClientException"
        first = diagram.describe().splitlines()[0]
        assert first.startswith("orders の RunTask: 拒否 — ClientException: ECS was unable")
        set_language("en")
        assert task.diagram().headline == "RunTask of orders: refused — ClientException"
