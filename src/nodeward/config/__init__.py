"""nodeward's own settings: `.nodeward.toml` or the `nodeward` key of package.json, merged with the CLI."""

from nodeward.config.load import CONFIG_FILE_NAME, ConfigError, find_config, load_config
from nodeward.config.model import Config

__all__ = ["CONFIG_FILE_NAME", "Config", "ConfigError", "find_config", "load_config"]
