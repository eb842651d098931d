"""nodeward's own settings: `.nodeward.toml` or the `nodeward` key of package.json, merged with the CLI.

`nodeward.config.model` holds what the settings are, `nodeward.config.load` reads them; this package imports
neither, so that what needs only the model (the command line's defaults) does not load the readers.
"""
