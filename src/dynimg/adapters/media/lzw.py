"""Lossy LZW for GIF frames (template extra ``Lossy``).

The idea (published with gifsicle's ``--lossy``; written here from the description, no code
read or taken): LZW compresses a run of pixels into one code when the dictionary already holds
that string of palette indices. A lossy encoder also accepts a string whose colours are merely
*close* to the wanted ones, so strings are longer and codes fewer. Here, while a string is
extended, each next pixel may take any symbol the dictionary continues the string with whose
colour is within ``tolerance`` (squared RGB distance) of the wanted colour plus the error
carried from the pixels before (three quarters of it, so errors do not pile up in one
direction: a 1-D error diffusion along the scan): the exact symbol when it is within it, else
the one with the least error. The first pixel of every code is exact. With ``previous`` (what the
viewer shows already) the transparent index is one more symbol, showing the previous colour:
it is exact where the pixel is unchanged and may be taken, within the tolerance, where it
changed a little. Tolerance 0 is plain lossless LZW.

With the source pixels, pixels the mapping gave the *nearest* colour (busy areas, not dithered)
are judged against the source instead: a symbol may stand there when its squared error from
the source pixel is at most :data:`NEAREST_FACTOR` times the wanted colour's, plus the
tolerance; nothing is carried from them. The allowance is the palette's own error at that pixel:
none where the palette has the colour (flat areas, text, screen content), more in texture the
palette only approximates, where one near colour serves as well as another. Dithered pixels
keep the rule above: there a pixel's error is part of a pattern whose mean matters (judged
against the source, they lost 0.0015 SSIM-half on live action while PSNR rose).

Among the symbols a busy pixel admits, the one that saves bytes is the one whose string goes
furthest, not the least error: a code may start there with the transparent index or the colour
the pixel before shows (:meth:`_Frame.first_symbol`), and a string may go on with the
transparent or the repeated symbol instead of the greedy one (:meth:`_Frame._furthest`),
whichever goes further. No pixel may take more error than the rule above allows.

The compiled twin ``_lzw`` (src/dynimg/adapters/media/_lzw.c, built by ``pip install`` when a C
compiler is there) gives the same bytes about 100x faster; without it this module runs the same
algorithm in Python.
"""

from __future__ import annotations

from collections.abc import Callable

MAX_CODES = 4096
MIN_CODE_SIZE = 8
CLEAR, END = 256, 257
NONE = -1
NEAREST_FACTOR = 2
"""Where the mapping chose the nearest colour (busy pixels), a symbol may be up to this many
times as far from the source pixel as the wanted colour is, in squared RGB distance (about 1.4x
the distance): that error is how coarse the palette is there, so the allowance follows the
picture and is nothing where the palette fits exactly."""

Encoder = Callable[[bytes, bytes, bytes, int, int, bytes, bytes], tuple[bytes, bytes]]


ABI = 2
"""The compiled twin's interface version (source and nearest arguments): an older build left in
a venv is not used (the Makefile rebuilds it when _lzw.c changes)."""


def _compiled() -> Encoder | None:
    try:
        from dynimg.adapters.media import _lzw
    except ImportError:
        return None
    if getattr(_lzw, "ABI", 1) != ABI:
        return None
    return _lzw.encode


def encode(
    wanted: bytes,
    previous: bytes,
    palette: bytes,
    tolerance: int,
    transparent: int,
    source: bytes = b"",
    nearest: bytes = b"",
) -> tuple[bytes, bytes]:
    """LZW codes (minimum code size 8, not in sub-blocks) of one frame's pixels, and the
    indices a decoder shows for them. ``previous`` is b"" when nothing is shown yet.
    ``source`` (RGB, 3 bytes a pixel) and ``nearest`` (a byte a pixel, nonzero where the
    mapping chose the nearest colour rather than dithered) go together, or are both b""."""
    return ENCODER(wanted, previous, palette, tolerance, transparent, source, nearest)


class _BitWriter:
    def __init__(self) -> None:
        self.data = bytearray()
        self._bits = 0
        self._count = 0

    def put(self, code: int, size: int) -> None:
        self._bits |= code << self._count
        self._count += size
        while self._count >= 8:
            self.data.append(self._bits & 0xFF)
            self._bits >>= 8
            self._count -= 8

    def flush(self) -> bytes:
        if self._count:
            self.put(0, 8 - self._count)
        return bytes(self.data)


class _Dictionary:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.children: list[list[int]] = [[] for _ in range(MAX_CODES)]
        self.suffix = list(range(256)) + [0] * (MAX_CODES - 256)
        self.next_code = END + 1
        self.code_size = MIN_CODE_SIZE + 1

    def add(self, prefix: int, symbol: int) -> None:
        code = self.next_code
        self.next_code += 1
        self.suffix[code] = symbol
        self.children[prefix].insert(0, code)  # newest first, as the C twin's list
        if self.next_code > 1 << self.code_size and self.code_size < 12:
            self.code_size += 1

    def child(self, node: int, symbol: int) -> int:
        """The newest child of ``node`` with ``symbol``, or NONE (the C twin's hash lookup)."""
        return next((c for c in self.children[node] if self.suffix[c] == symbol), NONE)


def _three_quarters(value: int) -> int:
    """``value * 3 / 4`` truncated toward zero, as C does."""
    return -((-value * 3) // 4) if value < 0 else value * 3 // 4


class _Frame:
    def __init__(
        self,
        wanted: bytes,
        previous: bytes,
        palette: bytes,
        tolerance: int,
        transparent: int,
        source: bytes,
        nearest: bytes,
    ) -> None:
        self.wanted, self.previous, self.tolerance = wanted, previous, tolerance
        self.source, self.nearest = (source, nearest) if nearest else (b"", b"")
        self.transparent = transparent if previous else NONE
        self.transparent_index = transparent  # as given, even without ``previous`` (C twin)
        self.colours = [tuple(palette[3 * i : 3 * i + 3]) for i in range(256)]
        self.shown = bytearray(len(wanted))

    def exact(self, p: int) -> int:
        if self.previous and self.wanted[p] == self.previous[p]:
            return self.transparent
        return self.wanted[p]

    def shows(self, p: int, symbol: int) -> int:
        return self.previous[p] if symbol == self.transparent else symbol

    def error(self, p: int, symbol: int, carry: list[int]) -> tuple[int, list[int]]:
        """The squared error of ``symbol`` at ``p`` and the error carried on: against the
        wanted colour plus ``carry`` (dithered pixels), or against the source pixel with nothing
        carried (pixels mapped to the nearest colour)."""
        have = self.colours[self.shows(p, symbol)]
        if self.nearest and self.nearest[p]:
            off = [self.source[3 * p + c] - have[c] for c in range(3)]
            return off[0] * off[0] + off[1] * off[1] + off[2] * off[2], [0, 0, 0]
        want = self.colours[self.wanted[p]]
        out = [want[c] + carry[c] - have[c] for c in range(3)]
        return out[0] * out[0] + out[1] * out[1] + out[2] * out[2], out

    def limit(self, p: int) -> int:
        """The largest error ``p`` may take: the tolerance, plus where it is judged against
        the source :data:`NEAREST_FACTOR` times the wanted colour's own error there."""
        if not (self.nearest and self.nearest[p]):
            return self.tolerance
        return self.tolerance + NEAREST_FACTOR * self.error(p, self.wanted[p], [0, 0, 0])[0]

    def busy(self, p: int) -> bool:
        """Whether ``p`` is judged against the source (the mapping chose the nearest colour)."""
        return bool(self.nearest and self.nearest[p])

    def first_symbol(self, d: _Dictionary, start: int, carry: list[int]) -> int:
        """The symbol a code starting at ``start`` begins with: the exact one, except on a busy
        pixel where the transparent index (the colour shown already) or the colour of the pixel
        before are within its limit too; then the one whose string goes furthest, the exact
        symbol on ties (each tried as :meth:`match` would, without :meth:`_furthest`)."""
        exact = self.exact(start)
        if not self.busy(start):
            return exact
        candidates, limit = [exact], self.limit(start)
        transparent = self.transparent
        if (
            self.previous
            and exact != transparent
            and self.error(start, transparent, carry)[0] <= limit
        ):
            candidates.append(transparent)
        if start > 0:
            left = self.shown[start - 1]
            if (
                left not in (exact, self.transparent_index)
                and self.error(start, left, carry)[0] <= limit
            ):
                candidates.append(left)
        best, best_length = exact, 0
        for symbol in candidates if len(candidates) > 1 else ():
            length = self.match(d, start, symbol, list(carry), look=False)[1]
            if length > best_length:
                best, best_length = symbol, length
        return best

    def match(
        self, d: _Dictionary, start: int, first: int, carry: list[int], *, look: bool = True
    ) -> tuple[int, int]:
        """The code of the longest string within tolerance from ``start`` beginning with
        ``first``, and its length; with ``look``, busy pixels look one string ahead."""
        node = first
        _, error = self.error(start, node, carry)
        carry[:] = [_three_quarters(e) for e in error]
        self.shown[start] = self.shows(start, node)
        p = start + 1
        while p < len(self.wanted):
            best = self._continuation(d, node, p, carry)
            if best is None:
                break
            if look and self.busy(p):
                best = self._furthest(d, node, p, best[0]), best[1]
            node, error = best
            carry[:] = [_three_quarters(e) for e in error]
            self.shown[p] = self.shows(p, d.suffix[node])
            p += 1
        return node, p - start

    def _greedy_length(self, d: _Dictionary, node: int, p: int) -> int:
        """How many pixels from ``p`` on the string at ``node`` goes on, without lookahead."""
        carry, q = [0, 0, 0], p
        while q < len(self.wanted):
            best = self._continuation(d, node, q, carry)
            if best is None:
                break
            node, error = best
            carry = [_three_quarters(e) for e in error]
            q += 1
        return q - p

    def _furthest(self, d: _Dictionary, node: int, p: int, best: int) -> int:
        """At busy pixel ``p``, the child of ``node`` to take: the transparent one (the colour
        shown already) or the one repeating the string's last symbol when within the limit and
        its string goes further than the greedy ``best``'s, else ``best``. Busy pixels carry
        nothing, so each is followed from no carry."""
        candidates = [d.child(node, self.transparent) if self.previous else NONE]
        candidates.append(d.child(node, d.suffix[node]))
        chosen, best_length, limit = best, -1, -1
        for i, child in enumerate(candidates):
            if child in (NONE, best) or (i == 1 and child == candidates[0]):
                continue
            if limit < 0:
                limit = self.limit(p)
            if self.error(p, d.suffix[child], [0, 0, 0])[0] > limit:
                continue
            if best_length < 0:
                best_length = self._greedy_length(d, best, p + 1)
            length = self._greedy_length(d, child, p + 1)
            if length > best_length:
                best_length, chosen = length, child
        return chosen

    def _continuation(
        self, d: _Dictionary, node: int, p: int, carry: list[int]
    ) -> tuple[int, list[int]] | None:
        """The child of ``node`` that pixel ``p`` continues the string with: the exact symbol
        when it is within tolerance, else the child with the least error within it."""
        exact, limit = self.exact(p), self.limit(p)
        for child in d.children[node]:
            if d.suffix[child] == exact:
                total, error = self.error(p, exact, carry)
                if total <= limit:
                    return child, error
                break
        best: tuple[int, list[int]] | None = None
        best_total = limit + 1
        for child in d.children[node]:
            total, error = self.error(p, d.suffix[child], carry)
            if total < best_total:
                best, best_total = (child, error), total
        return best


def _python_encode(
    wanted: bytes,
    previous: bytes,
    palette: bytes,
    tolerance: int,
    transparent: int,
    source: bytes = b"",
    nearest: bytes = b"",
) -> tuple[bytes, bytes]:
    frame = _Frame(wanted, previous, palette, tolerance, transparent, source, nearest)
    d, writer = _Dictionary(), _BitWriter()
    writer.put(CLEAR, d.code_size)
    carry, p = [0, 0, 0], 0
    first = frame.first_symbol(d, p, carry) if wanted else 0
    while p < len(wanted):
        code, length = frame.match(d, p, first, carry)
        writer.put(code, d.code_size)
        p += length
        if d.next_code == MAX_CODES:
            writer.put(CLEAR, d.code_size)
            d.reset()
            if p < len(wanted):
                first = frame.first_symbol(d, p, carry)
            continue
        if p < len(wanted):  # what a decoder adds on the next code (the symbol written there),
            first = frame.first_symbol(d, p, carry)  # usable by the next match
            d.add(code, first)
    writer.put(END, d.code_size)
    return writer.flush(), bytes(frame.shown)


ENCODER: Encoder = _compiled() or _python_encode
"""The compiled encoder when it was built, the Python one otherwise."""
COMPILED = ENCODER is not _python_encode
