"""API: verify (being written)."""
