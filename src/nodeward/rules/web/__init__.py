"""Rules for web applications: middleware setup, CSRF, cookies, headers and output escaping."""
