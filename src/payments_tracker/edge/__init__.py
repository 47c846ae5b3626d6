"""The contract at the edge, shared by the functions, the local gateway and infra/: the routes
API Gateway declares, CORS, the gateway's own problem+json answers, the one problem+json builder,
and the web page's runtime config and security policy (served by CloudFront or locally)."""
