"""A request refused as a request: parameters, signatures, Actions, rates."""

from __future__ import annotations

from dynimg.errors.base import ClientError


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


class RequestTimeout(ClientError):
    """Your socket connection to the server was not read from or written to within the timeout
    period."""

    code = "RequestTimeout"


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


class QueueFull(Throttled):
    """Too many jobs of this account are waiting or running."""

    code = "Throttling"
    http_status = 429

    def __init__(self, limit: int, retry_after: int = 5) -> None:
        super().__init__(retry_after)
        self.message = (
            f"Request was denied due to request throttling: at most {limit} jobs of one account "
            f"wait or run at once. Retry after {retry_after} s."
        )


class PreviewsBusy(Throttled):
    """Previews are busy; try again in a moment."""

    code = "Throttling.Preview"
    http_status = 429

    def __init__(self, retry_after: int = 2) -> None:
        super().__init__(retry_after)
        self.message = (
            "Other previews are rendering right now (one at a time per account, two per server)."
            f" Retry after {retry_after} s."
        )


class SignInsBusy(Throttled):
    """Too many sign-ins are being checked right now; try again in a moment."""

    code = "Throttling.SignIn"
    http_status = 429

    def __init__(self, retry_after: int = 2) -> None:
        super().__init__(retry_after)
        self.message = "Too many sign-ins at once. Try again in a moment."
