"""The media engine: PyAV (in-process FFmpeg) for decoding and encoding, Pillow for drawing."""
