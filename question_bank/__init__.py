"""Question banks, shipped inside the package as `interviewer._banks`."""
