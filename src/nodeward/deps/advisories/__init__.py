"""Security advisories: the OSV model, importing OSV exports, and the offline SQLite database."""
