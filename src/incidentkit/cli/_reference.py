"""The CLI reference page, generated from the commands' own --help (the sqlite-utils habit).

``docs/cli.md`` is this function's output; a test regenerates it and fails when the committed page has
drifted from the code, so the reference can never go stale.
"""

from __future__ import annotations

import click

from incidentkit.cli import main


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    out = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            out.extend(_walk(command.commands[name], path + [name]))
    return out


def help_text(path: list[str]) -> str:
    """The --help output of ``incidentkit <path...>`` at a fixed width."""
    from click.testing import CliRunner

    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=100, prog_name="incidentkit")
    return result.output


def all_commands() -> list[tuple[list[str], click.Command]]:
    return [(p, c) for p, c in _walk(main, []) if p]


def reference_markdown() -> str:
    lines = ["# incidentkit command reference", "",
             "Generated from each command's `--help` by `python -m incidentkit.cli._reference > docs/cli.md`;",
             "a test fails when this page and the code disagree.", ""]
    for path, _ in all_commands():
        lines += [f"## incidentkit {' '.join(path)}", "", "```text", help_text(path).rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(reference_markdown(), end="")
