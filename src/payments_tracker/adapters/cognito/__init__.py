"""The Cognito user pool, for operator use cases (the api reads tokens, never the pool)."""
