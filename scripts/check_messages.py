"""Fails when the Spanish catalogue is incomplete or its compiled .mo is stale.

Runs in `make lint` without GNU gettext (a fresh machine may not have it):
reads the .po with a small parser and asks the .mo, through Python's gettext,
for every entry. Where GNU gettext is installed (CI has it) it also
re-extracts the strings from the code and fails on any the catalogue lacks,
so a new page cannot ship in English only.
"""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "cityhall" / "locale"
IGNORE = ["-i", "test_*", "-i", "tests/*", "-i", "testing.py"]


def parse_po(path: Path) -> list[dict]:
    entries, entry, key = [], {}, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry:
                entries.append(entry)
            entry, key = {}, None
            continue
        if line.startswith("#,"):
            entry["flags"] = line[2:]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def _key(entry: dict) -> tuple[str, str]:
    return entry.get("msgctxt", ""), entry.get("msgid", "")


def unextracted(po: Path) -> list[str]:
    """Strings in the code that the catalogue lacks (needs GNU gettext)."""
    if not shutil.which("xgettext"):
        print("check_messages: GNU gettext not installed; skipped the re-extraction check")
        return []
    original = po.read_bytes()
    language = po.parent.parent.name
    try:
        subprocess.run(  # noqa: S603  (our own interpreter and fixed arguments)
            [
                sys.executable,
                "-m",
                "cityhall.cli",
                "makemessages",
                "-l",
                language,
                "--no-obsolete",
                "--no-location",
                *IGNORE,
            ],
            cwd=ROOT / "cityhall",
            env={**os.environ, "DEBUG": "true"},
            check=True,
            capture_output=True,
        )
        fresh = {_key(e) for e in parse_po(po) if e.get("msgid")}
    finally:
        po.write_bytes(original)  # the check never changes the catalogue
    known = {_key(e) for e in parse_po(po) if e.get("msgid")}
    return [
        f"{po}: not in the catalogue (run `make messages`, then translate): {msgid!r}"
        for _, msgid in sorted(fresh - known)
    ]


def main() -> int:
    problems = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists():
            problems.append(f"{mo} is missing: run `make messages`")
            continue
        with mo.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        problems.extend(unextracted(po))
        for entry in parse_po(po):
            msgid = entry.get("msgid", "")
            if not msgid:
                continue
            if "fuzzy" in entry.get("flags", ""):
                problems.append(f"{po}: fuzzy: {msgid!r}")
            context = entry.get("msgctxt")
            if "msgid_plural" in entry:
                forms = sorted(k for k in entry if k.startswith("msgstr["))
                wanted = entry.get(forms[-1], "") if forms else ""
                got = compiled.ngettext(msgid, entry["msgid_plural"], 2)
                if not all(entry.get(k) for k in forms):
                    wanted = ""
            else:
                wanted = entry.get("msgstr", "")
                got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
            if not wanted:
                problems.append(f"{po}: not translated: {msgid!r}")
            elif got != wanted:
                problems.append(f"{mo} is stale for {msgid!r}: run `make messages`")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
