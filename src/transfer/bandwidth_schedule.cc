#include "transfer/bandwidth_schedule.h"

#include <array>
#include <charconv>
#include <sstream>

#include "common/units.h"

namespace seqgate::transfer {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int DayIndex(std::string_view d) {
  std::string lower;
  for (char c : d) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (size_t i = 0; i < kDays.size(); ++i) {
    if (lower == kDays[i]) return static_cast<int>(i);
  }
  return -1;
}

Result<uint8_t> ParseDays(std::string_view text) {
  if (text == "daily" || text == "Daily") return static_cast<uint8_t>(0x7F);
  uint8_t mask = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    size_t dash = item.find('-');
    int a = DayIndex(item.substr(0, dash));
    int b = dash == std::string_view::npos ? a : DayIndex(item.substr(dash + 1));
    if (a < 0 || b < 0) return InvalidArgument("bad days '" + std::string(text) + "'");
    for (int d = a;; d = (d + 1) % 7) {  // "Sat-Mon" wraps over the week end
      mask = static_cast<uint8_t>(mask | (1u << d));
      if (d == b) break;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return mask;
}

Result<int> ParseClock(std::string_view t) {
  int h = 0, m = 0;
  if (t.size() != 5 || t[2] != ':') return InvalidArgument("bad time '" + std::string(t) + "'");
  auto r1 = std::from_chars(t.data(), t.data() + 2, h);
  auto r2 = std::from_chars(t.data() + 3, t.data() + 5, m);
  if (r1.ec != std::errc() || r2.ec != std::errc() || h > 24 || m > 59 || (h == 24 && m != 0)) {
    return InvalidArgument("bad time '" + std::string(t) + "'");
  }
  return h * 60 + m;
}

Result<uint64_t> ParseRate(std::string_view r) {
  if (r.size() > 2 && r.substr(r.size() - 2) == "/s") r.remove_suffix(2);
  if (r == "unlimited") return uint64_t{0};
  return ParseByteSize(r);
}

}  // namespace

Result<BandwidthSchedule> BandwidthSchedule::Parse(std::string_view text) {
  BandwidthSchedule s;
  std::string_view rest = text;
  while (true) {
    size_t semi = rest.find(';');
    std::istringstream item{std::string(rest.substr(0, semi))};
    std::vector<std::string> words;
    for (std::string w; item >> w;) words.push_back(w);
    auto bad = [&](const Status& why) {
      return InvalidArgument("bandwidth schedule item '" + std::string(rest.substr(0, semi)) +
                             "': " + why.message());
    };
    if (words.size() == 1) {
      auto rate = ParseRate(words[0]);
      if (!rate.ok()) return bad(rate.status());
      s.default_bps_ = *rate;
    } else if (words.size() == 3) {
      BandwidthRule rule;
      auto days = ParseDays(words[0]);
      if (!days.ok()) return bad(days.status());
      size_t dash = words[1].find('-');
      if (dash == std::string::npos) return bad(InvalidArgument("expected HH:MM-HH:MM"));
      auto from = ParseClock(std::string_view(words[1]).substr(0, dash));
      auto to = ParseClock(std::string_view(words[1]).substr(dash + 1));
      if (!from.ok()) return bad(from.status());
      if (!to.ok()) return bad(to.status());
      if (*from >= *to) return bad(InvalidArgument("a window must end after it starts"));
      auto rate = ParseRate(words[2]);
      if (!rate.ok()) return bad(rate.status());
      rule.days = *days;
      rule.start_minute = *from;
      rule.end_minute = *to;
      rule.bytes_per_sec = *rate;
      s.rules_.push_back(rule);
    } else if (!words.empty()) {
      return bad(InvalidArgument("expected RATE or DAYS HH:MM-HH:MM RATE"));
    }
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return s;
}

uint64_t BandwidthSchedule::RateAt(const std::tm& local) const {
  const int day = (local.tm_wday + 6) % 7;  // tm: Sunday = 0; ours: Monday = 0
  const int minute = local.tm_hour * 60 + local.tm_min;
  for (const auto& r : rules_) {
    if ((r.days >> day & 1u) != 0 && minute >= r.start_minute && minute < r.end_minute) {
      return r.bytes_per_sec;
    }
  }
  return default_bps_;
}

uint64_t BandwidthSchedule::RateNow() const {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return RateAt(local);
}

}  // namespace seqgate::transfer
