// Oxford Nanopore MinKNOW.
//
// final_summary_*.txt is written "once all files have been written for the run" and carries
// per-type file counts, which we check against what is on disk (hesiod): a summary with fewer
// files present means the copy is not finished. output_hash_*.csv gives sha256 per file, the
// source-side checksum. With data pooling several protocol runs share one folder: each
// final_summary is then a unit, and files belong to the unit whose short run id their name
// carries. A crash leaves reads in queued_reads/ and no final_summary.
#include <algorithm>
#include <charconv>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/adapter_util.h"
#include "adapters/bounded_read.h"
#include "adapters/families.h"
#include "adapters/text_tables.h"
#include "common/glob.h"

namespace seqgate::bridge {
namespace {

constexpr std::string_view kDataDirs[] = {"fastq_pass", "fastq_fail", "pod5",        "pod5_pass",
                                          "pod5_fail",  "pod5_skip",  "bam_pass",    "bam_fail",
                                          "fast5_pass", "fast5_fail", "queued_reads"};

// File kinds counted by final_summary's "<kind>_files_in_final_dest".
struct Kind {
  std::string_view key;
  std::vector<std::string_view> suffixes;
};
const std::vector<Kind>& Kinds() {
  static const std::vector<Kind> k = {{"fastq", {".fastq", ".fastq.gz", ".fq", ".fq.gz"}},
                                      {"pod5", {".pod5"}},
                                      {"bam", {".bam"}},
                                      {"fast5", {".fast5"}}};
  return k;
}

const Kind* KindOf(std::string_view path) {
  for (const Kind& k : Kinds()) {
    for (std::string_view s : k.suffixes) {
      if (path.ends_with(s)) return &k;
    }
  }
  return nullptr;
}

bool Transient(std::string_view path) {
  return path.starts_with("queued_reads/") || path.starts_with("tmp/");
}

// One protocol run as its final_summary describes it.
struct ProtocolRun {
  std::string summary_path;
  std::map<std::string, std::string> kv;
  std::string short_prid;  // first 8 characters of protocol_run_id
  std::string short_acq;   // first 8 characters of acquisition_run_id
  UnitStatus status;
  std::map<std::string, int> seen;  // kind -> files present
};

std::string ModelFromHost(std::string_view host) {
  if (host.starts_with("MN")) return "MinION";
  if (host.starts_with("MC")) return "MinION Mk1C";
  if (host.starts_with("GX")) return "GridION";
  if (host.starts_with("P2")) return "P2 Solo";
  if (host.starts_with("PC") || host.starts_with("PCA")) return "PromethION";
  return "";
}

bool NameMentions(std::string_view path, const std::string& short_id) {
  if (short_id.empty()) return false;
  const std::string_view base = BaseName(path);
  const std::string needle = "_" + short_id;
  const size_t at = base.find(needle);
  if (at == std::string_view::npos) return false;
  const size_t after = at + needle.size();
  return after == base.size() || base[after] == '_' || base[after] == '.';
}

class OntAdapter final : public Adapter {
 public:
  Family family() const override { return Family::kOnt; }

  bool Detect(const DirView& dir) const override {
    if (dir.HasChildMatching("final_summary_*.txt") ||
        dir.HasChildMatching("sequencing_summary_*.txt")) {
      return true;
    }
    for (std::string_view d : kDataDirs) {
      if (dir.HasChildDir(d)) return true;
    }
    return false;
  }

  Assessment Assess(const RunSnapshot& snap, const AssessContext& ctx) const override {
    Assessment a;
    a.identity.family = Family::kOnt;
    std::vector<ProtocolRun> runs;
    std::map<std::string, SourceChecksum> sums;
    size_t queued = 0;
    for (const Entry& e : snap.entries) {
      if (e.type == FileType::kRegular && e.path.starts_with("queued_reads/")) ++queued;
      if (e.type != FileType::kRegular || e.path.find('/') != std::string::npos) continue;
      if (GlobMatch("final_summary_*.txt", e.path)) {
        auto text = ReadRunFile(ctx.env, snap, e.path, kMaxMarkerBytes);
        auto kv = text.ok() ? ParseKeyValueLines(*text)
                            : Result<std::map<std::string, std::string>>(text.status());
        if (!kv.ok()) {
          AddProblem(&a, e.path, kv.status());
          continue;
        }
        ProtocolRun r;
        r.summary_path = e.path;
        r.kv = std::move(*kv);
        r.short_prid = r.kv["protocol_run_id"].substr(0, 8);
        r.short_acq = r.kv["acquisition_run_id"].substr(0, 8);
        r.status.name = r.kv["protocol_run_id"].empty() ? e.path : r.kv["protocol_run_id"];
        runs.push_back(std::move(r));
      } else if (GlobMatch("output_hash_*.csv", e.path)) {
        ReadHashes(snap, ctx, e.path, &sums, &a);
      }
    }
    const bool pooled = runs.size() > 1 || !LooksLikeRunFolder(BaseName(snap.root));
    FillIdentity(snap, runs, pooled, &a.identity);
    QcCheck(&a);

    // Attribute data files to protocol runs and count them.
    auto owner = [&](std::string_view path) -> ProtocolRun* {
      if (!pooled) return runs.empty() ? nullptr : &runs.front();
      for (ProtocolRun& r : runs) {
        if (NameMentions(path, r.short_prid) || NameMentions(path, r.short_acq)) return &r;
      }
      return nullptr;
    };
    size_t unattributed = 0;
    for (const Entry& e : snap.entries) {
      if (e.type != FileType::kRegular || Transient(e.path)) continue;
      const Kind* k = KindOf(e.path);
      if (k == nullptr) continue;
      if (ProtocolRun* r = owner(e.path)) {
        ++r->seen[std::string(k->key)];
      } else {
        ++unattributed;
      }
    }
    for (ProtocolRun& r : runs) JudgeCounts(&r, &a);

    // The folder's state.
    bool all_done = !runs.empty();
    for (const ProtocolRun& r : runs) {
      a.units.push_back(r.status);
      all_done = all_done && r.status.state == RunState::kCompleted;
    }
    if (pooled && unattributed > 0) all_done = false;
    if (all_done) {
      a.state = RunState::kCompleted;
      a.outcome = "Completed";
      a.detail = runs.size() == 1 ? runs.front().summary_path + " present, file counts match"
                                  : std::to_string(runs.size()) + " pooled runs complete";
    } else if (runs.empty()) {
      a.detail = "running (no final_summary yet)";
      if (queued > 0 && QuietFor(ctx, ctx.config->stall_ns)) {
        a.state = RunState::kAborted;
        a.outcome = "Crashed";
        a.detail = std::to_string(queued) +
                   " files left in queued_reads/ and no final_summary: MinKNOW stopped without "
                   "finishing (crash or power loss)";
      }
    } else {
      a.detail = pooled && unattributed > 0
                     ? std::to_string(unattributed) +
                           " data files belong to a run without final_summary yet"
                     : "copying (final_summary file counts not reached yet)";
    }
    if (queued > 0 && a.state == RunState::kCompleted) {
      a.notes.push_back(std::to_string(queued) +
                        " files still in queued_reads/ after final_summary");
    }

    FillVerdicts(
        snap, ctx, Family::kOnt,
        [&](const Entry& e) {
          FileSignal s;
          const ProtocolRun* r = owner(e.path);
          if (r == nullptr && pooled && e.path.find('/') == std::string::npos) {
            // Run-level reports in a pooled folder name their run; anything else waits for all.
            s.ready = a.state == RunState::kCompleted;
            if (!s.ready) s.why_not = "waiting for every pooled run's final_summary";
            return s;
          }
          if (r == nullptr) {
            s.why_not = runs.empty() ? "waiting for final_summary_*.txt"
                                     : "no final_summary names the run that wrote this file";
            return s;
          }
          if (pooled) s.unit = r->status.name;
          s.ready = r->status.state == RunState::kCompleted;
          if (!s.ready) s.why_not = r->status.detail;
          return s;
        },
        &a);
    for (FileVerdict& v : a.files) {
      if (auto it = sums.find(v.path); it != sums.end()) v.checksum = it->second;
    }
    FinishAssessment(ctx, &a);
    return a;
  }

 private:
  // "<YYYYMMDD>_<HHMM>_<device>_<flow cell>_<short protocol run id>".
  static bool LooksLikeRunFolder(std::string_view name) {
    return GlobMatch("[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]_[0-9][0-9][0-9][0-9]_*_*_*", name);
  }

  static void FillIdentity(const RunSnapshot& snap, std::vector<ProtocolRun>& runs, bool pooled,
                           RunIdentity* id) {
    const std::string folder(BaseName(snap.root));
    id->metadata["folder"] = folder;
    if (pooled) {
      // No per-run folder: the pooled folder is the thing we track, named by its path.
      id->run_id = "pooled:" + std::string(BaseName(DirName(snap.root))) + "/" + folder;
      id->metadata["pooled_runs"] = std::to_string(runs.size());
    } else if (!runs.empty()) {
      auto& kv = runs.front().kv;
      // The short id is what the folder name carries, so the key is the same before and after
      // final_summary appears.
      id->run_id = runs.front().short_prid;
      id->flow_cell = kv["flow_cell_id"];
      id->instrument = kv["instrument"];
      for (const char* k :
           {"protocol_run_id", "acquisition_run_id", "sample_id", "protocol_group_id", "protocol",
            "started", "acquisition_stopped", "position"}) {
        if (!kv[k].empty()) id->metadata[k] = kv[k];
      }
    }
    if (id->run_id.empty() || id->flow_cell.empty()) {
      // <start date>_<start time>_<device>_<flow cell>_<short protocol run id>
      std::vector<std::string> parts;
      size_t start = 0;
      for (size_t i = 0; i <= folder.size(); ++i) {
        if (i == folder.size() || folder[i] == '_') {
          parts.push_back(folder.substr(start, i - start));
          start = i + 1;
        }
      }
      if (!pooled && parts.size() >= 5) {
        if (id->run_id.empty()) id->run_id = parts[4];
        if (id->flow_cell.empty()) id->flow_cell = parts[3];
        if (id->instrument.empty()) id->instrument = parts[2];
      } else if (id->run_id.empty()) {
        id->run_id = folder;
      }
    }
    id->model = ModelFromHost(id->instrument);
  }

  static void QcCheck(Assessment* a) {
    const RunIdentity& id = a->identity;
    // Flow-cell checks use CTC flow cells or QC_ folders (TACA's run pattern).
    if (id.flow_cell.starts_with("CTC")) {
      a->qc_or_test = true;
      a->qc_reason = "configuration-test flow cell " + id.flow_cell;
    } else if (id.metadata.count("folder") && id.metadata.at("folder").starts_with("QC_")) {
      a->qc_or_test = true;
      a->qc_reason = "QC_ folder";
    } else if (auto it = id.metadata.find("sample_id");
               it != id.metadata.end() && it->second.starts_with("QC_")) {
      a->qc_or_test = true;
      a->qc_reason = "QC_ sample id";
    }
  }

  static void ReadHashes(const RunSnapshot& snap, const AssessContext& ctx, const std::string& rel,
                         std::map<std::string, SourceChecksum>* sums, Assessment* a) {
    auto text = ReadRunFile(ctx.env, snap, rel, kMaxChecksumListBytes);
    auto t = text.ok() ? ParseDelimited(*text, ',', /*has_header=*/true)
                       : Result<TextTable>(text.status());
    if (!t.ok()) return AddProblem(a, rel, t.status());
    const int hash_col = t->Column("file_hash"), path_col = t->Column("file_path");
    if (hash_col < 0 || path_col < 0) {
      return AddProblem(a, rel, Corruption("header lacks file_hash or file_path"));
    }
    for (const auto& row : t->rows) {
      const auto hc = static_cast<size_t>(hash_col), pc = static_cast<size_t>(path_col);
      if (row.size() <= std::max(hc, pc)) continue;
      if (GuessDigestAlgorithm(row[hc]) != "sha256") continue;  // pod5 rows may be empty
      std::string_view path = row[pc];
      if (path.starts_with("./")) path.remove_prefix(2);
      std::string hex = row[hc];
      std::transform(hex.begin(), hex.end(), hex.begin(),
                     [](char c) { return static_cast<char>(c >= 'A' && c <= 'F' ? c + 32 : c); });
      (*sums)[std::string(path)] = {"sha256", hex, rel};
    }
  }

  static void JudgeCounts(ProtocolRun* r, Assessment* a) {
    std::string missing;
    for (const Kind& k : Kinds()) {
      const std::string key = std::string(k.key) + "_files_in_final_dest";
      auto it = r->kv.find(key);
      // MinKNOW 5.5.3 omitted the pod5 count (hesiod): a missing count is not checked.
      if (it == r->kv.end() || it->second.empty()) continue;
      long expected = 0;
      const std::string& v = it->second;
      if (auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), expected);
          ec != std::errc() || end != v.data() + v.size()) {
        a->notes.push_back(r->summary_path + ": " + key + " is not a number: '" + v + "'");
        continue;
      }
      const long seen = r->seen[std::string(k.key)];
      if (seen < expected) {
        if (!missing.empty()) missing += ", ";
        missing += std::to_string(seen) + " of " + std::to_string(expected) + " " +
                   std::string(k.key) + " files";
      } else if (seen > expected) {
        // MinKNOW versions moved files between folders (hesiod docs): more is drift, not loss.
        a->notes.push_back(r->summary_path + ": " + std::to_string(seen) + " " +
                           std::string(k.key) + " files present, summary says " +
                           std::to_string(expected));
      }
    }
    if (!missing.empty()) {
      r->status.detail = "copying: " + missing + " present";
      return;
    }
    r->status.state = RunState::kCompleted;
    r->status.outcome = "Completed";
    r->status.detail = r->kv["acquisition_stopped"].empty()
                           ? "final_summary present (no acquisition_stopped time)"
                           : "acquisition stopped " + r->kv["acquisition_stopped"];
  }
};

}  // namespace

std::unique_ptr<Adapter> MakeOntAdapter() { return std::make_unique<OntAdapter>(); }

}  // namespace seqgate::bridge
