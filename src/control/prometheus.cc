#include "control/prometheus.h"

#include <cmath>
#include <cstdio>
#include <set>

namespace seqgate::control {
namespace {

bool IsNameChar(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (allow_colon && c == ':');
}

std::string Sanitize(std::string_view name, bool allow_colon) {
  std::string out;
  out.reserve(name.size() + 1);
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) out += '_';
  for (char c : name) out += IsNameChar(c, allow_colon) ? c : '_';
  return out;
}

const char* TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kUntyped:
      break;
  }
  return "untyped";
}

std::string RenderLabels(const MetricLabels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  std::set<std::string> seen;
  for (const auto& [name, value] : labels) {
    std::string n = SanitizeLabelName(name);
    if (!seen.insert(n).second) continue;
    if (out.size() > 1) out += ',';
    out += n + "=\"" + EscapeLabelValue(value) + "\"";
  }
  return out + "}";
}

}  // namespace

std::string SanitizeMetricName(std::string_view name) { return Sanitize(name, true); }
std::string SanitizeLabelName(std::string_view name) { return Sanitize(name, false); }

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (std::fabs(value) < 9007199254740992.0 && value == std::floor(value)) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", value);
  }
  return buf;
}

PrometheusText::Family& PrometheusText::FamilyFor(std::string_view name) {
  std::string n = SanitizeMetricName(name);
  for (auto& f : families_) {
    if (f.name == n) return f;
  }
  families_.push_back(Family{n, MetricType::kUntyped, {}, {}});
  return families_.back();
}

void PrometheusText::Declare(std::string_view name, MetricType type, std::string_view help) {
  std::string n = SanitizeMetricName(name);
  for (const auto& f : families_) {
    if (f.name == n) return;
  }
  families_.push_back(Family{n, type, std::string(help), {}});
}

void PrometheusText::Put(std::string_view name, const MetricLabels& labels, std::string value) {
  Family& f = FamilyFor(name);
  std::string key = RenderLabels(labels);
  for (auto& s : f.samples) {
    if (s.first == key) {
      s.second = std::move(value);
      return;
    }
  }
  f.samples.emplace_back(std::move(key), std::move(value));
}

void PrometheusText::Sample(std::string_view name, const MetricLabels& labels, double value) {
  Put(name, labels, FormatMetricValue(value));
}

void PrometheusText::Sample(std::string_view name, const MetricLabels& labels, uint64_t value) {
  Put(name, labels, std::to_string(value));
}

void PrometheusText::Counter(std::string_view name, std::string_view help, uint64_t value) {
  Declare(name, MetricType::kCounter, help);
  Sample(name, {}, value);
}

void PrometheusText::Gauge(std::string_view name, std::string_view help, double value) {
  Declare(name, MetricType::kGauge, help);
  Sample(name, {}, value);
}

std::string PrometheusText::Render() const {
  std::string out;
  for (const auto& f : families_) {
    if (!f.help.empty()) out += "# HELP " + f.name + " " + EscapeHelp(f.help) + "\n";
    out += "# TYPE " + f.name + " " + TypeName(f.type) + "\n";
    for (const auto& [labels, value] : f.samples) out += f.name + labels + " " + value + "\n";
  }
  return out;
}

}  // namespace seqgate::control
