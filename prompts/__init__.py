"""Prompt templates, shipped inside the package as `interviewer._prompts`."""
