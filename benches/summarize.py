#!/usr/bin/env python3
"""Turns benches/e2e.sh's results (JSON lines) into the tables of
docs/performance.md, between the BENCHMARK markers; the prose around them is
left as it is."""

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

BEGIN, END = "<!-- BENCHMARK:BEGIN -->", "<!-- BENCHMARK:END -->"
STAGES = ["extract_ms", "map_validate_ms", "match_ms", "load_ms", "report_ms"]


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, {rustc}"


def seconds(ms):
    return f"{ms / 1000:.2f}"


def main(results_path, output_path):
    rows = [json.loads(line) for line in open(results_path)]
    sizes = sorted({row["size"] for row in rows})
    lines = [BEGIN, "", f"Measured {datetime.date.today()} on {machine()}.", ""]
    runs = max(row["run"] for row in rows if row["command"] == "validate")
    measured = "One run" if runs == 1 else f"Medians of {runs} runs"
    lines.append(f"{measured}; seconds of wall-clock time per stage, from the `--json` summary.")
    lines.append("")
    lines.append("| patients | rows | command | total (s) | extract | map + validate | match | load | report | peak memory (MB) |")
    lines.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    totals = {}
    for size in sizes:
        for command in ["validate", "run"]:
            measured = [row for row in rows if row["size"] == size and row["command"] == command]
            if not measured:
                continue
            total_rows = sum(source["rows_read"] for source in measured[0]["summary"]["sources"])
            wall = statistics.median(row["wall_s"] for row in measured)
            peak = statistics.median(row["peak_mb"] for row in measured)
            stages = [statistics.median(row["summary"]["timings_ms"][stage] for row in measured) for stage in STAGES]
            totals[(size, command)] = wall
            lines.append(f"| {size:,} | {total_rows:,} | `{command}` | {wall:.2f} | "
                         + " | ".join(seconds(stage) for stage in stages) + f" | {peak:,.0f} |")
    lines.append("")
    lines.append("Growth of the total time with the number of patients:")
    lines.append("")
    lines.append("| command | " + " | ".join(f"{a:,} → {b:,}" for a, b in zip(sizes, sizes[1:])) + " |")
    lines.append("|---|" + "---:|" * (len(sizes) - 1))
    for command in ["validate", "run"]:
        ratios = []
        for a, b in zip(sizes, sizes[1:]):
            if (a, command) in totals and (b, command) in totals:
                ratios.append(f"×{totals[(b, command)] / totals[(a, command)]:.1f} (for ×{b / a:g} patients)")
            else:
                ratios.append("")
        lines.append(f"| `{command}` | " + " | ".join(ratios) + " |")
    lines.append("")
    lines.append("Generating the practices (`synth --format csv --no-files`, one run) and matching quality "
                 "(`evaluate` on the `run`):")
    lines.append("")
    lines.append("| patients | synth (s) | synth peak (MB) | candidate pairs | precision | recall | F1 | "
                 "different people merged, pairs (twins / Jr-Sr / household members / others) |")
    lines.append("|---:|---:|---:|---:|---:|---:|---:|---|")
    for size in sizes:
        synth = [row for row in rows if row["size"] == size and row["command"] == "synth"]
        evaluation = [row for row in rows if row["size"] == size and row["command"] == "evaluate"]
        run = [row for row in rows if row["size"] == size and row["command"] == "run"]
        if not (synth and evaluation and run):
            continue
        e = evaluation[0]["summary"]
        merged = e["wrongly_merged"]
        pairs = run[0]["summary"]["matching"]["candidate_pairs"]
        lines.append(f"| {size:,} | {synth[0]['wall_s']:.2f} | {synth[0]['peak_mb']:,.0f} | {pairs:,} | "
                     f"{e['precision']:.4f} | {e['recall']:.4f} | {e['f1']:.4f} | "
                     f"{merged['twins']} / {merged['junior_senior']} / {merged['household']} / {merged['other']} |")
    lines.extend(["", END])
    table = "\n".join(lines)

    text = open(output_path).read() if os.path.exists(output_path) else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    open(output_path, "w").write(before + table + after)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
