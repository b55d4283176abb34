#include "transfer/s3/multipart_uploader.h"

#include "transfer/s3/multipart_session.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/error_class.h"
#include "common/hashing.h"
#include "common/log.h"
#include "common/sha256_md5.h"
#include "transfer/s3/multipart_options.h"
#include "transfer/s3/multipart_state.h"
#include "transfer/s3/part_plan.h"
#include "transfer/s3/s3_xml.h"
#include "transfer/s3/token_gate.h"
#include "transfer/tus_headers.h"  // ParseRetryAfter

namespace seqgate::transfer::s3 {
namespace detail {

Result<S3Request> Session::Build(const std::string& method, const Query& q, const Headers& extra,
                                 const std::string& payload_sha, const AccessToken* tok,
                                 const std::string& path) {
  const std::string target = path.empty() ? ObjectPath() : path;
  S3Request r;
  r.method = method;
  if (o_.token_mode == TokenMode::kBearer) {
    r.url = ep_.base + CanonicalTarget(target, q);
    r.headers.push_back("Authorization: Bearer " + tok->token);
    r.headers.push_back("x-amz-date: " + AmzDate(Now()));
    r.headers.push_back("x-amz-content-sha256: " + payload_sha);
    for (const auto& [k, v] : extra) r.headers.push_back(k + ": " + v);
  } else {
    Credentials c = o_.credentials;
    if (o_.token_mode == TokenMode::kSecurityToken) c.session_token = tok->token;
    SignInput in;
    in.method = method;
    in.host = ep_.host;
    in.path = target;
    in.query = q;
    in.headers = extra;
    in.payload_sha256 = payload_sha;
    in.region = o_.region;
    in.unix_time = Now();
    SEQGATE_ASSIGN_OR_RETURN(SignedRequest s, SignV4(in, c));
    r.url = ep_.base + s.target;
    r.headers = std::move(s.headers);
  }
  r.headers.push_back("Host: " + ep_.host);
  return r;
}

Status Session::Backoff(const Status& st, unsigned* attempt, std::optional<std::chrono::seconds> ra,
                        const std::string& what) {
  if (!IsTransient(st)) return st;
  if (o_.retry.max_attempts != 0 && *attempt + 1 >= o_.retry.max_attempts) {
    return st.WithContext("giving up after " + std::to_string(*attempt + 1) + " attempts");
  }
  const auto wait = o_.retry.Delay(*attempt, JitterUnit(), ra);
  ++*attempt;
  ++retries_;
  Log(LogLevel::kWarning, "s3_retry",
      {{"what", what},
       {"attempt", std::to_string(*attempt)},
       {"wait_ms", std::to_string(wait.count())},
       {"error", st.ToString()}});
  Note(what + ": " + st.ToString() + "; retrying in " + std::to_string(wait.count()) + " ms");
  if (!Sleep(wait)) return Status(StatusCode::kAborted, "upload stopped");
  return Status::Ok();
}

Result<HttpResponse> Session::Call(S3Transport& t, const std::string& what,
                                   const std::string& method, const Query& q, const Headers& extra,
                                   const std::string& payload_sha, const MakeBody& body,
                                   const std::string& path) {
  unsigned attempt = 0;
  for (;;) {
    if (Stopped()) return Status(StatusCode::kAborted, "upload stopped");
    SEQGATE_ASSIGN_OR_RETURN(std::optional<AccessToken> tok, UsableToken());
    SEQGATE_ASSIGN_OR_RETURN(S3Request req,
                             Build(method, q, extra, payload_sha, tok ? &*tok : nullptr, path));
    if (body) body(req);
    // A source that changed since the part was hashed would be refused (BadDigest) forever.
    if (req.source != nullptr) SEQGATE_RETURN_IF_ERROR(req.source->CheckUnchanged());
    auto resp = t.Perform(req);
    Status st;
    std::optional<std::chrono::seconds> retry_after;
    if (resp.ok()) {
      bytes_sent_ += resp->bytes_sent;
      if (resp->status >= 200 && resp->status <= 299) return resp;
      const auto err = ParseS3Error(resp->body);
      const std::string code = err ? err->code : "";
      if (tok && IsTokenRejection(resp->status, code)) {
        gate_->Reject(*tok);
        continue;  // UsableToken() now waits for a replaced token file
      }
      st = S3ErrorStatus(resp->status, code, what);
      if (err && !err->message.empty())
        st = Status(st.code(), st.message() + " (" + err->message + ")");
      if (auto h = resp->Header("retry-after")) {
        retry_after = ParseRetryAfter(*h, std::chrono::system_clock::now());
      }
    } else {
      st = resp.status();
      bytes_sent_ += t.last_bytes_sent();
    }
    SEQGATE_RETURN_IF_ERROR(Backoff(st, &attempt, retry_after, what));
  }
}

Status Session::Create(S3Transport& t) {
  const unsigned retries_before = retries_;
  SEQGATE_ASSIGN_OR_RETURN(HttpResponse r, Call(t, "CreateMultipartUpload", "POST",
                                                {{"uploads", ""}}, {}, Sha256Hex(""), nullptr));
  SEQGATE_ASSIGN_OR_RETURN(std::string id, ParseInitiateUpload(r.body));
  // A retried create may have succeeded before with its answer lost: that upload is ours too.
  if (retries_ != retries_before) SEQGATE_RETURN_IF_ERROR(AbortUnrecorded(t, id));
  {
    std::lock_guard lock(state_mu_);
    state_.upload_id = id;
    state_.parts.clear();
  }
  Note("created multipart upload for s3://" + o_.bucket + "/" + o_.key + " (" +
       std::to_string(plan_.part_count) + " parts of " + std::to_string(plan_.part_size) +
       " bytes)");
  return Save();
}

Result<std::map<uint32_t, ListedPart>> Session::ListAll(S3Transport& t) {
  std::map<uint32_t, ListedPart> out;
  uint32_t marker = 0;
  for (unsigned page_no = 0; page_no < kS3MaxParts; ++page_no) {
    Query q{{"uploadId", state_.upload_id}};
    if (marker != 0) q.emplace_back("part-number-marker", std::to_string(marker));
    SEQGATE_ASSIGN_OR_RETURN(HttpResponse r,
                             Call(t, "ListParts", "GET", q, {}, Sha256Hex(""), nullptr));
    SEQGATE_ASSIGN_OR_RETURN(ListPartsPage page, ParseListParts(r.body, marker));
    for (auto& p : page.parts) out[p.number] = std::move(p);
    if (!page.truncated) return out;
    marker = page.next_marker;
  }
  return Corruption("ListParts never stopped paging");
}

Status Session::Abort(S3Transport& t, const std::string& upload_id) {
  auto r = Call(t, "AbortMultipartUpload", "DELETE", {{"uploadId", upload_id}}, {}, Sha256Hex(""),
                nullptr);
  if (!r.ok() && r.status().code() != StatusCode::kNotFound) return r.status();
  Log(LogLevel::kInfo, "s3_upload_aborted", {{"key", o_.key}, {"bucket", o_.bucket}});
  Note("aborted multipart upload " + upload_id + " of s3://" + o_.bucket + "/" + o_.key);
  return Status::Ok();
}

// Uploads of this key that no state records (CreateMultipartUpload answered, the answer or the
// record lost) would hold their parts at the inbox forever: list them and abort all but `keep`.
Status Session::AbortUnrecorded(S3Transport& t, const std::string& keep) {
  std::vector<std::string> orphans;
  std::string key_marker, id_marker;
  for (unsigned page_no = 0; page_no < 1000; ++page_no) {
    Query q{{"uploads", ""}, {"prefix", o_.key}};
    if (!key_marker.empty()) {
      q.emplace_back("key-marker", key_marker);
      q.emplace_back("upload-id-marker", id_marker);
    }
    SEQGATE_ASSIGN_OR_RETURN(HttpResponse r, Call(t, "ListMultipartUploads", "GET", q, {},
                                                  Sha256Hex(""), nullptr, "/" + o_.bucket));
    SEQGATE_ASSIGN_OR_RETURN(ListUploadsPage page, ParseListUploads(r.body));
    for (const ListedUpload& u : page.uploads) {
      if (u.key == o_.key && u.upload_id != keep) orphans.push_back(u.upload_id);
    }
    if (!page.truncated) break;
    if (page.next_key_marker == key_marker && page.next_upload_id_marker == id_marker) {
      return Corruption("ListMultipartUploads never stopped paging");
    }
    key_marker = page.next_key_marker;
    id_marker = page.next_upload_id_marker;
  }
  for (const std::string& id : orphans) {
    Log(LogLevel::kWarning, "s3_orphan_aborted",
        {{"bucket", o_.bucket}, {"key", o_.key}, {"upload_id", id}});
    SEQGATE_RETURN_IF_ERROR(Abort(t, id));
  }
  return Status::Ok();
}

Status Session::UploadPart(S3Transport& t, const PendingPart& p) {
  SEQGATE_RETURN_IF_ERROR(src_.CheckUnchanged());
  const uint64_t off = plan_.Offset(p.number);
  const uint64_t len = plan_.Length(p.number);
  // Hash first: the signature covers the payload's SHA-256 and Content-MD5 precedes the body.
  Sha256Md5 digests;
  std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(len, 1u << 20)));
  for (uint64_t done = 0; done < len;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), len - done));
    SEQGATE_ASSIGN_OR_RETURN(size_t got, src_.ReadAt(off + done, MutableByteView(buf.data(), n)));
    if (got != n) return SourceChanged(src_.Describe() + " is shorter than its announced size");
    digests.Update(ByteView(buf.data(), n));
    done += n;
  }
  const Sha256Md5::Digests d = digests.Finish();
  const Digest m = *d.md5;
  const std::string md5_hex = m.hex();
  std::string etag;
  if (p.fate == PartFate::kVerifyListed && p.listed_etag == md5_hex) {
    etag = md5_hex;  // the server holds exactly these bytes already
    std::lock_guard lock(state_mu_);
    ++parts_kept_;
  } else {
    const std::string what = "UploadPart " + std::to_string(p.number);
    SEQGATE_ASSIGN_OR_RETURN(
        HttpResponse r,
        Call(t, what, "PUT",
             {{"partNumber", std::to_string(p.number)}, {"uploadId", state_.upload_id}},
             {{"content-md5", Base64Encode(m.view())}}, d.sha256.hex(), [&](S3Request& req) {
               req.source = &src_;
               req.offset = off;
               req.length = len;
             }));
    etag = NormalizeEtag(r.Header("etag").value_or(""));
    if (etag != md5_hex) {
      return Corruption(what + ": the server answered ETag '" + etag +
                        "', expected the part's MD5 " + md5_hex);
    }
    ++parts_sent_;
  }
  uint64_t held = 0;
  {
    std::lock_guard lock(state_mu_);
    state_.parts[p.number] = StoredPart{len, md5_hex, etag};
    for (const auto& [n, part] : state_.parts) held += part.size;
  }
  SEQGATE_RETURN_IF_ERROR(Save());
  if (o_.progress) o_.progress(held, plan_.object_size);
  return Status::Ok();
}

Status Session::RunWorkers(std::vector<PendingPart> pending) {
  std::atomic<size_t> next{0};
  std::mutex err_mu;
  Status first_error;
  const unsigned n =
      std::max(1u, std::min<unsigned>(o_.parallel, static_cast<unsigned>(pending.size())));
  {
    std::vector<std::jthread> workers;
    for (unsigned w = 0; w < n; ++w) {
      workers.emplace_back([&] {
        S3Transport t(o_.transport);
        std::stop_callback cancel(o_.stop, [&t] { t.Cancel(); });
        for (;;) {
          const size_t i = next++;
          if (i >= pending.size() || Stopped()) return;
          Status st = UploadPart(t, pending[i]);
          if (!st.ok()) {
            std::lock_guard lock(err_mu);
            if (first_error.ok()) first_error = st;
            failed_ = true;
            Wake();
            return;
          }
        }
      });
    }
  }
  if (!first_error.ok()) return first_error;
  if (o_.stop.stop_requested()) return Status(StatusCode::kAborted, "upload stopped");
  return Status::Ok();
}

Result<MultipartResult> Session::Run() {
  SEQGATE_ASSIGN_OR_RETURN(std::optional<MultipartState> loaded, store_->Load());
  S3Transport t(o_.transport);
  // An intent recorded without an upload id: a create may have reached the server.
  const bool unrecorded_create = loaded && loaded->upload_id.empty() && !loaded->complete;
  std::stop_callback cancel(o_.stop, [&t] { t.Cancel(); });
  const std::string fp = src_.Fingerprint();
  MultipartResult res;
  if (loaded) {
    if (loaded->endpoint != ep_.base || loaded->bucket != o_.bucket || loaded->key != o_.key) {
      return InvalidArgument(store_->Describe() + " belongs to s3://" + loaded->bucket + "/" +
                             loaded->key + " on " + loaded->endpoint +
                             "; use another --state for this upload");
    }
    const bool same_source = loaded->source_fingerprint == fp && loaded->object_size == src_.size();
    if (loaded->complete && same_source) {
      res.already_complete = true;
      res.etag = "\"" + loaded->etag + "\"";
      res.object_size = loaded->object_size;
      res.part_size = loaded->part_size;
      res.part_count = static_cast<uint32_t>(loaded->parts.size());
      res.upload_id = loaded->upload_id;
      return res;
    }
    if (!same_source) {
      if (!loaded->upload_id.empty() && !loaded->complete) {
        Note("the source changed since upload " + loaded->upload_id +
             " started; aborting it and starting again");
        state_ = *loaded;
        SEQGATE_RETURN_IF_ERROR(Abort(t, loaded->upload_id));
      }
      loaded.reset();
    } else if (loaded->part_size != plan_.part_size) {
      auto p = PlanParts(src_.size(), loaded->part_size);  // a resume keeps its part size
      if (!p.ok() || p->part_size != loaded->part_size) {
        return Corruption(store_->Describe() + " has an unusable part size");
      }
      plan_ = *p;
    }
  }
  if (loaded) {
    state_ = std::move(*loaded);
  } else {
    state_ = MultipartState{};
    state_.endpoint = ep_.base;
    state_.bucket = o_.bucket;
    state_.key = o_.key;
    state_.source = src_.Describe();
    state_.source_fingerprint = fp;
    state_.object_size = src_.size();
    state_.part_size = plan_.part_size;
    SEQGATE_RETURN_IF_ERROR(Save());
  }

  std::map<uint32_t, ListedPart> listed;
  if (state_.upload_id.empty()) {
    if (unrecorded_create) SEQGATE_RETURN_IF_ERROR(AbortUnrecorded(t, ""));
    SEQGATE_RETURN_IF_ERROR(Create(t));
  } else {
    auto l = ListAll(t);
    if (!l.ok() && l.status().code() == StatusCode::kNotFound) {
      // Gone: completed by a Complete whose answer or record a crash lost, or aborted/expired.
      SEQGATE_ASSIGN_OR_RETURN(std::optional<std::string> done, CompletedMeanwhile(t));
      if (done) {
        {
          std::lock_guard lock(state_mu_);
          state_.complete = true;
          state_.etag = NormalizeEtag(*done);
        }
        SEQGATE_RETURN_IF_ERROR(Save());
        res.already_complete = true;
        res.etag = *done;
        res.object_size = plan_.object_size;
        res.part_size = plan_.part_size;
        res.part_count = plan_.part_count;
        res.upload_id = state_.upload_id;
        return res;
      }
      Note("upload " + state_.upload_id + " no longer exists on the server; starting a new one");
      SEQGATE_RETURN_IF_ERROR(Create(t));
    } else if (!l.ok()) {
      return l.status();
    } else {
      listed = std::move(*l);
    }
  }

  std::vector<PendingPart> pending;
  {
    std::lock_guard lock(state_mu_);
    std::map<uint32_t, StoredPart> keep;
    for (uint32_t n = 1; n <= plan_.part_count; ++n) {
      const uint64_t len = plan_.Length(n);
      auto l = listed.find(n);
      auto s = state_.parts.find(n);
      const bool on_server = l != listed.end() && l->second.size == len;
      if (on_server && s != state_.parts.end() && s->second.size == len &&
          s->second.etag == l->second.etag && s->second.md5 == l->second.etag) {
        keep[n] = s->second;
        ++parts_kept_;
      } else if (on_server) {
        pending.push_back({n, PartFate::kVerifyListed, l->second.etag});
      } else {
        pending.push_back({n, PartFate::kSend, ""});
      }
    }
    state_.parts = std::move(keep);
  }
  SEQGATE_RETURN_IF_ERROR(Save());
  if (parts_kept_ > 0) {
    Note("resuming upload " + state_.upload_id + ": " + std::to_string(parts_kept_) + " of " +
         std::to_string(plan_.part_count) + " parts already on the server");
  }

  Status st = RunWorkers(std::move(pending));
  if (st.ok()) st = src_.CheckUnchanged();
  if (st.code() == StatusCode::kSourceChanged) {
    failed_ = false;  // the abort below must still run
    const std::string id = state_.upload_id;
    Abort(t, id).IgnoreError();  // best effort: the state is reset either way
    {
      std::lock_guard lock(state_mu_);
      state_.upload_id.clear();
      state_.parts.clear();
    }
    Save().IgnoreError();
    return st.WithContext("upload " + id + " aborted");
  }
  SEQGATE_RETURN_IF_ERROR(st);

  SEQGATE_ASSIGN_OR_RETURN(std::string etag, Complete(t));
  {
    std::lock_guard lock(state_mu_);
    state_.complete = true;
    state_.etag = NormalizeEtag(etag);
  }
  SEQGATE_RETURN_IF_ERROR(Save());
  Log(LogLevel::kInfo, "s3_upload_complete",
      {{"bucket", o_.bucket},
       {"key", o_.key},
       {"etag", etag},
       {"parts", std::to_string(plan_.part_count)}});
  res.etag = etag;
  res.object_size = plan_.object_size;
  res.part_count = plan_.part_count;
  res.part_size = plan_.part_size;
  res.parts_sent = parts_sent_;
  res.parts_kept = parts_kept_;
  res.bytes_sent = bytes_sent_;
  res.retries = retries_;
  res.upload_id = state_.upload_id;
  return res;
}

Status Session::AbortOnly() {
  SEQGATE_ASSIGN_OR_RETURN(std::optional<MultipartState> loaded, store_->Load());
  if (!loaded || loaded->upload_id.empty() || loaded->complete) {
    return NotFound(store_->Describe() + " holds no unfinished upload");
  }
  state_ = *loaded;
  S3Transport t(o_.transport);
  SEQGATE_RETURN_IF_ERROR(Abort(t, loaded->upload_id));
  state_.upload_id.clear();
  state_.parts.clear();
  return Save();
}

}  // namespace detail

using detail::Session;

Result<MultipartResult> UploadMultipart(const ObjectSource& source,
                                        const MultipartOptions& options) {
  SEQGATE_RETURN_IF_ERROR(CheckMultipartOptions(options));
  SEQGATE_ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint(options.endpoint));
  SEQGATE_ASSIGN_OR_RETURN(PartPlan plan, PlanParts(source.size(), options.part_size));
  Session s(source, options, std::move(ep), plan);
  return s.Run();
}

Status AbortMultipart(const MultipartOptions& options) {
  SEQGATE_RETURN_IF_ERROR(CheckMultipartOptions(options));
  SEQGATE_ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint(options.endpoint));
  // The source is not needed to abort; a plan of an empty object stands in.
  class NoSource final : public ObjectSource {
   public:
    uint64_t size() const override { return 0; }
    Result<size_t> ReadAt(uint64_t, MutableByteView) const override { return size_t{0}; }
    std::string Fingerprint() const override { return ""; }
    Status CheckUnchanged() const override { return Status::Ok(); }
    std::string Describe() const override { return "(none)"; }
  } none;
  SEQGATE_ASSIGN_OR_RETURN(PartPlan plan, PlanParts(0, 0));
  Session s(none, options, std::move(ep), plan);
  return s.AbortOnly();
}

}  // namespace seqgate::transfer::s3
