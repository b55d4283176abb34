#include "adapters/ship_policy.h"

#include "common/glob.h"

namespace seqgate::bridge {
namespace {

// Sequence data every family may produce.
const std::vector<std::string>& CommonData() {
  static const std::vector<std::string> k = {"*.fastq",     "*.fastq.gz", "*.fq",   "*.fq.gz",
                                             "*.fastq.ora", "*.cram",     "*.crai", "*.bam",
                                             "*.bai",       "*.bam.pbi",  "*.csi"};
  return k;
}

// Raw signal / intermediate files that are never shipped unless asked for.
const std::vector<std::string>& CommonRaw() {
  static const std::vector<std::string> k = {"*.bcl",
                                             "*.bcl.gz",
                                             "*.cbcl",
                                             "*.bcl.bgzf",
                                             "*.locs",
                                             "*.filter",
                                             "*.pod5",
                                             "*.fast5",
                                             "queued_reads/**",
                                             "tmp/**",
                                             "**/Thumbnail_Images/**",
                                             "BaseCalls/*.zip"};
  return k;
}

std::vector<std::string> FamilyMetadata(Family f) {
  switch (f) {
    case Family::kIllumina:
      return {"/RunInfo.xml",
              "/[Rr]unParameters.xml",
              "/RunCompletionStatus.xml",
              "/SampleSheet*.csv",
              "/CompletedJobInfo.xml",
              "/InterOp/*.bin",
              "/Analysis/*/Manifest.tsv",
              "/Analysis/*/Data/Reports/**",
              "/Analysis/*/Data/summary/**",
              "/Analysis/*/Data/**/*.metrics.json",
              "/Analysis/*/Data/**/*.vcf.gz",
              "/Analysis/*/Data/**/*.vcf.gz.tbi",
              "/Analysis/*/Data/**/*.html"};
    case Family::kOnt:
      return {"/final_summary_*.txt",     "/sequencing_summary_*.txt", "/report_*.html",
              "/report_*.json",           "/sample_sheet_*.csv",       "/output_hash_*.csv",
              "/barcode_alignment_*.tsv", "/pore_activity_*.csv",      "/throughput_*.csv"};
    case Family::kPacBio:
      return {"*.xml", "*.json", "/*/statistics/**", "*.transferdone", "*.html"};
    case Family::kElement:
      return {
          "/RunParameters.json", "/RunManifest.json",  "/RunManifest.csv",  "/AvitiRunStats.json",
          "/RunUploaded.json",   "/Samples/**/*.json", "/Samples/**/*.csv", "/*.html"};
    case Family::kUltima:
      return {"*_LibraryInfo.xml", "/UploadCompleted.json", "*.json", "*.csv", "*.html"};
    case Family::kMgi:
      return {"*.summaryReport.html", "*.heatmapReport.html", "/BioInfo.csv", "*BarcodeStat*",
              "*.json"};
    case Family::kGeneric:
      return {"*.md5", "*.sha256", "*.json", "*.csv", "*.html", "*.xml", "*.tsv", "*.txt"};
  }
  return {};
}

}  // namespace

ShipPolicy::ShipPolicy(Family family, ShipOverrides overrides)
    : default_include_(CommonData()),
      default_exclude_(CommonRaw()),
      overrides_(std::move(overrides)) {
  for (std::string& p : FamilyMetadata(family)) default_include_.push_back(std::move(p));
}

ShipDecision ShipPolicy::Decide(std::string_view path) const {
  if (const std::string* p = FirstGlobMatch(overrides_.exclude, path)) {
    return {false, "excluded by operator glob '" + *p + "'"};
  }
  if (FirstGlobMatch(overrides_.include, path) != nullptr) return {true, ""};
  if (const std::string* p = FirstGlobMatch(default_exclude_, path)) {
    return {false, "raw/intermediate data ('" + *p + "') is not shipped by default"};
  }
  if (FirstGlobMatch(default_include_, path) != nullptr) return {true, ""};
  return {false, "not a shipped file type"};
}

}  // namespace seqgate::bridge
