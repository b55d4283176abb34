#include "sim/families/run_plan.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>

#include "common/hashing.h"

namespace seqgate::sim {
namespace {

std::string Parent(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// splitmix64: cheap deterministic filler bytes.
uint64_t Mix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A file being appended to across several steps.
struct Growing {
  std::unique_ptr<WritableFile> file;
  Hasher sha{DigestAlgorithm::kSha256};
  uint64_t written = 0;
};

}  // namespace

Status MakeDirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("create directory '" + dir + "': " + ec.message());
  return Status::Ok();
}

RunPlan::RunPlan(Env* env, std::string root) : env_(env), root_(std::move(root)) {}

void RunPlan::Add(double weight, std::function<Status()> step) {
  steps_.push_back({weight, std::move(step)});
}

Status RunPlan::WriteWhole(const std::string& rel, const std::string& content) {
  const std::string path = root_ + "/" + rel;
  SEQGATE_RETURN_IF_ERROR(MakeDirs(Parent(path)));
  SEQGATE_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env_->CreateWritable(path));
  SEQGATE_RETURN_IF_ERROR(f->Append(AsBytes(content)));
  SEQGATE_RETURN_IF_ERROR(f->Close());
  sha256_[rel] = ComputeDigest(DigestAlgorithm::kSha256, AsBytes(content)).hex();
  sizes_[rel] = content.size();
  return Status::Ok();
}

void RunPlan::Small(const std::string& rel, std::string content, double weight) {
  Add(weight, [this, rel, content = std::move(content)] { return WriteWhole(rel, content); });
}

void RunPlan::SmallLater(const std::string& rel, std::function<std::string()> content,
                         double weight) {
  Add(weight, [this, rel, content = std::move(content)] { return WriteWhole(rel, content()); });
}

void RunPlan::Fastq(const std::string& rel, const std::string& rel2, const ReadGenOptions& options,
                    uint64_t bytes, int chunks) {
  struct State {
    std::unique_ptr<ReadGenerator> gen;
    Growing r1, r2;
  };
  auto st = std::make_shared<State>();
  const bool paired = !rel2.empty();
  chunks = std::max(chunks, 1);
  for (int i = 0; i < chunks; ++i) {
    const uint64_t target = bytes * static_cast<uint64_t>(i + 1) / static_cast<uint64_t>(chunks);
    const bool last = i + 1 == chunks;
    Add(1, [this, st, rel, rel2, options, paired, target, last]() -> Status {
      if (st->gen == nullptr) {
        ReadGenOptions o = options;
        o.paired = paired;
        SEQGATE_ASSIGN_OR_RETURN(ReadGenerator g, ReadGenerator::Create(o));
        st->gen = std::make_unique<ReadGenerator>(std::move(g));
        SEQGATE_RETURN_IF_ERROR(MakeDirs(Parent(root_ + "/" + rel)));
        SEQGATE_ASSIGN_OR_RETURN(st->r1.file, env_->CreateWritable(root_ + "/" + rel));
        if (paired) {
          SEQGATE_ASSIGN_OR_RETURN(st->r2.file, env_->CreateWritable(root_ + "/" + rel2));
        }
      }
      const size_t cap = std::max<size_t>(1 << 20, st->gen->max_record_bytes());
      std::vector<uint8_t> b1(cap), b2(paired ? cap : 0);
      while (st->r1.written < target) {
        const ReadGenStats s =
            st->gen->Fill(MutableByteView(b1), MutableByteView(b2), target - st->r1.written);
        if (s.r1_bytes == 0) break;
        const ByteView w1(b1.data(), s.r1_bytes);
        SEQGATE_RETURN_IF_ERROR(st->r1.file->Append(w1));
        st->r1.sha.Update(w1);
        st->r1.written += s.r1_bytes;
        if (paired) {
          const ByteView w2(b2.data(), s.r2_bytes);
          SEQGATE_RETURN_IF_ERROR(st->r2.file->Append(w2));
          st->r2.sha.Update(w2);
          st->r2.written += s.r2_bytes;
        }
      }
      if (!last) return Status::Ok();
      SEQGATE_RETURN_IF_ERROR(st->r1.file->Close());
      sha256_[rel] = st->r1.sha.Finish().hex();
      sizes_[rel] = st->r1.written;
      if (paired) {
        SEQGATE_RETURN_IF_ERROR(st->r2.file->Close());
        sha256_[rel2] = st->r2.sha.Finish().hex();
        sizes_[rel2] = st->r2.written;
      }
      return Status::Ok();
    });
  }
}

void RunPlan::Binary(const std::string& rel, uint64_t bytes, int chunks, uint64_t seed) {
  auto g = std::make_shared<Growing>();
  auto rng = std::make_shared<uint64_t>(seed);
  chunks = std::max(chunks, 1);
  for (int i = 0; i < chunks; ++i) {
    const uint64_t target = bytes * static_cast<uint64_t>(i + 1) / static_cast<uint64_t>(chunks);
    const bool last = i + 1 == chunks;
    Add(1, [this, g, rng, rel, target, last]() -> Status {
      if (g->file == nullptr) {
        SEQGATE_RETURN_IF_ERROR(MakeDirs(Parent(root_ + "/" + rel)));
        SEQGATE_ASSIGN_OR_RETURN(g->file, env_->CreateWritable(root_ + "/" + rel));
      }
      std::vector<uint8_t> buf(64 << 10);
      while (g->written < target) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), target - g->written));
        for (size_t k = 0; k < n; k += 8) {
          const uint64_t v = Mix(*rng);
          std::memcpy(buf.data() + k, &v, std::min<size_t>(8, n - k));
        }
        const ByteView w(buf.data(), n);
        SEQGATE_RETURN_IF_ERROR(g->file->Append(w));
        g->sha.Update(w);
        g->written += n;
      }
      if (!last) return Status::Ok();
      SEQGATE_RETURN_IF_ERROR(g->file->Close());
      sha256_[rel] = g->sha.Finish().hex();
      sizes_[rel] = g->written;
      return Status::Ok();
    });
  }
}

Status RunPlan::Play(double duration_s, const std::function<void(size_t)>& after_step) {
  SEQGATE_RETURN_IF_ERROR(MakeDirs(root_));
  double total = 0;
  for (const Step& s : steps_) total += s.weight;
  for (size_t i = 0; i < steps_.size(); ++i) {
    const Step& s = steps_[i];
    SEQGATE_RETURN_IF_ERROR(s.run());
    if (after_step) after_step(i);
    if (duration_s > 0 && total > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(duration_s * s.weight / total));
    }
  }
  return Status::Ok();
}

}  // namespace seqgate::sim
