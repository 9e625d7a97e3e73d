"""counterpoint.publish."""
