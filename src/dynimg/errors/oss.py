"""The OSS-compatible upload endpoint's errors (answered as OSS XML documents)."""

from __future__ import annotations

from dynimg.errors.base import ClientError
from dynimg.errors.requests import AuthenticationError
from dynimg.errors.resources import ResourceNotFound


class ObjectNotFound(ResourceNotFound):
    """The specified object does not exist."""

    code = "NoSuchKey"


class OssNotImplemented(ClientError):
    """A request this OSS-compatible endpoint does not implement (ACLs, tagging, GetObject...)."""

    code = "NotImplemented"
    http_status = 501


class ObjectTooLarge(ClientError):
    """The upload is larger than declared or than this service accepts."""

    code = "EntityTooLarge"


class OssAccessDenied(AuthenticationError):
    """Access denied."""

    code = "AccessDenied"
    http_status = 403


class UploadComplete(OssAccessDenied):
    """The upload these credentials were issued for is complete; they cannot write again."""


class OssSignatureDoesNotMatch(OssAccessDenied):
    """The request signature we calculated does not match the signature you provided."""

    code = "SignatureDoesNotMatch"


class OssInvalidAccessKeyId(OssAccessDenied):
    """The OSS Access Key Id you provided does not exist in our records."""

    code = "InvalidAccessKeyId"


class SecurityTokenExpired(OssAccessDenied):
    """The security token you provided has expired."""

    code = "SecurityTokenExpired"


class NoSuchUpload(ResourceNotFound):
    """The specified multipart upload does not exist."""

    code = "NoSuchUpload"


class InvalidPart(ClientError):
    """One or more of the specified parts could not be found or do not match."""

    code = "InvalidPart"


class MalformedXML(ClientError):
    """The XML you provided was not well-formed."""

    code = "MalformedXML"


class InvalidDigest(ClientError):
    """The Content-MD5 you specified is not valid."""

    code = "InvalidDigest"
