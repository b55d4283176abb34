// seqgatectl extract: prints a byte range of the original from a seekable packed file, reading
// only the frames that hold it.
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/units.h"
#include "ctl/commands.h"
#include "pipeline/seekable_reader.h"

namespace seqgate::ctl {
namespace {

struct ExtractArgs {
  std::string input, offset = "0", length;
};

int RunExtract(const ExtractArgs& a) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "seqgatectl extract: %s\n", s.ToString().c_str());
    return 1;
  };
  auto reader = pipeline::SeekableReader::Open(*Env::Default(), a.input);
  if (!reader.ok()) return fail(reader.status());
  auto offset = ParseByteSize(a.offset);
  if (!offset.ok()) return fail(offset.status().WithContext("--offset"));
  uint64_t length = (*reader)->table().total_decompressed() -
                    std::min(*offset, (*reader)->table().total_decompressed());
  if (!a.length.empty()) {
    auto l = ParseByteSize(a.length);
    if (!l.ok()) return fail(l.status().WithContext("--length"));
    length = *l;
  }
  Status s = (*reader)->ReadRange(*offset, length, [](ByteView b) -> Status {
    size_t done = 0;
    while (done < b.size()) {
      const ssize_t n = ::write(STDOUT_FILENO, b.data() + done, b.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "write", "standard output");
      }
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  });
  return s.ok() ? 0 : fail(s);
}

}  // namespace

void AddExtractCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ExtractArgs>();
  CLI::App* cmd = app.add_subcommand(
      "extract", "Write original bytes [offset, offset+length) of a seekable FILE to stdout");
  cmd->add_option("FILE", args->input, "zstd-seekable packed file")->required();
  cmd->add_option("--offset", args->offset, "First original byte (default 0)");
  cmd->add_option("--length", args->length, "How many bytes (default: to the end)");
  cmd->callback([args, &exit_code] { exit_code = RunExtract(*args); });
}

}  // namespace seqgate::ctl
