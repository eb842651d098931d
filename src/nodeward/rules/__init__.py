"""Rules of every scanner, one per file, grouped in sub-packages by category."""
