"""Question banks: load and select, check, plain-text import, TOML writer."""
