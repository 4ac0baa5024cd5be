"""The Terraform evaluator on its own: HCL read into blocks and evaluated with a resolver the test
gives, no lab and no simulated account (ecslab.coach.terraform.parse and .evaluate)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from ecslab.coach.terraform.evaluate import Config, after_apply
from ecslab.coach.terraform.parse import TEXT, Block, TerraformError, parse


class TableResolver:
    """A resolver from two tables: attributes of ``aws_thing`` and a ``aws_answer`` data source."""

    account_id = "111122223333"
    region = "eu-west-1"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def attributes(self, type_: str) -> Mapping[str, Callable[[Config, Block], Any]] | None:
        if type_ != "aws_thing":
            return None
        return {
            "arn": lambda c, b: f"arn:aws:thing:{c.region}:{c.account_id}:{c.string(b, 'name')}",
            "id": after_apply,
        }

    def data_source(self, type_: str) -> Callable[[Config, Block], dict[str, Any]] | None:
        if type_ != "aws_answer":
            return None

        def read(config: Config, block: Block) -> dict[str, Any]:
            self.asked.append(block.address)
            return {"value": f"answer to {config.string(block, 'question')}"}

        return read


def evaluate(text: str, address: str, argument: str) -> Any:
    blocks = parse(text, TEXT)
    config = Config(blocks, TableResolver())
    [block] = [b for b in blocks if b.address == address]
    return config.value(block, argument)


HCL = """\
variable "env" {
  default = "prod"
}

locals {
  names = ["a", "b", "a"]
  tags  = merge({ team = "orders" }, { env = var.env })
}

resource "aws_thing" "main" {
  name = "orders-${var.env}"
}

data "aws_answer" "q" {
  question = "what is ${aws_thing.main.arn}"
}

resource "aws_other" "x" {
  text    = format("%s-%d", upper(var.env), length(local.names))
  joined  = join(",", distinct(local.names))
  set     = toset(["b", "a", "b"])
  doc     = jsonencode({ Version = "2012-10-17", Statement = [] })
  decoded = jsondecode("{\\"k\\": [1, 2]}").k[1]
  arn     = aws_thing.main.arn
  answer  = data.aws_answer.q.value
  heredoc = <<-EOT
    env: ${var.env}
    literal: $${not.a.reference}
  EOT
  tag     = local.tags["env"]
  number  = -tonumber("4.0")
}
"""


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("text", "PROD-3"),
        ("joined", "a,b"),
        ("set", ["a", "b"]),
        ("doc", '{"Statement":[],"Version":"2012-10-17"}'),
        ("decoded", 2),
        ("arn", "arn:aws:thing:eu-west-1:111122223333:orders-prod"),
        ("answer", "answer to what is arn:aws:thing:eu-west-1:111122223333:orders-prod"),
        ("heredoc", "env: prod\nliteral: ${not.a.reference}\n"),
        ("tag", "prod"),
        ("number", -4),
    ],
)
def test_expressions_are_evaluated_with_the_resolver_given(argument, value):
    assert evaluate(HCL, "aws_other.x", argument) == value


def test_a_data_source_is_read_once_however_often_it_is_referred_to():
    blocks = parse(HCL, TEXT)
    resolver = TableResolver()
    config = Config(blocks, resolver)
    other = next(b for b in blocks if b.address == "aws_other.x")
    assert config.value(other, "answer") == config.value(other, "answer")
    [data] = [b for b in blocks if b.kind == "data"]
    config.data_values(data)
    assert resolver.asked == ["data.aws_answer.q"]
    assert json.loads(config.value(other, "doc")) == {"Statement": [], "Version": "2012-10-17"}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            'resource "aws_other" "x" {\n  a = aws_thing.nope.arn\n}\n',
            'a resource "aws_thing" "nope" is not declared in these files',
        ),
        (
            'resource "aws_thing" "t" {\n  name = "t"\n}\nresource "aws_other" "x" {\n'
            "  a = aws_thing.t.id\n}\n",
            "aws_thing.t.id is known only after apply; ecslab resolves arn",
        ),
        (
            'resource "aws_unknown" "u" {\n}\nresource "aws_other" "x" {\n  a = aws_unknown.u.arn\n'
            "}\n",
            "ecslab does not apply aws_unknown blocks",
        ),
        (
            'data "aws_elsewhere" "d" {\n}\n'
            'resource "aws_other" "x" {\n  a = data.aws_elsewhere.d.v\n}\n',
            "ecslab does not read data sources of type aws_elsewhere",
        ),
        (
            'resource "aws_other" "x" {\n  a = local.b\n}\n'
            "locals {\n  b = local.c\n  c = local.b\n}\n",
            "refers to itself (a cycle of references)",
        ),
        ('resource "aws_other" "x" {\n  a = lenght("abc")\n}\n', 'Did you mean "length"?'),
        ('resource "aws_other" "x" {\n  a = var.nope\n}\n', 'no variable "nope" is declared'),
    ],
)
def test_what_cannot_be_evaluated_is_a_terraform_error_naming_the_block(text, says):
    with pytest.raises(TerraformError) as raised:
        evaluate(text, "aws_other.x", "a")
    assert says in str(raised.value)
    assert raised.value.block is not None
