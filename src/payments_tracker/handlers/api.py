"""Lambda `api`: one Powertools resolver with one router per resource; the routes read and check
requests with the domain's rules, and every exception is answered through one table
(handlers/errors.py)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from payments_tracker.composition import root
from payments_tracker.composition.settings import get_settings
from payments_tracker.edge import cors
from payments_tracker.handlers import errors
from payments_tracker.handlers.routers import commitments, consent, payments, reports
from payments_tracker.observability import logger, metrics

_settings = get_settings()
_origins = list(_settings.cors_allowed_origins)
_cors = (
    CORSConfig(
        allow_origin=_origins[0],
        extra_origins=_origins[1:],
        allow_headers=list(cors.ALLOWED_REQUEST_HEADERS),
        expose_headers=list(cors.EXPOSED_RESPONSE_HEADERS),
        max_age=cors.PREFLIGHT_MAX_AGE_SECONDS,
    )
    if _origins
    else None
)
app = APIGatewayRestResolver(cors=_cors, enable_validation=False)
if _settings.enable_swagger:
    app.enable_swagger(path="/swagger", title="payments-tracker API", version="1.0.0")
for router in (payments.router, reports.router, consent.router, commitments.router):
    app.include_router(router)
errors.register(app)
root.prepare_for_snapshot(root.api)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point."""
    result = app.resolve(event, context)
    if _cors is not None:
        # Powertools echoes an allowed Origin without `Vary: Origin`: added here to every answer
        # (routes, problems, preflight), as API Gateway passes a proxy result's headers as they are.
        cors.add_vary_origin(result)
    return result
