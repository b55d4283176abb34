#!/usr/bin/env bash
# The Debian package, built by cpack from this build tree and taken apart with dpkg-deb: the
# programs (stripped), units, sysusers file, docs and example configs are where Debian and
# systemd look for them; /etc/seqgate's two configs are conffiles equal to the examples; the
# maintainer scripts are there and, run against a scratch root (DPKG_ROOT), create the users
# and make the configs private. lintian runs only if it is already installed.
source "$(dirname "$0")/lib.sh"
: "${SEQGATE_SOURCE_DIR:?run through ctest (SEQGATE_SOURCE_DIR unset)}"
BUILD=$(dirname "$SEQGATE_BIN_DIR")
[[ -f "$BUILD/CPackConfig.cmake" ]] || fail "no CPackConfig.cmake in $BUILD"
for tool in cpack dpkg-deb dpkg-shlibdeps readelf; do
  command -v "$tool" >/dev/null || fail "$tool missing (scripts/install-deps.sh installs it)"
done

(cd "$WORK" && cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg" > "$WORK/cpack.log" 2>&1) ||
  fail "cpack failed: $(tail -n 20 "$WORK/cpack.log")"
DEB=$(ls "$WORK"/pkg/seqgate_*.deb 2>/dev/null | head -1)
[[ -n "$DEB" ]] || fail "cpack made no seqgate_*.deb: $(ls "$WORK/pkg")"
pass "cpack built $(basename "$DEB") ($(du -h "$DEB" | cut -f1))"

dpkg-deb -c "$DEB" | awk '{ print $1, $6 }' > "$WORK/contents"
has() {  # has MODE-PREFIX PATH
  grep -q "^$1[^ ]* \./${2#/}\$" "$WORK/contents" || fail "package lacks $2 (mode $1…): $(cat "$WORK/contents")"
}
programs=(seqgate-ingest seqgatectl seqgate-sim)
[[ -x "$SEQGATE_BIN_DIR/seqgated" ]] && programs+=(seqgated)
for p in "${programs[@]}"; do has -rwxr-xr-x "/usr/bin/$p"; done
pass "programs in /usr/bin: ${programs[*]}"
has -rw-r--r-- /usr/lib/systemd/system/seqgated.service
has -rw-r--r-- /usr/lib/systemd/system/seqgate-ingest.service
has -rw-r--r-- /usr/lib/sysusers.d/seqgate.conf
has -rw-r--r-- /usr/share/doc/seqgate/operations.md
has -rw-r--r-- /usr/share/seqgate/examples/seqgated.example.toml
has -rw-r--r-- /usr/share/seqgate/examples/seqgate-ingest.example.toml
has -rw-r--r-- /etc/seqgate/seqgated.toml
has -rw-r--r-- /etc/seqgate/seqgate-ingest.toml
pass "units, sysusers, docs, examples and /etc configs in place"
if grep -v -E ' \./(usr/(bin|lib/systemd/system|lib/sysusers\.d|share/doc/seqgate|share/seqgate)|etc/seqgate)(/|$)' "$WORK/contents" |
   grep -v -E ' \./(usr/|usr/lib/|usr/lib/systemd/|usr/share/|usr/share/doc/|etc/)?$' > "$WORK/stray"; then
  fail "unexpected paths in the package: $(cat "$WORK/stray")"
fi
pass "nothing else in the package"

dpkg-deb -I "$DEB" > "$WORK/info"
field() { sed -n "s/^ $1: //p" "$WORK/info"; }
[[ "$(field Package)" == seqgate ]] || fail "Package: $(field Package)"
[[ "$(field Architecture)" == "$(dpkg --print-architecture)" ]] || fail "Architecture: $(field Architecture)"
DEPENDS=$(field Depends)
for dep in libssl3 libzstd1 libcurl4 libsqlite3-0 libxxhash0 libstdc++6 "systemd | adduser"; do
  [[ "$DEPENDS" == *"$dep"* ]] || fail "Depends lacks $dep: $DEPENDS"
done
pass "control: Package seqgate, Depends from dpkg-shlibdeps ($DEPENDS)"

dpkg-deb -e "$DEB" "$WORK/control"
printf '/etc/seqgate/seqgated.toml\n/etc/seqgate/seqgate-ingest.toml\n' | cmp -s - "$WORK/control/conffiles" ||
  fail "conffiles: $(cat "$WORK/control/conffiles")"
for s in postinst prerm postrm; do
  [[ -x "$WORK/control/$s" ]] || fail "maintainer script $s missing or not executable"
  sh -n "$WORK/control/$s" || fail "$s: shell syntax error"
done
grep -q 'systemd-sysusers' "$WORK/control/postinst" || fail "postinst does not run systemd-sysusers"
grep -q 'adduser --system' "$WORK/control/postinst" || fail "postinst has no adduser fallback"
grep -q 'daemon-reload' "$WORK/control/postinst" || fail "postinst does not reload systemd"
pass "conffiles and maintainer scripts (postinst, prerm, postrm)"

dpkg-deb -x "$DEB" "$WORK/root"
cmp -s "$WORK/root/etc/seqgate/seqgated.toml" "$SEQGATE_SOURCE_DIR/config/seqgated.example.toml" ||
  fail "/etc/seqgate/seqgated.toml differs from the example"
cmp -s "$WORK/root/etc/seqgate/seqgate-ingest.toml" "$SEQGATE_SOURCE_DIR/config/seqgate-ingest.example.toml" ||
  fail "/etc/seqgate/seqgate-ingest.toml differs from the example"
cmp -s "$WORK/root/usr/lib/systemd/system/seqgated.service" "$SEQGATE_SOURCE_DIR/systemd/seqgated.service" ||
  fail "packaged seqgated.service differs from systemd/seqgated.service"
for p in "${programs[@]}"; do
  if readelf -S "$WORK/root/usr/bin/$p" | grep -q '\.debug_info'; then fail "/usr/bin/$p is not stripped"; fi
done
"$WORK/root/usr/bin/seqgatectl" --help > /dev/null || fail "the packaged seqgatectl does not run"
pass "configs equal the examples; programs stripped and runnable"

if [[ $(id -u) -eq 0 ]] && command -v systemd-sysusers >/dev/null; then
  DPKG_ROOT="$WORK/root" sh "$WORK/control/postinst" configure "" > "$WORK/postinst.log" 2>&1 ||
    fail "postinst failed: $(cat "$WORK/postinst.log")"
  for u in seqgate seqgate-ingest; do
    grep -q "^$u:x:[0-9]*:[0-9]*:.*:/usr/sbin/nologin$" "$WORK/root/etc/passwd" ||
      fail "postinst did not create user $u: $(cat "$WORK/root/etc/passwd" 2>/dev/null)"
  done
  gid=$(awk -F: '$1 == "seqgate" { print $3 }' "$WORK/root/etc/group")
  [[ "$(stat -c '%a %u %g' "$WORK/root/etc/seqgate/seqgated.toml")" == "640 0 $gid" ]] ||
    fail "seqgated.toml after postinst: $(stat -c '%a %u %g' "$WORK/root/etc/seqgate/seqgated.toml")"
  # An upgrade ($2 = old version) leaves the admin's permissions alone.
  chmod 0600 "$WORK/root/etc/seqgate/seqgated.toml"
  DPKG_ROOT="$WORK/root" sh "$WORK/control/postinst" configure 0.0.9 > "$WORK/postinst.log" 2>&1 ||
    fail "postinst (upgrade) failed: $(cat "$WORK/postinst.log")"
  [[ "$(stat -c '%a' "$WORK/root/etc/seqgate/seqgated.toml")" == 600 ]] || fail "upgrade changed config permissions"
  pass "postinst (DPKG_ROOT): users seqgate and seqgate-ingest, configs root:<group> 0640, upgrades keep modes"
else
  echo "SKIP: running postinst into a scratch root needs root and systemd-sysusers"
fi

if command -v lintian >/dev/null; then
  lintian --no-tag-display-limit "$DEB" > "$WORK/lintian.log" 2>&1 || true
  if grep -q '^E:' "$WORK/lintian.log"; then fail "lintian errors: $(grep '^E:' "$WORK/lintian.log")"; fi
  pass "lintian: no errors ($(grep -c '^W:' "$WORK/lintian.log") warnings)"
else
  echo "SKIP: lintian is not installed (not installed on purpose; run it by hand for releases)"
fi
