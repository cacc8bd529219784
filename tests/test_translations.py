"""The interface is Chinese by default: every message in the code (django.po) and in our own
scripts (djangojs.po) has a Chinese translation, and the compiled catalogues that ship are the
ones the .po files say."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "chuangcheng"
MESSAGES = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"
# django: Python and templates; djangojs: our own scripts, served by the JavaScript catalogue.
DOMAINS = ["django", "djangojs"]


def po_file(domain: str) -> Path:
    return MESSAGES / f"{domain}.po"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_in_the_catalogue_is_translated(domain):
    po = polib.pofile(str(po_file(domain)))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_is_current(domain):
    po = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
          for e in polib.pofile(str(po_file(domain))).translated_entries()}
    mo = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
          for e in polib.mofile(str(po_file(domain).with_suffix(".mo")))}
    mo.pop((None, ""), None)
    assert po == mo, "run: cd src/chuangcheng && django-admin compilemessages"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogue_holds_every_message_in_the_code(tmp_path, domain):
    copy = tmp_path / "chuangcheng"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(  # noqa: S603 - the domain is one of DOMAINS above
        [sys.executable, "-m", "django", "makemessages", "-d", domain, "-l", "zh_Hans", "--no-location",
         "--no-obsolete"],
        cwd=copy, env=env, check=True, capture_output=True,
    )
    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / po_file(domain).relative_to(PACKAGE)))}
    known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_file(domain))).translated_entries()}
    missing = sorted(msgid for _, msgid in fresh - known)
    assert missing == [], "run makemessages and translate these"


def test_our_scripts_hold_no_messages_outside_the_catalogue():
    """A script shows text through gettext() and the JavaScript catalogue, never a table of its
    own per language: Chinese written in a script would show to an English reader too."""
    import re

    han = re.compile(r"[\u4e00-\u9fff]")
    scripts = [path for path in PACKAGE.rglob("static/**/*.js") if not path.name.endswith(".min.js")]
    assert scripts
    odd = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in scripts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if han.search(line.split("//", 1)[0])
    ]
    assert odd == []


@pytest.mark.django_db
def test_the_javascript_catalogue_is_public_and_chinese_by_default(client):
    answer = client.get("/jsi18n/")
    assert answer.status_code == 200
    # The catalogue is JSON inside the script, so its Chinese is written as \u escapes.
    assert json.dumps("正在定位…")[1:-1] in answer.content.decode()
    page = client.get("/r/").content.decode()
    assert page.index('src="/jsi18n/"') < page.index("chuangcheng/app.js")


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
