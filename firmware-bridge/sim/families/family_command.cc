#include "sim/families/family_command.h"

#include <algorithm>
#include <cstdio>

#include "common/units.h"

namespace seqgate::sim {

std::string_view SimOutcomeName(SimOutcome o) {
  switch (o) {
    case SimOutcome::kCompleted:
      return "completed";
    case SimOutcome::kFailed:
      return "failed";
    case SimOutcome::kAborted:
      return "aborted";
    case SimOutcome::kStalled:
      return "stalled";
  }
  return "unknown";
}

Command AddFamilyCommand(CLI::App& root, FamilySpec spec) {
  struct Flags {
    FamilySpec spec;
    FamilyRun run;
    std::string size = "64M";
    std::string outcome = "completed";
    double duration_s = 10;
  };
  auto f = std::make_shared<Flags>();
  f->spec = std::move(spec);
  CLI::App* app = root.add_subcommand(f->spec.name, f->spec.description);
  app->add_option("--out", f->run.out, "Output folder (the instrument's output share)")->required();
  app->add_option("--size", f->size, "About how many bytes of data files (K/M/G; default 64M)");
  app->add_option("--duration", f->duration_s,
                  "Seconds the run takes, writes spread over it (default 10; 0 = at once)");
  std::string outcomes;
  for (SimOutcome o : f->spec.outcomes) {
    outcomes += (outcomes.empty() ? "" : "|") + std::string(SimOutcomeName(o));
  }
  app->add_option("--outcome", f->outcome, "How the run ends: " + outcomes);
  app->add_option("--seed", f->run.seed, "Seed: same flags and seed give the same files");
  if (f->spec.add_flags) f->spec.add_flags(app, &f->run);

  Command c;
  c.app = app;
  c.run = [f]() -> int {
    const std::string prog = "seqgate-sim " + f->spec.name;
    auto fail = [&](int code, const std::string& m) {
      std::fprintf(stderr, "%s: %s\n", prog.c_str(), m.c_str());
      return code;
    };
    Result<uint64_t> size = ParseByteSize(f->size);
    if (!size.ok()) return fail(kExitUsage, size.status().message());
    f->run.size = *size;
    auto it = std::find_if(f->spec.outcomes.begin(), f->spec.outcomes.end(),
                           [&](SimOutcome o) { return SimOutcomeName(o) == f->outcome; });
    if (it == f->spec.outcomes.end()) {
      // Some families have no way to say "failed" or "aborted"; faking one would teach the
      // bridge a signal no instrument sends.
      std::string ok;
      for (SimOutcome o : f->spec.outcomes) ok += " " + std::string(SimOutcomeName(o));
      return fail(kExitUsage, "--outcome " + f->outcome + " is not something " + f->spec.name +
                                  " instruments signal; choose one of:" + ok);
    }
    f->run.outcome = *it;
    if (f->duration_s < 0) return fail(kExitUsage, "--duration must be >= 0");
    f->run.env = Env::Default();
    auto plan = f->spec.build(f->run);
    if (!plan.ok()) return fail(kExitUsage, plan.status().message());
    if (Status st = (*plan)->Play(f->duration_s); !st.ok())
      return fail(kExitRuntimeError, st.ToString());
    std::printf("%s\n", (*plan)->root().c_str());
    std::fprintf(stderr, "%s: wrote %zu files (%s) in %s\n", prog.c_str(), (*plan)->sizes().size(),
                 f->outcome.c_str(), (*plan)->root().c_str());
    return kExitOk;
  };
  return c;
}

}  // namespace seqgate::sim
