"""The exercises of notebooks 04-07 in Japanese: what a check says (not attempted, not yet,
correct), every hint, the task and the solution's comments read as Japanese with
``set_language("ja")``, with the same verdicts as in English; back in English, the texts are
English again."""

from __future__ import annotations

import re

import pytest

import ecslab.coach.lessons  # noqa: F401 — register the notebooks' exercises
from ecslab.coach.exercises import EXERCISES
from ecslab.i18n import set_language

KEYS = sorted(k for k in EXERCISES if k[:2] in {"04", "05", "06", "07"})

# Kana or kanji: the text is Japanese.
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Four plain words in a row: an English sentence left untranslated (identifiers, ARNs, action
# names and code never make one: they are joined by ":", ".", "_", "-" or "/", not by spaces).
ENGLISH = re.compile(r"\b[A-Za-z]+(?: [A-Za-z]+){3,}\b")


def japanese(text: str) -> bool:
    found = ENGLISH.search(text)
    assert found is None, f"untranslated English {found.group()!r} in {text!r}"
    assert JAPANESE.search(text), f"not Japanese: {text!r}"
    return True


def english(text: str) -> bool:
    assert not JAPANESE.search(text), f"Japanese in the English edition: {text!r}"
    return True


def in_both(call):
    """``call()`` in English, then in Japanese, then in English again (which must say what it
    said the first time)."""
    set_language("en")
    first = call()
    set_language("ja")
    ja = call()
    set_language("en")
    again = call()
    assert repr(again) == repr(first)
    set_language(None)
    return first, ja


def scope(lab, ex):
    return {"lab": lab, ex.variable: ex}


def same_verdict(ex, status):
    """The exercise's check says ``status`` in both languages, in the language's own words."""

    def checked():
        result = ex.check()  # shown in the language of the moment
        return result.status, len(result.problems), result.describe()

    en, ja = in_both(checked)
    assert en[:2] == ja[:2] and en[0] == status, (en, ja)
    assert english(en[2]) and japanese(ja[2])
    return ja[2]


@pytest.mark.parametrize("key", KEYS)
def test_each_check_speaks_japanese_with_the_verdict_it_gives_in_english(lab, key):
    spec = EXERCISES[key]
    ex = lab.exercise(key)
    same_verdict(ex, "not attempted")
    lab.run_task()  # nothing changed yet
    same_verdict(ex, "not yet")
    exec(spec.wrong, scope(lab, ex))
    same_verdict(ex, "not yet")

    ex = lab.exercise(key)  # from the start again, with the Japanese edition's solution
    set_language("ja")
    solution = ex.solution().text
    exec(solution, scope(lab, ex))
    assert same_verdict(ex, "correct").startswith("✓ 正解です。")


@pytest.mark.parametrize("key", KEYS)
def test_each_hint_and_the_task_speak_japanese(lab, key):
    ex = lab.exercise(key)
    for number in range(1, len(ex.hints) + 1):
        en, ja = in_both(lambda n=number: ex.hint(n).text)
        assert en.startswith(f"Hint {number} of {len(ex.hints)}: ")
        assert english(en) and japanese(ja)
    en, ja = in_both(lambda: repr(ex))
    assert en.startswith(f"Exercise {key}: ") and english(en)
    assert japanese(ja)


# The Japanese edition's comment in each solution that has one.
SOLUTION_COMMENTS = {
    "04-decrypt": "# (同じステートメントがあれば置き換えるので、このセルは何度でも実行できます)",
    "05-mystery-1": "# まず手がかりを集める",
    "05-mystery-2": "# まず手がかりを集める",
    "05-mystery-3": "# まず手がかりを集める",
}


@pytest.mark.parametrize("key", sorted(SOLUTION_COMMENTS))
def test_a_solutions_comments_are_japanese_and_its_code_the_same(lab, key):
    ex = lab.exercise(key)
    en, ja = in_both(lambda: ex.solution().text)
    assert en == EXERCISES[key].solution
    assert SOLUTION_COMMENTS[key] in ja

    def code(text):
        return [line.split("#")[0].rstrip() for line in text.splitlines()]

    assert code(ja) == code(en)


def test_a_change_to_the_wrong_role_gets_the_wrong_role_hint_in_japanese_too(lab):
    ex = lab.exercise("04-decrypt")
    lab.task_role.attach("AmazonSSMReadOnlyAccess")
    lab.run_task()
    set_language("en")
    assert ex.hint().text.startswith("the task role was changed; the launch never uses it.")
    ex = lab.exercise("04-decrypt")
    lab.task_role.attach("AmazonSSMReadOnlyAccess")
    lab.run_task()
    set_language("ja")
    hint = ex.hint().text
    assert hint.startswith("タスクロールが変更されています。") and japanese(hint)


def test_the_terraform_solution_has_the_articles_own_comments_in_japanese():
    from ecslab.coach.lessons.nb07 import SOLUTION_TERRAFORM, solution_terraform

    assert solution_terraform("en") == SOLUTION_TERRAFORM
    ja = solution_terraform("ja")
    comments = [line for line in ja.splitlines() if line.startswith("#")]
    assert comments[:2] == ["# タスク実行ロール", "# タスクロール"]
    assert all(japanese(line) for line in comments)

    def blocks(text):
        return [line for line in text.splitlines() if not line.startswith("#")]

    assert blocks(ja) == blocks(SOLUTION_TERRAFORM)
    set_language("ja")
    assert solution_terraform() == ja


def test_naming_the_suspect_is_answered_in_japanese(lab):
    from ecslab.coach.lessons.nb05 import suspect

    ex = lab.exercise("05-mystery-1")
    en, ja = in_both(lambda: repr(suspect(ex, "execution")))
    assert en.startswith("? Run the task first") and ja.startswith("? まずタスクを実行")
    assert japanese(ja)
    lab.run_task()
    en, ja = in_both(lambda: repr(suspect(ex, "the app")))
    assert en.startswith("? Name a role") and japanese(ja) and "'the app'" in ja
    en, ja = in_both(lambda: repr(suspect(ex, "task")))
    assert en.startswith("✗ Not that one.") and ja.startswith("✗ ") and japanese(ja)
    en, ja = in_both(lambda: repr(suspect(ex, "execution")))
    assert en.startswith("✓ Yes, the task execution role: the task never started")
    assert ja.startswith("✓ そのとおり、タスク実行ロールです。タスクは一度も起動せず")
    assert japanese(ja)

    other = lab.exercise("05-mystery-2")
    lab.run_task()
    set_language("ja")
    assert repr(suspect(other, "task")).startswith("✓ そのとおり、タスクロールです。")
    with pytest.raises(ValueError, match="ミステリーの演習"):
        suspect(lab.exercise("04-decrypt"), "task")


def test_a_worked_mystery_speaks_japanese(lab):
    from ecslab.coach.lessons.nb05 import mystery

    case = mystery(lab, "A")
    en, ja = in_both(lambda: repr(case))
    assert en.startswith("Mystery A is loaded:") and english(en)
    assert ja.startswith("ミステリー A を読み込みました。") and japanese(ja)
    set_language("ja")
    # what was changed is the scenario's own text (ecslab.coach.scenarios)
    revealed = repr(case.reveal())
    assert revealed.startswith("ミステリー A の正体: ") and japanese(revealed)
    with pytest.raises(ValueError, match="ミステリー 'Z' はありません"):
        mystery(lab, "Z")
