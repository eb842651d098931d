"""Rules over the packages a project installs: known vulnerabilities and lockfile hygiene."""
