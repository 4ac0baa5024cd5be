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


def every_kind_of_diagram() -> dict[str, diagram_module.Diagram]:
    """A diagram of each kind the module draws: healthy, failed launch, refused, plan, trace."""
    from ecslab import Lab

    found = {}
    with Lab() as lab:
        found["healthy"] = lab.run_task().diagram()
        found["trace"] = lab.trace.diagram()
        found["plan"] = lab.plan().diagram()
        lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
        found["failed launch"] = lab.run_task().diagram()
    with Lab() as lab:
        lab.task_role.set_trust_policy(TRUST_EC2)
        found["refused"] = lab.run_task().diagram()
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
    assert "<p>ECS was unable to assume the role &#x27;arn:aws:iam::" in html


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


def label_collisions(source: str) -> list[tuple[str, str, str]]:
    """Edge labels that cross a cluster's border or cover its title: (text, cluster, what)."""
    drawn = layout(source)
    clusters = [
        (o["name"], [float(v) for v in o["bb"].split(",")], text_boxes(o.get("_ldraw_")))
        for o in drawn.get("objects", [])
        if o.get("name", "").startswith("cluster_")
    ]
    found = []
    for edge in drawn.get("edges", []):
        for left, bottom, right, top, text in text_boxes(edge.get("_ldraw_")):
            for name, (x0, y0, x1, y1), titles in clusters:
                inside = x0 <= left and right <= x1 and y0 <= bottom and top <= y1
                outside = right <= x0 or left >= x1 or top <= y0 or bottom >= y1
                if not inside and not outside:
                    found.append((text, name, "border"))
                for a0, b0, a1, b1, _ in titles:
                    if not (right <= a0 or left >= a1 or top <= b0 or bottom >= b1):
                        found.append((text, name, "title"))
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


def test_no_edge_label_sits_on_a_box_border_or_title():
    """ "✓ sts:AssumeRole / hands over ecs-task-role" sat on the border between the launch and
    run boxes. Amazon ECS is drawn left of the boxes now, each box's callers in one column."""
    for kind, diagram in every_kind_of_diagram().items():
        assert label_collisions(diagram.source) == [], kind


def test_amazon_ecs_stands_outside_the_phases_it_hands_roles_into(lab):
    source = lab.run_task().diagram().source
    ecs = source.index("\tlaunch__Amazon_ECS [label=")
    assert ecs < source.index("subgraph cluster_launch")  # declared at the top level
    assert "\t\t\tlaunch__ECS_agent [" in source  # the callers: one column in their box
    assert source.count("rank=same") == 2
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


def test_the_picture_is_named_by_a_short_headline_not_by_the_caption(lab, monkeypatch):
    """A screen reader read the whole caption (2,700-3,350 characters) as the picture's name,
    then the caption again."""
    monkeypatch.setenv("PATH", "")
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    diagram = lab.run_task().diagram()
    html = diagram._repr_html_()
    ident = diagram.ident
    assert html.startswith(f'<figure id="{ident}" aria-labelledby="{ident}-title"')
    assert f'<div role="img" aria-labelledby="{ident}-title">' in html
    [name] = re.findall(rf'<strong id="{ident}-title">([^<]*)</strong>', html)
    assert name == diagram.headline == diagram.describe().splitlines()[0]
    assert len(name) <= 100 and len(caption(html).itertext().__next__()) <= 100
    assert len("".join(caption(html).itertext())) > 2000  # the long text is the caption
    assert "aria-describedby" not in html  # the caption follows; nothing reads it twice
    assert f'"{ident}-text"' not in html  # the picture is not named by the caption


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
