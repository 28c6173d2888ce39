"""The GIF ``Lossy`` dial on the corpus: dynimg's bytes, SSIM-half and PSNR against the recipe.

For every case (bench/corpus.py) the recipe's GIF once and dynimg's GIF at each ``Lossy`` value
given, untimed (bytes and quality are deterministic); prints one line per render, then a table
per value: median and worst case of bytes/recipe, SSIM-half and PSNR minus the recipe's, and
how many cases fall below the recipe by more than 0.002 SSIM-half or 1.0 dB PSNR (issue 23's
bound). Results go to bench/out/lossy.json; a case and value already there is not rendered
again. Not a test: nothing here passes or fails.

Usage: python bench/lossy_dial.py [--values 0,10,20,30,40] [--only CASE[,CASE...]]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import quality
import tools
from corpus import Case, cases

OUT = Path(__file__).parent / "out"
RESULTS = OUT / "lossy.json"
Figures = dict[str, float]


def scored(output: Path, case: Case, refs: quality.Refs) -> Figures:
    """Bytes, SSIM-half and PSNR of one GIF against the source frames."""
    pairs, _ = quality.aligned(output, refs, case.seek, case.fps)
    figures = quality.score(pairs)
    return {"bytes": output.stat().st_size, "ssim_half": figures["ssim_half"],
            "psnr": figures["psnr"]}  # fmt: skip


def with_lossy(command: list[str], lossy: int) -> list[str]:
    """``tools.dynimg``'s command line with the template extra ``Lossy`` added."""
    config = json.loads(command[-1])
    config["Lossy"] = lossy
    return [*command[:-1], json.dumps(config)]


def run_case(case: Case, values: list[int], row: dict[str, Figures], label: str = "") -> None:
    """The recipe and every value not in ``row`` yet, rendered and scored into ``row``
    (under ``label`` + the value, so that variants of the encoder keep their own figures)."""
    folder = OUT / case.name / "lossy"
    folder.mkdir(parents=True, exist_ok=True)
    refs = quality.reference_frames(case.source, case.seek, case.length, case.width)
    if "recipe" not in row:
        output = folder / "recipe.gif"
        subprocess.run(tools.recipe(case, "gif", output), check=True, capture_output=True)
        row["recipe"] = scored(output, case, refs)
    recipe = row["recipe"]
    for value in (v for v in values if f"{label}{v}" not in row):
        output = folder / f"lossy{label}{value}.gif"
        command = with_lossy(tools.dynimg(case, "gif", output), value)
        subprocess.run(command, check=True, capture_output=True)
        row[f"{label}{value}"] = got = scored(output, case, refs)
        print(f"{case.name:<20} Lossy {label}{value:<3} bytes {got['bytes'] / recipe['bytes']:.3f}"
              f"  dSSIM-half {got['ssim_half'] - recipe['ssim_half']:+.4f}"
              f"  dPSNR {got['psnr'] - recipe['psnr']:+.2f}", flush=True)  # fmt: skip


def table(results: dict[str, dict[str, Figures]], values: list[int], label: str = "") -> str:
    """Median and worst case per value, as a markdown table."""
    lines = [
        "| Lossy | bytes median | bytes worst | dSSIM-half median | dSSIM-half worst "
        "| dPSNR median | dPSNR worst | cases out of bound |",
        "|---:|---:|---|---:|---|---:|---|---:|",
    ]
    for value in values:
        key = f"{label}{value}"
        rows = {name: (r[key], r["recipe"]) for name, r in results.items() if key in r}
        size = {n: got["bytes"] / rec["bytes"] for n, (got, rec) in rows.items()}
        ssim = {n: got["ssim_half"] - rec["ssim_half"] for n, (got, rec) in rows.items()}
        psnr = {n: got["psnr"] - rec["psnr"] for n, (got, rec) in rows.items()}
        out = sum(1 for n in rows if ssim[n] < -0.002 or psnr[n] < -1.0)
        big, low, dark = (
            max(size, key=size.__getitem__),
            min(ssim, key=ssim.__getitem__),
            min(psnr, key=psnr.__getitem__),
        )
        lines.append(
            f"| {key} | {statistics.median(size.values()):.3f}x | {size[big]:.3f}x {big} "
            f"| {statistics.median(ssim.values()):+.4f} | {ssim[low]:+.4f} {low} "
            f"| {statistics.median(psnr.values()):+.2f} | {psnr[dark]:+.2f} {dark} | {out} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", default="0,10,20,30,40", help="Lossy values, e.g. 0,60,80")
    parser.add_argument("--only", help="cases of the corpus, e.g. screen-60 or a,b,c")
    parser.add_argument("--label", default="", help="a name for the encoder variant measured")
    args = parser.parse_args()
    values = [int(v) for v in args.values.split(",")]
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for case in cases(quick=False, only=args.only):
        run_case(case, values, results.setdefault(case.name, {}), args.label)
        OUT.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1))
    print(table(results, values, args.label))


if __name__ == "__main__":
    main()
