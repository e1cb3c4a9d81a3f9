"""Admin pages (being written)."""
