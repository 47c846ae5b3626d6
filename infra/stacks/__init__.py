"""The stacks of the deployment, one per concern (docs/design.md §2)."""
