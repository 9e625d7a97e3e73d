"""counterpoint.cli."""
