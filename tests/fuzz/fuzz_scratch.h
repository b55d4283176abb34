// Private scratch folders for fuzz targets (the fuzzer must never touch real files).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace seqgate::fuzz {

// A new private folder under the temp directory, removed with everything in it when the process
// exits normally (libFuzzer's time limit ends in exit(); a crash leaves it for the post-mortem).
inline std::string MakeScratchDir(const char* what) {
  struct Scratch {
    std::vector<std::string> dirs;
    ~Scratch() {
      for (const auto& d : dirs) {
        std::error_code ec;
        std::filesystem::remove_all(d, ec);
      }
    }
  };
  static Scratch scratch;
  std::string tmpl =
      (std::filesystem::temp_directory_path() / (std::string("seqgate-fuzz-") + what + "-XXXXXX"))
          .string();
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  scratch.dirs.push_back(tmpl);
  return tmpl;
}

}  // namespace seqgate::fuzz
