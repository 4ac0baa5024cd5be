"""The role workbench: change the two roles, run the task, see what happened — in one place.

``lab.workbench()`` fits one 1080p screen. At the top: **Run task**, **Reset** (the course
roles as they start) and one line saying how the last run ended; under them, folded away, the
course's broken setups (:mod:`ecslab.coach.scenarios`). Then, side by side (stacked when the
notebook is narrow), two sets of tabs:

- the roles, one tab each (**Task execution role**, **Task role**), and in each role a tab for
  its **AWS managed policies** (toggles), its **Inline policies** (a JSON editor, checked as you
  type: IAM's validation errors and Access-Analyzer-style warnings appear under it) and its
  **Trust policy**;
- what the task did: **Status & logs** (its status, stoppedReason and CloudWatch log lines;
  shown after every run), **Diagram** (who called what, scaled to the tab's width) and
  **Trace**. Each scrolls in its own box.

Every change goes through the lab's IAM exactly as ``lab.execution_role.attach(...)`` would, so
the workbench can show only what IAM accepted, with IAM's own error when it did not. Anything a
learner typed that is wrong is reported under the control, never as a traceback. Every control
has a description and a tooltip, and the page is usable from the keyboard (standard controls;
the tabs' arrow keys choose a tab, Enter opens it).

The handlers are plain methods (``toggle``, ``apply_inline``, ``apply_trust``, ``run``,
``reset``, ``load``) so tests and notebooks can drive the workbench without a browser.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable
from html import escape
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ecslab.cloud.mistakes import UnknownActionWarning
from ecslab.coach.scenarios import SCENARIOS
from ecslab.coach.scenarios import load as load_scenario
from ecslab.i18n import N_, _
from ecslab.iam.analyzer import validate_policy

if TYPE_CHECKING:
    from ecslab.lab import Lab
    from ecslab.show.views import RoleView, TaskView

# The AWS managed policies a learner reaches for first (the article's included).
WORKBENCH_POLICIES = (
    "AmazonECSTaskExecutionRolePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "CloudWatchLogsFullAccess",
    "SecretsManagerReadWrite",
    "AmazonSSMReadOnlyAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonSQSFullAccess",
    "AmazonSNSFullAccess",
)
# the dropdown's last choice: its value in every language (its label is translated)
NEW_INLINE = N_("(new inline policy)")
# The tabs: a role's three parts, and what the task did (the status is shown after each run).
# The titles are translated where the tabs are made; these English names stay the keys.
ROLE_SECTIONS = (N_("AWS managed policies"), N_("Inline policies"), N_("Trust policy"))
STATUS_TAB = N_("Status & logs")
RESULT_TABS = (STATUS_TAB, N_("Diagram"), N_("Trace"))
EXECUTION_TITLE = N_("Task execution role")
TASK_TITLE = N_("Task role")
# A result tab is at most this tall (then it scrolls), so that the workbench fits one 1080p
# screen's notebook area: the diagram, scaled to the tab's width, is often taller.
PANE_HEIGHT = "600px"
EMPTY_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "", "Effect": "Allow", "Action": [], "Resource": []}],
    },
    indent=2,
)

# The workbench's own CSS, scoped to its class (``WORKBENCH_CLASS``) and sent with its heading.
# Inside a widget JupyterLab's rule that keeps an output's pictures within the notebook does not
# apply, and a flex item is at least as wide as its content: a wide diagram or trace would stretch
# the whole widget past the output area, cut off, with its only scrollbar far below. So the HTML
# outputs may be narrower than their content (``min-width:0``), the diagram scales down to the
# width there is (its viewBox keeps its proportions) and its caption wraps, the trace scrolls
# sideways in its own box, and the JSON editors keep each line on one line (scrolling sideways)
# so that a policy's indentation stays readable. In its box the trace may be wider than the
# workbench, up to 120em: squeezed to the workbench's width its error column would be a few
# letters wide and a denied call's row thousands of pixels tall. A tab is as wide as its title
# (ipywidgets gives each 144 px, which cuts "AWS managed policies" short).
WORKBENCH_CLASS = "ecslab-workbench"
WIDE_CLASS = "ecslab-workbench-wide"
JSON_CLASS = "ecslab-workbench-json"
WORKBENCH_CSS = (
    f".{WORKBENCH_CLASS}{{max-width:100%;min-width:0}}"
    f".{WORKBENCH_CLASS} .{WIDE_CLASS},.{WORKBENCH_CLASS} .{WIDE_CLASS} > .widget-html-content"
    "{min-width:0;max-width:100%}"
    f".{WORKBENCH_CLASS} .ecslab-workbench-diagram svg{{max-width:100%;height:auto}}"
    f".{WORKBENCH_CLASS} .ecslab-workbench-diagram figcaption"
    "{max-width:100%;white-space:normal;overflow-wrap:anywhere}"
    f".{WORKBENCH_CLASS} .ecslab-trace-box table.ecslab-trace"
    "{width:max-content;min-width:100%;max-width:120em}"
    f".{WORKBENCH_CLASS} .{JSON_CLASS} textarea"
    "{white-space:pre;overflow-wrap:normal;overflow-x:auto;font-family:var(--jp-code-font-family,"
    "monospace);tab-size:2}"
    f".{WORKBENCH_CLASS} .jupyter-widgets.jupyter-widget-tab > .lm-TabBar .lm-TabBar-tab"
    "{flex:0 1 auto}"
)


def _message(kind: str, lines: Iterable[str]) -> str:
    """Messages under a control: a mark and a word for each, never colour alone."""
    marks = {
        "error": ("✗", _("Error"), "#D55E00"),
        "warning": ("⚠", _("Warning"), "#E69F00"),
        "ok": ("✓", _("Done"), "#009E73"),
        "info": ("ℹ", _("Note"), "#0072B2"),
    }
    mark, word, colour = marks[kind]
    items = "".join(
        f'<li style="border-left:3px solid {colour};padding-left:6px;list-style:none">'
        f"{mark} <strong>{word}:</strong> {escape(line)}</li>"
        for line in lines
    )
    return f'<ul role="status" aria-live="polite" style="margin:4px 0;padding:0">{items}</ul>'


def _json_error(text: str) -> str | None:
    try:
        json.loads(text)
    except ValueError as problem:
        position = getattr(problem, "lineno", None)
        said = getattr(problem, "msg", problem)  # Python's own words, as json gives them
        if position:
            return _("This is not valid JSON (line {line}, column {column}: {problem}).").format(
                line=position,
                column=problem.colno,  # type: ignore[attr-defined]
                problem=said,
            )
        return _("This is not valid JSON ({problem}).").format(problem=said)
    return None


def _empty() -> str:
    return _message("info", [_("The policy is empty.")])


def policy_messages(text: str, kind: str = "identity") -> str:
    """What the editor says about a policy text: JSON errors and what IAM will refuse (errors),
    then what Access Analyzer would point out in a policy IAM accepts (warnings, with the
    analyzer's own level); empty when there is nothing to say."""
    if not text.strip():
        return _empty()
    problem = _json_error(text)
    if problem:
        return _message("error", [problem])
    findings = validate_policy(json.loads(text), kind)
    malformed = [
        f"{f.location}: {f.message}" for f in findings if f.code == "MALFORMED_POLICY_DOCUMENT"
    ]
    others = [
        _("Access Analyzer {level} at {location}: {message}").format(
            level=f.level, location=f.location, message=f.message
        )
        for f in findings
        if f.code != "MALFORMED_POLICY_DOCUMENT"
    ]
    return (_message("error", malformed) if malformed else "") + (
        _message("warning", others) if others else ""
    )


def _error_text(error: Exception) -> str:
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        return _("IAM refused it — {code}: {message}").format(
            code=info.get("Code"), message=info.get("Message")
        )
    return f"{type(error).__name__}: {error}"


class RolePanel:
    """One role's controls."""

    def __init__(self, workbench: Workbench, title: str, role: RoleView) -> None:
        import ipywidgets as w

        self.workbench = workbench
        self.role = role
        self.title = _(title)  # the tab's title, in the learner's language
        self._quiet = False
        self.heading = w.HTML(
            f"<h3 style='margin:4px 0'>{escape(self.title)}: {escape(role.name)}</h3>"
        )
        self.toggles: dict[str, Any] = {}
        for name in WORKBENCH_POLICIES:
            box = w.Checkbox(
                value=False,
                description=name,
                tooltip=_("Attach or detach the AWS managed policy {name}").format(name=name),
                indent=False,
                layout=w.Layout(width="auto"),
            )
            box.observe(self._on_toggle(name), names="value")
            self.toggles[name] = box
        self.toggle_messages = w.HTML()
        self.inline_select = w.Dropdown(
            description=_("Inline policy"),
            tooltip=_("Choose an inline policy of this role to edit, or start a new one"),
            style={"description_width": "initial"},
            layout=w.Layout(width="auto", max_width="100%", flex="0 1 auto"),
        )
        self.inline_select.observe(self._on_select, names="value")
        # the name takes what the dropdown leaves of the row, and never more than the panel
        self.inline_name = w.Text(
            description=_("Name"),
            placeholder=_("policy name"),
            tooltip=_("The inline policy's name"),
            style={"description_width": "initial"},
            layout=w.Layout(width="auto", flex="1 1 12em", min_width="10em"),
        )
        self.inline_editor = w.Textarea(
            description=_("Policy JSON"),
            tooltip=_("The inline policy document; it is checked when you leave the box"),
            continuous_update=False,
            layout=w.Layout(width="100%", height="16em"),
            style={"description_width": "initial"},
        )
        self.inline_editor.add_class(JSON_CLASS)
        self.inline_editor.observe(self._on_edit, names="value")
        self.inline_messages = w.HTML()
        self.apply_button = w.Button(
            description=_("Save inline policy"),
            tooltip=_("Put this inline policy on the role (IAM validates it)"),
            icon="check",
            layout=_fit_text(),
        )
        self.apply_button.on_click(lambda _button: self.apply_inline())
        self.remove_button = w.Button(
            description=_("Remove inline policy"),
            tooltip=_("Delete the selected inline policy from the role"),
            icon="trash",
            layout=_fit_text(),
        )
        self.remove_button.on_click(lambda _button: self.remove_inline())
        self.trust_editor = w.Textarea(
            description=_("Trust policy"),
            tooltip=_("Who may assume this role (ECS assumes it as ecs-tasks.amazonaws.com)"),
            continuous_update=False,
            layout=w.Layout(width="100%", height="10em"),
            style={"description_width": "initial"},
        )
        self.trust_editor.add_class(JSON_CLASS)
        self.trust_editor.observe(self._on_trust_edit, names="value")
        self.trust_messages = w.HTML()
        self.trust_button = w.Button(
            description=_("Save trust policy"),
            tooltip=_("Replace the role's trust policy (IAM validates it)"),
            icon="check",
            layout=_fit_text(),
        )
        self.trust_button.on_click(lambda _button: self.apply_trust())
        # The role's three parts, one tab each: only one is open at a time, so the workbench fits
        # one screen (the managed policies, the learner's first move, are open first).
        self.sections = w.Tab(
            children=[
                w.VBox([w.VBox(list(self.toggles.values())), self.toggle_messages]),
                w.VBox(
                    [
                        w.HBox(
                            [self.inline_select, self.inline_name],
                            layout=w.Layout(width="100%", flex_flow="row wrap"),
                        ),
                        self.inline_editor,
                        self.inline_messages,
                        w.HBox(
                            [self.apply_button, self.remove_button],
                            layout=w.Layout(flex_flow="row wrap"),
                        ),
                    ]
                ),
                w.VBox([self.trust_editor, self.trust_messages, self.trust_button]),
            ],
            titles=[_(title) for title in ROLE_SECTIONS],
        )
        self.widget = w.VBox([self.heading, self.sections], layout=w.Layout(padding="0 4px"))
        self.refresh()

    # -- reading the role ----------------------------------------------------------------------

    def refresh(self, keep_messages: bool = False) -> None:
        """Show the role as IAM has it now."""
        self._quiet = True
        try:
            attached = set(self.role.policies) - set(self.role.inline_policy_names)
            for name, box in self.toggles.items():
                box.value = name in attached
            others = sorted(attached - set(self.toggles))
            inline = self.role.inline_policy_names
            self.inline_select.options = _inline_options(inline)
            chosen = self.inline_select.value if self.inline_select.value in inline else None
            chosen = chosen or (inline[0] if inline else NEW_INLINE)
            self.inline_select.value = chosen
            self._show_inline(chosen)
            self.trust_editor.value = json.dumps(self.role.trust_policy, indent=2)
            if not keep_messages:
                self.inline_messages.value = ""
                self.trust_messages.value = ""
                also = _("Also attached: {policies}").format(policies=", ".join(others))
                self.toggle_messages.value = _message("info", [also]) if others else ""
        finally:
            self._quiet = False

    def _show_inline(self, name: str) -> None:
        if name == NEW_INLINE:
            self.inline_name.value = ""
            self.inline_editor.value = EMPTY_POLICY
        else:
            self.inline_name.value = name
            self.inline_editor.value = json.dumps(self.role.inline_policy(name), indent=2)

    # -- handlers --------------------------------------------------------------------------------

    def toggle(self, policy: str, attach: bool) -> bool:
        """Attach or detach a managed policy; False (and a message) if IAM refused."""
        try:
            self.role.attach(policy) if attach else self.role.detach(policy)
        except Exception as error:
            self.refresh()
            self.toggle_messages.value = _message("error", [_error_text(error)])
            return False
        self.refresh()
        done = _("{policy} attached to {role}.") if attach else _("{policy} detached from {role}.")
        self.toggle_messages.value = _message(
            "ok", [done.format(policy=policy, role=self.role.name)]
        )
        return True

    def _on_toggle(self, policy: str) -> Callable[[dict], None]:
        def changed(change: dict) -> None:
            if not self._quiet:
                self.workbench._guard(lambda: self.toggle(policy, bool(change["new"])))

        return changed

    def _on_select(self, change: dict) -> None:
        if not self._quiet and change["new"] is not None:
            self._quiet = True
            try:
                self._show_inline(change["new"])
                self.inline_messages.value = ""
            finally:
                self._quiet = False

    def _on_edit(self, change: dict) -> None:
        if not self._quiet:
            self.inline_messages.value = policy_messages(change["new"])

    def _on_trust_edit(self, change: dict) -> None:
        if not self._quiet:
            self.trust_messages.value = policy_messages(change["new"], "trust")

    def apply_inline(self, name: str | None = None, text: str | None = None) -> bool:
        """Save the editor's policy (or ``text``) as inline policy ``name``."""
        name = (self.inline_name.value if name is None else name).strip()
        text = self.inline_editor.value if text is None else text
        if not name:
            self.inline_messages.value = _message("error", [_("Give the inline policy a name.")])
            return False
        problem = _json_error(text)
        if problem:
            self.inline_messages.value = _message("error", [problem])
            return False
        try:
            with warnings.catch_warnings():
                # the messages under the editor name unknown actions already (policy_messages)
                warnings.simplefilter("ignore", UnknownActionWarning)
                self.role.put_inline(name, text)
        except Exception as error:
            self.inline_messages.value = _message("error", [_error_text(error)])
            return False
        self.inline_select.value = None
        self._quiet = True
        try:
            self.inline_select.options = _inline_options(self.role.inline_policy_names)
            self.inline_select.value = name
        finally:
            self._quiet = False
        self.refresh(keep_messages=True)
        saved = _("Inline policy {name} saved on {role}.").format(name=name, role=self.role.name)
        self.inline_messages.value = _message("ok", [saved]) + policy_messages(text).replace(
            _empty(), ""
        )
        return True

    def remove_inline(self, name: str | None = None) -> bool:
        name = self.inline_select.value if name is None else name
        if not name or name == NEW_INLINE:
            self.inline_messages.value = _message(
                "error", [_("Choose an inline policy to remove.")]
            )
            return False
        try:
            self.role.remove_inline(name)
        except Exception as error:
            self.inline_messages.value = _message("error", [_error_text(error)])
            return False
        self.refresh(keep_messages=True)
        self.inline_messages.value = _message(
            "ok", [_("Inline policy {name} removed.").format(name=name)]
        )
        return True

    def apply_trust(self, text: str | None = None) -> bool:
        text = self.trust_editor.value if text is None else text
        problem = _json_error(text)
        if problem:
            self.trust_messages.value = _message("error", [problem])
            return False
        try:
            self.role.set_trust_policy(text)
        except Exception as error:
            self.trust_messages.value = _message("error", [_error_text(error)])
            return False
        self.refresh(keep_messages=True)
        self.trust_messages.value = _message(
            "ok", [_("Trust policy of {role} saved.").format(role=self.role.name)]
        )
        return True


class Workbench:
    """Both roles, a Run task button, and what the task did."""

    def __init__(self, lab: Lab, scenarios: bool = True) -> None:
        import ipywidgets as w

        self.lab = lab
        self.last_task: TaskView | None = None
        self.execution = RolePanel(self, EXECUTION_TITLE, lab.execution_role)
        self.task = RolePanel(self, TASK_TITLE, lab.task_role)
        self.run_button = w.Button(
            description=_("Run task"),
            tooltip=_("Run the orders task with the roles as they are now"),
            button_style="primary",
            icon="play",
        )
        self.run_button.on_click(lambda _button: self._guard(self.run))
        self.reset_button = w.Button(
            description=_("Reset"),
            tooltip=_("Put both roles back as the course starts them"),
            icon="undo",
        )
        self.reset_button.on_click(lambda _button: self._guard(self.reset))
        self.scenario_select = w.Dropdown(
            options=[(_shown(s.title), s.key) for s in SCENARIOS.values()],
            value="healthy",
            description=_("Scenario"),
            tooltip=_("The course's broken setups; loading one resets the roles first"),
            style={"description_width": "initial"},
        )
        self.load_button = w.Button(
            description=_("Load scenario"),
            tooltip=_("Reset the roles, then apply the chosen scenario"),
            icon="folder-open",
            layout=_fit_text(),
        )
        self.load_button.on_click(
            lambda _button: self._guard(lambda: self.load(self.scenario_select.value))
        )
        self.messages = w.HTML()
        self.messages.add_class(WIDE_CLASS)
        # what the last run ended with, in one line beside Run task; the details are in the tabs
        self.outcome = w.HTML(
            _outcome_line(None), layout=w.Layout(flex="1 1 20em", margin="0 0 0 8px")
        )
        self.outcome.add_class(WIDE_CLASS)
        self.status = w.HTML("<p>{}</p>".format(_("Run the task to see what happens.")))
        self.logs = w.HTML()
        self.diagram = w.HTML("<p>{}</p>".format(_("Run the task to see who called what.")))
        self.trace = w.HTML(
            "<p>{}</p>".format(_("Run the task to see every call, allowed or refused."))
        )
        for wide in (self.status, self.logs, self.diagram, self.trace):
            wide.add_class(WIDE_CLASS)
        # One role per tab, each with its three parts (RolePanel.sections). Tabs and accordions
        # carry no tooltip: ipywidgets 8.1 fails to draw a box that has one ("Cannot read
        # properties of undefined (reading 'length')", jupyter-widgets/ipywidgets#3860); their
        # titles say what they hold.
        self.roles = w.Tab(
            children=[self.execution.widget, self.task.widget],
            titles=[self.execution.title, self.task.title],
            layout=w.Layout(flex="2 1 28em", min_width="0", margin="0 8px 0 0"),
        )
        # What the task did, one view per tab; each scrolls in its own box past PANE_HEIGHT.
        self.results = w.Tab(
            children=[
                _pane(
                    [
                        self.status,
                        w.HTML("<h4 style='margin:8px 0 4px'>CloudWatch Logs</h4>"),
                        self.logs,
                    ]
                ),
                _pane([self.diagram]),
                _pane([self.trace]),
            ],
            titles=[_(title) for title in RESULT_TABS],
            layout=w.Layout(flex="3 1 32em", min_width="0"),
        )
        self.scenario_picker: Any = None  # the broken setups, folded away (scenarios=True)
        parts = [
            w.HTML(
                f"<style>{WORKBENCH_CSS}</style>"
                + "<h2 style='margin:4px 0'>{}</h2>".format(_("Role workbench"))
            ),
            w.HBox(
                [self.run_button, self.reset_button, self.outcome],
                layout=w.Layout(flex_flow="row wrap", align_items="center"),
            ),
            self.messages,
        ]
        if scenarios:
            self.scenario_picker = w.Accordion(
                children=[
                    w.HBox(
                        [self.scenario_select, self.load_button],
                        layout=w.Layout(flex_flow="row wrap"),
                    )
                ],
                titles=[_("Broken setups (scenarios)")],
                selected_index=None,
            )
            parts.append(self.scenario_picker)
        parts.append(w.HBox([self.roles, self.results], layout=w.Layout(flex_flow="row wrap")))
        self.widget = w.VBox(parts)
        self.widget.add_class(WORKBENCH_CLASS)

    # -- handlers --------------------------------------------------------------------------------

    def run(self) -> TaskView:
        """Run the task and show its status, logs, diagram and trace."""
        from ecslab.show.tables import styled_html

        task = self.lab.run_task()
        self.last_task = task
        self.status.value = task_status_html(task)
        self.logs.value = logs_html(task)
        self.diagram.value = diagram_html(task.diagram()._repr_html_())
        self.trace.value = styled_html(task.trace)  # scrolls sideways in its own box
        self.outcome.value = _outcome_line(task)
        self.results.selected_index = RESULT_TABS.index(STATUS_TAB)  # the status first
        self.messages.value = ""
        return task

    def reset(self) -> None:
        """Both roles as the course starts them."""
        self.lab.reset_roles()
        self.scenario_select.value = "healthy"
        self._refresh()
        self.messages.value = _message("ok", [_("Both roles are back as the course starts them.")])

    def load(self, key: str) -> None:
        scenario = load_scenario(self.lab, key)
        self.scenario_select.value = key
        self._refresh()
        self.messages.value = _message(
            "info", [f"{_shown(scenario.title)}: {_shown(scenario.change)}"]
        )

    def _refresh(self) -> None:
        self.execution.refresh()
        self.task.refresh()

    def _guard(self, action: Callable[[], Any]) -> Any:
        """Run a handler; anything unexpected is reported in the page, never as a traceback."""
        try:
            return action()
        except Exception as error:  # a learner's click must never end in a traceback
            self.messages.value = _message("error", [_error_text(error)])
            return None

    # -- display ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        return _(
            "Role workbench for {execution} and {task} "
            "(an interactive widget: run this cell to show it)"
        ).format(execution=self.lab.execution_role.name, task=self.lab.task_role.name)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        return bundle


def _shown(text: str) -> str:
    """A text defined elsewhere (a scenario's title), translated if its module marked it."""
    return _(text) if text else text


def _inline_options(names: Iterable[str]) -> list[Any]:
    """The inline-policy dropdown's choices: the role's inline policies, then a new one. The
    last one's value is :data:`NEW_INLINE` in every language; only its label is translated."""
    names = list(names)
    label = _(NEW_INLINE)
    if label == NEW_INLINE:
        return [*names, NEW_INLINE]
    return [*((name, name) for name in names), (label, NEW_INLINE)]


def _fit_text() -> Any:
    """A button as wide as its words (ipywidgets' default 148 px cuts off "Remove inline
    policy", and the lesson names the buttons in full); it neither grows nor shrinks in its row,
    nor stretches across a column."""
    import ipywidgets as w

    return w.Layout(width="auto", flex="0 0 auto", align_self="flex-start")


def _pane(children: list[Any]) -> Any:
    """One result tab's box: as tall as what it shows, up to PANE_HEIGHT, then it scrolls."""
    import ipywidgets as w

    return w.VBox(children, layout=w.Layout(max_height=PANE_HEIGHT, overflow="auto"))


def _outcome_line(task: TaskView | None) -> str:
    """The one line beside Run task: how the last run ended (a mark and words, not colour)."""
    if task is None:
        text = _("Not run yet: press <strong>Run task</strong>.")
    elif task.arn is None:
        text = "✗ " + _("<strong>RunTask failed</strong>: no task was created.")
    else:
        parts = [f"<code>{escape(str(task.last_status))}</code>"]
        if task.stop_code:
            parts.append(f"stopCode <code>{escape(task.stop_code)}</code>")
        if task.exit_code is not None:
            parts.append(_("exit code <code>{code}</code>").format(code=task.exit_code))
        said = _("<strong>Last run</strong>: {parts}").format(parts=", ".join(parts))
        text = f"{'✓' if _ran_cleanly(task) else '✗'} {said}"
    return f'<span role="status" aria-live="polite">{text}</span>'


def diagram_html(figure: str) -> str:
    """The diagram's HTML in the workbench: scaled down to the width there is (the SVG keeps its
    viewBox, so only its size changes; see :data:`WORKBENCH_CSS`), its caption wrapping."""
    return (
        f'<div class="ecslab-workbench-diagram" style="max-width:100%;min-width:0">{figure}</div>'
    )


def _ran_cleanly(task: TaskView) -> bool:
    """The task ran and its app ended well: the essential container exited with code 0."""
    return task.stop_code == "EssentialContainerExited" and task.exit_code == 0


def task_status_html(task: TaskView) -> str:
    """The task's status line: a mark and words, then the stoppedReason as AWS gives it."""
    if task.arn is None:
        failed = _("<strong>RunTask failed</strong>: no task was created.")
        return (
            f"<p>✗ {failed}</p><pre style='white-space:pre-wrap'>{escape(str(task.failure))}</pre>"
        )
    mark = "✓" if _ran_cleanly(task) else "✗"
    parts = [f"lastStatus <code>{escape(str(task.last_status))}</code>"]
    if task.stop_code:
        parts.append(f"stopCode <code>{escape(task.stop_code)}</code>")
    if task.exit_code is not None:
        parts.append(_("exit code <code>{code}</code>").format(code=task.exit_code))
    reason = escape(str(task.stopped_reason or ""))
    said = _("<strong>Task {id}</strong>: {parts}").format(
        id=escape(str(task.id)), parts=", ".join(parts)
    )
    return (
        f"<p>{mark} {said}</p><p>stoppedReason:</p><pre style='white-space:pre-wrap'>{reason}</pre>"
    )


def logs_html(task: TaskView) -> str:
    lines = task.logs
    if lines:
        return f"<pre style='white-space:pre-wrap'>{escape(chr(10).join(lines))}</pre>"
    if not task.started:
        said = _("No log lines: the app never ran, so the log stream holds nothing.")
    else:
        said = _("No log lines reached CloudWatch Logs.")
    return f"<p>{said}</p>"
