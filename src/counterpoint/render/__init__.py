"""counterpoint.render."""
