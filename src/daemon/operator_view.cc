#include "daemon/operator_view.h"

#include <ctime>

#include "control/prometheus.h"

namespace seqgate::daemon {

using journal::FileState;
using nlohmann::json;

namespace {

json OptJson(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

constexpr FileState kStates[] = {FileState::kPending, FileState::kPacking, FileState::kUploading,
                                 FileState::kDelivered, FileState::kFailed};

}  // namespace

std::string Rfc3339(int64_t ns) {
  const std::time_t t = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

OperatorView::OperatorView(journal::Journal& journal, Delivery& delivery,
                           std::function<Result<json>(Command)> post)
    : journal_(journal), delivery_(delivery), post_(std::move(post)) {}

void OperatorView::SampleRate() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  const double secs = std::chrono::duration<double>(now - last_sample_).count();
  if (secs < 1.0) return;
  const uint64_t bytes = delivery_.bytes_acked_total();
  const double inst = static_cast<double>(bytes - last_bytes_) / secs;
  // Smoothed over ~10 s: acknowledgements arrive a PATCH at a time.
  rate_bps_ = rate_bps_ == 0 ? inst : 0.7 * rate_bps_ + 0.3 * inst;
  last_bytes_ = bytes;
  last_sample_ = now;
}

json OperatorView::Status() { return StatusOf(journal_.Totals()); }

json OperatorView::StatusOf(const Result<std::map<FileState, journal::StateTotals>>& t) {
  json j;
  j["version"] = "0.1";
  j["paused"] = delivery_.paused();
  j["started"] = Rfc3339(
      std::chrono::duration_cast<std::chrono::nanoseconds>(started_.time_since_epoch()).count());
  json files = json::object();
  uint64_t total_packed = 0, acked = 0, pending_bytes = 0;
  if (t.ok()) {
    for (FileState s : kStates) {
      auto it = t->find(s);
      files[std::string(journal::FileStateName(s))] = it == t->end() ? 0 : it->second.files;
      if (it == t->end()) continue;
      total_packed += it->second.packed_bytes;
      acked += it->second.acked_bytes;
      if (s == FileState::kPending || s == FileState::kPacking || s == FileState::kUploading) {
        pending_bytes += it->second.bytes;
      }
    }
  }
  j["files"] = files;
  int active = 0, delivered = 0, failed = 0;
  if (auto runs = journal_.Runs(); runs.ok()) {
    for (const auto& r : *runs) {
      if (r.manifest_receipt) {
        ++delivered;
      } else if (r.error) {
        ++failed;
      } else {
        ++active;
      }
    }
  }
  j["runs"] = {{"active", active}, {"delivered", delivered}, {"failed", failed}};
  j["bytes_total"] = total_packed;
  j["bytes_acked"] = acked;
  double rate;
  {
    std::lock_guard lock(mu_);
    rate = rate_bps_;
  }
  j["rate_bps"] = rate;
  // Remaining original bytes over the packed rate: compression makes this pessimistic.
  j["eta_seconds"] = rate > 1 && pending_bytes > 0 ? json(static_cast<double>(pending_bytes) / rate)
                                                   : json(nullptr);
  json ups = json::array();
  for (const UploadView& u : delivery_.Uploads()) {
    ups.push_back({{"run", u.run},
                   {"path", u.path},
                   {"offset", u.offset},
                   {"size", u.size},
                   {"rate_bps", u.rate_bps}});
  }
  j["uploads"] = ups;
  const std::string waiting = delivery_.waiting();
  j["waiting"] = waiting.empty() ? json(nullptr) : json(waiting);
  auto err = delivery_.last_error();
  j["last_error"] = err ? json{{"message", *err}} : json(nullptr);
  const int64_t last = delivery_.last_delivery_ns();
  j["last_delivery"] = last > 0 ? json(Rfc3339(last)) : json(nullptr);
  return j;
}

std::string OperatorView::StatusLine() {
  json s = Status();
  const json& f = s["files"];
  const int64_t queued = f.value("pending", int64_t{0}) + f.value("packing", int64_t{0}) +
                         f.value("uploading", int64_t{0});
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.1f MB/s", s.value("rate_bps", 0.0) / 1e6);
  std::string line = std::to_string(s["runs"].value("active", 0)) + " runs, " +
                     std::to_string(queued) + " files queued, " + rate;
  if (s.value("paused", false)) line += ", paused";
  if (s["waiting"].is_string()) line += ", " + s["waiting"].get<std::string>();
  if (s["last_error"].is_object()) {
    std::string e = s["last_error"].value("message", "");
    if (e.size() > 120) e = e.substr(0, 117) + "...";
    line += ", last error: " + e;
  }
  return line;
}

json OperatorView::Runs() {
  json out = json::array();
  auto runs = journal_.Runs();
  auto totals = journal_.AllRunTotals();
  std::map<int64_t, journal::RunTotals> by_run;
  if (totals.ok()) {
    for (const auto& t : *totals) by_run[t.run] = t;
  }
  if (runs.ok()) {
    for (const auto& r : *runs) {
      const journal::RunTotals t = by_run[r.id];
      out.push_back(
          {{"id", r.id},
           {"name", r.name},
           {"run_id", r.run_id},
           {"flowcell", r.flowcell},
           {"family", r.family},
           {"dir", r.run_dir},
           {"state", r.state},
           {"outcome", OptJson(r.outcome)},
           {"files", t.files},
           {"delivered", t.delivered},
           {"failed", t.failed},
           {"bytes", t.bytes},
           {"delivered_bytes", t.delivered_bytes},
           {"delivered_at", r.delivered_ns ? json(Rfc3339(*r.delivered_ns)) : json(nullptr)},
           {"run_receipt", OptJson(r.run_receipt_status)},
           {"error", OptJson(r.error)}});
    }
  }
  return {{"runs", out}};
}

Result<journal::RunRecord> OperatorView::FindRun(const std::string& key) {
  SEQGATE_ASSIGN_OR_RETURN(auto runs, journal_.Runs());
  for (const auto& r : runs) {
    if (r.name == key || r.run_id == key || std::to_string(r.id) == key || r.run_dir == key) {
      return r;
    }
  }
  return NotFound("no run '" + key + "' in the journal (give its name, run id or number)");
}

Result<json> OperatorView::Files(const std::string& run) {
  SEQGATE_ASSIGN_OR_RETURN(journal::RunRecord r, FindRun(run));
  SEQGATE_ASSIGN_OR_RETURN(auto files, journal_.FilesOfRun(r.id));
  json list = json::array();
  for (const auto& f : files) {
    list.push_back({{"id", f.id},
                    {"path", f.rel_path},
                    {"state", std::string(journal::FileStateName(f.state))},
                    {"size", f.identity.size},
                    {"packed_size", f.packed ? json(f.packed->packed_size) : json(nullptr)},
                    {"acked", f.acked_offset},
                    {"encoding", f.shape ? json(f.shape->encoding == "zstd" ? "zstd-seekable"
                                                                            : f.shape->encoding)
                                         : json(nullptr)},
                    {"sha256", f.packed ? json(f.packed->original_sha256) : json(nullptr)},
                    {"md5", f.packed ? OptJson(f.packed->original_md5) : json(nullptr)},
                    {"receipt_status", OptJson(f.receipt_status)},
                    {"error", OptJson(f.error)},
                    {"attempts", f.attempts},
                    {"retries", f.retries}});
  }
  return json{{"run", r.name}, {"files", list}};
}

Result<json> OperatorView::Retry(const std::string& what) {
  return post_([this, what]() -> Result<json> {
    std::vector<int64_t> files;
    std::vector<int64_t> runs;
    if (what == "all") {
      SEQGATE_ASSIGN_OR_RETURN(auto failed, journal_.FilesInState(FileState::kFailed, 1 << 30));
      for (const auto& f : failed) files.push_back(f.id);
      SEQGATE_ASSIGN_OR_RETURN(auto all, journal_.Runs());
      for (const auto& r : all) {
        if (r.error) runs.push_back(r.id);
      }
    } else if (auto run = FindRun(what); run.ok()) {
      SEQGATE_ASSIGN_OR_RETURN(auto fs, journal_.FilesOfRun(run->id));
      for (const auto& f : fs) {
        if (f.state == FileState::kFailed) files.push_back(f.id);
      }
      if (run->error) runs.push_back(run->id);
    } else {
      char* end = nullptr;
      const long long id = std::strtoll(what.c_str(), &end, 10);
      if (what.empty() || *end != '\0') return run.status();
      SEQGATE_ASSIGN_OR_RETURN(auto f, journal_.File(id));
      files.push_back(f.id);
    }
    for (int64_t id : files) SEQGATE_RETURN_IF_ERROR(journal_.RecordRetry(id));
    for (int64_t id : runs) SEQGATE_RETURN_IF_ERROR(journal_.RecordRunError(id, std::nullopt));
    delivery_.RecheckAllRuns();
    return json{{"ok", true},
                {"message", std::to_string(files.size()) + " files and " +
                                std::to_string(runs.size()) + " run manifests queued again"}};
  });
}

Result<json> OperatorView::Pause() {
  return post_([this]() -> Result<json> {
    delivery_.SetPaused(true);
    return json{{"ok", true},
                {"message",
                 "paused: no new upload starts; those in flight stop after their "
                 "current request"}};
  });
}

Result<json> OperatorView::Resume() {
  return post_([this]() -> Result<json> {
    delivery_.SetPaused(false);
    delivery_.RecheckAllRuns();
    return json{{"ok", true}, {"message", "resumed"}};
  });
}

Result<json> OperatorView::MarkComplete(const std::string& run_dir) {
  return post_([this, run_dir]() -> Result<json> {
    if (!mark_ || !mark_(run_dir)) {
      return NotFound("no watched run matches '" + run_dir + "' (give its folder or run id)");
    }
    return json{{"ok", true}, {"message", "marked complete; the run ships once its files settle"}};
  });
}

std::string OperatorView::Metrics() {
  control::PrometheusText p;
  p.Declare("seqgate_files", control::MetricType::kGauge, "Files in the journal by state");
  p.Declare("seqgate_bytes", control::MetricType::kGauge,
            "Original bytes of the journal's files by state");
  // One journal query serves the per-state series and the status the others come from.
  const auto t = journal_.Totals();
  if (t.ok()) {
    for (FileState s : kStates) {
      auto it = t->find(s);
      const std::string name(journal::FileStateName(s));
      p.Sample("seqgate_files", {{"state", name}},
               static_cast<uint64_t>(it == t->end() ? 0 : it->second.files));
      p.Sample("seqgate_bytes", {{"state", name}},
               static_cast<uint64_t>(it == t->end() ? 0 : it->second.bytes));
    }
  }
  p.Declare("seqgate_runs", control::MetricType::kGauge, "Runs by delivery state");
  json st = StatusOf(t);
  for (const char* k : {"active", "delivered", "failed"}) {
    p.Sample("seqgate_runs", {{"state", k}}, static_cast<uint64_t>(st["runs"].value(k, 0)));
  }
  p.Counter("seqgate_acked_bytes_total",
            "Packed bytes the centre acknowledged since this process started",
            delivery_.bytes_acked_total());
  p.Counter("seqgate_retries_total", "Transient failures retried since this process started",
            delivery_.retries_total());
  p.Gauge("seqgate_uploads_in_flight", "Uploads and manifests in flight",
          static_cast<double>(delivery_.in_flight()));
  const json& f = st["files"];
  p.Gauge(
      "seqgate_queue_depth", "Files waiting for or in upload",
      static_cast<double>(f.value("pending", 0) + f.value("packing", 0) + f.value("uploading", 0)));
  p.Gauge("seqgate_last_delivery_timestamp_seconds",
          "When the last file was delivered (0 = none since start)",
          static_cast<double>(delivery_.last_delivery_ns()) / 1e9);
  p.Gauge("seqgate_rate_bytes_per_second", "Smoothed acknowledged-bytes rate",
          st.value("rate_bps", 0.0));
  p.Gauge("seqgate_paused", "1 while an operator paused delivery", delivery_.paused() ? 1 : 0);
  return p.Render();
}

}  // namespace seqgate::daemon
