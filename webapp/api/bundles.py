"""API: bundles (being written)."""
