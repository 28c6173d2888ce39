"""Alibaba Cloud RPC request signatures: HMAC-SHA1 (SignatureVersion 1.0) and ACS3-HMAC-SHA256.

Pure functions over an already-parsed request. The strings to sign are rebuilt from the decoded
parameters and re-encoded canonically (RFC 3986), never taken from the raw query text, because
the Tea SDK sends ``+`` for a space but signs ``%20``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from dynimg.errors import IncompleteSignature, InvalidParameter, MissingParameter

V3_ALGORITHM = "ACS3-HMAC-SHA256"
_V3_AUTHORIZATION = re.compile(
    r"^ACS3-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$"
)
_V3_REQUIRED_HEADERS = ("host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256")
_V1_REQUIRED = (
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "Timestamp",
    "SignatureNonce",
)


@dataclass(frozen=True)
class RpcRequest:
    """An HTTP request to the RPC gateway, decoded but not yet trusted."""

    method: str
    path: str
    query: Sequence[tuple[str, str]]
    form: Sequence[tuple[str, str]]
    headers: Mapping[str, str]
    """Header names in lower case."""
    body: bytes

    def parameters(self) -> dict[str, str]:
        """Query and form parameters merged; a name given twice is refused."""
        merged: dict[str, str] = {}
        for name, value in [*self.query, *self.form]:
            if name in merged:
                raise InvalidParameter(name, "is given more than once")
            merged[name] = value
        return merged


@dataclass(frozen=True)
class SignatureClaim:
    """What a request claims about who signed it, and the string the server signs to check."""

    access_key_id: str
    nonce: str
    timestamp: str
    signature: str
    string_to_sign: str
    version: str

    def matches(self, secret: str) -> bool:
        """Whether the claimed signature is the one ``secret`` gives, compared in constant time."""
        expected = sign(self.version, self.string_to_sign, secret)
        return hmac.compare_digest(expected.encode(), self.signature.encode())


def percent_encode(text: str) -> str:
    """RFC 3986 encoding as Alibaba specifies it: space as %20, '*' as %2A, '~' kept."""
    return quote(text, safe="~")


def canonical_query(pairs: Sequence[tuple[str, str]]) -> str:
    """Parameters sorted by name and joined as ``k=v`` with '&', both sides encoded."""
    return "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(pairs, key=lambda p: p[0])
    )


def sign(version: str, string_to_sign: str, secret: str) -> str:
    """The signature of ``string_to_sign`` with ``secret`` under a signature version."""
    if version == "1.0":
        digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def extract_claim(request: RpcRequest) -> SignatureClaim:
    """The signature claim of a request, V3 when it has an ACS3 Authorization header."""
    authorization = request.headers.get("authorization", "")
    if authorization.startswith(V3_ALGORITHM):
        return _v3_claim(request, authorization)
    return _v1_claim(request)


def _v1_claim(request: RpcRequest) -> SignatureClaim:
    params = request.parameters()
    for name in _V1_REQUIRED:
        if not params.get(name):
            raise MissingParameter(name)
    if params["SignatureMethod"] != "HMAC-SHA1":
        raise InvalidParameter("SignatureMethod", "must be HMAC-SHA1")
    if params["SignatureVersion"] != "1.0":
        raise InvalidParameter("SignatureVersion", "must be 1.0")
    signature = params.pop("Signature")
    query = canonical_query(list(params.items()))
    string_to_sign = f"{request.method}&{percent_encode('/')}&{percent_encode(query)}"
    return SignatureClaim(
        access_key_id=params["AccessKeyId"],
        nonce=params["SignatureNonce"],
        timestamp=params["Timestamp"],
        signature=signature,
        string_to_sign=string_to_sign,
        version="1.0",
    )


def _v3_claim(request: RpcRequest, authorization: str) -> SignatureClaim:
    match = _V3_AUTHORIZATION.match(authorization.strip())
    if not match:
        raise IncompleteSignature("The Authorization header is not a valid ACS3-HMAC-SHA256 one.")
    key_id, signed_list, signature = match.groups()
    signed = signed_list.split(";")
    _check_v3_headers(request.headers, signed)
    payload_hash = hashlib.sha256(request.body).hexdigest()
    if not hmac.compare_digest(payload_hash, request.headers["x-acs-content-sha256"]):
        raise IncompleteSignature("x-acs-content-sha256 is not the SHA-256 of the body.")
    canonical_headers = "".join(f"{h}:{request.headers[h].strip()}\n" for h in signed)
    canonical_request = "\n".join(
        [
            request.method,
            request.path or "/",
            canonical_query(request.query),
            canonical_headers,
            signed_list,
            payload_hash,
        ]
    )
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    return SignatureClaim(
        access_key_id=key_id,
        nonce=request.headers["x-acs-signature-nonce"],
        timestamp=request.headers["x-acs-date"],
        signature=signature,
        string_to_sign=f"{V3_ALGORITHM}\n{digest}",
        version="3",
    )


def _check_v3_headers(headers: Mapping[str, str], signed: Sequence[str]) -> None:
    for name in _V3_REQUIRED_HEADERS:
        if not headers.get(name):
            raise MissingParameter(name)
    must_sign = set(_V3_REQUIRED_HEADERS) | {h for h in headers if h.startswith("x-acs-")}
    missing = sorted(must_sign - set(signed))
    if missing:
        raise IncompleteSignature(f"These headers must be signed: {', '.join(missing)}.")
    absent = [h for h in signed if h not in headers]
    if absent:
        raise IncompleteSignature(f"Signed headers are missing: {', '.join(absent)}.")
