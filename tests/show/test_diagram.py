"""Diagrams are computed from the trace and the plan: allowed, denied and never-reached edges in
both phases, the same DOT on every run, a text equivalent, and SVG with or without `dot`."""

from __future__ import annotations

import os
import re
import stat
import sys

import ecslab.show.diagram as diagram_module

ACCOUNT = "123456789012"


def edges(source: str) -> list[dict[str, str]]:
    """Each edge of DOT source: its label's first line, colour and style."""
    found = []
    for match in re.finditer(r"^\t(\S+) -> (\S+) \[(.*?)\]$", source, flags=re.M | re.S):
        attributes = dict(re.findall(r'(\w+)=("[^"]*"|\S+)', match.group(3)))
        label = attributes.get("label", "").strip('"')
        found.append(
            {
                "from": match.group(1).strip('"'),
                "to": match.group(2).strip('"'),
                "label": label.split("\n")[0],
                "detail": label.split("\n")[1:],
                "color": attributes.get("color", "").strip('"'),
                "fontcolor": attributes.get("fontcolor", "").strip('"'),
                "style": attributes.get("style", "").strip('"'),
            }
        )
    return [e for e in found if not e["from"].startswith("legend_")]


def by_label(source: str) -> dict[str, dict[str, str]]:
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
    assert sorted((e["to"], e["detail"][0]) for e in handed) == [
        ("launch__ECS_agent", "hands over ecs-execution-role"),
        ("run__orders_app", "hands over ecs-task-role"),
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
        "  ✗ The ECS agent, as role ecs-execution-role, called ecr:GetAuthorizationToken on *: "
        "DENIED. User: arn:aws:sts::123456789012:assumed-role/ecs-execution-role/"
        f"{task.id} is not authorized to perform: ecr:GetAuthorizationToken on resource: * "
        "because no identity-based policy allows the ecr:GetAuthorizationToken action"
    ) in text.splitlines()
    assert (
        "  ○ Never reached: The orders app, as role ecs-task-role, would have called "
        f"s3:GetObject on arn:aws:s3:::orders-config-{ACCOUNT}/config/app.json."
    ) in text.splitlines()


def test_a_task_role_failure_stops_the_app_midway(lab):
    document = lab.task_role.inline_policy("orders-app")
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "OrderEvents"]
    lab.task_role.put_inline("orders-app", document)
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
        "  → The ECS agent, as role ecs-execution-role, will call ecr:GetAuthorizationToken on * "
        "— to get a registry token for the image pull."
    ) in plan.describe().splitlines()
    assert plan._repr_html_().startswith("<figure")


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
        "  → The ECS agent, as role ecs-execution-role, will call kms:Decrypt on " + KEY
    )
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
    assert all(line.startswith("  ○ Never reached: The ECS agent") for line in lines)


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
    assert [line[:3] for line in lines] == ["  ✓", "  ○"]
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
        "  → The ECS agent, as role r, will call logs:CreateLogStream on s (2 times) — to create "
        "the stream (the group is missing); to create the stream."
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
    [top] = figure.findall("ul")
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
    top = outline(caption(html).find("ul"))
    launch = dict(top)["Phase launch — the ECS agent starts the task:"]
    assert sum("kms:Decrypt" in item for item, _ in launch) == 2
    assert all(children == [] for _, children in launch)
    assert "<li>Phase run — the application works:<ul><li>→ The orders app" in html


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
    ident = re.search(r'aria-labelledby="([^"]+)"', html).group(1)
    assert f'id="{ident}"' in html


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
