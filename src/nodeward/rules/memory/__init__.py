"""Rules for reads and writes that may go past the end of a buffer."""
