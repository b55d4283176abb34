// PacBio Revio/Vega and Sequel II/IIe.
//
// A run folder rNNNNN_YYYYMMDD_HHMMSS holds one folder per SMRT cell (<plate>_<well>, e.g.
// 1_A01); each cell finishes on its own, marked by <movie>.transferdone (Revio: under
// metadata/, Sequel: in the cell folder). So cells are units with their own events, and a
// cell that never gets its marker is aborted after the stall window (smrtino's rule).
#include <string>
#include <vector>

#include "adapters/adapter_util.h"
#include "adapters/families.h"
#include "common/glob.h"

namespace seqgate::bridge {
namespace {

constexpr std::string_view kRunPattern =
    "r*_[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]_[0-9][0-9][0-9][0-9][0-9][0-9]";
constexpr std::string_view kCellPattern = "[0-9]*_[A-H][0-9][0-9]";

struct Cell {
  std::string dir;
  std::string movie;
  UnitStatus status;
};

std::string ModelFromInstrument(std::string_view id, bool revio_layout) {
  if (id.starts_with("84") || revio_layout) return "Revio";
  if (id.starts_with("64")) return "Sequel II/IIe";
  if (id.starts_with("54")) return "Sequel";
  return "";
}

class PacBioAdapter final : public Adapter {
 public:
  Family family() const override { return Family::kPacBio; }

  bool Detect(const DirView& dir) const override {
    if (GlobMatch(kRunPattern, dir.name)) return true;
    for (const auto& [name, type] : dir.children) {
      if (type == FileType::kDirectory && GlobMatch(kCellPattern, name)) {
        return dir.HasChildMatching("Transfer_Test_*.txt");
      }
    }
    return false;
  }

  Assessment Assess(const RunSnapshot& snap, const AssessContext& ctx) const override {
    Assessment a;
    RunIdentity& id = a.identity;
    id.family = Family::kPacBio;
    id.run_id = std::string(BaseName(snap.root));
    id.metadata["folder"] = id.run_id;
    if (id.run_id.size() > 1 && id.run_id[0] == 'r') {
      id.instrument = id.run_id.substr(1, id.run_id.find('_') - 1);
    }
    std::vector<Cell> cells;
    bool revio = false;
    for (const std::string& name : snap.SubdirNames("")) {
      if (!GlobMatch(kCellPattern, name)) continue;
      Cell c;
      c.dir = name;
      c.status.name = name;
      for (const Entry& e : snap.WithPrefix(name + "/")) {
        std::string_view rest = std::string_view(e.path).substr(name.size() + 1);
        const bool in_metadata =
            rest.starts_with("metadata/") && rest.find('/', 9) == std::string_view::npos;
        const bool top = rest.find('/') == std::string_view::npos;
        if (e.type == FileType::kRegular && (in_metadata || top) &&
            rest.ends_with(".transferdone")) {
          revio = revio || in_metadata;
          std::string_view base = BaseName(rest);
          c.movie = std::string(base.substr(0, base.size() - 13));
        }
      }
      if (!c.movie.empty()) {
        c.status.state = RunState::kCompleted;
        c.status.outcome = "Completed";
        c.status.detail = c.movie + ".transferdone present";
      } else {
        c.status.detail = "transferring (waiting for .transferdone)";
      }
      if (revio || snap.Find(name + "/metadata") != nullptr) revio = true;
      cells.push_back(std::move(c));
    }
    id.model = ModelFromInstrument(id.instrument, revio);
    std::string movies;
    for (const Cell& c : cells) {
      if (c.movie.empty()) continue;
      if (!movies.empty()) movies += ',';
      movies += c.movie;
    }
    if (!movies.empty()) id.metadata["movies"] = movies;

    // A quiet cell without .transferdone is aborted when others finished (smrtino's rule);
    // when none finished, nothing says the run ended: it is stalled (a "ghost run").
    size_t completed_cells = 0;
    for (const Cell& c : cells) completed_cells += c.status.state == RunState::kCompleted;
    const bool quiet = QuietFor(ctx, ctx.config->stall_ns);
    for (Cell& c : cells) {
      if (c.status.state != RunState::kInProgress || !quiet) continue;
      c.status.state = completed_cells > 0 ? RunState::kAborted : RunState::kStalled;
      c.status.outcome = completed_cells > 0 ? "NoTransferdone" : "";
      c.status.detail = "no .transferdone and nothing changed for " +
                        HumanDuration(ctx.now_ns - ctx.last_activity_ns);
    }
    size_t done = 0, aborted = 0;
    for (const Cell& c : cells) {
      a.units.push_back(c.status);
      done += c.status.state == RunState::kCompleted;
      aborted += c.status.state == RunState::kAborted;
    }
    if (cells.empty()) {
      a.detail = "no SMRT cell folders yet";
    } else if (done + aborted < cells.size()) {
      a.detail =
          std::to_string(done) + " of " + std::to_string(cells.size()) + " SMRT cells transferred";
    } else {
      a.state = RunState::kCompleted;
      a.outcome = aborted == 0 ? "Completed" : "PartiallyCompleted";
      a.detail =
          std::to_string(done) + " of " + std::to_string(cells.size()) + " SMRT cells transferred";
    }

    FillVerdicts(
        snap, ctx, Family::kPacBio,
        [&](const Entry& e) {
          FileSignal s;
          for (const Cell& c : cells) {
            if (e.path.size() > c.dir.size() && e.path.starts_with(c.dir) &&
                e.path[c.dir.size()] == '/') {
              s.unit = c.dir;
              s.ready = c.status.state == RunState::kCompleted;
              if (!s.ready) s.why_not = "SMRT cell " + c.dir + ": " + c.status.detail;
              return s;
            }
          }
          s.ready = IsTerminal(a.state);
          if (!s.ready) s.why_not = "run-level file: waiting for every SMRT cell";
          return s;
        },
        &a);
    FinishAssessment(ctx, &a);
    return a;
  }
};

}  // namespace

std::unique_ptr<Adapter> MakePacBioAdapter() { return std::make_unique<PacBioAdapter>(); }

}  // namespace seqgate::bridge
