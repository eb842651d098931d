"""Taint tracking: where a value comes from (request data, CLI arguments, parameters of a library's API)
and whether it reaches a sink without the sanitizer that sink needs.

Phase 1 (per file, in workers): `engine.TaintAnalysis` evaluates values at sinks on demand and records
what it cannot decide alone (a parameter that reaches a sink, calls into other functions) as plain-data
summaries. Phase 2 (main process): `project` joins the summaries of all files over the module graph.
"""
