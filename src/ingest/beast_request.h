// A request head as Beast parsed it, turned into the RequestHead the tus logic sees. Shared by
// the HTTPS session and the request fuzz target (tests/fuzz/ingest_request_fuzz.cc), so what
// the fuzzer feeds TusService is what the network would. Includes Beast: network front only.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>

#include <boost/beast/http/parser.hpp>

#include "ingest/http_types.h"

namespace seqgate::ingest {

// Method (after X-HTTP-Method-Override, upper-cased), target without its query string, fields
// with lower-case names (repeats joined by ", "), Content-Length and chunked framing.
template <class Body, class Allocator>
RequestHead ToRequestHead(const boost::beast::http::request_parser<Body, Allocator>& parser) {
  const auto& req = parser.get();
  RequestHead head;
  head.method = std::string(req.method_string());
  std::string target(req.target());
  head.target = target.substr(0, target.find('?'));
  for (const auto& field : req) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, fresh] = head.fields.emplace(name, std::string(field.value()));
    if (!fresh) it->second += ", " + std::string(field.value());
  }
  if (auto cl = parser.content_length()) head.content_length = *cl;
  head.chunked = parser.chunked();
  if (const std::string* override_method = head.Get("x-http-method-override")) {
    std::string m = *override_method;
    std::transform(m.begin(), m.end(), m.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    head.method = m;
  }
  return head;
}

}  // namespace seqgate::ingest
