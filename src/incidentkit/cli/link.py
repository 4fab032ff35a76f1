"""CLI commands for link (filled in by its issue)."""

commands: list = []
