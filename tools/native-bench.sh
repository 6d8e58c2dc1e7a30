#!/usr/bin/env bash
# The native autoencoder training loop against PyTorch's on the same number of threads (issue 14):
# one epoch of 20,000 digits (its test pass included, as both time it), run in alternating
# rounds (ours 1 thread, PyTorch 1, ours 2, PyTorch 2, then again) because this machine's speed
# drifts by ±30% from minute to minute; the median of each column is printed with the ratio.
#
#   tools/native-bench.sh FLOWAE_BINARY [ROUNDS]      (PYTHON names an interpreter with torch)
set -euo pipefail
flowae=$1
rounds=${2:-5}
python=${PYTHON:-python3}
args=(--epochs 1 --train-images 20000 --test-images 1000)
have_torch=0
"$python" -c 'import torch' 2>/dev/null && have_torch=1
[ "$have_torch" = 1 ] || echo "no PyTorch here (set PYTHON to an interpreter with torch to compare): ours only"
runs=$(mktemp)
trap 'rm -f "$runs"' EXIT
speed() { grep -o '[0-9]* images/s' | tail -1 | cut -d' ' -f1; }
# One timed run: its images/s into $runs, or the bench stops naming it (each run takes seconds;
# 10 minutes means it hung).
run() {
  local who=$1 threads=$2 output images
  shift 2
  if ! output=$(timeout 600 "$@" 2>&1); then
    echo "native bench: $who on $threads thread(s) failed or ran past 10 minutes:" >&2
    echo "$output" | tail -5 >&2
    exit 1
  fi
  images=$(echo "$output" | speed)
  if [ -z "$images" ]; then
    echo "native bench: $who on $threads thread(s) printed no images/s:" >&2
    echo "$output" | tail -5 >&2
    exit 1
  fi
  echo "$who $threads $images $round" >>"$runs"
}
for round in $(seq "$rounds"); do
  for threads in 1 2; do
    out=$(mktemp -d)
    run ours "$threads" "$flowae" train-ae --threads "$threads" "${args[@]}" --out "$out"
    rm -rf "$out"
    if [ "$have_torch" = 1 ]; then
      run pytorch "$threads" "$python" tools/pytorch-ae.py --threads "$threads" "${args[@]}"
    fi
  done
  echo "round $round/$rounds done"
done
# Median per (who, threads), then ours / PyTorch: the ratio of the medians, and the range of
# the ratios within a round (each round runs both back to back, so its ratio shares the
# machine's mood of the moment).
sort -k1,1 -k2,2n -k3,3n "$runs" | awk '
  { key = $1 " " $2; v[key, ++n[key]] = $3; keys[key] = 1; by[$1, $2, $4] = $3 }
  END {
    for (k in keys) {
      c = n[k]; m[k] = (c % 2) ? v[k, (c + 1) / 2] : (v[k, c / 2] + v[k, c / 2 + 1]) / 2
      r[k] = sprintf("%d-%d", v[k, 1], v[k, c])
    }
    for (t = 1; t <= 2; t++) {
      line = sprintf("%d thread(s): ours %.0f images/s (%s)", t, m["ours " t], r["ours " t])
      if (("pytorch " t) in m) {
        lo = 1e9; hi = 0
        for (round = 1; round <= '"$rounds"'; round++) {
          q = by["ours", t, round] / by["pytorch", t, round]
          if (q < lo) lo = q
          if (q > hi) hi = q
        }
        line = line sprintf(", PyTorch %.0f (%s), ours / PyTorch %.2fx (rounds %.2f-%.2fx)", m["pytorch " t], r["pytorch " t], m["ours " t] / m["pytorch " t], lo, hi)
      }
      print line
    }
    print "(medians of '"$rounds"' alternating runs each, range in brackets)"
  }'
