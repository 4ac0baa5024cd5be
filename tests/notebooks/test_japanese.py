"""The Japanese edition is written in Japanese: what is left in English in its markdown, outside
code, identifiers, product names, links, menu paths and quoted AWS texts, stays below a small
threshold, and no English sentence is left untranslated."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JAPANESE = sorted((ROOT / "notebooks" / "ja").glob("*.ipynb"))

# At most this share of a notebook's words may be English (a Japanese word is 3.3 characters, as
# ecslab.coach.reading counts them); the rest is left to the reviewer.
MOST_ENGLISH = 0.05
# This many English words in a row is a sentence left untranslated.
LONGEST_RUN = 5

# Names that stay as AWS and the tools write them, in Japanese text too.
NAMES = re.compile(
    r"\b(?:Amazon|AWS|Elastic|Container|Service|Registry|Identity|and|Access|Management|Key|"
    r"Systems|Manager|Secrets|Simple|Storage|Queue|Notification|CloudWatch|Logs|Fargate|"
    r"DynamoDB|Binder|JupyterLab|Jupyter|Terraform|HashiCorp|Configuration|Language|Python|"
    r"Developer|Guide|IAM|ECS|ECR|KMS|STS|SQS|SNS|S3|SDK|API|ARN|CLI|VPC|EC2|JSON|HCL|"
    r"ecslab|moto|boto3|ipywidgets|Graphviz|Shift|Enter|Ctrl|Command|Run|All|Cells|"
    r"Settings|Kernel|Restart|Japanese|Japan)\b"
)
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
ENGLISH_RUN = re.compile(
    rf"(?:{ENGLISH_WORD.pattern}[ ,]+){{{LONGEST_RUN - 1},}}{ENGLISH_WORD.pattern}"
)
KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def prose(markdown: str) -> str:
    """What a reader reads as sentences: no code, links' targets, HTML tags, URLs, quoted texts
    (「...」: AWS's own words), or menu paths (**A → B**)."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"「[^」]*」", " ", text)
    text = re.sub(r"\*\*[^*]*→[^*]*\*\*", " ", text)
    return NAMES.sub(" ", text)


def markdown_of(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"]


def english_left(cells: list[str]) -> tuple[float, list[str]]:
    english = japanese = 0.0
    runs: list[str] = []
    for cell in cells:
        text = prose(cell)
        english += len(ENGLISH_WORD.findall(text))
        japanese += len(KANA_KANJI.findall(text)) / 3.3
        runs += [m.group(0) for m in ENGLISH_RUN.finditer(text)]
    return english / max(english + japanese, 1), runs


def test_the_measure_catches_an_english_sentence_and_spares_code_and_quotes():
    share, runs = english_left(["ロールを直します。This sentence was not translated at all."])
    assert runs and share > MOST_ENGLISH
    share, runs = english_left(
        [
            "`ecr:GetAuthorizationToken` を許可します。Fargate は「unable to pull secrets or "
            "registry auth」と報告します。**Kernel → Restart Kernel and Run All Cells**"
        ]
    )
    assert runs == [] and share == 0


def test_there_is_a_japanese_edition_of_every_notebook():
    english = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert [p.name for p in JAPANESE] == english


@pytest.mark.parametrize("path", JAPANESE, ids=lambda p: f"ja/{p.stem}")
def test_little_english_is_left_in_the_japanese_markdown(path):
    share, runs = english_left(markdown_of(path))
    assert runs == [], f"English left untranslated in {path.name}: {runs}"
    assert share <= MOST_ENGLISH, f"{path.name}: {share:.1%} of its words are English"
