"""CLI commands for export (filled in by its issue)."""

commands: list = []
