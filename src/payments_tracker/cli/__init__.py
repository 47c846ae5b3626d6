"""The `payments-tracker` command line: a developer's and an operator's tool, never shipped to
Lambda. `root.main` is the entry point; one module per command group."""
