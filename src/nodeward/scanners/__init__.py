"""Scanners: each turns discovered files into findings."""
