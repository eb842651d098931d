"""App-level practices: controls missing from a whole application (CSRF, throttling, headers, logging...)."""
