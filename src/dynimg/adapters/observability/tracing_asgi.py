"""The server span of each HTTP request, as plain ASGI middleware (used only when tracing is on).

A request that carries a W3C ``traceparent`` continues the caller's trace; any other starts
one. The span records the method, the route's template (else the path), the scheme and the
status; never the query (it carries signatures: ``Signature``, ``auth_key``) nor a header.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from dynimg.adapters.observability.tracing import OtelTracer

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
PROPAGATED = (b"traceparent", b"tracestate")


class TracingMiddleware:
    """Wraps an ASGI app: one server span per HTTP request."""

    def __init__(self, app: ASGIApp, tracer: OtelTracer) -> None:
        self._app, self._tracer = app, tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        from opentelemetry.trace import SpanKind, Status, StatusCode

        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers", ())
            if name in PROPAGATED
        }
        method = str(scope.get("method", "GET"))
        attributes = {"http.request.method": method, "url.scheme": str(scope.get("scheme", ""))}
        with self._tracer.tracer.start_as_current_span(
            method, context=self._tracer.extract(carrier), kind=SpanKind.SERVER,
            attributes=attributes,
        ) as span:  # fmt: skip

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            try:
                await self._app(scope, receive, sending)
            finally:
                route = _route(scope)
                span.set_attribute("http.route", route)
                span.update_name(f"{method} {route}")


def _route(scope: Scope) -> str:
    """The matched route's template (Starlette leaves it in the scope), else the path."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str) and template:
        return template
    return str(scope.get("root_path", "")) + str(scope.get("path", ""))
