#include "watch/scanner.h"

#include <string_view>
#include <utility>

namespace seqgate::bridge {
namespace {

class Walker {
 public:
  Walker(ScanFs* fs, const ScanLimits& limits, RunSnapshot* snap)
      : fs_(fs), limits_(limits), snap_(snap) {}

  // Lists directory `fd` whose run-relative path is `prefix` ("" or "a/b/").
  void Walk(int fd, const std::string& prefix, int depth) {
    struct Child {
      std::string name;
      FileType type;
    };
    std::vector<Child> children;
    Status st = fs_->ReadDir(fd, [&](std::string_view name, FileType type) {
      children.push_back({std::string(name), type});
    });
    if (!st.ok()) Problem(prefix, "cannot list directory: " + st.message());
    for (Child& c : children) {
      if (snap_->entries.size() >= limits_.max_entries) {
        if (!truncated_)
          Problem(prefix, "more than " + std::to_string(limits_.max_entries) +
                              " entries; the rest of the run was not scanned");
        truncated_ = true;
        return;
      }
      auto id = fs_->StatAt(fd, c.name);
      if (!id.ok()) {
        // Vanished between listing and stat is normal for a live run; anything else is news.
        if (id.status().code() != StatusCode::kNotFound) {
          Problem(prefix + c.name, "cannot stat: " + id.status().message());
        }
        continue;
      }
      Entry e;
      e.path = prefix + c.name;
      e.type = id->type;
      e.size = id->size;
      e.mtime_ns = id->mtime_ns;
      e.inode = id->inode;
      e.device = id->device;
      const bool is_dir = e.type == FileType::kDirectory;
      snap_->entries.push_back(std::move(e));
      if (!is_dir) continue;
      // A copy: walking the subdirectory grows `entries` and would invalidate a reference.
      const std::string rel = snap_->entries.back().path;
      if (depth + 1 > limits_.max_depth) {
        Problem(rel, "deeper than " + std::to_string(limits_.max_depth) + " levels; not scanned");
        continue;
      }
      auto sub = fs_->OpenDirAt(fd, c.name);
      if (!sub.ok()) {
        Problem(rel, "cannot open directory: " + sub.status().message());
        continue;
      }
      Walk(*sub, rel + "/", depth + 1);
      fs_->Close(*sub);
    }
  }

 private:
  void Problem(const std::string& path, std::string message) {
    std::string p = path;
    if (!p.empty() && p.back() == '/') p.pop_back();
    snap_->problems.push_back({std::move(p), std::move(message)});
  }

  ScanFs* fs_;
  const ScanLimits& limits_;
  RunSnapshot* snap_;
  bool truncated_ = false;
};

std::string Join(const std::string& a, std::string_view b) {
  std::string out = a;
  if (out.empty() || out.back() != '/') out += '/';
  out += b;
  return out;
}

struct DiscoveryWalk {
  ScanFs* fs;
  const std::vector<std::unique_ptr<Adapter>>& adapters;
  int max_depth;
  Discovery* out;

  void Visit(int fd, const std::string& abs, const std::string& rel, int depth) {
    DirView view;
    view.name = std::string(BaseName(abs));
    view.depth = depth;
    Status st = fs->ReadDir(fd, [&](std::string_view name, FileType type) {
      view.children.emplace_back(std::string(name), type);
    });
    if (!st.ok()) {
      out->problems.push_back({rel, "cannot list directory: " + st.message()});
      return;
    }
    for (auto& [name, type] : view.children) {
      if (type != FileType::kOther) continue;
      auto id = fs->StatAt(fd, name);
      if (id.ok()) type = id->type;
    }
    for (const auto& a : adapters) {
      if (a->Detect(view)) {
        out->runs.push_back({abs, a.get()});
        return;
      }
    }
    if (depth >= max_depth) return;
    for (const auto& [name, type] : view.children) {
      if (type != FileType::kDirectory || name.empty() || name[0] == '.') continue;
      const std::string child_rel = rel.empty() ? name : rel + "/" + name;
      auto sub = fs->OpenDirAt(fd, name);
      if (!sub.ok()) {
        out->problems.push_back({child_rel, "cannot open directory: " + sub.status().message()});
        continue;
      }
      Visit(*sub, Join(abs, name), child_rel, depth + 1);
      fs->Close(*sub);
    }
  }
};

}  // namespace

Result<RunSnapshot> ScanRun(ScanFs* fs, const std::string& root, int64_t now_ns,
                            const ScanLimits& limits) {
  SEQGATE_ASSIGN_OR_RETURN(int fd, fs->OpenDir(root));
  RunSnapshot snap;
  snap.root = root;
  while (snap.root.size() > 1 && snap.root.back() == '/') snap.root.pop_back();
  snap.taken_at_ns = now_ns;
  Walker walker(fs, limits, &snap);
  walker.Walk(fd, "", 0);
  fs->Close(fd);
  snap.Sort();
  return snap;
}

Result<Discovery> DiscoverRuns(ScanFs* fs, const std::string& watch_root,
                               const std::vector<std::unique_ptr<Adapter>>& adapters,
                               int max_depth) {
  SEQGATE_ASSIGN_OR_RETURN(int fd, fs->OpenDir(watch_root));
  Discovery d;
  std::string root = watch_root;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  DiscoveryWalk walk{fs, adapters, max_depth, &d};
  walk.Visit(fd, root, "", 0);
  fs->Close(fd);
  return d;
}

}  // namespace seqgate::bridge
