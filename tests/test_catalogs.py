"""The learner's language (ecslab.i18n) and the message catalogs: every message the code marks
has a Japanese translation, the compiled catalogs are the .po files', and the language is the
one chosen (set_language, ECSLAB_LANG, JupyterLab's display language, English)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import ecslab
from ecslab import i18n
from ecslab.i18n import _, language, set_language

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def catalogs():
    spec = importlib.util.spec_from_file_location("ecslab_catalogs", ROOT / "tools" / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def no_language_chosen(monkeypatch, tmp_path):
    monkeypatch.delenv("ECSLAB_LANG", raising=False)
    monkeypatch.setenv("JUPYTERLAB_SETTINGS_DIR", str(tmp_path / "settings"))
    set_language(None)
    yield
    set_language(None)


@pytest.mark.parametrize("code", ["ja"])
def test_every_message_of_the_code_has_a_translation(catalogs, code):
    catalog = catalogs.updated(code)
    assert len(catalog) > 0
    assert catalogs.missing(catalog) == []


@pytest.mark.parametrize("code", ["ja"])
def test_the_catalogs_are_up_to_date_with_the_code(catalogs, code):
    path = catalogs.po_path(code)
    assert path.read_bytes() == catalogs.po_bytes(catalogs.updated(code), code), (
        "run tools/catalogs.py"
    )
    assert path.with_suffix(".mo").read_bytes() == catalogs.mo_bytes(catalogs.read(path, code))


def test_english_is_the_default_and_japanese_is_chosen_by_set_language():
    assert language() == "en" and _("Correct.") == "Correct."
    ecslab.set_language("ja")
    assert language() == "ja" and _("Correct.") == "正解です。"
    set_language("en_US.UTF-8")
    assert _("Correct.") == "Correct."
    with pytest.raises(ValueError, match="ecslab speaks 'en', 'ja', not 'fr'"):
        set_language("fr")


def test_the_environment_chooses_when_the_learner_did_not(monkeypatch):
    monkeypatch.setenv("ECSLAB_LANG", "ja_JP.UTF-8")
    assert language() == "ja"
    set_language("en")
    assert language() == "en"  # the learner's own choice wins
    set_language(None)
    monkeypatch.setenv("ECSLAB_LANG", "de")
    assert language() == "en"  # a language ecslab does not speak: English


def test_jupyterlabs_display_language_is_followed(tmp_path, monkeypatch):
    # what was found is kept a second; here the file is looked at on every text
    monkeypatch.setattr(i18n, "_LOOK_AGAIN_AFTER", 0.0)
    settings = tmp_path / "settings" / "@jupyterlab" / "translation-extension"
    settings.mkdir(parents=True)
    path = settings / "plugin.jupyterlab-settings"
    path.write_text('{\n    // the language of the interface\n    "locale": "ja_JP"\n}\n')
    assert i18n.jupyterlab_language() == "ja_JP" and language() == "ja"
    path.write_text(json.dumps({"locale": "en"}))
    assert language() == "en"
    path.write_text("{ not json")
    assert language() == "en"


def test_jupyterlabs_display_language_is_looked_at_again_after_a_second(tmp_path, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(i18n.time, "monotonic", lambda: clock[0])
    settings = tmp_path / "settings" / "@jupyterlab" / "translation-extension"
    settings.mkdir(parents=True)
    path = settings / "plugin.jupyterlab-settings"
    path.write_text(json.dumps({"locale": "ja_JP"}))
    assert language() == "ja"
    path.write_text(json.dumps({"locale": "en"}))
    assert language() == "ja"  # within the second: as found
    clock[0] += 1.5
    assert language() == "en"


def test_an_untranslated_message_is_shown_in_english():
    set_language("ja")
    assert _("A sentence no catalog has.") == "A sentence no catalog has."


def test_the_chosen_language_reaches_the_commands_a_notebook_runs(monkeypatch):
    import subprocess
    import sys

    monkeypatch.setenv("ECSLAB_LANG", "en")
    set_language("ja")
    probe = "from ecslab.i18n import language; print(language())"
    child = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert child.stdout.strip() == "ja"
    set_language(None)  # forgets the choice, and puts the environment back as it was
    assert i18n.os.environ["ECSLAB_LANG"] == "en" and language() == "en"
