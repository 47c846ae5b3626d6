"""What API Gateway (REST API, stage v1) does with a request, as pure functions (dev tooling only).

Route matching, the TOKEN authorizer event and the evaluation of its policy, the Lambda proxy event
(payload format 1.0) and the translation of the proxy response back to HTTP. No I/O here, so the
shapes can be tested against AWS's documented examples.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple
from urllib.parse import parse_qsl

from payments_tracker.edge.routes import API_ROUTES, BINARY_MEDIA_TYPES, LOCAL_ONLY_ROUTES, Route

ACCOUNT_ID: Final = "123456789012"
API_ID: Final = "local"
STAGE: Final = "v1"
MAX_REQUEST_BODY_BYTES: Final = 10 * 1024 * 1024
"""API Gateway's payload limit (10 MB); the api handler enforces our own, much smaller one."""

_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_HOP_BY_HOP: Final = frozenset(
    {"connection", "content-length", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer"}
)
_PROXY_RESPONSE_KEYS: Final = frozenset(
    {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
)


class RouteMatch(NamedTuple):
    """A request matched to a route: resource template, path parameters, whether it needs auth."""

    route: Route
    path_parameters: dict[str, str]
    authenticated: bool


@dataclass(frozen=True)
class GatewayRequest:
    """The HTTP request as the gateway received it (path percent-encoded, as AWS passes it)."""

    method: str
    path: str
    query_string: str = ""
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class AuthorizerGrant:
    """A TOKEN authorizer's answer: who the caller is, what they may call, the context to pass."""

    principal_id: str
    policy: Mapping[str, Any]
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProxyResponse:
    """The HTTP response the gateway sends for a Lambda proxy integration's result."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    from_integration: bool = False
    """True for the Lambda's own response, False for one the gateway generated."""


class MalformedResultError(ValueError):
    """A Lambda returned something API Gateway would refuse (it answers 502 or 500)."""


def _segments(path: str) -> list[str]:
    return path.split("/")[1:] if path != "/" else []


def _match_template(template: str, path: str) -> dict[str, str] | None:
    wanted, given = _segments(template), _segments(path)
    if len(wanted) != len(given):
        return None
    parameters: dict[str, str] = {}
    for pattern, segment in zip(wanted, given, strict=True):
        if pattern.startswith("{") and pattern.endswith("}"):
            if not segment:
                return None
            parameters[pattern[1:-1]] = segment
        elif pattern != segment:
            return None
    return parameters


def match_resource(path: str, routes: Iterable[Route]) -> tuple[str, dict[str, str]] | None:
    """The resource template of a path (literal segments beat `{param}`), with its parameters."""
    if not path.startswith("/"):
        return None
    candidates: list[tuple[tuple[bool, ...], str, dict[str, str]]] = []
    for template in {route.resource for route in routes}:
        parameters = _match_template(template, path)
        if parameters is not None:
            specificity = tuple(part.startswith("{") for part in _segments(template))
            candidates.append((specificity, template, parameters))
    if not candidates:
        return None
    _, template, parameters = min(candidates)
    return template, parameters


def resource_methods(
    path: str, routes: Iterable[Route] = API_ROUTES + LOCAL_ONLY_ROUTES
) -> set[str]:
    """The methods declared on the resource of `path`; empty for an unknown resource."""
    all_routes = tuple(routes)
    found = match_resource(path, all_routes)
    if found is None:
        return set()
    return {route.method for route in all_routes if route.resource == found[0]}


def match_route(
    method: str,
    path: str,
    routes: Iterable[Route] = API_ROUTES,
    public_routes: Iterable[Route] = LOCAL_ONLY_ROUTES,
) -> RouteMatch | None:
    """The route for method + path, or None (API Gateway: MISSING_AUTHENTICATION_TOKEN)."""
    authenticated_routes, open_routes = tuple(routes), tuple(public_routes)
    found = match_resource(path, authenticated_routes + open_routes)
    if found is None:
        return None
    template, parameters = found
    route = Route(method, template)
    if route in authenticated_routes:
        return RouteMatch(route, parameters, authenticated=True)
    if route in open_routes:
        return RouteMatch(route, parameters, authenticated=False)
    return None


def method_arn(region: str, method: str, path: str) -> str:
    """The method ARN the authorizer gets: arn:aws:execute-api:<region>:<acct>:<api>/v1/M/path."""
    return f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{API_ID}/{STAGE}/{method}/{path.lstrip('/')}"


def build_authorizer_event(token: str, arn: str) -> dict[str, Any]:
    """The TOKEN authorizer event: the raw Authorization header and the method ARN."""
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}


def _as_list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value]


def _arn_glob(pattern: str) -> re.Pattern[str]:
    # IAM resource wildcards: `*` is any run of characters (slashes too), `?` exactly one.
    parts = (".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile("".join(parts), re.DOTALL)


def _statement_covers(statement: Mapping[str, Any], arn: str) -> bool:
    actions = [str(action) for action in _as_list(statement.get("Action", []))]
    if not any(action in {"execute-api:Invoke", "execute-api:*", "*"} for action in actions):
        return False
    resources = [str(resource) for resource in _as_list(statement.get("Resource", []))]
    return any(_arn_glob(resource).fullmatch(arn) for resource in resources)


def policy_allows(policy: Mapping[str, Any], arn: str) -> bool:
    """Whether an IAM policy allows execute-api:Invoke on `arn` (an explicit Deny wins)."""
    statements = [s for s in _as_list(policy.get("Statement", [])) if isinstance(s, Mapping)]
    covering = [s for s in statements if _statement_covers(s, arn)]
    if any(str(s.get("Effect", "")).lower() == "deny" for s in covering):
        return False
    return any(str(s.get("Effect", "")).lower() == "allow" for s in covering)


def _context_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResultError("authorizer context values must be strings, numbers or booleans")


def parse_authorizer_result(result: object) -> AuthorizerGrant:
    """Check an authorizer's result as API Gateway does (else AUTHORIZER_CONFIGURATION_ERROR)."""
    if not isinstance(result, Mapping):
        raise MalformedResultError("authorizer result is not an object")
    principal_id = result.get("principalId")
    policy = result.get("policyDocument")
    if not isinstance(principal_id, str) or not principal_id:
        raise MalformedResultError("authorizer result has no principalId")
    if not isinstance(policy, Mapping) or "Statement" not in policy:
        raise MalformedResultError("authorizer result has no policyDocument")
    context = result.get("context") or {}
    if not isinstance(context, Mapping):
        raise MalformedResultError("authorizer context is not an object")
    flat = {str(key): _context_value(value) for key, value in context.items()}
    return AuthorizerGrant(principal_id=principal_id, policy=dict(policy), context=flat)


def _request_time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment:%d}/{_MONTHS[moment.month - 1]}/{moment:%Y:%H:%M:%S} +0000"


def _multi(
    pairs: Iterable[tuple[str, str]],
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value  # AWS keeps the last value in the single-value form
        multi.setdefault(name, []).append(value)
    return (single or None), (multi or None)


def is_binary_media_type(
    content_type: str | None, binary_media_types: Iterable[str] = BINARY_MEDIA_TYPES
) -> bool:
    """True if API Gateway treats a request body of this Content-Type as binary (base64 to Lambda).

    A pattern is `type/subtype`, `type/*` or `*/*`; parameters (`; charset=…`) play no part. A
    request without Content-Type counts as `application/json`, API Gateway's default.
    """
    media_type = (content_type or "application/json").split(";", 1)[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    for pattern in binary_media_types:
        wanted_kind, _, wanted_subtype = pattern.strip().lower().partition("/")
        if wanted_kind in ("*", kind) and wanted_subtype in ("*", subtype):
            return True
    return False


def _body_fields(
    body: bytes, content_type: str | None, binary_media_types: Iterable[str]
) -> tuple[str | None, bool]:
    """The event's `body` and `isBase64Encoded`, as the REST API's binaryMediaTypes decide."""
    if not body:
        return None, False
    if is_binary_media_type(content_type, binary_media_types):
        return base64.b64encode(body).decode("ascii"), True
    # A text media type: API Gateway passes a UTF-8 string. What it makes of bytes that are not
    # UTF-8 is undocumented; replacing them is this stand-in's guess (binaryMediaTypes `*/*`
    # keeps every deployed request off this path).
    return body.decode("utf-8", "replace"), False


def _forwarding_headers(request: GatewayRequest) -> list[tuple[str, str]]:
    headers = [
        (name, value) for name, value in request.headers if name.lower() != "x-forwarded-for"
    ]
    earlier = [value for name, value in request.headers if name.lower() == "x-forwarded-for"]
    headers.append(("X-Forwarded-For", ", ".join([*earlier, request.source_ip])))
    if not any(name.lower() == "x-forwarded-proto" for name, _ in request.headers):
        headers.append(("X-Forwarded-Proto", "http"))
    return headers


def build_proxy_event(
    request: GatewayRequest,
    match: RouteMatch,
    *,
    request_id: str,
    received_at: datetime,
    authorizer: Mapping[str, Any] | None = None,
    binary_media_types: Iterable[str] = BINARY_MEDIA_TYPES,
) -> dict[str, Any]:
    """The Lambda proxy event (REST API, payload 1.0) that API Gateway sends for this request."""
    headers, multi_headers = _multi(_forwarding_headers(request))
    query, multi_query = _multi(parse_qsl(request.query_string, keep_blank_values=True))
    content_type = next((v for n, v in request.headers if n.lower() == "content-type"), None)
    body, is_base64 = _body_fields(request.body, content_type, binary_media_types)
    host = next((v for n, v in request.headers if n.lower() == "host"), f"{API_ID}.local")
    user_agent = next((v for n, v in request.headers if n.lower() == "user-agent"), None)
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": host,
        "domainPrefix": API_ID,
        "extendedRequestId": request_id,
        "httpMethod": match.route.method,
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": request.source_ip,
            "user": None,
            "userAgent": user_agent,
            "userArn": None,
            "clientCert": None,
        },
        # The local base URL stands for the stage root (like a custom domain mapped at "/"):
        # the path the client used has no "/v1", so links the handlers build (Location) work.
        "path": request.path,
        "protocol": request.protocol,
        "requestId": request_id,
        "requestTime": _request_time(received_at),
        "requestTimeEpoch": int(received_at.timestamp() * 1000),
        "resourceId": hashlib.sha256(match.route.resource.encode()).hexdigest()[:6],
        "resourcePath": match.route.resource,
        "stage": STAGE,
    }
    if authorizer is not None:
        request_context["authorizer"] = dict(authorizer)
    return {
        "resource": match.route.resource,
        "path": request.path,
        "httpMethod": match.route.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": match.path_parameters or None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def authorizer_request_context(
    grant: AuthorizerGrant, integration_latency_ms: int
) -> dict[str, Any]:
    """`requestContext.authorizer` of the proxy event: principalId, flat context, latency."""
    return {
        "principalId": grant.principal_id,
        **grant.context,
        "integrationLatency": integration_latency_ms,
    }


def _header_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResultError("header values must be strings")


def parse_proxy_response(result: object) -> ProxyResponse:
    """Translate a Lambda proxy result to HTTP as API Gateway does (MalformedResultError: 502)."""
    if not isinstance(result, Mapping):
        raise MalformedResultError("proxy result is not an object")
    if unknown := set(result) - _PROXY_RESPONSE_KEYS:
        raise MalformedResultError(f"proxy result has unexpected keys {sorted(unknown)}")
    status = result.get("statusCode", 200)
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResultError("proxy result has no valid statusCode")
    merged: dict[str, list[str]] = {}
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(single, Mapping) or not isinstance(multi, Mapping):
        raise MalformedResultError("proxy result headers are not objects")
    for name, value in single.items():
        merged[str(name)] = [_header_value(value)]
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResultError("multiValueHeaders values must be lists")
        merged[str(name)] = [_header_value(value) for value in values]
    if not any(name.lower() == "content-type" for name in merged):
        merged["Content-Type"] = ["application/json"]  # API Gateway's default for proxy results
    headers = [
        (name, value)
        for name, values in merged.items()
        if name.lower() not in _HOP_BY_HOP
        for value in values
    ]
    body = result.get("body")
    if body is None:
        payload = b""
    elif isinstance(body, str):
        if result.get("isBase64Encoded") is True:
            try:
                payload = base64.b64decode(body, validate=True)
            except ValueError as error:
                raise MalformedResultError("body is not valid base64") from error
        else:
            payload = body.encode("utf-8")
    else:
        raise MalformedResultError("proxy result body is not a string")
    return ProxyResponse(status=status, headers=headers, body=payload, from_integration=True)
