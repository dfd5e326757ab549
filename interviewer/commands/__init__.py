"""One module per CLI command. Each defines `register(subparsers)` and imports nothing heavy at
module level: the handler imports what it needs when it runs."""
