// Hostile and malformed S3 answers must give clear errors, never crashes or wrong values.
#include "transfer/s3/s3_xml.h"

#include <doctest/doctest.h>

namespace seqgate::transfer::s3 {
namespace {

TEST_CASE("ListParts pages are parsed and paging is bounded") {
  const std::string page =
      "<?xml version=\"1.0\"?><ListPartsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker>"
      "<Part><PartNumber>1</PartNumber><ETag>\"AA\"</ETag><Size>5242880</Size></Part>"
      "<Part><PartNumber>2</PartNumber><ETag>&quot;bb&quot;</ETag><Size>7</Size></Part>"
      "</ListPartsResult>";
  auto p = ParseListParts(page, 0);
  REQUIRE(p.ok());
  REQUIRE(p->parts.size() == 2);
  CHECK(p->parts[0].etag == "aa");
  CHECK(p->parts[1].size == 7);
  CHECK(p->truncated);
  CHECK(p->next_marker == 2);
  // A server that would page forever (marker not advancing) is refused.
  CHECK(ParseListParts(page, 2).status().code() == StatusCode::kCorruption);
}

TEST_CASE("hostile ListParts answers are refused") {
  for (const char* bad : {
           "", "not xml", "<html><body>502</body></html>",
           "<ListPartsResult><Part><PartNumber>0</PartNumber><ETag>x</ETag><Size>1</Size></Part></"
           "ListPartsResult>",
           "<ListPartsResult><Part><PartNumber>10001</PartNumber><ETag>x</ETag><Size>1</Size></"
           "Part></ListPartsResult>",
           "<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>x</ETag><Size>-1</Size></Part></"
           "ListPartsResult>",
           "<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>x</"
           "ETag><Size>99999999999999999999999</Size></Part></ListPartsResult>",
           "<ListPartsResult><Part><PartNumber>1</PartNumber><Size>1</Size></Part></"
           "ListPartsResult>",
           "<ListPartsResult><IsTruncated>true</IsTruncated></ListPartsResult>",
           "<ListPartsResult><Part><PartNumber>1</PartNumber>",  // cut off
       }) {
    CHECK_MESSAGE(!ParseListParts(bad, 0).ok(), bad);
  }
}

TEST_CASE("entities are not expanded (billion laughs)") {
  const std::string bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
      "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
      "<InitiateMultipartUploadResult><UploadId>&lol2;</UploadId></InitiateMultipartUploadResult>";
  auto r = ParseInitiateUpload(bomb);
  if (r.ok()) CHECK(r->find("lollol") == std::string::npos);
}

TEST_CASE("CreateMultipartUpload answer needs a printable UploadId") {
  auto ok = ParseInitiateUpload(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><UploadId>abc-123</UploadId>"
      "</InitiateMultipartUploadResult>");
  REQUIRE(ok.ok());
  CHECK(*ok == "abc-123");
  CHECK(!ParseInitiateUpload("<InitiateMultipartUploadResult/>").ok());
  CHECK(!ParseInitiateUpload("<Error><Code>x</Code></Error>").ok());
  CHECK(!ParseInitiateUpload("<InitiateMultipartUploadResult><UploadId>a\nb</UploadId></"
                             "InitiateMultipartUploadResult>")
             .ok());
}

TEST_CASE("CompleteMultipartUpload: 200 with an Error body is an error") {
  auto e = ParseCompleteUpload(
      "   \n  <?xml version=\"1.0\"?><Error><Code>InternalError</Code>"
      "<Message>We encountered an internal error.</Message></Error>");
  REQUIRE(e.ok());
  REQUIRE(e->error.has_value());
  CHECK(e->error->code == "InternalError");
  auto ok = ParseCompleteUpload(
      "<CompleteMultipartUploadResult><ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag>"
      "</CompleteMultipartUploadResult>");
  REQUIRE(ok.ok());
  CHECK(!ok->error);
  CHECK(ok->etag == "3858f62230ac3c915f300c664312c11f-9");
  CHECK(!ParseCompleteUpload("").ok());
  CHECK(!ParseCompleteUpload("<CompleteMultipartUploadResult/>").ok());
}

TEST_CASE("Complete body lists parts in order with quoted ETags") {
  const std::string b = BuildCompleteBody({{1, "aa"}, {2, "b<&"}});
  CHECK(b.find("<PartNumber>1</PartNumber><ETag>&quot;aa&quot;</ETag>") != std::string::npos);
  CHECK(b.find("b&lt;&amp;") != std::string::npos);
  CHECK(ParseS3Error("<Error><Code>SlowDown</Code></Error>")->code == "SlowDown");
  CHECK(!ParseS3Error("<html/>").has_value());
}

TEST_CASE("ListObjectsV2: keys, ETags and sizes; malformed entries refused") {
  auto r = ParseListObjects(
      "<?xml version=\"1.0\"?><ListBucketResult><Name>u</Name><Prefix>run/a</Prefix>"
      "<Contents><Key>run/a</Key><ETag>\"abc-2\"</ETag><Size>10485760</Size></Contents>"
      "<Contents><Key>run/a.bak</Key><ETag>x</ETag><Size>0</Size></Contents>"
      "</ListBucketResult>");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].key == "run/a");
  CHECK((*r)[0].etag == "\"abc-2\"");
  CHECK((*r)[0].size == 10485760);
  CHECK(ParseListObjects("<ListBucketResult/>")->empty());
  CHECK(!ParseListObjects("<ListAllMyBucketsResult/>").ok());
  CHECK(!ParseListObjects("not xml").ok());
  CHECK(
      !ParseListObjects("<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>")
           .ok());
  CHECK(
      !ParseListObjects(
           "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>")
           .ok());
  CHECK(!ParseListObjects("<ListBucketResult><Contents><Key>k</Key><Size>99999999999999999999"
                          "</Size></Contents></ListBucketResult>")
             .ok());
}

}  // namespace
}  // namespace seqgate::transfer::s3
