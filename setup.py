"""The optional compiled part of dynimg: the lossy LZW encoder for GIF (src/dynimg/adapters/media/
_lzw.c). ``optional=True``: without a C compiler the install goes on and dynimg uses the same
encoder written in Python (dynimg/adapters/media/lzw.py). Everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "dynimg.adapters.media._lzw",
            ["src/dynimg/adapters/media/_lzw.c"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
