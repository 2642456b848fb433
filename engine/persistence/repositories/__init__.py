"""Repositories: one per aggregate, each over one open connection of a unit of work."""
