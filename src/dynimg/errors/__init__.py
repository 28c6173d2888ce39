"""dynimg's one exception tree. Every error carries an Alibaba error code and an HTTP status.

The API turns any :class:`DynimgError` into Alibaba's error body in exactly one place
(``dynimg.api.error_mapper``); anything else becomes ``InternalError`` with its details kept
out of the response. Code never matches on message text: it catches classes. The classes live
in one module per concern (base, requests, resources, media, oss); import them from here.

::

    DynimgError
    ├── ClientError (4xx)
    │   ├── MissingParameter, InvalidParameter
    │   ├── AuthenticationError
    │   │   ├── IncompleteSignature, SignatureDoesNotMatch
    │   │   ├── AccessKeyNotFound, AccessKeyInactive
    │   │   ├── TimestampExpired, TimestampFormat, SignatureNonceUsed
    │   ├── ActionNotFound, InvalidVersion, Forbidden, Throttled, AccountExists
    │   │   OnDemandThrottled, QueueFull, PreviewsBusy, SignInsBusy (429), RenderFailed (422)
│   ├── RequestTooLarge, RequestTimeout
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
    ├── FetchFailed (a URL import): FetchUnreachable, FetchAddressRefused, FetchTooLarge,
    │   FetchTimedOut
    └── ServerError (5xx)
        ├── InternalError, ServiceUnavailable, StorageError, DatabaseUnavailable
"""

from dynimg.errors.base import (
    ClientError,
    ConfigurationError,
    DatabaseUnavailable,
    DynimgError,
    InternalError,
    RemoteError,
    ServerError,
    ServiceUnavailable,
    StorageError,
)
from dynimg.errors.fetching import (
    FetchAddressRefused,
    FetchFailed,
    FetchTimedOut,
    FetchTooLarge,
    FetchUnreachable,
)
from dynimg.errors.media import (
    ClipOutOfRange,
    EmptyClip,
    FileSizeUnreachable,
    MediaError,
    MediaLimitExceeded,
    NoVideoStream,
    RenderTimeout,
    UnreadableMedia,
    UnreadableWatermark,
)
from dynimg.errors.oss import (
    InvalidDigest,
    InvalidPart,
    MalformedXML,
    NoSuchUpload,
    ObjectNotFound,
    ObjectTooLarge,
    OssAccessDenied,
    OssInvalidAccessKeyId,
    OssNotImplemented,
    OssSignatureDoesNotMatch,
    SecurityTokenExpired,
    UploadComplete,
)
from dynimg.errors.requests import (
    AccessKeyInactive,
    AccessKeyNotFound,
    ActionNotFound,
    AuthenticationError,
    Forbidden,
    IncompleteSignature,
    InvalidParameter,
    InvalidVersion,
    MissingParameter,
    OnDemandThrottled,
    PreviewsBusy,
    QueueFull,
    RequestTimeout,
    RequestTooLarge,
    SignatureDoesNotMatch,
    SignatureNonceUsed,
    SignInsBusy,
    Throttled,
    TimestampExpired,
    TimestampFormat,
)
from dynimg.errors.resources import (
    AccountExists,
    AccountNotFound,
    IllegalStatus,
    InvalidFileNameExtension,
    JobNotFound,
    RenderFailed,
    ResourceNotFound,
    SignInFailed,
    TemplateNotFound,
    UserExists,
    UserNotFound,
    VideoNotFound,
    WatermarkNotFound,
)

__all__ = [
    "AccessKeyInactive",
    "AccessKeyNotFound",
    "AccountExists",
    "AccountNotFound",
    "ActionNotFound",
    "AuthenticationError",
    "ClientError",
    "ClipOutOfRange",
    "ConfigurationError",
    "DatabaseUnavailable",
    "DynimgError",
    "EmptyClip",
    "FetchAddressRefused",
    "FetchFailed",
    "FetchTimedOut",
    "FetchTooLarge",
    "FetchUnreachable",
    "FileSizeUnreachable",
    "Forbidden",
    "IllegalStatus",
    "IncompleteSignature",
    "InternalError",
    "InvalidDigest",
    "InvalidFileNameExtension",
    "InvalidParameter",
    "InvalidPart",
    "InvalidVersion",
    "JobNotFound",
    "MalformedXML",
    "MediaError",
    "MediaLimitExceeded",
    "MissingParameter",
    "NoSuchUpload",
    "NoVideoStream",
    "ObjectNotFound",
    "ObjectTooLarge",
    "OnDemandThrottled",
    "OssAccessDenied",
    "OssInvalidAccessKeyId",
    "OssNotImplemented",
    "OssSignatureDoesNotMatch",
    "PreviewsBusy",
    "QueueFull",
    "RemoteError",
    "RenderFailed",
    "RenderTimeout",
    "RequestTimeout",
    "RequestTooLarge",
    "ResourceNotFound",
    "SecurityTokenExpired",
    "ServerError",
    "ServiceUnavailable",
    "SignInFailed",
    "SignInsBusy",
    "SignatureDoesNotMatch",
    "SignatureNonceUsed",
    "StorageError",
    "TemplateNotFound",
    "Throttled",
    "TimestampExpired",
    "TimestampFormat",
    "UnreadableMedia",
    "UnreadableWatermark",
    "UploadComplete",
    "UserExists",
    "UserNotFound",
    "VideoNotFound",
    "WatermarkNotFound",
]
