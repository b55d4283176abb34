// seqgatectl pack: writes exactly what the gateway would upload for one file, and reports it.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/units.h"
#include "ctl/commands.h"
#include "ctl/output_file.h"
#include "pipeline/pipeline_config.h"

namespace seqgate::ctl {
namespace {

struct PackArgs {
  std::string input, output, config, records, level_text, frame_size_text, encoding = "auto";
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
  RecordingSink sink(**out, a.records.empty() ? nullptr : &records);

  pipeline::WorkerPool pool(cfg->threads);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = pipeline::Pack(env, pool, a.input, cfg->pack, sink);
  if (!r.ok()) return fail(r.status());
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
        {"throughput_mb_s", mbps}};
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
  std::printf("throughput  %.1f MB/s (%.2f s, %u threads)\n", mbps, secs, pool.threads());
  return 0;
}

}  // namespace

void AddPackCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PackArgs>();
  CLI::App* cmd = app.add_subcommand(
      "pack", "Pack FILE exactly as the gateway uploads it: digests, seekable zstd frames");
  cmd->add_option("FILE", args->input, "File to pack")->required();
  cmd->add_option("-o,--output", args->output, "Where to write the packed stream")->required();
  cmd->add_option("--level", args->level, "zstd level (1..19, default 3)");
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--frame-size", args->frame_size_text, "Original bytes per frame (default 8MiB)");
  cmd->add_option("--encoding", args->encoding, "auto (by content), zstd or identity");
  cmd->add_option("--config", args->config, "TOML config whose [pipeline] section applies");
  cmd->add_option("--records", args->records, "Write one JSON line per frame record here");
  cmd->add_flag("--no-md5", args->no_md5, "Skip the MD5 of the original");
  cmd->add_flag("--json", args->json, "Print one JSON object instead of text");
  cmd->callback([args, cmd, &exit_code] { exit_code = RunPack(*args, *cmd); });
}

}  // namespace seqgate::ctl
