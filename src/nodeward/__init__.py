"""nodeward: a security auditor for Node.js applications and npm libraries."""

__version__ = "0.1.0"
