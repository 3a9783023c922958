#!/usr/bin/env bash
# The end-to-end benchmark: synthetic practices of 10k, 100k and 1M patients,
# each through `validate` and `run`, timed per stage (from the --json
# summary) with peak memory (GNU time), several runs each; the medians go
# into docs/performance.md.
#
#   benches/e2e.sh                         # 10k, 100k, 1M; 3 runs each
#   SIZES="10000 100000" RUNS=5 benches/e2e.sh
#   KEEP=1 benches/e2e.sh                # keep the practices and reports
#   WORK=/big/disk benches/e2e.sh          # where the practices are written
#
# Needs: cargo, python3, GNU time (/usr/bin/time). Takes about half an hour
# on a 2-core machine, most of it at 1M. Run it on an otherwise idle machine;
# compare ratios within one run, never figures from different machines.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 100000 1000000"}
RUNS=${RUNS:-3}
WORK=${WORK:-$(mktemp -d -t emr-bench-XXXXXX)}
RESULTS="$WORK/results.jsonl"
OUTPUT=${OUTPUT:-docs/performance.md}

mkdir -p "$WORK"
cargo build --release --quiet
BIN="$PWD/target/release/emr-migrate"
: > "$RESULTS"

# Runs a command under GNU time; appends one JSON line with the command's
# --json summary, the wall time and the peak resident memory.
measure() {
    local size=$1 command=$2 run=$3; shift 3
    local time_file="$WORK/time.txt" json_file="$WORK/out.json"
    /usr/bin/time -f "%e %M" -o "$time_file" "$@" > "$json_file"
    read -r wall peak_kb < "$time_file"
    python3 - "$size" "$command" "$run" "$wall" "$peak_kb" "$json_file" >> "$RESULTS" <<'PY'
import json, sys
size, command, run, wall, peak_kb, json_file = sys.argv[1:]
summary = json.load(open(json_file))
print(json.dumps({"size": int(size), "command": command, "run": int(run), "wall_s": float(wall),
                  "peak_mb": int(peak_kb) / 1024, "summary": summary}))
PY
}

for size in $SIZES; do
    practice="$WORK/practice-$size"
    rm -rf "$practice"
    echo "== $size patients" >&2
    measure "$size" synth 1 "$BIN" synth --patients "$size" --format csv --no-files --seed 1 --out "$practice" --json --quiet
    for run in $(seq 1 "$RUNS"); do
        # Both commands start from no database: the first migration of the practice.
        rm -f "$practice/emr.sqlite"
        echo "   validate, run $run of $RUNS" >&2
        measure "$size" validate "$run" "$BIN" validate "$practice/migration.toml" --out "$WORK/report-$size" --json --quiet
        rm -f "$practice/emr.sqlite"
        echo "   run, run $run of $RUNS" >&2
        measure "$size" run "$run" "$BIN" run "$practice/migration.toml" --out "$WORK/report-$size" --json --quiet
    done
    measure "$size" evaluate 1 "$BIN" evaluate --truth "$practice/truth.csv" --clusters "$WORK/report-$size/clusters.csv" --json
    # A million-patient practice, its database and reports take gigabytes.
    if [ -z "${KEEP:-}" ]; then
        rm -rf "$practice" "$WORK/report-$size"
    fi
done

python3 benches/summarize.py "$RESULTS" "$OUTPUT"
echo "results: $RESULTS; table written to $OUTPUT" >&2
