"""dynimg's one exception tree. Every error carries an Alibaba error code and an HTTP status.

The API turns any :class:`DynimgError` into Alibaba's error body in exactly one place
(``dynimg.api.error_mapper``); anything else becomes ``InternalError`` with its details kept
out of the response. Code never matches on message text: it catches classes.

::

    DynimgError
    ├── ClientError (4xx)
    │   ├── MissingParameter, InvalidParameter
    │   ├── AuthenticationError
    │   │   ├── IncompleteSignature, SignatureDoesNotMatch
    │   │   ├── AccessKeyNotFound, AccessKeyInactive
    │   │   ├── TimestampExpired, TimestampFormat, SignatureNonceUsed
    │   ├── ActionNotFound, InvalidVersion, Forbidden, Throttled, AccountExists
    │   │   OnDemandThrottled (429), RenderFailed (422)
│   ├── RequestTooLarge
    │   ├── ResourceNotFound
    │   │   ├── TemplateNotFound, AccountNotFound
    │   ├── ObjectNotFound, ObjectTooLarge, NoSuchUpload, InvalidPart, MalformedXML,
    │   │   InvalidDigest, VideoNotFound, WatermarkNotFound,
    │   │   JobNotFound, IllegalStatus, InvalidFileNameExtension (403), OssNotImplemented (501)
    │   ├── OssAccessDenied (403): OssSignatureDoesNotMatch, OssInvalidAccessKeyId,
    │   │   SecurityTokenExpired, UploadComplete
    │   └── MediaError
    │       ├── UnreadableMedia, NoVideoStream, ClipOutOfRange, EmptyClip
    │       ├── MediaLimitExceeded, RenderTimeout, UnreadableWatermark,
    │       └── FileSizeUnreachable
    └── ServerError (5xx)
        ├── InternalError, ServiceUnavailable, StorageError, DatabaseUnavailable
"""

from __future__ import annotations


class DynimgError(Exception):
    """Base of every error dynimg reports; the docstring of a subclass is its default message."""

    code: str = "InternalError"
    http_status: int = 500

    def __init__(self, message: str | None = None) -> None:
        self.message = message or (self.__doc__ or self.code).strip()
        super().__init__(self.message)


class ClientError(DynimgError):
    """The request was not valid."""

    code = "InvalidParameter"
    http_status = 400


class ServerError(DynimgError):
    """The request processing has failed due to some unknown error."""


class InternalError(ServerError):
    """The request processing has failed due to some unknown error."""


class ServiceUnavailable(ServerError):
    """The request has failed due to a temporary failure of the server."""

    code = "ServiceUnAvailable"
    http_status = 503


class MissingParameter(ClientError):
    """A mandatory parameter is missing."""

    code = "MissingParameter"

    def __init__(self, name: str) -> None:
        self.parameter = name
        super().__init__(
            f"The input parameter {name!r} that is mandatory for processing this request "
            "is not supplied."
        )


class InvalidParameter(ClientError):
    """A parameter has a value that is not valid."""

    code = "InvalidParameter"

    def __init__(self, name: str, reason: str = "") -> None:
        self.parameter = name
        detail = f": {reason}" if reason else "."
        super().__init__(f"The specified parameter {name!r} is not valid{detail}")


class AuthenticationError(ClientError):
    """The request could not be authenticated."""


class IncompleteSignature(AuthenticationError):
    """The request signature does not conform to Alibaba Cloud standards."""

    code = "IncompleteSignature"


class SignatureDoesNotMatch(AuthenticationError):
    """Specified signature is not matched with our calculation."""

    code = "SignatureDoesNotMatch"

    def __init__(self, string_to_sign: str) -> None:
        # aliyun-python-sdk-core splits this message on ':' and compares the tail with its own
        # string to sign, so the wording and the colon are part of the wire contract.
        super().__init__(
            "Specified signature is not matched with our calculation. "
            f"server string to sign is:{string_to_sign}"
        )


class AccessKeyNotFound(AuthenticationError):
    """Specified access key is not found."""

    code = "InvalidAccessKeyId.NotFound"
    http_status = 404


class AccessKeyInactive(AuthenticationError):
    """Specified access key is disabled."""

    code = "InvalidAccessKeyId.Inactive"


class TimestampExpired(AuthenticationError):
    """Specified time stamp or date value is expired."""

    code = "InvalidTimeStamp.Expired"


class TimestampFormat(AuthenticationError):
    """Specified time stamp or date value is not well formatted."""

    code = "InvalidTimeStamp.Format"


class SignatureNonceUsed(AuthenticationError):
    """Specified signature nonce was used already."""

    code = "SignatureNonceUsed"


class ActionNotFound(ClientError):
    """Specified api is not found, please check your url and method."""

    code = "InvalidAction.NotFound"
    http_status = 404


class InvalidVersion(ClientError):
    """Specified parameter Version is not valid."""

    code = "InvalidVersion"


class RequestTooLarge(ClientError):
    """The request is larger than the gateway accepts."""

    code = "RequestEntityTooLarge"
    http_status = 413


class Forbidden(ClientError):
    """User not authorized to operate on the specified resource."""

    code = "Forbidden"
    http_status = 403


class Throttled(ClientError):
    """Request was denied due to user flow control."""

    code = "Throttling.User"

    def __init__(self, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"Request was denied due to user flow control. Retry after {retry_after} s."
        )


class OnDemandThrottled(Throttled):
    """Too many on-demand renders of this account are in flight."""

    code = "Throttling.OnDemand"
    http_status = 429

    def __init__(self, limit: int, retry_after: int = 2) -> None:
        super().__init__(retry_after)
        self.message = (
            f"At most {limit} on-demand renders of one account run at once. "
            f"Retry after {retry_after} s."
        )


class RenderFailed(ClientError):
    """The on-demand render failed."""

    code = "OnDemand.RenderFailed"
    http_status = 422


class ResourceNotFound(ClientError):
    """The specified resource does not exist."""

    code = "NoSuchResource"
    http_status = 404


class TemplateNotFound(ResourceNotFound):
    """The template does not exist."""

    code = "InvalidTemplate.NotFound"


class AccountNotFound(ResourceNotFound):
    """The account does not exist."""

    code = "InvalidAccount.NotFound"


class UserNotFound(ResourceNotFound):
    """No console user has that name."""

    code = "InvalidUser.NotFound"


class UserExists(ClientError):
    """A console user with that name exists already."""

    code = "UserAlreadyExists"
    http_status = 409


class SignInFailed(ClientError):
    """The username or password is wrong."""

    code = "SignInFailed"
    http_status = 401


class AccountExists(ClientError):
    """An account with that name exists already."""

    code = "AccountAlreadyExists"
    http_status = 409


class MediaError(ClientError):
    """The media could not be processed."""

    code = "InvalidMedia"


class UnreadableMedia(MediaError):
    """The file is not a readable video: it is empty, truncated, corrupt or of an unknown format."""

    code = "InvalidMedia.Unreadable"


class NoVideoStream(MediaError):
    """The file has no video stream."""

    code = "InvalidMedia.NoVideo"


class ClipOutOfRange(MediaError):
    """The clip starts at or after the end of the video."""

    code = "InvalidClip.OutOfRange"


class EmptyClip(MediaError):
    """The clip is empty: End or Duration leave nothing to capture."""

    code = "InvalidClip.Empty"


class MediaLimitExceeded(MediaError):
    """The media or the requested output is larger than this service accepts."""

    code = "MediaLimit.Exceeded"


class RenderTimeout(MediaError):
    """Rendering took longer than the configured deadline."""

    code = "Render.Timeout"
    http_status = 408


class UnreadableWatermark(MediaError):
    """A watermark image could not be read."""

    code = "InvalidWatermark.File"


class FileSizeUnreachable(MediaError):
    """The output cannot be made as small as Container.MaxFileSize.

    The message names the smallest size reached and how; ``size_search`` is the search's
    report (what the job shows as ``SizeSearch``).
    """

    code = "InvalidParameter.MaxFileSize"

    def __init__(
        self,
        target: int,
        smallest: int,
        settings: str,
        encodes: int,
        size_search: dict[str, object] | None = None,
    ) -> None:
        self.target, self.smallest, self.size_search = target, smallest, size_search
        super().__init__(
            f"Container.MaxFileSize {target} bytes cannot be reached: the smallest output is "
            f"{smallest} bytes ({settings}), after {encodes} encodes. Raise MaxFileSize or "
            "shorten the clip."
        )


class StorageError(ServiceUnavailable):
    """Storage is not writable right now (full or failing); try again later."""


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached right now; try again later.

    Raised by the database adapter in place of the driver's connection errors, so callers
    (the API's error mapper, the workers) can tell an outage from a defect by its class.
    """


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


class VideoNotFound(ResourceNotFound):
    """The video does not exist."""

    code = "InvalidVideo.NotFound"


class WatermarkNotFound(ResourceNotFound):
    """The watermark does not exist."""

    code = "InvalidWatermark.NotFound"


class JobNotFound(ResourceNotFound):
    """The job does not exist."""

    code = "InvalidJob.NotFound"


class InvalidFileNameExtension(ClientError):
    """The file name has no valid extension, such as .mp4."""

    code = "InvalidFileName.Extension"
    http_status = 403


class IllegalStatus(ClientError):
    """Status of the video is illegal."""

    code = "Forbidden.IllegalStatus"


class RemoteError(DynimgError):
    """An error a dynimg service answered to one of the client commands."""

    def __init__(self, code: str, message: str, http_status: int) -> None:
        super().__init__(message)
        self.code, self.http_status = code, http_status


class ConfigurationError(DynimgError):
    """dynimg's settings are not valid; raised at start-up, never sent to a client."""

    code = "InvalidConfiguration"
