// Finishing a multipart upload: CompleteMultipartUpload with the ETag check, and telling an
// upload that vanished because an earlier Complete succeeded from one that is simply gone.
#include "common/error_class.h"
#include "common/log.h"
#include "transfer/s3/multipart_session.h"

namespace seqgate::transfer::s3::detail {

Result<std::string> Session::Complete(S3Transport& t) {
  std::vector<std::pair<uint32_t, std::string>> list;
  std::vector<Digest> md5s;
  for (const auto& [n, p] : state_.parts) {
    list.emplace_back(n, p.etag);
    Digest d;
    d.size = 16;
    if (!FromHex(p.md5, MutableByteView(d.bytes.data(), 16))) {
      return Corruption(store_->Describe() + " holds a malformed MD5 for part " +
                        std::to_string(n));
    }
    md5s.push_back(d);
  }
  const std::string expected = MultipartEtag(md5s);
  const std::string body = BuildCompleteBody(list);
  const Headers extra{
      {"content-md5", Base64Encode(ComputeDigest(DigestAlgorithm::kMd5, AsBytes(body)).view())},
      {"content-type", "application/xml"}};
  unsigned attempt = 0;
  for (;;) {
    auto r = Call(t, "CompleteMultipartUpload", "POST", {{"uploadId", state_.upload_id}}, extra,
                  Sha256Hex(body), [&](S3Request& req) { req.body = body; });
    if (!r.ok() && r.status().code() == StatusCode::kNotFound) {
      // The upload existed a moment ago (its parts were just confirmed), so an earlier Complete
      // — ours, or curl's own resend on a fresh connection — may have succeeded with its answer
      // lost. The object decides: only the expected ETag counts as delivered.
      SEQGATE_ASSIGN_OR_RETURN(std::optional<ListedObject> o, FindObject(t));
      const std::string etag = o ? NormalizeEtag(o->etag) : "";
      Note("CompleteMultipartUpload's answer was lost; the listing shows ETag \"" + etag + "\"");
      if (etag != NormalizeEtag(expected)) {
        return Corruption("upload id vanished and the object's ETag is '" + etag + "', expected " +
                          expected);
      }
      return expected;
    }
    if (!r.ok()) return r.status();
    SEQGATE_ASSIGN_OR_RETURN(CompleteResult c, ParseCompleteUpload(r->body));
    if (c.error) {
      Status st = S3ErrorStatus(r->status, c.error->code,
                                "CompleteMultipartUpload (error in a 200 answer)");
      if (!c.error->message.empty())
        st = Status(st.code(), st.message() + " (" + c.error->message + ")");
      SEQGATE_RETURN_IF_ERROR(Backoff(st, &attempt, std::nullopt, "CompleteMultipartUpload"));
      continue;
    }
    if (c.etag != NormalizeEtag(expected)) {
      return Corruption("CompleteMultipartUpload answered ETag \"" + c.etag + "\", expected " +
                        expected + " from the parts' MD5s");
    }
    return expected;
  }
}

std::optional<std::string> Session::ExpectedEtag() const {
  std::vector<Digest> md5s;
  for (uint32_t n = 1; n <= plan_.part_count; ++n) {
    auto it = state_.parts.find(n);
    if (it == state_.parts.end() || it->second.size != plan_.Length(n)) return std::nullopt;
    Digest d;
    d.size = 16;
    if (!FromHex(it->second.md5, MutableByteView(d.bytes.data(), 16))) return std::nullopt;
    md5s.push_back(d);
  }
  return MultipartEtag(md5s);
}

Result<std::optional<ListedObject>> Session::FindObject(S3Transport& t) {
  // ListObjectsV2, not HeadObject: the SDA inbox answers 403 to everything but uploads and
  // listings. The exact key sorts first among those it prefixes, so the first page holds it.
  const Query q{{"list-type", "2"}, {"prefix", o_.key}, {"max-keys", "1000"}};
  SEQGATE_ASSIGN_OR_RETURN(HttpResponse r, Call(t, "ListObjectsV2", "GET", q, {}, Sha256Hex(""),
                                                nullptr, "/" + o_.bucket));
  SEQGATE_ASSIGN_OR_RETURN(std::vector<ListedObject> objects, ParseListObjects(r.body));
  for (ListedObject& o : objects) {
    if (o.key == o_.key) return std::optional<ListedObject>(std::move(o));
  }
  return std::optional<ListedObject>();
}

Result<std::optional<std::string>> Session::CompletedMeanwhile(S3Transport& t) {
  const std::optional<std::string> expected = ExpectedEtag();
  if (!expected) return std::optional<std::string>();
  SEQGATE_ASSIGN_OR_RETURN(std::optional<ListedObject> o, FindObject(t));
  if (!o || NormalizeEtag(o->etag) != NormalizeEtag(*expected)) return std::optional<std::string>();
  Note("upload " + state_.upload_id + " was completed before a restart; the object's ETag " +
       *expected + " matches its recorded parts");
  return std::optional<std::string>(*expected);
}

}  // namespace seqgate::transfer::s3::detail
