"""Use cases, one module per area; each runs in one unit of work (transaction)."""
