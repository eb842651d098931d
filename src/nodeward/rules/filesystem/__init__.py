"""Rules for file-system access: paths that may lead outside the directory the code meant to use."""
