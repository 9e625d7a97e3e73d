"""counterpoint.publish.docx."""
