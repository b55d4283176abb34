#include "adapters/families.h"

namespace seqgate::bridge {

std::string_view FamilyName(Family f) {
  switch (f) {
    case Family::kIllumina:
      return "illumina";
    case Family::kOnt:
      return "ont";
    case Family::kPacBio:
      return "pacbio";
    case Family::kElement:
      return "element";
    case Family::kUltima:
      return "ultima";
    case Family::kMgi:
      return "mgi";
    case Family::kGeneric:
      return "generic";
  }
  return "unknown";
}

std::optional<Family> ParseFamily(std::string_view name) {
  for (Family f : {Family::kIllumina, Family::kOnt, Family::kPacBio, Family::kElement,
                   Family::kUltima, Family::kMgi, Family::kGeneric}) {
    if (FamilyName(f) == name) return f;
  }
  return std::nullopt;
}

std::string_view RunStateName(RunState s) {
  switch (s) {
    case RunState::kInProgress:
      return "in progress";
    case RunState::kCompleted:
      return "completed";
    case RunState::kFailed:
      return "failed";
    case RunState::kAborted:
      return "aborted";
    case RunState::kStalled:
      return "stalled";
  }
  return "unknown";
}

std::string RunIdentity::Key() const {
  std::string k(FamilyName(family));
  k += '/';
  k += run_id;
  k += '/';
  k += flow_cell;
  return k;
}

std::unique_ptr<Adapter> MakeAdapter(Family family) {
  switch (family) {
    case Family::kIllumina:
      return MakeIlluminaAdapter();
    case Family::kOnt:
      return MakeOntAdapter();
    case Family::kPacBio:
      return MakePacBioAdapter();
    case Family::kElement:
      return MakeElementAdapter();
    case Family::kUltima:
      return MakeUltimaAdapter();
    case Family::kMgi:
      return MakeMgiAdapter();
    case Family::kGeneric:
      return MakeGenericAdapter();
  }
  return nullptr;
}

std::vector<std::unique_ptr<Adapter>> MakeAdapters(bool with_generic) {
  std::vector<std::unique_ptr<Adapter>> out;
  // Vendor markers first; ONT and MGI detect by folder shape, so they come after the families
  // that have an unambiguous metadata file.
  for (Family f : {Family::kIllumina, Family::kElement, Family::kUltima, Family::kPacBio,
                   Family::kOnt, Family::kMgi}) {
    out.push_back(MakeAdapter(f));
  }
  if (with_generic) out.push_back(MakeAdapter(Family::kGeneric));
  return out;
}

}  // namespace seqgate::bridge
