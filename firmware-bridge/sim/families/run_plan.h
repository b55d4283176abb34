// A run folder written over time: the steps an instrument takes, in its order, paced so the
// whole run takes the requested duration. Data files grow in place chunk by chunk (what a
// watcher must not ship early); markers come last.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "sim/readgen.h"

namespace seqgate::sim {

class RunPlan {
 public:
  // Everything is written under `root` (created when the plan plays) through `env`.
  RunPlan(Env* env, std::string root);

  // A step; `weight` is its share of the run's duration, slept after it runs.
  void Add(double weight, std::function<Status()> step);
  // A small file written whole, e.g. metadata or a marker ("" content = empty marker).
  void Small(const std::string& rel, std::string content, double weight = 1);
  // Like Small, with content computed when the step runs (manifests of earlier files).
  void SmallLater(const std::string& rel, std::function<std::string()> content, double weight = 1);
  // FASTQ from the read generator, growing in place over `chunks` steps to about `bytes`
  // (R1 size; `rel2` non-empty = paired, R2 written alongside).
  void Fastq(const std::string& rel, const std::string& rel2, const ReadGenOptions& options,
             uint64_t bytes, int chunks);
  // Deterministic filler standing in for binary formats we do not generate (BCL, POD5, BAM,
  // CRAM): the bridge never looks inside them.
  void Binary(const std::string& rel, uint64_t bytes, int chunks, uint64_t seed);

  // Runs every step in order, sleeping duration_s * weight / total weight after each, and
  // calling `after_step` (if set) with the step's index: tests observe the run as it grows.
  [[nodiscard]] Status Play(double duration_s,
                            const std::function<void(size_t)>& after_step = nullptr);
  size_t steps() const { return steps_.size(); }

  // SHA-256 (hex) of each file written so far by Fastq/Binary/Small, by relative path.
  const std::map<std::string, std::string>& sha256() const { return sha256_; }
  // Sizes of the files written so far, by relative path.
  const std::map<std::string, uint64_t>& sizes() const { return sizes_; }
  const std::string& root() const { return root_; }

 private:
  struct Step {
    double weight;
    std::function<Status()> run;
  };
  Status WriteWhole(const std::string& rel, const std::string& content);

  Env* env_;
  std::string root_;
  std::vector<Step> steps_;
  std::map<std::string, std::string> sha256_;
  std::map<std::string, uint64_t> sizes_;
};

// Creates `dir` and its parents; errors name the directory.
[[nodiscard]] Status MakeDirs(const std::string& dir);

}  // namespace seqgate::sim
