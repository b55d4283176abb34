#include "fault_spec.h"

#include <charconv>
#include <map>
#include <sstream>

namespace fault_proxy {
namespace {

bool ParseU64(const std::string& s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// True when the `which` column selects connection `conn`.
bool Selects(const std::string& which, uint64_t conn, bool* ok) {
  *ok = true;
  if (which == "all") return true;
  bool from = !which.empty() && which.back() == '+';
  uint64_t n = 0;
  if (!ParseU64(from ? which.substr(0, which.size() - 1) : which, &n) || n == 0) {
    *ok = false;
    return false;
  }
  return from ? conn >= n : conn == n;
}

}  // namespace

std::optional<ConnFaults> FaultsFor(const std::string& script, uint64_t conn, std::string* error) {
  ConnFaults f;
  std::istringstream in(script);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string which, kind, word;
    if (!(words >> which)) continue;
    auto bad = [&](const std::string& why) {
      *error = "line " + std::to_string(line_no) + ": " + why;
      return std::nullopt;
    };
    if (!(words >> kind)) return bad("missing fault name");
    std::map<std::string, std::string> kv;
    while (words >> word) {
      auto eq = word.find('=');
      if (eq == std::string::npos) return bad("expected key=value, got '" + word + "'");
      kv[word.substr(0, eq)] = word.substr(eq + 1);
    }
    bool ok = true;
    bool applies = Selects(which, conn, &ok);
    if (!ok) return bad("bad connection selector '" + which + "'");
    auto num = [&](const char* key, uint64_t* out) {
      auto it = kv.find(key);
      return it != kv.end() && ParseU64(it->second, out);
    };
    Dir d = Dir::kUp;
    if (kind == "cut" || kind == "stall" || kind == "flip") {
      auto it = kv.find("dir");
      if (it == kv.end() || (it->second != "up" && it->second != "down")) {
        return bad(kind + " needs dir=up|down");
      }
      d = it->second == "up" ? Dir::kUp : Dir::kDown;
    }
    uint64_t n = 0, m = 0;
    DirFaults& df = f.dir[static_cast<int>(d)];
    if (kind == "refuse") {
      if (applies) f.refuse = true;
    } else if (kind == "cut") {
      if (!num("bytes", &n)) return bad("cut needs bytes=N");
      if (applies) df.cut_after = n;
    } else if (kind == "stall") {
      const bool by_peer = kv.count("peer") != 0;
      if (!num(by_peer ? "peer" : "after", &n)) return bad("stall needs after=N or peer=N");
      if (kv.count("secs") != 0 && !num("secs", &m)) return bad("stall secs=T must be a number");
      if (applies) {
        (by_peer ? df.stall_after_peer : df.stall_after) = n;
        df.stall_secs = static_cast<double>(m);
      }
    } else if (kind == "latency") {
      if (!num("ms", &n)) return bad("latency needs ms=M");
      if (applies) f.latency_ms = static_cast<unsigned>(n);
    } else if (kind == "throttle") {
      if (!num("bps", &n) || n == 0) return bad("throttle needs bps=N > 0");
      if (applies) f.throttle_bps = n;
    } else if (kind == "flip") {
      if (!num("offset", &n)) return bad("flip needs offset=N");
      if (applies) df.flip_offset = n;
    } else {
      return bad("unknown fault '" + kind + "'");
    }
  }
  return f;
}

}  // namespace fault_proxy
