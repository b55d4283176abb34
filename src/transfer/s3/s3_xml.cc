#include "transfer/s3/s3_xml.h"

#include <pugixml.hpp>

#include <charconv>

#include "transfer/s3/part_plan.h"

namespace seqgate::transfer::s3 {
namespace {

constexpr size_t kMaxText = 512;  // error messages are echoed to operators: keep them short

// Parses without DTDs or entity expansion beyond the XML built-ins (pugixml never fetches or
// expands external entities); a document over 4 MiB is refused before parsing.
bool Load(pugi::xml_document& doc, std::string_view body) {
  if (body.size() > 4u * 1024 * 1024) return false;
  const auto res = doc.load_buffer(body.data(), body.size(),
                                   pugi::parse_default & ~pugi::parse_doctype, pugi::encoding_utf8);
  return static_cast<bool>(res);
}

std::string Text(const pugi::xml_node& n, const char* child) {
  std::string s = n.child(child).text().as_string();
  if (s.size() > kMaxText) s.resize(kMaxText);
  return s;
}

template <typename T>
bool ParseNum(std::string_view s, T* out) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.remove_suffix(1);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::optional<S3Error> ParseS3Error(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return std::nullopt;
  const pugi::xml_node e = doc.document_element();
  if (std::string_view(e.name()) != "Error") return std::nullopt;
  return S3Error{Text(e, "Code"), Text(e, "Message")};
}

Result<std::string> ParseInitiateUpload(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return Corruption("CreateMultipartUpload answer is not XML");
  const pugi::xml_node r = doc.document_element();
  if (std::string_view(r.name()) != "InitiateMultipartUploadResult") {
    return Corruption("CreateMultipartUpload answer has root <" + std::string(r.name()) + ">");
  }
  std::string id = r.child("UploadId").text().as_string();
  if (id.empty() || id.size() > 1024) return Corruption("CreateMultipartUpload gave no UploadId");
  for (char c : id) {
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) {
      return Corruption("CreateMultipartUpload gave an UploadId with unprintable bytes");
    }
  }
  return id;
}

Result<ListPartsPage> ParseListParts(std::string_view body, uint32_t marker) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return Corruption("ListParts answer is not XML");
  const pugi::xml_node r = doc.document_element();
  if (std::string_view(r.name()) != "ListPartsResult") {
    return Corruption("ListParts answer has root <" + std::string(r.name()) + ">");
  }
  ListPartsPage page;
  for (const pugi::xml_node p : r.children("Part")) {
    ListedPart lp;
    if (!ParseNum(p.child("PartNumber").text().as_string(), &lp.number) || lp.number < 1 ||
        lp.number > kS3MaxParts) {
      return Corruption("ListParts answer has a bad PartNumber");
    }
    if (!ParseNum(p.child("Size").text().as_string(), &lp.size)) {
      return Corruption("ListParts answer has a bad Size for part " + std::to_string(lp.number));
    }
    lp.etag = NormalizeEtag(p.child("ETag").text().as_string());
    if (lp.etag.empty())
      return Corruption("ListParts part " + std::to_string(lp.number) + " has no ETag");
    page.parts.push_back(std::move(lp));
    if (page.parts.size() > kS3MaxParts)
      return Corruption("ListParts page lists over 10,000 parts");
  }
  const std::string trunc = r.child("IsTruncated").text().as_string();
  page.truncated = trunc == "true";
  if (page.truncated) {
    if (!ParseNum(r.child("NextPartNumberMarker").text().as_string(), &page.next_marker) ||
        page.next_marker <= marker || page.next_marker > kS3MaxParts) {
      return Corruption("ListParts page is truncated without a NextPartNumberMarker past " +
                        std::to_string(marker));
    }
  }
  return page;
}

Result<ListUploadsPage> ParseListUploads(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return Corruption("ListMultipartUploads answer is not XML");
  const pugi::xml_node r = doc.document_element();
  if (std::string_view(r.name()) != "ListMultipartUploadsResult") {
    return Corruption("ListMultipartUploads answer has root <" + std::string(r.name()) + ">");
  }
  ListUploadsPage page;
  for (const pugi::xml_node u : r.children("Upload")) {
    ListedUpload lu{u.child("Key").text().as_string(), u.child("UploadId").text().as_string()};
    if (lu.key.empty() || lu.upload_id.empty() || lu.upload_id.size() > 1024) {
      return Corruption("ListMultipartUploads lists an upload without key or UploadId");
    }
    page.uploads.push_back(std::move(lu));
    if (page.uploads.size() > 10000) return Corruption("ListMultipartUploads page is too long");
  }
  page.truncated = std::string(r.child("IsTruncated").text().as_string()) == "true";
  if (page.truncated) {
    page.next_key_marker = r.child("NextKeyMarker").text().as_string();
    page.next_upload_id_marker = r.child("NextUploadIdMarker").text().as_string();
    if (page.next_key_marker.empty()) {
      return Corruption("ListMultipartUploads page is truncated without a NextKeyMarker");
    }
  }
  return page;
}

Result<std::vector<ListedObject>> ParseListObjects(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return Corruption("ListObjectsV2 answer is not XML");
  const pugi::xml_node r = doc.document_element();
  if (std::string_view(r.name()) != "ListBucketResult") {
    return Corruption("ListObjectsV2 answer has root <" + std::string(r.name()) + ">");
  }
  std::vector<ListedObject> out;
  for (const pugi::xml_node c : r.children("Contents")) {
    ListedObject o{c.child("Key").text().as_string(), Text(c, "ETag"), 0};
    const std::string size = c.child("Size").text().as_string();
    if (o.key.empty() || size.empty() || size.size() > 19 ||
        size.find_first_not_of("0123456789") != std::string::npos) {
      return Corruption("ListObjectsV2 lists an object without a key or a numeric size");
    }
    o.size = std::stoull(size);
    out.push_back(std::move(o));
    if (out.size() > 10000) return Corruption("ListObjectsV2 page is too long");
  }
  return out;
}

Result<CompleteResult> ParseCompleteUpload(std::string_view body) {
  // S3 may send whitespace for minutes before the document: skip it.
  while (!body.empty() && (body.front() == ' ' || body.front() == '\n' || body.front() == '\r' ||
                           body.front() == '\t')) {
    body.remove_prefix(1);
  }
  pugi::xml_document doc;
  if (!Load(doc, body)) return Corruption("CompleteMultipartUpload answer is not XML");
  const pugi::xml_node r = doc.document_element();
  CompleteResult out;
  if (std::string_view(r.name()) == "Error") {
    out.error = S3Error{Text(r, "Code"), Text(r, "Message")};
    return out;
  }
  if (std::string_view(r.name()) != "CompleteMultipartUploadResult") {
    return Corruption("CompleteMultipartUpload answer has root <" + std::string(r.name()) + ">");
  }
  out.etag = NormalizeEtag(r.child("ETag").text().as_string());
  if (out.etag.empty()) return Corruption("CompleteMultipartUpload answer has no ETag");
  return out;
}

std::string BuildCompleteBody(const std::vector<std::pair<uint32_t, std::string>>& parts) {
  std::string x = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& [n, etag] : parts) {
    x += "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>&quot;" + XmlEscape(etag) +
         "&quot;</ETag></Part>";
  }
  x += "</CompleteMultipartUpload>";
  return x;
}

}  // namespace seqgate::transfer::s3
