"""The AWS deployment of payments-tracker as a CDK v2 app (DESIGN §2)."""
