"""OSS request signatures (V1, what ``oss2`` sends with ``StsAuth``), as pure functions."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dynimg.errors import OssAccessDenied

SUBRESOURCES = frozenset(
    """
    response-content-type response-content-language response-cache-control logging
    response-content-encoding acl uploadId uploads partNumber group link delete website location
    objectInfo objectMeta response-expires response-content-disposition cors lifecycle restore
    qos referer stat bucketInfo append position security-token live comp status vod startTime
    endTime x-oss-process symlink callback callback-var tagging encryption versions versioning
    versionId policy requestPayment x-oss-traffic-limit qosInfo asyncFetch x-oss-request-payer
    sequential inventory inventoryId continuation-token worm wormId wormExtend replication
    replicationLocation replicationProgress transferAcceleration cname metaQuery
    x-oss-ac-source-ip x-oss-ac-subnet-mask x-oss-ac-vpc-id x-oss-ac-forward-allow resourceGroup
    style styleName x-oss-async-process regionList x-oss-write-get-object-response
    bucketArchiveDirectRead httpsConfig redundancyTransition x-oss-target-redundancy-type
    x-oss-redundancy-transition-taskid accessPoint accessPointPolicy publicAccessBlock
    x-oss-access-point-name requesterQosInfo qosRequester resourcePoolInfo resourcePool
    resourcePoolBuckets
    """.split()  # noqa: SIM905
)
"""Query keys that are part of the signed resource, as oss2 2.19 lists them."""


@dataclass(frozen=True)
class OssClaim:
    """Who claims to sign an OSS request, and the string the server signs to check."""

    access_key_id: str
    signature: str
    security_token: str
    string_to_sign: str

    def matches(self, secret: str) -> bool:
        digest = hmac.new(secret.encode(), self.string_to_sign.encode(), hashlib.sha1).digest()
        return hmac.compare_digest(base64.b64encode(digest), self.signature.encode())


def oss_claim(
    method: str,
    headers: Mapping[str, str],
    bucket: str,
    key: str,
    query: Sequence[tuple[str, str]],
) -> OssClaim:
    """The claim of a header-signed OSS request (``Authorization: OSS id:signature``)."""
    authorization = headers.get("authorization", "")
    scheme, _, credential = authorization.partition(" ")
    key_id, _, signature = credential.partition(":")
    if scheme != "OSS" or not key_id or not signature:
        raise OssAccessDenied("The request is not signed with an OSS V1 signature.")
    oss_headers = sorted((k, v) for k, v in headers.items() if k.startswith("x-oss-"))
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in oss_headers)
    string_to_sign = "\n".join(
        [
            method,
            headers.get("content-md5", ""),
            headers.get("content-type", ""),
            headers.get("x-oss-date") or headers.get("date", ""),
            canonical_headers + f"/{bucket}/{key}" + _subresources(query),
        ]
    )
    return OssClaim(key_id, signature, headers.get("x-oss-security-token", ""), string_to_sign)


def _subresources(query: Sequence[tuple[str, str]]) -> str:
    signed = sorted((k, v) for k, v in query if k in SUBRESOURCES)
    if not signed:
        return ""
    return "?" + "&".join(f"{k}={v}" if v else k for k, v in signed)
