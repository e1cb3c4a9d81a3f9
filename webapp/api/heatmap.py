"""API: heatmap (being written)."""
