// seqgatectl pack: writes exactly what the gateway would upload for one file, and reports it.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/units.h"
#include "crypt4gh/keys.h"
#include "crypt4gh/pack_sink.h"
#include "crypt4gh/resume_state.h"
#include "ctl/commands.h"
#include "ctl/output_file.h"
#include "pipeline/pipeline_config.h"

namespace seqgate::ctl {
namespace {

struct PackArgs {
  std::string input, output, config, records, level_text, frame_size_text, encoding = "auto";
  std::vector<std::string> recipients;  // Crypt4GH public key files; none = no encryption
  std::string c4gh_state;               // where reproducible encryption parameters live
  int level = 3;
  unsigned threads = 0;
  bool no_md5 = false, json = false;
};

// Passes frames to the output file and, when asked, appends each frame record as a JSON line.
class RecordingSink final : public pipeline::PackSink {
 public:
  RecordingSink(pipeline::PackSink& inner, std::ofstream* records)
      : inner_(inner), records_(records) {}
  Status OnFrame(const pipeline::FrameRecord& r, ByteView bytes) override {
    if (records_ != nullptr) {
      nlohmann::json j = {{"index", r.index},
                          {"input_offset", r.input_offset},
                          {"input_size", r.input_size},
                          {"output_offset", r.output_offset},
                          {"output_size", r.output_size},
                          {"input_checksum", r.input_checksum},
                          {"output_xxh64", r.output_xxh64}};
      *records_ << j.dump() << '\n';
      if (!*records_) return IoError("writing frame records failed");
    }
    return inner_.OnFrame(r, bytes);
  }
  Status OnTrailer(ByteView bytes) override { return inner_.OnTrailer(bytes); }

 private:
  pipeline::PackSink& inner_;
  std::ofstream* records_;
};

// Crypt4GH output: the packed stream is the plaintext; the encrypted object goes to the file.
struct Encryption {
  Encryption(OutputFileSink& file, bool with_md5)
      : to_file(file), digests(to_file, with_md5), md5(with_md5) {}
  class ToFile final : public crypt4gh::ByteSink {
   public:
    explicit ToFile(OutputFileSink& f) : f_(f) {}
    Status Write(ByteView b) override { return f_.Append(b); }

   private:
    OutputFileSink& f_;
  } to_file;
  crypt4gh::DigestingSink digests;
  std::unique_ptr<crypt4gh::Encryptor> encryptor;
  std::unique_ptr<crypt4gh::EncryptingPackSink> sink;
  size_t recipients = 0;
  bool fresh = true;
  bool md5;
};

// Recipients' keys, and the parameters: fresh ones, or with --c4gh-state the ones stored for
// this output and source (so packing the same file again gives the same bytes).
Result<crypt4gh::EncryptionParams> EncryptionParamsFor(const PackArgs& a,
                                                       const pipeline::PackOptions& o,
                                                       bool* fresh) {
  std::vector<crypt4gh::PublicKey> keys;
  for (const auto& path : a.recipients) {
    SEQGATE_ASSIGN_OR_RETURN(const std::string text, crypt4gh::ReadKeyFile(path));
    SEQGATE_ASSIGN_OR_RETURN(auto more, crypt4gh::ParsePublicKeys(text, path));
    keys.insert(keys.end(), more.begin(), more.end());
  }
  *fresh = true;
  if (a.c4gh_state.empty()) return crypt4gh::EncryptionParams::Generate(std::move(keys));
  // The identity of the file itself (fstat after open), not of a symlink naming it: a new target
  // behind the same link must not reuse the old key and nonces. Pack fails with kSourceChanged if
  // the file changes after this.
  SEQGATE_ASSIGN_OR_RETURN(auto file, Env::Default()->OpenForRead(a.input));
  SEQGATE_ASSIGN_OR_RETURN(const FileIdentity id, file->Stat());
  const std::string variant =
      "level=" + std::to_string(o.level) + " frame=" + std::to_string(o.frame_size) + " encoding=" +
      (o.force_encoding ? std::string(pipeline::EncodingName(*o.force_encoding)) : "auto");
  SEQGATE_ASSIGN_OR_RETURN(
      auto loaded, crypt4gh::LoadOrCreateParams(a.c4gh_state, a.output,
                                                crypt4gh::SourceIdOf(id, "", variant), keys));
  *fresh = loaded.fresh;
  return std::move(loaded.params);
}

// Defaults, then the config file, then flags given on the command line.
Result<pipeline::PipelineConfig> ResolveConfig(const PackArgs& a, const CLI::App& cmd) {
  pipeline::PipelineConfig cfg;
  if (!a.config.empty()) {
    SEQGATE_ASSIGN_OR_RETURN(cfg, pipeline::LoadPipelineConfig(a.config));
  }
  if (cmd.count("--level") > 0) cfg.pack.level = a.level;
  if (cmd.count("--threads") > 0) cfg.threads = a.threads;
  if (a.no_md5) cfg.pack.md5 = false;
  if (cmd.count("--frame-size") > 0) {
    SEQGATE_ASSIGN_OR_RETURN(const uint64_t fs, ParseByteSize(a.frame_size_text));
    if (fs > UINT32_MAX) return InvalidArgument("--frame-size is over 1 GiB");
    cfg.pack.frame_size = static_cast<uint32_t>(fs);
  }
  if (a.encoding != "auto") {
    auto e = pipeline::ParseEncoding(a.encoding);
    if (!e) return InvalidArgument("--encoding must be auto, zstd or identity");
    cfg.pack.force_encoding = e;
  } else if (auto e = cfg.encoding.Override(a.input)) {
    cfg.pack.force_encoding = e;
  }
  SEQGATE_RETURN_IF_ERROR(cfg.pack.Validate());
  return cfg;
}

int RunPack(const PackArgs& a, const CLI::App& cmd) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "seqgatectl pack: %s\n", s.ToString().c_str());
    return 1;
  };
  auto cfg = ResolveConfig(a, cmd);
  if (!cfg.ok()) return fail(cfg.status());

  std::ofstream records;
  if (!a.records.empty()) {
    records.open(a.records, std::ios::trunc);
    if (!records) return fail(IoError("cannot create records file '" + a.records + "'"));
  }
  Env& env = *Env::Default();
  auto out = OutputFileSink::Create(env, a.output);
  if (!out.ok()) return fail(out.status());
  std::unique_ptr<Encryption> enc;
  if (!a.recipients.empty()) {
    enc = std::make_unique<Encryption>(**out, cfg->pack.md5);
    bool fresh = true;
    auto params = EncryptionParamsFor(a, cfg->pack, &fresh);
    if (!params.ok()) return fail(params.status());
    auto e = crypt4gh::Encryptor::Create(*params, enc->digests);
    if (!e.ok()) return fail(e.status());
    enc->encryptor = std::move(*e);
    enc->sink = std::make_unique<crypt4gh::EncryptingPackSink>(*enc->encryptor);
    enc->recipients = params->header.recipients.size();
    enc->fresh = fresh;
  }
  pipeline::PackSink& target =
      enc ? static_cast<pipeline::PackSink&>(*enc->sink) : static_cast<pipeline::PackSink&>(**out);
  RecordingSink sink(target, a.records.empty() ? nullptr : &records);

  pipeline::WorkerPool pool(cfg->threads);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = pipeline::Pack(env, pool, a.input, cfg->pack, sink);
  if (!r.ok()) return fail(r.status());
  if (enc) {
    if (Status s = enc->encryptor->Finish(); !s.ok()) return fail(s);
  }
  if (Status s = (*out)->Commit(); !s.ok()) return fail(s);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double mbps = secs > 0 ? static_cast<double>(r->original_size) / 1e6 / secs : 0;
  const double ratio = r->packed_size > 0 ? static_cast<double>(r->original_size) /
                                                static_cast<double>(r->packed_size)
                                          : 0;
  if (a.json) {
    nlohmann::json j = {
        {"input", a.input},
        {"output", a.output},
        {"original_size", r->original_size},
        {"original_sha256", r->original_sha256.hex()},
        {"original_md5", r->original_md5 ? nlohmann::json(r->original_md5->hex()) : nullptr},
        {"encoding", pipeline::EncodingName(r->encoding)},
        {"detected_format",
         r->detected_format.empty() ? nlohmann::json(nullptr) : nlohmann::json(r->detected_format)},
        {"compressed_size", r->packed_size},
        {"compressed_sha256", r->packed_sha256->hex()},
        {"frames", r->frames},
        {"frame_size", cfg->pack.frame_size},
        {"level", cfg->pack.level},
        {"threads", pool.threads()},
        {"ratio", ratio},
        {"seconds", secs},
        {"throughput_mb_s", mbps},
        {"crypt4gh", enc != nullptr}};
    if (enc) {
      j["encrypted_size"] = enc->digests.size();
      j["encrypted_sha256"] = enc->digests.FinishSha256().hex();
      j["encrypted_md5"] =
          enc->md5 ? nlohmann::json(enc->digests.FinishMd5().hex()) : nlohmann::json(nullptr);
      j["recipients"] = enc->recipients;
      j["c4gh_header_size"] = crypt4gh::HeaderSize(enc->recipients);
      j["c4gh_params"] = a.c4gh_state.empty() ? "ephemeral" : enc->fresh ? "new" : "reused";
    }
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("packed      %s -> %s\n", a.input.c_str(), a.output.c_str());
  if (r->encoding == pipeline::Encoding::kZstdSeekable) {
    std::printf("encoding    zstd seekable, level %d, %s frames\n", cfg->pack.level,
                FormatBytes(cfg->pack.frame_size).c_str());
  } else {
    std::printf("encoding    identity (%s)\n", r->detected_format.c_str());
  }
  std::printf("original    %llu bytes (%s)\n  sha256    %s\n",
              static_cast<unsigned long long>(r->original_size),
              FormatBytes(r->original_size).c_str(), r->original_sha256.hex().c_str());
  if (r->original_md5) std::printf("  md5       %s\n", r->original_md5->hex().c_str());
  std::printf("packed      %llu bytes (%s), ratio %.2f, %u frames\n  sha256    %s\n",
              static_cast<unsigned long long>(r->packed_size), FormatBytes(r->packed_size).c_str(),
              ratio, r->frames, r->packed_sha256->hex().c_str());
  if (enc) {
    std::printf("crypt4gh    %llu bytes, %zu recipient(s)\n  sha256    %s\n",
                static_cast<unsigned long long>(enc->digests.size()), enc->recipients,
                enc->digests.FinishSha256().hex().c_str());
    if (enc->md5) std::printf("  md5       %s\n", enc->digests.FinishMd5().hex().c_str());
  }
  std::printf("throughput  %.1f MB/s (%.2f s, %u threads)\n", mbps, secs, pool.threads());
  return 0;
}

}  // namespace

void AddPackCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PackArgs>();
  CLI::App* cmd = app.add_subcommand(
      "pack",
      "Pack FILE exactly as the gateway uploads it: digests, seekable zstd frames, "
      "optionally Crypt4GH");
  cmd->add_option("FILE", args->input, "File to pack")->required();
  cmd->add_option("-o,--output", args->output, "Where to write the packed stream")->required();
  cmd->add_option("--level", args->level, "zstd level (1..19, default 3)");
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--frame-size", args->frame_size_text, "Original bytes per frame (default 8MiB)");
  cmd->add_option("--encoding", args->encoding, "auto (by content), zstd or identity");
  cmd->add_option("--config", args->config, "TOML config whose [pipeline] section applies");
  cmd->add_option("--records", args->records, "Write one JSON line per frame record here");
  cmd->add_option("--recipient", args->recipients,
                  "Encrypt with Crypt4GH to this public key file (repeatable)");
  cmd->add_option("--c4gh-state", args->c4gh_state,
                  "Directory keeping the encryption parameters (0600), so a repeated pack of "
                  "the same source gives identical bytes");
  cmd->add_flag("--no-md5", args->no_md5,
                "Skip the MD5s (of the original, and of the Crypt4GH object)");
  cmd->add_flag("--json", args->json, "Print one JSON object instead of text");
  cmd->callback([args, cmd, &exit_code] { exit_code = RunPack(*args, *cmd); });
}

}  // namespace seqgate::ctl
