// The HTTP request and response as the tus logic sees them — plain structs, so protocol code
// and its tests never include Beast (which is slow to compile and lives in https_server.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace seqgate::ingest {

struct RequestHead {
  std::string method;  // upper case, after X-HTTP-Method-Override
  std::string target;  // path without query string
  // Field names lower-cased; repeated fields joined with ", " as HTTP allows.
  std::map<std::string, std::string> fields;
  std::optional<uint64_t> content_length;
  bool chunked = false;

  // The field's value, or nullptr. `name` must be lower case.
  const std::string* Get(std::string_view name) const {
    auto it = fields.find(std::string(name));
    return it == fields.end() ? nullptr : &it->second;
  }
  // True when a body follows the head.
  bool has_body() const { return chunked || content_length.value_or(0) > 0; }
};

struct Response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // close the connection after sending (body not read, or fatal)

  Response& Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// Who is calling, established by the TLS handshake.
struct Peer {
  std::string site;         // validated site name
  std::string common_name;  // certificate subject CN (for logs)
  std::string address;      // remote IP:port (for logs)
};

// How a request body ended.
enum class BodyEnd {
  kComplete,     // the whole body arrived
  kInterrupted,  // connection lost, timed out, taken over or shut down
};

// Receives a request body in pieces. The session calls Write for each piece, then Finish once.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Stores the next piece. A failure stops the body; Finish then reports it.
  virtual Status Write(ByteView data) = 0;
  // Calls `resume` (now, or later from another thread) once the sink can take more: lets a
  // slow consumer push back on the network without blocking an I/O thread.
  virtual void WhenReady(std::function<void()> resume) { resume(); }
  // Calls `resume` (now, or later from another thread) once a body that arrived whole can be
  // answered: the sink may still be checking it (a digest computed on another thread).
  virtual void WhenComplete(std::function<void()> resume) { resume(); }
  // Makes what was stored durable (or discards it) and returns the response to send; for
  // kInterrupted the response is not sent, but the work still happens.
  virtual Response Finish(BodyEnd end) = 0;
};

}  // namespace seqgate::ingest
