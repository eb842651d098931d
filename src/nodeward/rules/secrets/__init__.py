"""Secrets rules (NW5xx): credentials and personal data in the tree, in git history, in what ships."""
