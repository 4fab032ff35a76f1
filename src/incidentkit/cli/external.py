"""CLI commands for external (filled in by its issue)."""

commands: list = []
