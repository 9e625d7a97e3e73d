"""counterpoint.preview."""
