"""Rules for regular expressions built from outside values or prone to catastrophic backtracking (ReDoS)."""
