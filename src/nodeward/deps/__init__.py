"""Dependencies: lockfile parsers, npm versions, the offline advisory database and matching."""
