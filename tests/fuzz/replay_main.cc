// Replays inputs through a fuzz target without libFuzzer, so every build (g++ included) checks
// the kept corpus and the crash regressions. Usage: <program> FILE_OR_DIR...; directories are
// read one level deep, in name order, dot-files skipped. Exit 0 when every input ran.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<uint8_t> ReadAll(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::directory_iterator(arg, ec)) {
        if (e.is_regular_file() && e.path().filename().string().front() != '.') {
          found.push_back(e.path());
        }
      }
      std::sort(found.begin(), found.end());
      inputs.insert(inputs.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(arg, ec)) {
      inputs.push_back(arg);
    } else {
      // A target may have no regressions yet: git keeps no empty folder.
      std::fprintf(stderr, "replay: %s: not there, skipped\n", argv[i]);
    }
  }
  for (const fs::path& p : inputs) {
    // Named before it runs: if it crashes, the last line says which input did it.
    std::fprintf(stderr, "replay: %s\n", p.c_str());
    const std::vector<uint8_t> bytes = ReadAll(p);
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::fprintf(stderr, "replay: %zu inputs, no crash\n", inputs.size());
  return 0;
}
