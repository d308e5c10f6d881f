"""The README and docs stay true to the code: settings table, CLI commands, cookbook files."""

from __future__ import annotations

import re
from pathlib import Path

from app.cli import build_parser
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _settings_rows() -> dict[str, str]:
    rows = {}
    for line in README.splitlines():
        match = re.match(r"^\| `([A-Z0-9_]+)`(?: / `([A-Z0-9_]+)`)? \| (.+?) \|", line)
        if match:
            rows[match.group(1)] = match.group(3)
            if match.group(2):
                rows[match.group(2)] = match.group(3)
    return rows


def test_every_setting_is_documented_with_its_default() -> None:
    rows = _settings_rows()
    for name, field in Settings.model_fields.items():
        variable = field.validation_alias
        assert variable in rows, f"{variable} ({name}) is missing from the README's settings table"
        default = field.default
        shown = rows[variable]
        if default is None:
            assert shown == "unset", f"{variable}: README says {shown}, code says unset"
        elif isinstance(default, bool):
            assert shown == f"`{str(default).lower()}`", f"{variable}: README says {shown}, code says {default}"
        elif variable in ("CBSI_HOST", "CBSI_PORT"):
            assert str(default) in shown
        else:
            number = f"{default:g}" if isinstance(default, float) else str(default)
            assert shown == f"`{number}`", f"{variable}: README says {shown}, code says {default}"


def test_every_cli_command_is_in_the_readme() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for command in commands:
        assert f"`cbsi-graph {command}" in README, f"cbsi-graph {command} is not described in the README"


def test_cookbook_index_lists_every_query() -> None:
    index = (ROOT / "docs" / "queries" / "README.md").read_text()
    for path in (ROOT / "docs" / "queries").glob("*.graphql"):
        assert f"]({path.name})" in index, f"{path.name} is missing from docs/queries/README.md"


def test_nothing_reads_files_from_outside_the_repository() -> None:
    """A fresh clone stands alone: the real sample files live in data/samples, and every file a doc names exists."""
    tracked = [p for folder in ("app", "analysis", "bench", "examples", "graph_seed", "loaders", "resolvers",
                                "schema", "tests", "docs") for p in (ROOT / folder).rglob("*")
               if p.suffix in (".py", ".md", ".sh", ".toml") and p != Path(__file__)
               and "node_modules" not in p.parts]  # the peer benchmark's npm packages are not ours
    tracked += [ROOT / "README.md", ROOT / "Makefile", ROOT / ".ci" / "run"]
    outside = ("/".join(("..", "shared")), "_".join(("CBSI", "SHARED", "DIR")))  # spelt apart: this file is no reader
    for path in tracked:
        text = path.read_text(encoding="utf-8")
        assert not any(word in text for word in outside), f"{path} reaches outside the repository"
    for name in re.findall(r"data/samples/([\w.-]+\.(?:csv|xml))", README):
        assert (ROOT / "data" / "samples" / name).is_file(), f"the README names data/samples/{name}, not in the repo"
    assert (ROOT / "data" / "samples" / "README.md").is_file()
