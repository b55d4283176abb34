// Prometheus text exposition (format 0.0.4) built safely: names are sanitised to the allowed
// alphabet, label values and help texts escaped, samples grouped under one HELP/TYPE per family
// whatever order they are added in. The daemon builds ControlTarget::Metrics() with it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace seqgate::control {

enum class MetricType { kCounter, kGauge, kUntyped };

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// `name` with every character outside [a-zA-Z0-9_:] replaced by '_' (and a leading digit
// prefixed with '_'), so it is a valid metric name; label names also lose ':'.
std::string SanitizeMetricName(std::string_view name);
std::string SanitizeLabelName(std::string_view name);

// A label value escaped for the text format: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);
// A HELP text escaped for the text format: backslash and newline.
std::string EscapeHelp(std::string_view help);

// A sample value as the text format spells it: integers exactly, NaN, +Inf, -Inf.
std::string FormatMetricValue(double value);

class PrometheusText {
 public:
  // Declares a family; the first declaration's type and help win. Samples of an undeclared
  // family make it untyped.
  void Declare(std::string_view name, MetricType type, std::string_view help);

  // Adds (or replaces: same name and labels) one sample of family `name`. Label names are
  // sanitised; a repeated label name keeps its first value.
  void Sample(std::string_view name, const MetricLabels& labels, double value);
  void Sample(std::string_view name, const MetricLabels& labels, uint64_t value);

  // Declare + one unlabelled sample.
  void Counter(std::string_view name, std::string_view help, uint64_t value);
  void Gauge(std::string_view name, std::string_view help, double value);

  // The exposition: families in declaration order, each sample under its family.
  std::string Render() const;

 private:
  struct Family {
    std::string name;
    MetricType type = MetricType::kUntyped;
    std::string help;
    std::vector<std::pair<std::string, std::string>> samples;  // rendered labels → value
  };
  Family& FamilyFor(std::string_view name);
  void Put(std::string_view name, const MetricLabels& labels, std::string value);

  std::vector<Family> families_;
};

}  // namespace seqgate::control
