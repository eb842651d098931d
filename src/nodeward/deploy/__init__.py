"""Configuration and deployment checks: Dockerfiles, compose files, Kubernetes manifests, `.npmrc`,
`package.json` scripts and engines, and the modes of sensitive files on disk.

- ``dockerfile``: a Dockerfile parser (continuations, heredocs, JSON and shell forms, stages, ARG expansion);
- ``yamldoc``: YAML documents that remember the line of every key and item;
- ``knowledge``: what the checks know, as data tables (dangerous capabilities, sensitive host paths,
  sensitive file names, Node.js end-of-life dates, images that run as non-root...);
- ``docker``, ``compose``, ``kubernetes``, ``npm``: the checks of each format, reading those tables;
- ``dockerignore``, ``permissions``: the checks that need the tree around a file (run once per scan);
- ``emit``: findings built from the rules' metadata, and the practices evidence for the scorecard.
"""
