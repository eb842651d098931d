"""Rules for code, commands and modules built from values that may come from outside."""
