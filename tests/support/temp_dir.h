// A scratch directory for one test, removed with everything in it when the test ends.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace seqgate::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "seqgate-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path() const { return path_.string(); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

  // Writes `bytes` to `name` and returns its path.
  std::string Write(const std::string& name, const std::string& bytes) const {
    std::ofstream f(File(name), std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return File(name);
  }

 private:
  std::filesystem::path path_;
};

// Deterministic FASTQ-like text: compressible like the real thing, cheap to make.
inline std::string FastqLike(size_t bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  static const char kBases[] = "ACGT";
  static const char kQual[] = "#-8F";
  std::string s;
  s.reserve(bytes + 400);
  uint64_t n = 0;
  while (s.size() < bytes) {
    s += "@SIM:1:FC:1:1101:" + std::to_string(n++) + ":" + std::to_string(rng() % 30000) +
         " 1:N:0:ACGT\n";
    for (int i = 0; i < 150; ++i) s += kBases[rng() & 3];
    s += "\n+\n";
    for (int i = 0; i < 150; ++i) s += kQual[(rng() % 10) < 7 ? 3 : rng() & 3];
    s += '\n';
  }
  s.resize(bytes);
  return s;
}

// The whole content of the file at `path` ("" when it cannot be read).
inline std::string ReadWhole(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

}  // namespace seqgate::testing
