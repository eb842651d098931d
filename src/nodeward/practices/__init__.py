"""Web-application practices: app facts per file (worker), one model per application and its findings and
scorecard across files (main process)."""
