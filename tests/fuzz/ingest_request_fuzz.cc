// seqgate-ingest's request handling without TLS: raw bytes go through Beast's request parser
// (as the HTTPS session reads them), become a RequestHead (ToRequestHead, the session's own
// conversion) and are handled by TusService — Prepare, Handle, and for bodies the sink's
// Write/Finish — over a fresh storage folder in a private temp directory for every input.
//
// Input: byte 0 picks the calling site (lab-a or lab-b, to try other sites' uploads); the rest
// is one or more HTTP/1.1 requests back to back, at most kMaxRequests. "@ID@" in a request
// stands for the id of the last upload created, so one input can create an upload and then
// PATCH, HEAD, GET or DELETE it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>

#include <boost/beast/core/error.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/string_body.hpp>

#include "common/log.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/fuzz_key.h"
#include "ingest/beast_request.h"
#include "ingest/tus_service.h"

namespace {

using namespace seqgate;
using namespace seqgate::ingest;
namespace http = boost::beast::http;

constexpr int kMaxRequests = 8;
constexpr uint64_t kMaxBody = 1 << 20;

struct World {
  std::string scratch = fuzz::MakeScratchDir("ingest");
  IngestConfig config;
  World() {
    SetLogLevel(LogLevel::kError);  // a log line per request would slow every run tenfold
    config.storage = scratch + "/storage";
    config.server_name = "fuzz.centre";
    config.limits.min_free_bytes = 0;  // the fuzzer is not testing a full disk
    config.limits.max_upload_size = kMaxBody;
  }
};

World& TheWorld() {
  static World w;
  return w;
}

std::string LastSegment(const std::string& location) {
  return location.substr(location.rfind('/') + 1);
}

// Streams `body` into the sink in pieces, waiting for it whenever it asks to, as the session
// does, and returns the response it ends with.
Response Stream(BodySink& sink, std::string_view body) {
  constexpr size_t kPiece = 64 << 10;
  bool failed = false;
  for (size_t at = 0; at < body.size() && !failed; at += kPiece) {
    const std::string_view piece = body.substr(at, kPiece);
    failed = !sink.Write(AsBytes(piece)).ok();
    std::promise<void> ready;
    sink.WhenReady([&ready] { ready.set_value(); });
    ready.get_future().wait();
  }
  return sink.Finish(BodyEnd::kComplete);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  World& w = TheWorld();
  std::error_code ec;
  std::filesystem::remove_all(w.config.storage, ec);
  const Peer peer{(data[0] & 1) != 0 ? "lab-b" : "lab-a", "fuzz-cn", "127.0.0.1:1"};

  Metrics metrics;
  UploadStore store(w.config.storage);
  TusService tus(w.config, store, fuzz::FuzzSigner(), metrics);
  if (!tus.Start().ok()) std::abort();

  std::string rest(fuzz::AsText(data + 1, size - 1));
  std::string last_id;
  for (int n = 0; n < kMaxRequests && !rest.empty(); ++n) {
    if (!last_id.empty()) {
      for (size_t at = rest.find("@ID@"); at != std::string::npos; at = rest.find("@ID@", at)) {
        rest.replace(at, 4, last_id);
      }
    }
    http::request_parser<http::string_body> parser;
    parser.header_limit(w.config.limits.max_header_bytes);
    parser.body_limit(kMaxBody);
    parser.eager(true);
    boost::beast::error_code bec;
    const size_t used = parser.put(boost::asio::buffer(rest), bec);
    if (bec == http::error::need_more) parser.put_eof(bec);
    if (bec || !parser.is_done()) break;  // the session answers 400/431 and closes
    rest.erase(0, used);

    const RequestHead head = ToRequestHead(parser);
    TusService::Plan plan = tus.Prepare(head, peer);
    Response res;
    if (plan.response) {
      res = std::move(*plan.response);
    } else {
      TusService::Outcome out = tus.Handle(head, peer, plan);
      res = out.sink ? Stream(*out.sink, parser.get().body()) : std::move(out.response);
    }
    if (res.status < 100 || res.status > 599) std::abort();
    for (const auto& [name, value] : res.headers) {
      // Nothing from the request may break a response header open.
      if (value.find_first_of("\r\n") != std::string::npos) std::abort();
      if (name == "Location") last_id = LastSegment(value);
    }
  }
  return 0;
}
