// The fault script of seqgate-fault-proxy: which faults apply to which connection.
//
// One fault per line, `<which> <fault> [key=value ...]`, '#' starts a comment:
//   which   `all`, a connection number `3` (1-based, in accept order) or `3+` (3 and later)
//   refuse                         accept, then close at once
//   cut     dir=up|down bytes=N    forward N bytes in that direction, then close both sides
//   stall   dir=up|down after=N secs=T   stop forwarding after N bytes for T s (0 = forever)
//   stall   dir=up|down peer=N secs=T    same, once the *other* direction has carried N bytes
//                                  (dir=down peer=<request size>: the answer is lost)
//   latency ms=M                   delay every chunk by M ms, in each direction
//   throttle bps=N                 at most N bytes/s in each direction
//   flip    dir=up|down offset=N   XOR byte N of that direction with 0xFF
// `up` is client → upstream. The script is re-read at every accept, so a test can change the
// faults between connections.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fault_proxy {

enum class Dir { kUp = 0, kDown = 1 };

// Faults for one direction of one connection.
struct DirFaults {
  std::optional<uint64_t> cut_after;
  std::optional<uint64_t> stall_after;
  std::optional<uint64_t> stall_after_peer;  // other direction's byte count that starts it
  double stall_secs = 0;                     // 0 = forever
  std::optional<uint64_t> flip_offset;
};

// Every fault that applies to one connection.
struct ConnFaults {
  bool refuse = false;
  unsigned latency_ms = 0;
  uint64_t throttle_bps = 0;  // 0 = unlimited
  DirFaults dir[2];
};

// Parses a whole script and returns the faults of connection `conn` (1-based). On a syntax
// error returns nullopt and sets `*error` to the line and the reason.
std::optional<ConnFaults> FaultsFor(const std::string& script, uint64_t conn, std::string* error);

}  // namespace fault_proxy
