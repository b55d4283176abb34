// seqgatectl verify: decompresses (or reads) a packed file and checks the original's digests.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "ctl/commands.h"
#include "pipeline/stream_verifier.h"

namespace seqgate::ctl {
namespace {

struct VerifyArgs {
  std::string input, sha256, md5, encoding = "auto";
  bool json = false;
};

Result<Digest> ParseDigest(const std::string& hex, DigestAlgorithm alg, const char* flag) {
  Digest d;
  d.size = DigestSize(alg);
  if (!FromHex(hex, {d.bytes.data(), d.size})) {
    return InvalidArgument(std::string(flag) + " must be " + std::to_string(2 * d.size) +
                           " hexadecimal digits");
  }
  return d;
}

int RunVerify(const VerifyArgs& a) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "seqgatectl verify: %s\n", s.ToString().c_str());
    return 1;
  };
  pipeline::ExpectedDigests expected;
  auto sha = ParseDigest(a.sha256, DigestAlgorithm::kSha256, "--sha256");
  if (!sha.ok()) return fail(sha.status());
  expected.sha256 = *sha;
  if (!a.md5.empty()) {
    auto md5 = ParseDigest(a.md5, DigestAlgorithm::kMd5, "--md5");
    if (!md5.ok()) return fail(md5.status());
    expected.md5 = *md5;
  }
  std::optional<pipeline::Encoding> enc;
  if (a.encoding != "auto") {
    enc = pipeline::ParseEncoding(a.encoding);
    if (!enc) return fail(InvalidArgument("--encoding must be auto, zstd or identity"));
  }
  auto v = pipeline::VerifyPackedFile(*Env::Default(), a.input, enc, false, expected);
  if (!v.ok()) return fail(v.status());
  if (a.json) {
    nlohmann::json j = {{"input", a.input},
                        {"verified", true},
                        {"encoding", pipeline::EncodingName(v->encoding)},
                        {"original_size", v->original_size},
                        {"original_sha256", v->original_sha256.hex()},
                        {"frames", v->frames}};
    if (v->original_md5) j["original_md5"] = v->original_md5->hex();
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("verified    %s (%s, %llu original bytes, %u frames): sha256%s match\n",
                a.input.c_str(), std::string(pipeline::EncodingName(v->encoding)).c_str(),
                static_cast<unsigned long long>(v->original_size), v->frames,
                expected.md5 ? " and md5" : "");
  }
  return 0;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Decompress (or read) FILE and check the original's SHA-256 (and MD5)");
  cmd->add_option("FILE", args->input, "Packed file to verify")->required();
  cmd->add_option("--sha256", args->sha256, "Expected SHA-256 of the original (hex)")->required();
  cmd->add_option("--md5", args->md5, "Expected MD5 of the original (hex)");
  cmd->add_option("--encoding", args->encoding,
                  "auto (seek table present → zstd), zstd or identity");
  cmd->add_flag("--json", args->json, "Print one JSON object instead of text");
  cmd->callback([args, &exit_code] { exit_code = RunVerify(*args); });
}

}  // namespace seqgate::ctl
