"""The README a newcomer reads first (issue [12]): small, its links and images real, its
commands there, and its `cockpit` table complete. No database."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from cockpit_cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
MAX_BYTES = 10 * 1024

# [text](target) and ![alt](target); a target may carry a "title".
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_CODE_BLOCK = re.compile(r"```.*?```", re.DOTALL)


def _relative_targets(markdown: str) -> list[str]:
    targets = _LINK.findall(_CODE_BLOCK.sub("", markdown))
    return [t for t in targets if not urlsplit(t).scheme and not t.startswith(("#", "//"))]


def test_readme_is_small():
    size = README.stat().st_size
    assert size < MAX_BYTES, f"README.md is {size:,} bytes; move detail into docs/"


@pytest.mark.parametrize("document", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_image_resolves(document):
    targets = _relative_targets(document.read_text(encoding="utf-8"))
    if document == README:
        assert targets, "the README links nothing"
    missing = []
    for target in targets:
        path = unquote(target.split("#", 1)[0])
        resolved = (document.parent / path).resolve()
        if not resolved.exists() or ROOT not in (resolved, *resolved.parents):
            missing.append(target)
    assert not missing, f"{document.name}: links to nothing in the repo: {missing}"


def test_readme_shows_its_screenshots():
    images = [t for t in _LINK.findall(README.read_text(encoding="utf-8")) if t.endswith(".png")]
    assert len(images) >= 3
    for image in images:
        assert image.startswith("docs/screenshots/"), image
        assert (ROOT / image).stat().st_size < 200 * 1024, f"{image}: keep it small"


@pytest.mark.parametrize("command", ["scripts/start", "scripts/test"])
def test_the_two_commands_exist_and_are_executable(command):
    text = README.read_text(encoding="utf-8")
    assert command in text
    path = ROOT / command
    assert path.is_file() and os.access(path, os.X_OK), command
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text(), ".ci/run must call scripts/test"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _command_rows() -> list[list[str]]:
    """The words of each table row's first cell that starts with `cockpit`."""
    rows = []
    for line in README.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `cockpit "):
            continue
        first_cell = re.split(r"(?<!\\)\|", line)[1]
        words = re.split(r"[\s`·\[\]]+|\\\|", first_cell)
        rows.append([word for word in words if word])
    return rows


def test_every_cockpit_command_has_a_row_in_the_readme():
    rows = _command_rows()
    missing = []
    for name, subparser in _subcommands(build_parser()).items():
        if not any(row[1:2] == [name] for row in rows):
            missing.append(f"cockpit {name}")
            continue
        # A command with actions (`cockpit user add`, `cockpit calendar show|sync|…`)
        # names each of them in the first cell of one of its rows.
        words = [word for row in rows if row[1:2] == [name] for word in row[2:]]
        missing += [
            f"cockpit {name} {action}" for action in _subcommands(subparser) if action not in words
        ]
    assert not missing, f"README.md's `cockpit` table lacks: {missing}"
