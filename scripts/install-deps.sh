#!/usr/bin/env bash
# Installs everything seqgate needs to build, test and demo on Debian 12. Idempotent: packages
# already present are skipped, so a second run costs a dpkg query and nothing else.
set -euo pipefail

# Build: compilers, CMake/Ninja, and the -dev packages the code links against.
BUILD_PKGS=(
  build-essential g++ clang-14 cmake ninja-build pkg-config
  libboost-dev libzstd-dev libxxhash-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev
  doctest-dev libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libpugixml-dev
  libclang-rt-14-dev  # the sanitizer runtimes (ASan, UBSan, TSan) and libFuzzer, for clang
)
# Test and benchmark peers: independent tools that check our output.
TEST_PKGS=(
  zstd coreutils openssl time python3 python3-tuspy gzip bzip2 xz-utils util-linux curl xxd
  procps  # pgrep: scripts/test.sh stops its background build when a phase fails
  # c4gh_cli.sh: tests/peers/c4gh_reader.py, the independent Crypt4GH reader (libsodium)
  python3-nacl
  # systemd_units.sh / package_deb.sh: systemd-analyze, systemd-sysusers; cpack's dpkg-shlibdeps
  systemd dpkg-dev
  # s3_*.sh: botocore's SigV4 signer checks ours; boto3 cross-checks the fake S3 server
  python3-botocore python3-boto3
)

missing=()
for p in "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

# npm peers (tus-js-client, @tus/server) live in tests/peers with a lockfile; installed into it,
# never globally, and again whenever the lockfile is newer than what is installed.
# @tus/server needs Node.js >= 20.19 — newer than Debian 12's nodejs (18) — so the machine's own
# Node is used and checked rather than installed from Debian.
peers="$(cd "$(dirname "$0")/.." && pwd)/tests/peers"
if [[ -f $peers/package.json ]]; then
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);
                process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; then
    echo "install-deps: Node.js >= 20.19 with npm is required for the tus peers in tests/peers;" \
         "found $(node --version 2>/dev/null || echo 'no node'). Install Node.js 20 (e.g. the" \
         "NodeSource nodejs package) and run again." >&2
    exit 1
  fi
  if [[ ! -f $peers/node_modules/.package-lock.json ||
        $peers/package-lock.json -nt $peers/node_modules/.package-lock.json ]]; then
    echo "install-deps: npm ci in tests/peers"
    (cd "$peers" && npm ci --no-audit --no-fund --silent)
  fi
fi
