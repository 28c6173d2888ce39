"""A source opened and probed on a thread while the rest of the media engine is imported.

``dynimg render`` spends its first tenth of a second or so importing numpy, Pillow and the
engine's own modules, on one core. Opening the source (the demuxer reads the header, FFmpeg
decodes a picture to learn the stream's size, the probe decodes the first one) happens in
FFmpeg with the GIL released, so it can run on another core meanwhile: 5 ms for a small clip,
50-100 ms for 1080p and over 200 ms for 4K (measured on the benchmark's corpus). Only PyAV and
the probe are imported before the thread starts.
"""

from __future__ import annotations

import threading
from pathlib import Path

from dynimg.adapters.media.probe import OpenedSource, open_probed
from dynimg.domain.limits import MediaLimits


class SourceOpening:
    """Opens one source in the background; the engine :meth:`take` s it when it renders that
    path. Whatever is not taken is closed by :meth:`close`."""

    def __init__(self, path: Path, limits: MediaLimits) -> None:
        self.path = path
        self._limits = limits
        self._opened: OpenedSource | None = None
        self._error: BaseException | None = None
        self._taken = False
        self._thread = threading.Thread(target=self._open, name="dynimg-open", daemon=True)
        self._thread.start()

    def _open(self) -> None:
        try:
            self._opened = open_probed(self.path, self._limits)
        except BaseException as exc:  # handed over to whoever takes the source
            self._error = exc

    def take(self, path: Path) -> OpenedSource | None:
        """The opened source if it is ``path`` and not taken yet (its opening error, raised,
        if it failed); None otherwise, and the caller opens the file itself."""
        if self._taken or path != self.path:
            return None
        self._taken = True
        self._thread.join()
        opened, error, self._opened, self._error = self._opened, self._error, None, None
        if error is not None:
            raise error
        return opened

    def close(self) -> None:
        """Wait for the opening and release the file unless it was taken (an opening that
        failed has nothing to release: its error is dropped)."""
        try:
            opened = self.take(self.path)
        except BaseException:
            return
        if opened is not None:
            opened.close()
