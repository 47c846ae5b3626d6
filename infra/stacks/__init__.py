"""The stacks of the deployment, one per concern (DESIGN §2)."""
