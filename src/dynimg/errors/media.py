"""Media that cannot be read or rendered as asked."""

from __future__ import annotations

from dynimg.errors.base import ClientError


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
