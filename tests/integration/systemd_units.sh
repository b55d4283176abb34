#!/usr/bin/env bash
# The shipped units and sysusers file, checked by systemd's own tools: both units score at most
# 2.0 on `systemd-analyze security` (and the gate really fails a unit without the hardening),
# `systemd-analyze verify` finds nothing to complain about, and systemd-sysusers creates the
# users the units name.
source "$(dirname "$0")/lib.sh"
: "${SEQGATE_SOURCE_DIR:?run through ctest (SEQGATE_SOURCE_DIR unset)}"
UNITS="$SEQGATE_SOURCE_DIR/systemd"
command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (scripts/install-deps.sh installs systemd)"

# exposure FILE → the overall exposure level systemd-analyze prints (e.g. 1.4).
exposure() {
  systemd-analyze security --offline=yes "$1" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}

# A copy of a unit with every sandboxing line removed: what an unhardened service looks like.
weaken() {
  grep -v -E '^(Protect|Private|Restrict|Capability|Ambient|NoNewPrivileges|SystemCall|MemoryDeny|Lock|RemoveIPC|ProcSubset|DevicePolicy|KeyringMode|UMask|ReadOnlyPaths)' "$1"
}

for unit in seqgated seqgate-ingest; do
  file="$UNITS/$unit.service"
  [[ -f "$file" ]] || fail "$file missing"
  rc=0
  out=$(systemd-analyze security --offline=yes --threshold=20 "$file" 2>&1) || rc=$?
  [[ $rc -eq 0 ]] || fail "$unit: exposure above 2.0 (exit $rc): $(echo "$out" | tail -n 2)"
  pass "$unit: systemd-analyze security --threshold=20 passes, exposure $(exposure "$file")"

  # The gate must be able to fail: the same unit without its sandbox is far above 2.0 ...
  weaken "$file" > "$WORK/$unit.service"
  rc=0
  systemd-analyze security --offline=yes --threshold=20 "$WORK/$unit.service" >/dev/null 2>&1 || rc=$?
  [[ $rc -ne 0 ]] || fail "$unit: the weakened copy passed the gate (exposure $(exposure "$WORK/$unit.service"))"
  # ... and the exit status is the threshold comparison, not an error reading the unit.
  systemd-analyze security --offline=yes --threshold=100 "$WORK/$unit.service" >/dev/null 2>&1 ||
    fail "$unit: the weakened copy fails even at threshold 10.0"
  pass "$unit: the weakened copy fails the gate (exposure $(exposure "$WORK/$unit.service"), exit $rc)"

  for key in Type=notify NotifyAccess=main Restart=on-failure UMask=0077 ProtectSystem=strict \
             CapabilityBoundingSet= SystemCallFilter=@system-service; do
    grep -qx "$key" "$file" || fail "$unit: $key missing"
  done
  grep -q '^WatchdogSec=[1-9]' "$file" || fail "$unit: no WatchdogSec"
  pass "$unit: notify, watchdog, restart and sandbox settings present"
done
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$UNITS/seqgated.service" || fail "seqgated: no SIGHUP reload"
grep -qx 'ExecStart=/usr/bin/seqgated --config /etc/seqgate/seqgated.toml' "$UNITS/seqgated.service" ||
  fail "seqgated: unexpected ExecStart"
grep -qx 'ExecStart=/usr/bin/seqgate-ingest --config /etc/seqgate/seqgate-ingest.toml' \
  "$UNITS/seqgate-ingest.service" || fail "seqgate-ingest: unexpected ExecStart"

# systemd-analyze verify insists that ExecStart's program exists; it checks the built program in
# place of /usr/bin (the only change to the copy). Any diagnostic counts as a failure: verify
# exits 0 on unknown keys and bad values, it only prints them.
verify_unit() {  # verify_unit FILE → prints diagnostics, fails if there are any
  local out
  out=$(systemd-analyze verify --man=no "$1" 2>&1) || { echo "$out"; return 1; }
  [[ -z "$out" ]] || { echo "$out"; return 1; }
}
printf '[Service]\nType=notify\nProtectSystm=strict\nExecStart=/bin/true\n' > "$WORK/typo.service"
if verify_unit "$WORK/typo.service" >/dev/null; then fail "verify check cannot see a misspelt key"; fi
for unit in seqgated seqgate-ingest; do
  if [[ ! -x "$SEQGATE_BIN_DIR/$unit" ]]; then
    echo "SKIP: systemd-analyze verify $unit.service: $SEQGATE_BIN_DIR/$unit is not built"
    continue
  fi
  sed "s|^ExecStart=/usr/bin/$unit |ExecStart=$SEQGATE_BIN_DIR/$unit |" "$UNITS/$unit.service" > "$WORK/$unit.service"
  diags=$(verify_unit "$WORK/$unit.service") || fail "$unit: systemd-analyze verify: $diags"
  pass "$unit: systemd-analyze verify reports nothing"
done

# The users the units run as come from the sysusers file (into a scratch root).
mkdir -p "$WORK/root/etc"
systemd-sysusers --root="$WORK/root" "$UNITS/seqgate.sysusers" >/dev/null 2>&1 || fail "systemd-sysusers rejected seqgate.sysusers"
for unit in seqgated seqgate-ingest; do
  user=$(sed -n 's/^User=//p' "$UNITS/$unit.service")
  home=$(grep "^$user:" "$WORK/root/etc/passwd" | cut -d: -f6)
  shell=$(grep "^$user:" "$WORK/root/etc/passwd" | cut -d: -f7)
  [[ -n "$home" ]] || fail "$unit runs as $user, which seqgate.sysusers does not create"
  [[ "$shell" == */nologin ]] || fail "$user gets a login shell ($shell)"
  grep -q "^$user:" "$WORK/root/etc/group" || fail "no group $user"
  pass "$unit: user $user (home $home, no login) created by systemd-sysusers"
done
