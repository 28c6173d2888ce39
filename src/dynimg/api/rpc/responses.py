"""RPC answers on the wire: JSON, or XML when the request asks for ``Format=XML``.

Alibaba's documented default is XML, but every official SDK sends ``Format=JSON`` (or no
Format and ``Accept: application/json``), so dynimg answers JSON unless XML is asked for.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from starlette.responses import JSONResponse, Response

from dynimg.api.xml_text import xml_text
from dynimg.domain.signing import RpcRequest

XML_CONTENT_TYPE = "text/xml;charset=utf-8"  # what the Tea SDK checks to parse an XML error


def rpc_response(
    request: RpcRequest | None,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
) -> Response:
    """The HTTP response for ``body``, in the format ``request`` asked for."""
    if request is None or not wants_xml(request):
        return JSONResponse(body, status, headers=headers)
    root = "Error" if status >= 400 else f"{_action(request)}Response"
    return Response(xml_document(root, body), status, headers, media_type=XML_CONTENT_TYPE)


def wants_xml(request: RpcRequest) -> bool:
    """Whether the request's ``Format`` parameter is XML (case-insensitive)."""
    formats = [value for name, value in [*request.query, *request.form] if name == "Format"]
    return bool(formats) and formats[0].strip().upper() == "XML"


def xml_document(root: str, body: dict[str, Any]) -> bytes:
    """``body`` as Alibaba's XML: one element per field, list items repeated without a wrapper."""
    element = ElementTree.Element(root)
    for name, value in body.items():
        _append(element, name, value)
    return bytes(ElementTree.tostring(element, encoding="UTF-8", xml_declaration=True))


def _append(parent: ElementTree.Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _append(parent, name, item)
        return
    child = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(child, key, item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = xml_text(str(value))


def _action(request: RpcRequest) -> str:
    names = [value for name, value in [*request.query, *request.form] if name == "Action"]
    return names[0] if names else request.headers.get("x-acs-action", "Rpc")
