"""counterpoint.audit."""
