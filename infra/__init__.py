"""The AWS deployment of payments-tracker as a CDK v2 app (docs/design.md §2)."""
