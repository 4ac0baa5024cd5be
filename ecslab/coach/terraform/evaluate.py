"""Evaluating: the values of the arguments of the learner's blocks, from the parse tree.

A :class:`Config` holds every block of the files read and evaluates an argument when it is asked
for: literals, strings with interpolation, heredocs, tuples, objects, the functions Terraform's
configuration language has that ecslab reads, ``var.``, ``local.``, and references to resources
and data sources. What a resource's attribute or a data source resolves to is not the
evaluator's to know: it asks the :class:`Resolver` it is given (``resolve.py`` answers from the
lab's account), so the evaluator can be tested with any resolver and no lab.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError

from ecslab.coach.terraform.parse import META, TOP_LEVEL, Block, Problem, children_of, text_of
from ecslab.i18n import N_, _

_FILE_FUNCTIONS = {
    "file",
    "templatefile",
    "filebase64",
    "fileexists",
    "fileset",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesha512",
    "filebase64sha256",
    "filebase64sha512",
}


class Resolver(Protocol):
    """What references resolve to, for a :class:`Config`."""

    account_id: str
    region: str

    def attributes(self, type_: str) -> Mapping[str, Callable[[Config, Block], Any]] | None:
        """For a resource type ecslab applies, how each attribute it knows is computed
        (``AFTER_APPLY`` for those known only after apply); None for any other type."""

    def data_source(self, type_: str) -> Callable[[Config, Block], dict[str, Any]] | None:
        """For a data source type ecslab reads, what reads a block's attributes; else None."""


AFTER_APPLY = object()


def after_apply(config: Config, block: Block) -> Any:
    return AFTER_APPLY


# -- evaluating ------------------------------------------------------------------------------------


def _likeness(word: str, choice: str) -> float:
    """How alike two names are (0 to 1), case and - / _ aside; a name that holds the other whole
    ("exec" and "ecs_execution", "role_arn" and "arn") counts as close."""
    a, b = (w.lower().replace("-", "_") for w in (word, choice))
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    shorter = min(a, b, key=len)
    if len(shorter) >= 3 and shorter in (b if shorter == a else a):
        ratio = max(ratio, 0.75)
    return ratio


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice most like ``word`` (the first of equals, in the order given), if any is close."""
    best, best_ratio = None, cutoff
    for choice in choices:
        ratio = _likeness(word, choice)
        if ratio > best_ratio or (best is None and ratio >= cutoff):
            best, best_ratio = choice, ratio
    return best


def suggest(word: str, choices: Iterable[str], listed: str = "") -> str:
    """' Did you mean "X"?' for the closest choice; with nothing close, the choices when
    ``listed`` names them ("variables declared")."""
    choices = list(choices)
    close = closest(word, choices)
    if close:
        return _(' Did you mean "{name}"?').format(name=close)
    if listed and choices:
        return _(" The {listed}: {names}.").format(listed=_(listed), names=", ".join(choices[:8]))
    return ""


def suggest_block(prefix: str, type_: str, name: str, declared: Iterable[tuple[str, str]]) -> str:
    """Terraform's "did you mean" for a reference to an undeclared resource or data source
    (``prefix`` "" or "data."): the closest declared block of the same type; when no block has
    that type, the closest type, then the closest name in it. A name declared under another
    type is pointed at as well; with nothing close, the blocks of that type are listed."""
    declared = list(declared)
    types = list(dict.fromkeys(t for t, _rest in declared))
    kind = type_ if type_ in types else closest(type_, types)
    hint = ""
    suggested = None
    if kind is not None:
        names = [n for t, n in declared if t == kind]
        near = name if name in names else closest(name, names)
        if near is not None:
            suggested = f"{prefix}{kind}.{near}"
            hint = _(' Did you mean "{name}"?').format(name=suggested)
        elif kind == type_:
            listed = ", ".join(f"{prefix}{kind}.{n}" for n in names[:8])
            hint = _(" The {type} blocks in these files: {blocks}.").format(
                type=kind, blocks=listed
            )
    elsewhere = [f"{prefix}{t}.{n}" for t, n in declared if n == name and t != kind]
    if elsewhere and elsewhere[0] != suggested:
        hint += _(" ({name} is declared as {addresses}.)").format(
            name=name, addresses=_(" and ").join(elsewhere)
        )
    return hint


class Config:
    """The blocks of all files, and the values of their expressions (evaluated on demand)."""

    def __init__(self, blocks: list[Block], resolver: Resolver) -> None:
        self.resolver = resolver
        self.account_id = resolver.account_id
        self.region = resolver.region
        self.blocks = blocks
        self.resources: dict[tuple[str, str], Block] = {}
        self.data: dict[tuple[str, str], Block] = {}
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, Block] = {}
        self._values: dict[tuple[int, str], Any] = {}
        self._busy: set[tuple[int, str]] = set()
        seen: dict[str, Block] = {}
        for block in blocks:
            expected = TOP_LEVEL.get(block.kind)
            if expected is None:
                raise block.error(
                    _(
                        'blocks of type "{type}" are not expected at the top level of a '
                        "Terraform file."
                    ).format(type=block.kind)
                    + suggest(block.kind, TOP_LEVEL)
                )
            if len(block.labels) != expected:
                raise block.error(
                    _('a "{type}" block takes {expected} label(s), not {count}').format(
                        type=block.kind, expected=expected, count=len(block.labels)
                    )
                )
            if block.kind == "locals":
                for name in block.attributes:
                    if name in self.locals:
                        raise block.error(
                            _('local value "{name}" is defined twice (also at line {line})').format(
                                name=name, line=self.locals[name].attribute_lines[name]
                            )
                        )
                    self.locals[name] = block
                continue
            if block.kind in ("terraform", "moved", "import", "removed", "provider"):
                continue  # may appear more than once (providers with aliases)
            address = block.address
            if address in seen:
                first = seen[address]
                raise block.error(
                    _("{address} is declared twice (also in {file}, line {line})").format(
                        address=address, file=first.file, line=first.line
                    )
                )
            seen[address] = block
            if block.kind == "resource":
                self.resources[(block.labels[0], block.labels[1])] = block
            elif block.kind == "data":
                self.data[(block.labels[0], block.labels[1])] = block
            elif block.kind == "variable":
                self.variables[block.labels[0]] = block

    # -- attribute values ----------------------------------------------------------------------

    def value(self, block: Block, name: str, default: Any = None) -> Any:
        """The value of argument ``name`` of ``block`` (``default`` if it is not set)."""
        if name not in block.attributes:
            return default
        key = (id(block), name)
        if key in self._values:
            return self._values[key]
        if key in self._busy:
            raise block.error(
                _('argument "{name}" refers to itself (a cycle of references)').format(name=name)
            )
        self._busy.add(key)
        try:
            value = self.eval(block.attributes[name], block)
        except Problem as problem:
            raise block.error(f"{where_in(block, name)}: {problem}") from None
        finally:
            self._busy.discard(key)
        self._values[key] = value
        return value

    def string(self, block: Block, name: str, required: bool = False) -> str | None:
        value = self.value(block, name)
        if value is None:
            if required:
                raise block.error(_('the argument "{name}" is required').format(name=name))
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return number_text(value)
        if not isinstance(value, str):
            hint = ""
            if isinstance(value, (dict, list)) and name in ("policy", "assume_role_policy"):
                hint = ": " + _("write {argument} to turn the object into JSON text").format(
                    argument=f"{name} = jsonencode({{...}})"
                )
            elif isinstance(value, (dict, list)) and name == "container_definitions":
                hint = ": " + _("write {argument}").format(
                    argument="container_definitions = jsonencode([...])"
                )
            raise block.error(
                _("{where}: a string is required, not {type}").format(
                    where=where_in(block, name), type=kind_of(value)
                )
                + hint
            )
        return value

    def strings(self, block: Block, name: str) -> list[str]:
        value = self.value(block, name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise block.error(
                _("{where}: a list of strings is required, not {type}").format(
                    where=where_in(block, name), type=kind_of(value)
                )
            )
        out = []
        for item in value:
            if isinstance(item, (dict, list)) or item is None:
                raise block.error(
                    _("{where}: a list of strings is required; found {type}").format(
                        where=where_in(block, name), type=kind_of(item)
                    )
                )
            out.append(to_text(item))
        return out

    # -- expressions ---------------------------------------------------------------------------

    def eval(self, node: Any, block: Block) -> Any:
        if isinstance(node, Token):
            raise Problem(_("unexpected {token}").format(token=repr(str(node))))
        kind = node.data
        method = getattr(self, f"_eval_{kind}", None)
        if method is not None:
            return method(node, block)
        unsupported = _UNSUPPORTED.get(kind)
        what = (
            _(unsupported)
            if unsupported
            else _("this kind of expression ({kind})").format(kind=kind)
        )
        raise Problem(
            _("{what} are not supported by ecslab's Terraform reader; write the value").format(
                what=what
            )
        )

    def _eval_expr_term(self, node: Tree, block: Block) -> Any:
        inner = [c for c in children_of(node) if isinstance(c, Tree)]
        if len(inner) != 1:
            raise Problem(_("an expression ecslab cannot read"))
        if inner[0].data in ("get_attr_expr_term", "index_expr_term"):
            return self._traverse(inner[0], block)
        return self.eval(inner[0], block)

    def _eval_get_attr_expr_term(self, node: Tree, block: Block) -> Any:
        return self._traverse(node, block)

    def _eval_index_expr_term(self, node: Tree, block: Block) -> Any:
        return self._traverse(node, block)

    def _eval_int_lit(self, node: Tree, block: Block) -> int:
        return int(str(node.children[0]))

    def _eval_float_lit(self, node: Tree, block: Block) -> float | int:
        number = float(str(node.children[0]))
        return int(number) if number.is_integer() else number

    def _eval_literal_value(self, node: Tree, block: Block) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _eval_unary_op(self, node: Tree, block: Block) -> Any:
        operator, operand = str(node.children[0]), self.eval(node.children[1], block)
        if operator == "-" and isinstance(operand, (int, float)) and not isinstance(operand, bool):
            return -operand
        if operator == "!" and isinstance(operand, bool):
            return not operand
        raise Problem(
            _("cannot apply {operator} to {type}").format(
                operator=repr(operator), type=kind_of(operand)
            )
        )

    def _eval_identifier(self, node: Tree, block: Block) -> Any:
        name = text_of(node)
        raise Problem(
            _(
                '"{name}" alone is not a value: a reference names an attribute '
                '(aws_iam_role.NAME.arn, var.NAME, local.NAME), and a text needs quotes ("{name}")'
            ).format(name=name)
        )

    def _eval_tuple(self, node: Tree, block: Block) -> list[Any]:
        return [self.eval(c, block) for c in children_of(node) if isinstance(c, Tree)]

    def _eval_object(self, node: Tree, block: Block) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for element in children_of(node):
            if not isinstance(element, Tree) or element.data != "object_elem":
                continue
            key_node, value_node = element.children[0], element.children[-1]
            out[self._key(key_node, block)] = self.eval(value_node, block)
        return out

    def _key(self, node: Tree, block: Block) -> str:
        inner = children_of(node)[0]
        if inner.data == "keyword":
            return text_of(inner)
        parts = [c for c in children_of(inner) if isinstance(c, Tree)]
        bare = inner.data == "expr_term" and len(parts) == 1 and len(children_of(inner)) == 1
        if bare and parts[0].data in ("identifier", "literal_value"):
            return text_of(parts[0])  # a bare name is the key itself, as in Terraform
        key = self.eval(inner, block)
        if isinstance(key, (dict, list)) or key is None:
            raise Problem(_("an object key must be a string, not {type}").format(type=kind_of(key)))
        return to_text(key)

    def _eval_string(self, node: Tree, block: Block) -> Any:
        parts = [p.children[0] for p in node.children if isinstance(p, Tree)]
        if len(parts) == 1 and isinstance(parts[0], Tree) and parts[0].data == "interpolation":
            return self._interpolation(parts[0], block)  # "${x}" is x itself
        text = []
        for part in parts:
            if isinstance(part, Token):
                text.append(_unescape(part))
            elif part.data == "interpolation":
                text.append(_in_template(self._interpolation(part, block)))
            else:
                raise Problem(_(_NO_DIRECTIVES))
        return "".join(text)

    def _interpolation(self, node: Tree, block: Block) -> Any:
        inner = [c for c in node.children if isinstance(c, Tree)]
        return self.eval(inner[0], block)

    def _eval_heredoc_template(self, node: Tree, block: Block) -> str:
        return self._heredoc(str(node.children[0]), False, block)

    def _eval_heredoc_template_trim(self, node: Tree, block: Block) -> str:
        return self._heredoc(str(node.children[0]), True, block)

    def _heredoc(self, text: str, trim: bool, block: Block) -> str:
        lines = text.replace("\r\n", "\n").split("\n")
        body = lines[1:-2]  # without "<<EOT", the closing "EOT" and the text after it
        if trim:
            indents = [len(x) - len(x.lstrip(" \t")) for x in body if x.strip()]
            cut = min(indents, default=0)
            body = [x[cut:] for x in body]
        content = "".join(x + "\n" for x in body)
        return self._template(content, block)

    def _template(self, content: str, block: Block) -> str:
        """A heredoc's text with its ``${...}`` interpolations evaluated."""
        out, i = [], 0
        while True:
            j = min(
                (k for k in (content.find("${", i), content.find("%{", i)) if k >= 0),
                default=-1,
            )
            if j < 0:
                out.append(content[i:])
                return "".join(out)
            escaped = j > 0 and content[j - 1] == content[j]
            if escaped:  # $${ and %%{ are the literal ${ and %{
                out.append(content[i : j - 1] + content[j : j + 2])
                i = j + 2
                continue
            out.append(content[i:j])
            if content[j] == "%":
                raise Problem(_(_NO_DIRECTIVES))
            end = _closing_brace(content, j + 2)
            if end < 0:
                raise Problem(_("an interpolation ${ in the heredoc is not closed with }"))
            try:
                tree = hcl2.parses_to_tree(f"x = {content[j + 2 : end]}\n")
            except LarkError:
                raise Problem(
                    _("cannot read the interpolation {interpolation} in the heredoc").format(
                        interpolation="${" + content[j + 2 : end] + "}"
                    )
                ) from None
            expression = children_of(tree.children[0])[0].children[2]
            out.append(_in_template(self.eval(expression, block)))
            i = end + 1

    def _eval_function_call(self, node: Tree, block: Block) -> Any:
        parts = children_of(node)
        names = [text_of(p) for p in parts if isinstance(p, Tree) and p.data == "identifier"]
        if len(names) > 1:
            raise Problem(
                _(
                    "provider functions ({names}) are not supported by ecslab's Terraform reader"
                ).format(names="::".join(names))
            )
        name = names[0]
        arguments = next((p for p in parts if isinstance(p, Tree) and p.data == "arguments"), None)
        nodes = [] if arguments is None else children_of(arguments)
        if any(isinstance(a, Token) and a.type == "ELLIPSIS" for a in nodes):
            raise Problem(_("expanding arguments with ... is not supported by ecslab"))
        if name in _FILE_FUNCTIONS:
            raise Problem(
                _(
                    "{name}() reads another file, and ecslab reads the Terraform text only: put "
                    "the document inline, with {jsonencode} or a heredoc (<<EOT ... EOT)"
                ).format(name=name, jsonencode="jsonencode({...})")
            )
        function = _FUNCTIONS.get(name)
        if function is None:
            raise Problem(
                _(
                    'the function "{name}" is not supported by ecslab\'s Terraform reader '
                    "(it reads {functions})."
                ).format(name=name, functions=", ".join(sorted(_FUNCTIONS)))
                + suggest(name, _FUNCTIONS)
            )
        values = [self.eval(a, block) for a in nodes if isinstance(a, Tree)]
        try:
            return function(*values)
        except Problem as problem:
            raise Problem(f"{name}(): {problem}") from None
        except (TypeError, ValueError) as error:
            raise Problem(f"{name}(): {error}") from None

    # -- references ----------------------------------------------------------------------------

    def _traverse(self, node: Tree, block: Block) -> Any:
        steps: list[Any] = []
        while isinstance(node, Tree) and node.data in ("get_attr_expr_term", "index_expr_term"):
            base, step = node.children[0], node.children[1]
            steps.append(step)
            node = base
            inner = [c for c in children_of(node) if isinstance(c, Tree)]
            if node.data == "expr_term" and len(inner) == 1 and len(children_of(node)) == 1:
                node = inner[0]
        steps.reverse()
        keys = [self._step(s, block) for s in steps]
        if isinstance(node, Tree) and node.data == "identifier":
            return self._reference(text_of(node), keys)
        return walk(self.eval(node, block), keys, _("the value"))

    def _step(self, step: Tree, block: Block) -> str | int:
        if step.data == "get_attr":
            return text_of(step.children[-1])
        if step.data == "short_index":
            return int(str(step.children[-1]))
        index = self.eval(next(c for c in children_of(step) if isinstance(c, Tree)), block)
        if isinstance(index, (dict, list)) or index is None:
            raise Problem(
                _("an index must be a number or a string, not {type}").format(type=kind_of(index))
            )
        return index

    def _reference(self, root: str, keys: list[str | int]) -> Any:
        def name_at(i: int, what: str) -> str:
            if len(keys) <= i or not isinstance(keys[i], str):
                raise Problem(
                    _("{reference} needs {what}").format(
                        reference=".".join([root, *map(str, keys[:i])]), what=_(what)
                    )
                )
            return str(keys[i])

        if root == "var":
            name = name_at(0, N_("a variable name (var.NAME)"))
            return walk(self._variable(name), keys[1:], f"var.{name}")
        if root == "local":
            name = name_at(0, N_("a local value's name (local.NAME)"))
            return walk(self._local(name), keys[1:], f"local.{name}")
        if root == "data":
            type_ = name_at(0, N_("a data source type (data.TYPE.NAME.ATTRIBUTE)"))
            name = name_at(1, N_("a data source name (data.TYPE.NAME.ATTRIBUTE)"))
            address = f"data.{type_}.{name}"
            attribute = name_at(2, _("an attribute ({address}.ATTRIBUTE)").format(address=address))
            return walk(self._data_attribute(type_, name, attribute), keys[3:], address)
        if root in ("count", "each", "self"):
            raise Problem(
                _("{root}.* is not supported by ecslab (count and for_each are not)").format(
                    root=root
                )
            )
        if root in ("path", "terraform", "module"):
            raise Problem(
                _("{root}.* references are not supported by ecslab's Terraform reader").format(
                    root=root
                )
            )
        name = name_at(0, N_("a resource name (TYPE.NAME.ATTRIBUTE)"))
        address = f"{root}.{name}"
        attribute = name_at(1, _("an attribute, such as {address}.arn").format(address=address))
        return walk(self._resource_attribute(root, name, attribute), keys[2:], address)

    def _variable(self, name: str) -> Any:
        block = self.variables.get(name)
        if block is None:
            raise Problem(
                _('var.{name}: no variable "{name}" is declared.').format(name=name)
                + suggest(name, self.variables, N_("variables declared"))
            )
        if "default" not in block.attributes:
            raise block.error(
                _(
                    'variable "{name}" has no default, and ecslab does not read -var or .tfvars: '
                    "give it a default"
                ).format(name=name)
            )
        return self.value(block, "default")

    def _local(self, name: str) -> Any:
        block = self.locals.get(name)
        if block is None:
            raise Problem(
                _('local.{name}: no local value "{name}" is defined.').format(name=name)
                + suggest(name, self.locals, N_("local values defined"))
            )
        return self.value(block, name)

    def _resource_attribute(self, type_: str, name: str, attribute: str) -> Any:
        address = f"{type_}.{name}"
        block = self.resources.get((type_, name))
        if block is None:
            raise Problem(
                _(
                    '{address}.{attribute}: a resource "{type}" "{name}" is not declared in '
                    "these files."
                ).format(address=address, attribute=attribute, type=type_, name=name)
                + suggest_block("", type_, name, self.resources)
            )
        computed = self.resolver.attributes(type_)
        if computed is None:
            raise Problem(
                _(
                    "{address}.{attribute}: ecslab does not apply {type} blocks, so it has no "
                    "value for this; write the value itself"
                ).format(address=address, attribute=attribute, type=type_)
            )
        if attribute in computed:
            value = computed[attribute](self, block)
            if value is AFTER_APPLY:
                raise Problem(
                    _(
                        "{address}.{attribute} is known only after apply; ecslab resolves "
                        "{attributes}"
                    ).format(
                        address=address,
                        attribute=attribute,
                        attributes=", ".join(
                            a for a, f in computed.items() if f is not after_apply
                        ),
                    )
                )
            return value
        if attribute in block.attributes:
            return self.value(block, attribute)
        raise Problem(
            _(
                '{address} has no attribute "{attribute}" ecslab can resolve (it knows: {known}).'
            ).format(
                address=address,
                attribute=attribute,
                known=", ".join(sorted({*computed} | {*block.attributes})),
            )
            + suggest(attribute, [*computed, *block.attributes])
        )

    def _data_attribute(self, type_: str, name: str, attribute: str) -> Any:
        address = f"data.{type_}.{name}"
        block = self.data.get((type_, name))
        if block is None:
            raise Problem(
                _(
                    '{address}.{attribute}: a data source "{type}" "{name}" is not declared in '
                    "these files."
                ).format(address=address, attribute=attribute, type=type_, name=name)
                + suggest_block("data.", type_, name, self.data)
            )
        reader = self.resolver.data_source(type_)
        if reader is None:
            raise Problem(
                _(
                    "{address}.{attribute}: ecslab does not read data sources of type {type}; "
                    "write the value itself"
                ).format(address=address, attribute=attribute, type=type_)
            )
        values = self.data_values(block)
        if attribute not in values:
            raise Problem(
                _(
                    '{address} has no attribute "{attribute}" ecslab can resolve (it knows: '
                    "{known})."
                ).format(address=address, attribute=attribute, known=", ".join(sorted(values)))
                + suggest(attribute, values)
            )
        return values[attribute]

    def data_values(self, block: Block) -> dict[str, Any]:
        key = (id(block), "")
        if key not in self._values:
            if key in self._busy:
                raise block.error(_("this data source refers to itself (a cycle of references)"))
            self._busy.add(key)
            try:
                reader = self.resolver.data_source(block.labels[0])
                assert reader is not None  # asked only for the types the resolver reads
                self._values[key] = reader(self, block)
            finally:
                self._busy.discard(key)
        return self._values[key]


def where_in(block: Block, argument: str) -> str:
    """``argument (line N)``: where in the block the problem is."""
    line = block.attribute_lines.get(argument)
    return _("{argument} (line {line})").format(argument=argument, line=line) if line else argument


def walk(value: Any, keys: list[Any], where: str) -> Any:
    for key in keys:
        if isinstance(value, dict) and str(key) in value:
            value = value[str(key)]
        elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
            value = value[key]
        else:
            raise Problem(_("{where} has no element {key}").format(where=where, key=repr(key)))
        where = f"{where}[{key!r}]"
    return value


def kind_of(value: Any) -> str:
    """What kind of value it is, for a learner (in their language)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("a bool")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, str):
        return _("a string")
    if isinstance(value, list):
        return _("a list")
    return _("an object")


def number_text(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    return str(value)


def _in_template(value: Any) -> str:
    if value is None:
        raise Problem(_("a null value cannot be part of a text"))
    if isinstance(value, (dict, list)):
        raise Problem(
            _("{type} cannot be part of a text (jsonencode() it)").format(type=kind_of(value))
        )
    return to_text(value)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(token: Token) -> str:
    text = str(token)
    if token.type == "ESCAPED_INTERPOLATION":
        return text[1:]  # $${x} → ${x}
    if token.type == "ESCAPED_DIRECTIVE":
        return text[1:]  # %%{x} → %{x}
    if "\n" in text:
        raise Problem(
            _(
                "a quoted string cannot span lines (Terraform: Invalid multi-line string): close "
                "the quote on the same line, write \\n, or use a heredoc (<<EOT ... EOT)"
            )
        )

    def replace(found: re.Match[str]) -> str:
        code = found.group(1)
        if code[0] in _ESCAPES:
            return _ESCAPES[code[0]]
        if code[0] in "uU":
            return chr(int(code[1:], 16))
        raise Problem(
            _("invalid escape sequence {sequence} in a string").format(sequence="\\" + code[0])
        )

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", replace, text)


def _closing_brace(text: str, start: int) -> int:
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


# -- functions -------------------------------------------------------------------------------------


_UNSUPPORTED = {
    "conditional": N_("conditional expressions (a ? b : c)"),
    "binary_op": N_("operators (+, -, ==, &&, ...)"),
    "for_tuple_expr": N_("for expressions"),
    "for_object_expr": N_("for expressions"),
    "attr_splat_expr_term": N_("splat expressions (.*)"),
    "full_splat_expr_term": N_("splat expressions ([*])"),
    "template_string": N_("template directives (%{ ... })"),
}
_NO_DIRECTIVES = N_(
    "template directives (%{ if }, %{ for }) are not supported by ecslab's Terraform reader; "
    "write the text"
)


def _jsonencode(value: Any) -> str:
    # Terraform writes object keys sorted and no spaces.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _jsondecode(text: Any) -> Any:
    if not isinstance(text, str):
        raise Problem(_("a string is required, not {type}").format(type=kind_of(text)))
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise Problem(_("not valid JSON: {error}").format(error=error)) from None


def _format(spec: Any, *values: Any) -> str:
    if not isinstance(spec, str):
        raise Problem(_("the format must be a string"))
    if re.search(r"%[^sdv]", spec.replace("%%", "")):
        raise Problem(_("ecslab's format() knows {verbs}").format(verbs="%s, %d, %v and %%"))
    items = iter(values)

    def replace(found: re.Match[str]) -> str:
        if found.group(0) == "%%":
            return "%"
        try:
            value = next(items)
        except StopIteration:
            raise Problem(
                _("not enough arguments for {format}").format(format=repr(spec))
            ) from None
        return str(int(tonumber(value))) if found.group(1) == "d" else _in_template(value)

    return re.sub(r"%%|%([sdv])", replace, spec)


def _lists(*values: Any) -> list[Any]:
    for value in values:
        if not isinstance(value, list):
            raise Problem(_("lists are required, not {type}").format(type=kind_of(value)))
    return [item for value in values for item in value]


def _merge(*values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for value in values:
        if value is None:
            continue
        if not isinstance(value, dict):
            raise Problem(_("objects are required, not {type}").format(type=kind_of(value)))
        out.update(value)
    return out


def _flatten(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise Problem(_("a list is required, not {type}").format(type=kind_of(value)))
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def distinct(value: Any) -> list[Any]:
    out: list[Any] = []
    for item in _lists(value):
        if item not in out:
            out.append(item)
    return out


def _toset(value: Any) -> list[Any]:
    items = distinct(value)
    if all(isinstance(i, str) for i in items):
        return sorted(items)  # Terraform's sets of strings are in lexical order
    return items


def tonumber(value: Any) -> int | float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        number = float(str(value))
    except ValueError:
        raise Problem(_("cannot convert {value} to a number").format(value=repr(value))) from None
    return int(number) if number.is_integer() else number


def _string_function(function: Callable[[str], str]) -> Callable[[Any], str]:
    def apply(value: Any) -> str:
        if not isinstance(value, str):
            raise Problem(_("a string is required, not {type}").format(type=kind_of(value)))
        return function(value)

    return apply


def _join(separator: Any, *values: Any) -> str:
    return str(separator).join(_in_template(v) for v in _lists(*values))


def _length(value: Any) -> int:
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise Problem(
        _("length() takes a string, list or object, not {type}").format(type=kind_of(value))
    )


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "format": _format,
    "join": _join,
    "concat": _lists,
    "merge": _merge,
    "flatten": _flatten,
    "distinct": distinct,
    "length": _length,
    "lower": _string_function(str.lower),
    "upper": _string_function(str.upper),
    "tostring": lambda v: v if v is None else _in_template(v),
    "tonumber": tonumber,
    "tolist": lambda v: _lists(v),
    "toset": _toset,
}


def check_arguments(block: Block, arguments: set[str], blocks: set[str]) -> None:
    """Terraform's "Unsupported argument" / "Unsupported block type", and ecslab's own limits."""
    for meta in ("count", "for_each"):
        if block.parent is None and meta in block.attributes:
            raise block.error(
                _(
                    "{meta} is not supported by ecslab's Terraform reader: write one block for each"
                ).format(meta=meta)
            )
    for name in block.attributes:
        if name not in arguments and name not in META:
            raise block.error(
                _('an argument named "{name}" is not expected in {where}.').format(
                    name=name, where=_describe(block)
                )
                + suggest(name, arguments)
            )
    for child in block.blocks:
        if child.kind == "dynamic":
            raise block.error(_("dynamic blocks are not supported by ecslab's Terraform reader"))
        if child.kind not in blocks and child.kind not in META:
            raise block.error(
                _('blocks of type "{type}" are not expected in {where} (line {line}).').format(
                    type=child.kind, where=_describe(block), line=child.line
                )
                + suggest(child.kind, blocks)
            )


def _describe(block: Block) -> str:
    if block.parent is not None:
        return _('a "{type}" block').format(type=block.kind)
    if block.kind == "data":
        return f'data "{block.labels[0]}"'
    return f'resource "{block.labels[0]}"' if block.kind == "resource" else f"{block.kind}"
