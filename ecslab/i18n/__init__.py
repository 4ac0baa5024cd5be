"""The learner's language: English (the default) or Japanese (日本語).

Every text a learner reads from ecslab is written in English in the code, as a message id, and
translated when it is shown, through a gettext catalog read by Python's own :mod:`gettext`:
``ecslab/i18n/locale/<language>/LC_MESSAGES/ecslab.po`` (what translators edit) compiled to
``ecslab.mo`` (what Python reads) by ``tools/catalogs.py``. Texts that AWS writes (error
messages, API names, ARNs) are never translated: a Japanese explanation goes beside them.

>>> from ecslab.i18n import _, set_language
>>> set_language("ja")
>>> _("Correct.")      # doctest: +SKIP
'正解です。'

Which language, in this order:

1. ``ecslab.set_language("ja")`` (or ``"en"``; ``None`` forgets the choice);
2. the ``ECSLAB_LANG`` environment variable (``ja``, ``ja_JP.UTF-8``, ``en``, ...);
3. JupyterLab's display language (*Settings → Language*), which JupyterLab keeps in its
   translation extension's settings;
4. English.

How to write a message: ``_("...")`` where the text is used; ``N_("...")`` where it is defined
once, at import time (a table of texts), and ``_(text)`` again where it is shown; placeholders
named, ``_("{role} was changed").format(role=name)``, never an f-string (a translator needs the
whole sentence, and may put its parts in another order).
"""

from __future__ import annotations

import gettext
import json
import os
import re
import time
from functools import cache
from pathlib import Path

__all__ = ["LANGUAGES", "N_", "_", "language", "ngettext", "set_language"]

LANGUAGES = ("en", "ja")
LOCALE = Path(__file__).with_name("locale")
DOMAIN = "ecslab"

_chosen: str | None = None


def _normalized(value: str | None) -> str | None:
    """``"ja_JP.UTF-8"`` → ``"ja"``; None for anything that is not one of ecslab's languages."""
    if not value:
        return None
    code = re.split(r"[_.@-]", value.strip().lower(), maxsplit=1)[0]
    return code if code in LANGUAGES else None


# ECSLAB_LANG as it was before set_language first changed it (set_language(None) puts it back).
_UNSET = object()
_environment_before: object = _UNSET


def set_language(value: str | None) -> None:
    """Show ecslab's texts in ``value`` (``"en"`` or ``"ja"``) from now on; ``None`` goes back to
    the environment's choice (``ECSLAB_LANG``, then JupyterLab's display language).

    The choice is also put in this process's ``ECSLAB_LANG``, so that an ``ecslab`` command a
    notebook runs (``!ecslab explain ...``) speaks the same language."""
    global _chosen, _environment_before
    if value is None:
        _chosen = None
        if _environment_before is not _UNSET:
            if _environment_before is None:
                os.environ.pop("ECSLAB_LANG", None)
            else:
                os.environ["ECSLAB_LANG"] = str(_environment_before)
            _environment_before = _UNSET
        return
    chosen = _normalized(value)
    if chosen is None:
        raise ValueError(
            f"ecslab speaks {', '.join(repr(x) for x in LANGUAGES)}, not {value!r} "
            "(ecslab は 'en' と 'ja' に対応しています)"
        )
    if _environment_before is _UNSET:
        _environment_before = os.environ.get("ECSLAB_LANG")
    _chosen = chosen
    os.environ["ECSLAB_LANG"] = chosen


def language() -> str:
    """The language ecslab shows its texts in now."""
    return (
        _chosen
        or _normalized(os.environ.get("ECSLAB_LANG"))
        or _normalized(jupyterlab_language())
        or "en"
    )


def jupyterlab_language() -> str | None:
    """The display language chosen in JupyterLab (*Settings → Language*), as JupyterLab's
    translation extension keeps it (``"ja_JP"``), or None.

    Every text shown asks for it, so the answer is kept for a second: the settings file is
    looked at again only after that (a learner who changes JupyterLab's language sees ecslab
    follow at the next cell)."""
    key = tuple(os.environ.get(name) for name in _SETTINGS_ENVIRONMENT)
    now = time.monotonic()
    kept = _looked.get(key)
    if kept is not None and now - kept[0] < _LOOK_AGAIN_AFTER:
        return kept[1]
    path = _settings_file(key)
    try:
        changed = path.stat().st_mtime_ns if path is not None else None
    except OSError:
        found = None
    else:
        found = _jupyterlab_language(path, changed)
    _looked[key] = (now, found)
    return found


# Where the settings file is depends on these; what was found is kept a second for each.
_SETTINGS_ENVIRONMENT = ("JUPYTERLAB_SETTINGS_DIR", "JUPYTER_CONFIG_DIR", "HOME", "USERPROFILE")
_LOOK_AGAIN_AFTER = 1.0  # seconds
_looked: dict[tuple[str | None, ...], tuple[float, str | None]] = {}


@cache
def _settings_file(key: tuple[str | None, ...]) -> Path | None:
    """The settings file for this environment (``key``: the values of _SETTINGS_ENVIRONMENT)."""
    directory = key[0]
    if not directory:
        try:
            from jupyter_core.paths import jupyter_config_dir
        except ImportError:  # JupyterLab is not installed: no display language to follow
            return None
        directory = str(Path(jupyter_config_dir()) / "lab" / "user-settings")
    return Path(directory) / "@jupyterlab" / "translation-extension" / "plugin.jupyterlab-settings"


@cache
def _jupyterlab_language(path: Path | None, changed: int | None) -> str | None:
    """The file read once for each time it was written (``changed``)."""
    if path is None or not path.is_file():
        return None
    try:
        text = path.read_text("utf-8")
        # JupyterLab writes JSON with // comments (JSON5): take the comments out first.
        settings = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))
    except (OSError, ValueError):
        return None
    locale = settings.get("locale") if isinstance(settings, dict) else None
    return locale if isinstance(locale, str) else None


@cache
def _translations(code: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE, languages=[code], fallback=True)


def _(message: str) -> str:
    """``message`` in the learner's language (itself when there is no translation)."""
    return _translations(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count``, in the learner's language."""
    return _translations(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (translate it with ``_``
    where it is shown): for texts defined at import time."""
    return message
