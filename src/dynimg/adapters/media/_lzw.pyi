def encode(
    wanted: bytes,
    previous: bytes,
    palette: bytes,
    tolerance: int,
    transparent: int,
    source: bytes = b"",
    nearest: bytes = b"",
    /,
) -> tuple[bytes, bytes]: ...

ABI: int
