"""Configuration and deployment rules (NW7xx): Dockerfile, compose, Kubernetes, npm settings, file modes."""
