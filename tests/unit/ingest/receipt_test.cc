#include "ingest/receipt.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <string>

#include "temp_key.h"

namespace seqgate::ingest {
namespace {

FileReceipt Sample() {
  FileReceipt r;
  r.site = "lab-a";
  r.run = "RUN1";
  r.path = "dir/Müller.fastq";
  r.upload_id = std::string(32, 'a');
  r.encoding = "zstd-seekable";
  r.packed_size = 10;
  r.original_size = 40;
  r.frames = 1;
  r.sha256 = std::string(64, 'b');
  r.declared_sha256 = r.sha256;
  r.status = ReceiptStatus::kVerified;
  r.stored_as = "lab-a/RUN1/dir/Müller.fastq.zst";
  r.time = "2026-01-01T00:00:00Z";
  r.server = "centre";
  return r;
}

TEST_CASE("a signed receipt verifies with the public key and fails when altered") {
  TempKey key(EVP_PKEY_ED25519);
  auto signer = ReceiptSigner::LoadPrivateKey(key.path);
  REQUIRE_MESSAGE(signer.ok(), signer.status().ToString());
  CHECK(signer->key_id().size() == 16);
  CHECK(signer->public_key_pem().find("BEGIN PUBLIC KEY") != std::string::npos);
  auto doc = SignFileReceipt(Sample(), std::nullopt, *signer);
  REQUIRE(doc.ok());
  auto canonical = VerifyReceiptDocument(*doc, signer->public_key_pem());
  REQUIRE_MESSAGE(canonical.ok(), canonical.status().ToString());
  CHECK(canonical->find("\"status\":\"verified\"") != std::string::npos);

  std::string tampered = *doc;
  tampered.replace(tampered.find("\"verified\""), 10, "\"verifiee\"");
  CHECK_FALSE(VerifyReceiptDocument(tampered, signer->public_key_pem()).ok());

  TempKey other(EVP_PKEY_ED25519);
  auto other_signer = ReceiptSigner::LoadPrivateKey(other.path);
  REQUIRE(other_signer.ok());
  CHECK_FALSE(VerifyReceiptDocument(*doc, other_signer->public_key_pem()).ok());

  auto peek = PeekReceipt(*doc);
  REQUIRE(peek.ok());
  CHECK(peek->status == "verified");
  CHECK(peek->packed_size == 10);
}

TEST_CASE("run receipts sign and embed") {
  TempKey key(EVP_PKEY_ED25519);
  auto signer = ReceiptSigner::LoadPrivateKey(key.path);
  REQUIRE(signer.ok());
  RunReceipt run;
  run.site = "lab-a";
  run.run = "RUN1";
  run.files = {{"a", std::string(64, 'c'), "verified", std::string(32, 'd')},
               {"b", std::string(64, 'e'), "missing", ""}};
  auto doc = SignRunReceipt(run, *signer);
  REQUIRE(doc.ok());
  auto canonical = VerifyReceiptDocument(*doc, signer->public_key_pem());
  REQUIRE(canonical.ok());
  CHECK(canonical->find("\"status\":\"incomplete\"") != std::string::npos);
  auto file = SignFileReceipt(Sample(), run, *signer);
  REQUIRE(file.ok());
  CHECK(VerifyReceiptDocument(*file, signer->public_key_pem()).ok());
  CHECK(file->find("run_receipt") != std::string::npos);
}

TEST_CASE("only Ed25519 keys are accepted") {
  TempKey ec(EVP_PKEY_EC);
  auto signer = ReceiptSigner::LoadPrivateKey(ec.path);
  REQUIRE_FALSE(signer.ok());
  CHECK(signer.status().message().find("not an Ed25519") != std::string::npos);
  CHECK_FALSE(ReceiptSigner::LoadPrivateKey("/nonexistent/key.pem").ok());
}

TEST_CASE("garbage documents do not verify") {
  CHECK_FALSE(VerifyReceiptDocument("", "").ok());
  CHECK_FALSE(VerifyReceiptDocument("{\"receipt\":{},\"signature\":{\"value\":\"!!\"}}", "").ok());
  CHECK_FALSE(PeekReceipt("[1,2]").ok());
}

}  // namespace
}  // namespace seqgate::ingest
