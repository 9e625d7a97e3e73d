"""counterpoint.process."""
