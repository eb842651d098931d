"""Analyses over the semantic model: dataflow and taint tracking."""
