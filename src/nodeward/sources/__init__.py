"""Finding the source files a scan reads: walking the paths given, honouring ignore rules, and
reporting every file or directory left out together with the reason."""
