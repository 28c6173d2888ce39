"""Figures derived from the raw measurements, and the tables printed at the end of a run.

Time, CPU, memory and bytes are ratios dynimg/recipe (below 1 is better for dynimg); quality
(SSIM-half, PSNR, VMAF) is a difference dynimg - recipe (above 0 is better), because a ratio of
two SSIMs near 1 says nothing.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import stability

RATIOS = ("wall", "cpu", "rss_mb", "bytes")
DELTAS = ("ssim_half", "psnr", "vmaf", "flicker_still", "flicker_moving")
LOWER_BETTER = ("flicker_still",)
"""Differences where dynimg's figure above the recipe's is the worse case."""
HEADER = (
    "case                fmt  | wall  cpu   rss   bytes | dSSIMh   dPSNR  dVMAF dFlick"
    " | vs gifski at equal bytes: dSSIMh dPSNR"
)


def ratios(tools: dict[str, dict[str, float]]) -> dict[str, float]:
    """dynimg against the recipe: ratios of costs, differences of quality."""
    ours, theirs = tools["dynimg"], tools["recipe"]
    found = {key: ours[key] / theirs[key] for key in RATIOS}
    found.update({key: ours[key] - theirs[key] for key in DELTAS if key in ours and key in theirs})
    return found


def _at_bytes(points: list[tuple[float, float]], size: float) -> float:
    """Linear interpolation (extrapolation past the ends) of a quality curve over bytes."""
    xs, ys = zip(*sorted(points), strict=True)
    if xs[0] <= size <= xs[-1]:
        return float(np.interp(size, xs, ys))
    i = 0 if size < xs[0] else len(xs) - 2
    slope = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i])
    return float(ys[i] + slope * (size - xs[i]))


def vs_gifski(tools: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """dynimg's and the recipe's SSIM-half/PSNR minus gifski's, interpolated at their bytes."""
    curve = [t for name, t in tools.items() if name.startswith("gifski-")]
    if len(curve) < 2:
        return {}
    low, high = min(t["bytes"] for t in curve), max(t["bytes"] for t in curve)
    found = {}
    for name in ("dynimg", "recipe"):
        size = tools[name]["bytes"]
        found[name] = {
            key: tools[name][key] - _at_bytes([(t["bytes"], t[key]) for t in curve], size)
            for key in ("ssim_half", "psnr")
        }
        found[name]["extrapolated"] = float(not low <= size <= high)
    return found


def _f(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def case_line(name: str, fmt: str, result: dict) -> str:
    """One row of the per-case table."""
    r = result["ratios"]
    line = (
        f"{name:<19} {fmt:<4} | {r['wall']:.2f}  {r['cpu']:.2f}  {r['rss_mb']:.2f}"
        f"  {r['bytes']:.3f} | {r['ssim_half']:+.4f} {r['psnr']:+6.2f} {_f(r.get('vmaf'), '+6.2f')}"
    )
    if "flicker_still" in r:
        line += f" {r['flicker_still']:+.2f}"
    g = result.get("vs_gifski", {}).get("dynimg")
    if g:
        star = "*" if g["extrapolated"] else ""
        line += f" | {g['ssim_half']:+.4f} {g['psnr']:+.2f}{star}"
    return line


def _column(cases: dict, fmt: str, key: str, source: str) -> list[tuple[float, str]]:
    values = []
    for name, case in cases.items():
        figures = case[fmt]["ratios"] if source == "ratios" else case[fmt]["vs_gifski"]["dynimg"]
        if key in figures:
            values.append((figures[key], name))
    return values


def summary(cases: dict) -> dict:
    """Median and worst case over the corpus of every figure, per format."""
    found: dict = {}
    for fmt in ("gif", "webp"):
        figures = [(key, "ratios") for key in (*RATIOS, *DELTAS)]
        if fmt == "gif" and all(c["gif"].get("vs_gifski") for c in cases.values()):
            figures += [(f"gifski_{key}", "vs_gifski") for key in ("ssim_half", "psnr")]
        found[fmt] = {}
        for key, source in figures:
            values = _column(cases, fmt, key.removeprefix("gifski_"), source)
            if not values:
                continue
            worst = max(values) if key in RATIOS or key in LOWER_BETTER else min(values)
            found[fmt][key] = {
                "median": statistics.median(v for v, _ in values),
                "worst": worst[0],
                "worst_case": worst[1],
            }
    for fmt in ("gif", "webp"):
        over = [(c[fmt]["tools"]["dynimg"]["cpu"] / c["floor"]["cpu"], n)
                for n, c in cases.items() if c.get("floor")]  # fmt: skip
        if over:
            worst = max(over)
            found[fmt]["cpu_vs_floor"] = {
                "median": statistics.median(v for v, _ in over),
                "worst": worst[0],
                "worst_case": worst[1],
            }
    decode = [(c["first_decode"], n) for n, c in cases.items()]
    found["first_decode"] = {
        "median": statistics.median(v for v, _ in decode),
        "worst": max(decode)[0],
        "worst_case": max(decode)[1],
    }
    return found


def _absolute(cases: dict) -> list[str]:
    rows = [
        "| case | fmt | tool | wall s | CPU s | RSS MB | bytes | SSIM-half | PSNR | VMAF |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, case in cases.items():
        for fmt in ("gif", "webp"):
            for tool, t in case[fmt]["tools"].items():
                rows.append(
                    f"| {name} | {fmt} | {tool} | {t['wall']:.2f} | {t['cpu']:.2f}"
                    f" | {t['rss_mb']:.0f} | {int(t['bytes']):,} | {t['ssim_half']:.4f}"
                    f" | {t['psnr']:.2f} | {_f(t.get('vmaf'), '.2f')} |"
                )
    return rows


def _ratio_rows(cases: dict) -> list[str]:
    rows = [
        "| case | fmt | wall | CPU | RSS | bytes | dSSIM-half | dPSNR | dVMAF"
        " | vs gifski dSSIM-half | vs gifski dPSNR |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, case in cases.items():
        for fmt in ("gif", "webp"):
            r, g = case[fmt]["ratios"], case[fmt].get("vs_gifski", {}).get("dynimg")
            star = "*" if g and g["extrapolated"] else ""
            gifski = f"{g['ssim_half']:+.4f}{star} | {g['psnr']:+.2f}{star}" if g else " | "
            rows.append(
                f"| {name} | {fmt} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss_mb']:.2f}"
                f" | {r['bytes']:.3f} | {r['ssim_half']:+.4f} | {r['psnr']:+.2f}"
                f" | {_f(r.get('vmaf'), '+.2f')} | {gifski} |"
            )
    return rows


def _summary_rows(summary: dict) -> list[str]:
    rows = ["| fmt | figure | median | worst | worst case |", "|---|---|---:|---:|---|"]
    for fmt in ("gif", "webp"):
        for key, s in summary[fmt].items():
            rows.append(
                f"| {fmt} | {key} | {s['median']:.4g} | {s['worst']:.4g} | {s['worst_case']} |"
            )
    d = summary["first_decode"]
    rows.append(
        f"| both | first decode s | {d['median']:.3f} | {d['worst']:.3f} | {d['worst_case']} |"
    )
    return rows


def tables(results: dict) -> str:
    """Markdown tables: summary, throughput, first decode, absolute figures per case and tool,
    then the formats against dynimg's GIF when they were run."""
    cases, t = results["cases"], results.get("throughput")
    lines = ["", "## Over the corpus (dynimg/recipe ratios; quality as dynimg - recipe)", ""]
    lines += _summary_rows(results["summary"])
    if t:
        lines += [
            "",
            f"Throughput, {t['jobs']} mixed jobs, {t['parallel']} processes at a time:"
            f" dynimg {t['dynimg_jobs_per_min']:.1f} jobs/min, recipe"
            f" {t['recipe_jobs_per_min']:.1f} jobs/min"
            f" = {t['dynimg_jobs_per_min'] / t['recipe_jobs_per_min']:.2f}x",
        ]
    lines += [
        "",
        "First decode of `dynimg render` (s): "
        + ", ".join(f"{n} {c['first_decode']:.2f}" for n, c in cases.items()),
        "",
        *worker_job_rows(results),
        "",
        "## Per case: dynimg/recipe ratios, quality differences",
        "",
        *_ratio_rows(cases),
        "",
        "## Per case and tool",
        "",
    ]
    lines += _absolute(cases)
    lines += ["", *stability.flicker_rows(cases), "", *stability.floor_rows(cases)]
    if "formats" in results:
        lines.append(formats_markdown(results["formats"]))
    return "\n".join(lines)


def worker_job_rows(results: dict) -> list[str]:
    """Each job's time inside a running ``dynimg worker`` against the recipe's process."""
    jobs = results.get("worker_jobs")
    if not jobs:
        return []
    lines = [
        "## Job time inside a running `dynimg worker` (start-up excluded; recipe: its process)",
        "",
        "| case | fmt | job wall s | job CPU s | wall / recipe | CPU / recipe |",
        "|---|---|---:|---:|---:|---:|",
    ]
    ratios: dict[str, dict[str, list[float]]] = {}
    for name, formats in jobs.items():
        for fmt, job in formats.items():
            recipe = results["cases"][name][fmt]["tools"]["recipe"]
            wall, cpu = job["wall"] / recipe["wall"], job["cpu"] / recipe["cpu"]
            ratios.setdefault(fmt, {"wall": [], "cpu": []})
            ratios[fmt]["wall"].append(wall)
            ratios[fmt]["cpu"].append(cpu)
            times = f"{job['wall']:.2f} | {job['cpu']:.2f}"
            lines.append(f"| {name} | {fmt} | {times} | {wall:.2f} | {cpu:.2f} |")
    lines.append("")
    for fmt, r in ratios.items():
        lines.append(
            f"Median over the corpus, {fmt}: job wall {statistics.median(r['wall']):.2f}x,"
            f" job CPU {statistics.median(r['cpu']):.2f}x the recipe's process"
            f" (worst {max(r['wall']):.2f}x / {max(r['cpu']):.2f}x)"
        )
    return lines


def formats_table(name: str, result: dict) -> str:
    """``--formats``: one row per format of one case at default settings (GIF first), then the
    Quality formats at the GIF's SSIM-half."""
    pad = " " * len(name)
    lines = [f"{name}: format |      bytes  vs GIF | SSIMh   vs GIF |  PSNR | wall s | RSS MB"]
    for fmt, s in result["default"].items():
        lines.append(
            f"{pad}  {fmt:<6} | {s['bytes']:>10,.0f}  {s['bytes_vs_gif']:.3f}"
            f" | {s['ssim_half']:.4f} {s['dssim_vs_gif']:+.4f} | {s['psnr']:5.2f}"
            f" | {s['wall']:6.2f} | {s['rss_mb']:6.0f}"
        )
    target = result["default"]["gif"]["ssim_half"]
    lines.append(f"{pad}  at the GIF's SSIM-half {target:.4f}: Quality, bytes, vs GIF (renders)")
    for fmt, e in result["equal_ssim"].items():
        lines.append(
            f"{pad}  {fmt:<11} Q{e['quality']:<4.0f} {e['bytes']:>10,.0f}  {_vs_gif(e)}"
            f" ({len(e['points'])})"
        )
    return "\n".join(lines)


def _vs_gif(equal: dict) -> str:
    """Bytes/GIF at the GIF's SSIM-half, or why there is no such figure."""
    ratio = equal["bytes_vs_gif"]
    if equal["reached"] == "short":
        return f"not reached (best SSIM-half {equal['nearest_ssim_half']:.4f}: {ratio:.3f})"
    return f"< {ratio:.3f}" if equal["reached"] == "over" else f"{ratio:.3f}"


def _default_rows(cases: dict) -> list[str]:
    rows = [
        "| case | format | bytes | vs GIF | SSIM-half | vs GIF | PSNR | wall s | RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, case in cases.items():
        for fmt, s in case["default"].items():
            rows.append(
                f"| {name} | {fmt} | {s['bytes']:,.0f} | {s['bytes_vs_gif']:.3f}"
                f" | {s['ssim_half']:.4f} | {s['dssim_vs_gif']:+.4f} | {s['psnr']:.2f}"
                f" | {s['wall']:.1f} | {s['rss_mb']:.0f} |"
            )
    return rows


def _equal_rows(cases: dict) -> list[str]:
    rows = [
        "| case | GIF bytes | GIF SSIM-half | format | Quality | bytes | vs GIF | renders |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for name, case in cases.items():
        gif = case["default"]["gif"]
        for fmt, e in case["equal_ssim"].items():
            rows.append(
                f"| {name} | {gif['bytes']:,.0f} | {gif['ssim_half']:.4f} | {fmt}"
                f" | {e['quality']:.0f} | {e['bytes']:,.0f} | {_vs_gif(e)} | {len(e['points'])} |"
            )
    return rows


def _at_gif_quality(equal: dict) -> float:
    """Bytes/GIF for the median: a format short of the GIF's quality counts as infinitely big."""
    return math.inf if equal["reached"] == "short" else float(equal["bytes_vs_gif"])


def formats_summary(cases: dict) -> dict[str, dict[str, float]]:
    """Per format, the median over cases of bytes/GIF at default Quality and at equal SSIM."""
    columns: dict[str, dict[str, list[float]]] = {}
    for case in cases.values():
        for fmt, s in case["default"].items():
            columns.setdefault(fmt, {}).setdefault("default", []).append(s["bytes_vs_gif"])
        for fmt, e in case["equal_ssim"].items():
            columns.setdefault(fmt, {}).setdefault("equal", []).append(_at_gif_quality(e))
    return {
        fmt: {column: statistics.median(values) for column, values in found.items()}
        for fmt, found in columns.items()
    }


def _median_cell(value: float | None) -> str:
    if value is None:
        return "—"
    return "not reached" if math.isinf(value) else f"{value:.3f}"


def formats_markdown(cases: dict) -> str:
    """Markdown for docs/benchmarks.md: bytes vs dynimg's GIF at its SSIM-half, at defaults."""
    lines = [
        "",
        "## Formats against dynimg's GIF (bytes at the GIF's SSIM-half)",
        "",
        f"Median over {len(cases)} cases (a case where a format never reaches the GIF's"
        " SSIM-half counts as infinitely many bytes):",
        "",
        "| format | bytes vs GIF at the GIF's SSIM-half | at default settings |",
        "|---|---:|---:|",
    ]
    for fmt, s in formats_summary(cases).items():
        lines.append(
            f"| {fmt} | {_median_cell(s.get('equal'))} | {_median_cell(s.get('default'))} |"
        )
    lines += ["", *_equal_rows(cases), "", "At default settings:", "", *_default_rows(cases)]
    took = ", ".join(f"{n} {c['seconds']:.0f} s" for n, c in cases.items())
    return "\n".join([*lines, "", f"Time taken: {took}."])
