"""Which video codecs this deployment encodes: an operator's choice, not a user's.

``mp4`` output is AV1 (SVT-AV1, BSD) unless a template asks for ``"Codec": "h264"``. H.264 goes
through libx264, the only H.264 encoder in PyAV's FFmpeg build: it is GPL, and H.264 is covered
by patent pools (Via LA / Access Advance), so only an operator who takes that on enables it
(``DYNIMG_ALLOW_H264=true``, see docs/deploy.md). Where it is not enabled, a template, a job or
a render asking for it is refused with ``InvalidParameter`` naming ``Codec``.
"""

from __future__ import annotations

from dataclasses import dataclass

from dynimg.domain.templates import DynamicImageTemplateConfig, VideoCodec
from dynimg.errors import InvalidParameter

ALLOW_H264_SETTING = "DYNIMG_ALLOW_H264"


@dataclass(frozen=True)
class CodecPolicy:
    """The codecs the operator allows beyond the default AV1."""

    allow_h264: bool = False

    def check(self, config: DynamicImageTemplateConfig, path: str = "TemplateConfig") -> None:
        """InvalidParameter if ``config`` asks for a codec this deployment does not encode."""
        if config.codec is VideoCodec.H264 and not self.allow_h264:
            raise InvalidParameter(
                f"{path}.Codec",
                f"h264 is not enabled on this service (its operator can set "
                f"{ALLOW_H264_SETTING}=true); use av1, the default",
            )


AV1_ONLY = CodecPolicy()
"""The default: no H.264."""
