"""What a request names does not exist, already exists, or is in the wrong state."""

from __future__ import annotations

from dynimg.errors.base import ClientError


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


class RenderFailed(ClientError):
    """The on-demand render failed."""

    code = "OnDemand.RenderFailed"
    http_status = 422
