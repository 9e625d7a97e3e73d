"""counterpoint.pipeline."""
