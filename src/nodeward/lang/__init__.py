"""Language-level analyses (JavaScript source and regular expressions)."""
