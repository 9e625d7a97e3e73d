"""counterpoint.brief."""
