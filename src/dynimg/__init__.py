"""dynimg: a self-hosted, Alibaba Cloud VOD compatible service for animated GIF and WebP images."""

__version__ = "0.1.0"
__all__ = ["__version__"]
