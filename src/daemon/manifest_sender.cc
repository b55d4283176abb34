#include "daemon/manifest_sender.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/error_class.h"
#include "common/hashing.h"
#include "transfer/tus_headers.h"

namespace seqgate::daemon {
namespace {

using transfer::HttpRequest;
using transfer::HttpResponse;
using transfer::RefusalStatus;

const std::vector<std::string> kTus = {"Tus-Resumable: 1.0.0"};

class Sender {
 public:
  Sender(transfer::HttpClient& http, const ManifestUpload& m) : http_(http), m_(m) {}

  Status Attempt() {
    if (!caps_) {
      HttpRequest req{"OPTIONS", m_.endpoint, kTus, {}, 0};
      SEQGATE_ASSIGN_OR_RETURN(auto r, http_.Perform(req));
      if (r.status != 200 && r.status != 204) return RefusalStatus(r, "OPTIONS " + m_.endpoint);
      SEQGATE_ASSIGN_OR_RETURN(
          auto caps,
          transfer::ParseServerCaps(r.Header("Tus-Version"), r.Header("Tus-Extension"),
                                    r.Header("Tus-Max-Size"), r.Header("Tus-Checksum-Algorithm")));
      caps_ = std::move(caps);
      out_.verification = caps_->Has("seqgate-verification");
    }
    uint64_t offset = 0;
    if (!url_.empty()) {
      HttpRequest head{"HEAD", url_, kTus, {}, 0};
      SEQGATE_ASSIGN_OR_RETURN(auto r, http_.Perform(head));
      if (r.status == 404 || r.status == 410) {
        url_.clear();  // gone (expired or never completed): create it again
      } else if (r.status != 200 && r.status != 204) {
        return RefusalStatus(r, "HEAD " + url_);
      } else {
        offset = transfer::ParseUnsigned(r.Header("Upload-Offset").value_or("")).value_or(0);
      }
    }
    if (url_.empty()) {
      SEQGATE_RETURN_IF_ERROR(Create(&offset));
    }
    const ByteView all = AsBytes(m_.bytes);
    if (offset < all.size()) {
      std::vector<std::string> h = kTus;
      h.emplace_back("Content-Type: application/offset+octet-stream");
      h.push_back("Upload-Offset: " + std::to_string(offset));
      HttpRequest patch{"PATCH", url_, h, all.subspan(offset), 0};
      SEQGATE_ASSIGN_OR_RETURN(auto r, http_.Perform(patch));
      if (r.status == 409) return HttpStatusError(503, "offset mismatch; re-syncing");
      if (r.status != 204 && r.status != 200) return RefusalStatus(r, "PATCH " + url_);
    }
    return FetchReceipt();
  }

  Status Create(uint64_t* offset) {
    const std::string sha = ComputeDigest(DigestAlgorithm::kSha256, AsBytes(m_.bytes)).hex();
    std::vector<std::pair<std::string, std::string>> meta = {{"filename", "seqgate-manifest.json"}};
    if (out_.verification) {
      meta.emplace_back("seqgate-kind", "manifest");
      meta.emplace_back("seqgate-encoding", "identity");
      meta.emplace_back("seqgate-run", m_.run);
      meta.emplace_back("seqgate-path", "seqgate-manifest.json");
      meta.emplace_back("seqgate-sha256", sha);
    }
    std::vector<std::string> h = kTus;
    h.push_back("Upload-Length: " + std::to_string(m_.bytes.size()));
    h.push_back("Upload-Metadata: " + transfer::EncodeMetadata(meta));
    const bool with_body = caps_->Has("creation-with-upload");
    if (with_body) h.emplace_back("Content-Type: application/offset+octet-stream");
    HttpRequest post{"POST", m_.endpoint, h, with_body ? AsBytes(m_.bytes) : ByteView{}, 0};
    SEQGATE_ASSIGN_OR_RETURN(auto r, http_.Perform(post));
    if (r.status != 201) return RefusalStatus(r, "POST manifest to " + m_.endpoint);
    auto loc = r.Header("Location");
    if (!loc || loc->empty()) return HttpStatusError(502, "201 without a Location header");
    SEQGATE_ASSIGN_OR_RETURN(url_, transfer::ResolveLocation(m_.endpoint, *loc));
    if (m_.created) SEQGATE_RETURN_IF_ERROR(m_.created(url_));
    *offset = transfer::ParseUnsigned(r.Header("Upload-Offset").value_or("")).value_or(0);
    return Status::Ok();
  }

  Status FetchReceipt() {
    if (!out_.verification) {
      HttpRequest head{"HEAD", url_, kTus, {}, 0};
      SEQGATE_ASSIGN_OR_RETURN(auto r, http_.Perform(head));
      auto off = transfer::ParseUnsigned(r.Header("Upload-Offset").value_or(""));
      if (r.status != 200 || !off || *off != m_.bytes.size()) {
        return HttpStatusError(502, "final HEAD does not show the whole manifest");
      }
      out_.receipt = "{\"status\":\"sent\",\"upload_url\":\"" + url_ + "\"}";
      return Status::Ok();
    }
    HttpRequest get{"GET", url_, {}, {}, 0};
    SEQGATE_ASSIGN_OR_RETURN(auto r, http_.Perform(get));
    if (r.status == 202) return HttpStatusError(503, "the manifest receipt is not ready yet");
    if (r.status != 200) return RefusalStatus(r, "GET manifest receipt");
    out_.receipt = r.body;
    return Status::Ok();
  }

  Result<ManifestOutcome> Run() {
    url_ = m_.known_url.value_or("");
    unsigned failures = 0;
    for (;;) {
      if (m_.stop.stop_requested()) return Status(StatusCode::kAborted, "stopping");
      Status st = Attempt();
      if (st.ok()) break;
      if (!IsTransient(st)) return st;
      auto wait = m_.retry.Delay(failures++, transfer::JitterUnit(), std::nullopt);
      if (m_.note)
        m_.note("manifest: " + st.ToString() + "; retrying in " + std::to_string(wait.count()) +
                " ms");
      // Sleeps the backoff, waking at once when a stop is requested.
      std::mutex mu;
      std::unique_lock lock(mu);
      std::condition_variable_any().wait_for(lock, m_.stop, wait, [] { return false; });
    }
    out_.url = url_;
    return out_;
  }

 private:
  transfer::HttpClient& http_;
  const ManifestUpload& m_;
  std::optional<transfer::ServerCaps> caps_;
  std::string url_;
  ManifestOutcome out_;
};

}  // namespace

Result<ManifestOutcome> SendManifest(transfer::HttpClient& http, const ManifestUpload& m) {
  Sender s(http, m);
  return s.Run();
}

}  // namespace seqgate::daemon
