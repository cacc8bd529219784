"""The interface is Chinese by default: every message in the code has a Chinese translation, and
the compiled catalogue that ships is the one the .po file says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "chuangcheng"
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_every_message_in_the_catalogue_is_translated():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_the_compiled_catalogue_is_current():
    po = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
          for e in polib.pofile(str(PO)).translated_entries()}
    mo = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
          for e in polib.mofile(str(MO))}
    mo.pop((None, ""), None)
    assert po == mo, "run: cd src/chuangcheng && django-admin compilemessages"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_the_catalogue_holds_every_message_in_the_code(tmp_path):
    copy = tmp_path / "chuangcheng"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location", "--no-obsolete"],
        cwd=copy, env=env, check=True, capture_output=True,
    )
    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / PO.relative_to(PACKAGE)))}
    known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO)).translated_entries()}
    missing = sorted(msgid for _, msgid in fresh - known)
    assert missing == [], "run makemessages and translate these"


def test_translation_functions_keep_names_the_extractor_knows():
    """makemessages finds only _(), gettext(), gettext_lazy() … by name: a message marked with an
    alias such as `gettext_lazy as _lazy` would never reach the catalogue and show in English."""
    import re

    alias = re.compile(r"import (?:gettext|gettext_lazy|ngettext|ngettext_lazy|pgettext|pgettext_lazy) as (\w+)")
    odd = [
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in PACKAGE.rglob("*.py")
        for name in alias.findall(path.read_text(encoding="utf-8"))
        if name != "_"
    ]
    assert odd == []
