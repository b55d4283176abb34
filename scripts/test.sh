#!/usr/bin/env bash
# The full test command (README, and .ci/run calls exactly this): installs dependencies, builds
# with g++ and with clang (warnings are errors), and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

jobs=$(nproc)

build() {  # build <dir> <c++ compiler> [extra cmake args...]
  local dir=$1 cxx=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSEQGATE_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

echo "== build (g++ 12)"
build build/ci-gcc g++
echo "== build (clang 14)"
build build/ci-clang clang++-14

echo "== tests (g++ build: unit + integration)"
ctest --test-dir build/ci-gcc -j "$jobs" --output-on-failure --timeout 1200
echo "== tests (clang build: unit)"
ctest --test-dir build/ci-clang -j "$jobs" --output-on-failure -L unit
echo "== all tests passed"
