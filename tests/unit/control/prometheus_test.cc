#include "control/prometheus.h"

#include <cmath>
#include <limits>

#include <doctest/doctest.h>

namespace seqgate::control {
namespace {

TEST_CASE("prometheus: label values escape backslash, double quote and newline only") {
  CHECK(EscapeLabelValue(R"(C:\runs\"A")") == R"(C:\\runs\\\"A\")");
  CHECK(EscapeLabelValue("two\nlines") == "two\\nlines");
  CHECK(EscapeLabelValue("tab\tand ünïcode") == "tab\tand ünïcode");
  CHECK(EscapeHelp("a \"quoted\" \\ help\nline") == "a \"quoted\" \\\\ help\\nline");
}

TEST_CASE("prometheus: names are forced into the allowed alphabet") {
  CHECK(SanitizeMetricName("seqgate_files") == "seqgate_files");
  CHECK(SanitizeMetricName("ns:sub_total") == "ns:sub_total");
  CHECK(SanitizeMetricName("bad-name.x") == "bad_name_x");
  CHECK(SanitizeMetricName("9lives") == "_9lives");
  CHECK(SanitizeMetricName("") == "_");
  CHECK(SanitizeLabelName("run:id") == "run_id");
  CHECK(SanitizeLabelName("état") == "__tat");
}

TEST_CASE("prometheus: values as the text format spells them") {
  CHECK(FormatMetricValue(0) == "0");
  CHECK(FormatMetricValue(41000000.0) == "41000000");
  CHECK(FormatMetricValue(-3) == "-3");
  CHECK(FormatMetricValue(12.5) == "12.5");
  CHECK(FormatMetricValue(std::nan("")) == "NaN");
  CHECK(FormatMetricValue(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(FormatMetricValue(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(std::stod(FormatMetricValue(0.1)) == 0.1);
  CHECK(std::stod(FormatMetricValue(1e300)) == 1e300);
}

TEST_CASE("prometheus: samples group under one HELP and TYPE per family") {
  PrometheusText t;
  t.Declare("seqgate_files", MetricType::kGauge, "Files by state.");
  t.Counter("seqgate_retries_total", "Retries.", 3);
  t.Sample("seqgate_files", {{"state", "pending"}}, uint64_t{4});
  t.Sample("seqgate_files", {{"state", "failed"}}, uint64_t{1});
  t.Sample("seqgate_files", {{"state", "pending"}}, uint64_t{5});  // replaces the first
  t.Declare("seqgate_files", MetricType::kCounter, "ignored: declared already");
  t.Sample("seqgate_runs", {{"state", "a\"b"}, {"run", "x\\y\nz"}, {"state", "dup"}}, 1.5);
  CHECK(t.Render() ==
        "# HELP seqgate_files Files by state.\n"
        "# TYPE seqgate_files gauge\n"
        "seqgate_files{state=\"pending\"} 5\n"
        "seqgate_files{state=\"failed\"} 1\n"
        "# HELP seqgate_retries_total Retries.\n"
        "# TYPE seqgate_retries_total counter\n"
        "seqgate_retries_total 3\n"
        "# TYPE seqgate_runs untyped\n"
        "seqgate_runs{state=\"a\\\"b\",run=\"x\\\\y\\nz\"} 1.5\n");
}

TEST_CASE("prometheus: a hostile label value cannot add a line or a sample") {
  PrometheusText t;
  t.Gauge("seqgate_queue_depth", "Files waiting.", 2);
  t.Sample("seqgate_bytes", {{"state", "x\"} 999\nseqgate_queue_depth 0\n#"}}, uint64_t{7});
  std::string text = t.Render();
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  CHECK(lines == 5);  // HELP, TYPE, sample; TYPE, sample
  CHECK(text.find("\nseqgate_queue_depth 0") == std::string::npos);
}

}  // namespace
}  // namespace seqgate::control
