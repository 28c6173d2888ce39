"""The RPC gateway: from a decoded request to (status, body), whatever goes wrong."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from dynimg import log_context
from dynimg.api.envelopes import success_body
from dynimg.api.error_mapper import error_headers, error_response
from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import read_params
from dynimg.api.rpc.registry import build_registry
from dynimg.api.wiring import Services
from dynimg.domain.ids import new_request_id
from dynimg.domain.signing import RpcRequest
from dynimg.errors import ActionNotFound, InvalidVersion, MissingParameter, Throttled
from dynimg.services.authentication import authenticate

API_VERSION = "2017-03-21"
UNKNOWN_ACTION = "unknown"
"""The metric label of requests whose Action is missing or not one of dynimg's."""

log = logging.getLogger("dynimg.api")


class RpcGateway:
    """Resolves the Action, authenticates the caller and runs the handler."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._deps = services.deps
        self._actions = build_registry()
        self._tolerance = timedelta(seconds=services.settings.timestamp_tolerance_seconds)

    def handle(self, request: RpcRequest) -> tuple[int, dict[str, Any], str, dict[str, str]]:
        """Answer one request: HTTP status, body, its RequestId and any extra headers."""
        started = time.monotonic()
        request_id = new_request_id()
        action: Action | None = None
        headers: dict[str, str] = {}
        with log_context.bound(log_context.request_id, request_id):
            try:
                params = request.parameters()
                action = self._resolve_action(params, request.headers)
                status, body = 200, self._dispatch(request, request_id, params, action)
            except Exception as exc:
                status, body = error_response(exc, request_id, self._services.settings.host_id)
                headers = error_headers(exc)
            name = action.name if action is not None else UNKNOWN_ACTION
            elapsed = time.monotonic() - started
            log.info("%s answered %s in %.1f ms", name, status, elapsed * 1000)
        self._deps.metrics.request_served(name, status, elapsed)
        return status, body, request_id, headers

    def _dispatch(
        self, request: RpcRequest, request_id: str, params: dict[str, str], action: Action
    ) -> dict[str, Any]:
        account = authenticate(request, self._deps.uow_factory, self._deps.clock, self._tolerance)
        traced = {"rpc.method": action.name, "account.id": account.id, "request.id": request_id}
        self._deps.tracer.annotate(traced)
        if not self._deps.rate_limiter.allow(account.id, action.name):
            raise Throttled(self._deps.rate_limiter.retry_after(action.name))
        context = ActionContext(
            services=self._services,
            account=account,
            params=read_params(action.params, params),
            request_id=request_id,
        )
        return success_body(request_id, action.handler(context))

    def _resolve_action(self, params: dict[str, str], headers: dict[str, str] | Any) -> Action:
        name = params.get("Action") or headers.get("x-acs-action")
        if not name:
            raise MissingParameter("Action")
        action = self._actions.get(name)
        if action is None:
            raise ActionNotFound()
        version = params.get("Version") or headers.get("x-acs-version")
        if not version:
            raise MissingParameter("Version")
        if version != API_VERSION:
            raise InvalidVersion()
        return action
