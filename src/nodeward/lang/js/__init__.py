"""The JavaScript/TypeScript front end: parsing, scopes, module names, constants."""
