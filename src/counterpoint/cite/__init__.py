"""counterpoint.cite."""
