"""The roots of the tree, server-side failures and errors never sent to a client."""

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


class StorageError(ServiceUnavailable):
    """Storage is not writable right now (full or failing); try again later."""


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached right now; try again later."""

    # Raised by the database adapter in place of the driver's connection errors, so callers
    # (the API's error mapper, the workers) tell an outage from a defect by its class. The
    # docstring is the message clients and logs get, so it stays one sentence.


class RemoteError(DynimgError):
    """An error a dynimg service answered to one of the client commands."""

    def __init__(self, code: str, message: str, http_status: int) -> None:
        super().__init__(message)
        self.code, self.http_status = code, http_status


class ConfigurationError(DynimgError):
    """dynimg's settings are not valid; raised at start-up, never sent to a client."""

    code = "InvalidConfiguration"
