"""Why a file could not be fetched from a URL (imports, ``UploadMediaByURL``). The code is what
GetURLUploadInfos and the UploadByURLComplete event report; ``transient`` says whether another
attempt may succeed (a network failure, a 5xx answer) or cannot (anything else)."""

from __future__ import annotations

from dynimg.errors.base import DynimgError


class FetchFailed(DynimgError):
    """The file could not be downloaded from the URL."""

    code = "URLInvalidError"
    """Alibaba's code for a URL it could not download from."""
    http_status = 502
    transient = False


class FetchUnreachable(FetchFailed):
    """The URL's server could not be reached, or answered with a server error."""

    transient = True


class FetchAddressRefused(FetchFailed):
    """The URL's host resolves to a private or loopback address, which this service does not
    fetch from."""

    code = "URLAddressRefused"


class FetchTooLarge(FetchFailed):
    """The file is larger than this service imports."""

    code = "FileSizeExceeded"


class FetchTimedOut(FetchFailed):
    """The download took longer than this service allows."""

    code = "DownloadTimeout"
