"""Every string of the platform is really translated into Kazakh and Russian."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = [
    ROOT / "locale" / "kk" / "LC_MESSAGES" / "django.po",
    ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po",
    ROOT / "vendor_locale" / "kk" / "LC_MESSAGES" / "django.po",
    ROOT / "vendor_locale" / "kk" / "LC_MESSAGES" / "djangojs.po",
    ROOT / "vendor_locale" / "ru" / "LC_MESSAGES" / "django.po",
]


def entries(path: Path) -> list[dict[str, str]]:
    """A small .po reader: enough for msgid, msgid_plural, msgstr[n] and flags."""
    found: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current:
                found.append(current)
            current, key = {}, ""
        elif line.startswith("#,"):
            current["flags"] = line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += line[1:-1]
        else:
            key, _, value = line.partition(" ")
            current[key] = value[1:-1]
    return [entry for entry in found if entry.get("msgid")]


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_entry_is_translated_and_not_fuzzy(path):
    problems = []
    for entry in entries(path):
        translations = [value for key, value in entry.items() if key.startswith("msgstr")]
        if "fuzzy" in entry.get("flags", "") or not all(translations):
            problems.append(entry["msgid"])
    assert not problems, problems[:20]


@pytest.mark.parametrize("path", CATALOGS[:2], ids=lambda p: str(p.relative_to(ROOT)))
def test_translations_are_not_english_copies(path):
    copies = [
        e["msgid"]
        for e in entries(path)
        if e.get("msgstr") == e["msgid"] and re.search("[a-z]{4}", e["msgid"])
    ]
    assert not copies, copies


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{ ?\w+ ?\}\}|\{\w+\}")


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_placeholders_survive_translation(path):
    """A translation invents no placeholder (that would crash) and drops none."""
    for entry in entries(path):
        source = set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        for key, value in entry.items():
            if not key.startswith("msgstr") or not value:
                continue
            used = set(PLACEHOLDER.findall(value))
            assert used <= source, (entry["msgid"], value)
            if key == "msgstr":  # plural forms may leave the number implicit
                assert used == source, (entry["msgid"], value)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogs_are_up_to_date(path, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(path)], check=True)  # noqa: S603, S607
    assert compiled.read_bytes() == path.with_suffix(".mo").read_bytes(), "run `make messages`"


SOURCES = ("participation", "reception", "forums", "moderation", "templates", "manage.py")


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is not installed")
def test_every_string_in_the_code_is_in_the_catalogs(tmp_path):
    """A string added to a template or module without `make messages` would show in English.

    makemessages runs on a copy of the sources (it writes next to what it reads).
    """
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "kk", "-v", "0"],
        cwd=tmp_path,
        check=True,
        env={**os.environ, "VAR_DIR": str(tmp_path / "var")},
    )
    fresh = tmp_path / "locale" / "kk" / "LC_MESSAGES" / "django.po"
    wanted = {key(entry) for entry in entries(fresh)}
    for path in CATALOGS[:2]:
        missing = wanted - {key(entry) for entry in entries(path)}
        assert not missing, f"{path.relative_to(ROOT)} lacks {sorted(missing)}: run `make messages`"


def key(entry: dict[str, str]) -> tuple[str, str]:
    return entry.get("msgctxt", ""), entry["msgid"]
