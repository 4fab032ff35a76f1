"""The CLI reference in docs/cli.md is generated from --help and must match the code; every command
shows a runnable example."""

from __future__ import annotations

from incidentkit.cli._reference import all_commands, help_text, reference_markdown

from conftest import REPO


def test_cli_reference_is_up_to_date():
    committed = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), (
        "docs/cli.md is stale: run  python -m incidentkit.cli._reference > docs/cli.md")


def test_every_command_has_an_example_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path, command in all_commands():
        if command.__class__.__name__ == "Group" or hasattr(command, "commands"):
            continue
        text = help_text(path)
        assert "Example" in text, f"incidentkit {' '.join(path)} --help shows no example"
        assert f"incidentkit {' '.join(path)}" in readme, f"incidentkit {' '.join(path)} is not in the README"
