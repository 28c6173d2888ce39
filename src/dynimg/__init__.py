"""dynimg: a self-hosted, Alibaba Cloud VOD compatible service for animated images (GIF, WebP,
APNG, AVIF) and silent looping MP4."""

__version__ = "0.1.0"
__all__ = ["__version__"]
