#include "control/render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "common/units.h"

namespace seqgate::control {
namespace {

using nlohmann::json;

const json* Field(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

// Integers from the daemon are non-negative counts; anything else reads as `def`.
uint64_t Count(const json& j, const char* key, uint64_t def = 0) {
  const json* v = Field(j, key);
  if (v == nullptr) return def;
  if (v->is_number_unsigned()) return v->get<uint64_t>();
  if (v->is_number_integer()) return v->get<int64_t>() < 0 ? def : v->get<uint64_t>();
  if (v->is_number_float()) {
    double d = v->get<double>();
    return d >= 0 && d < 1.8e19 ? static_cast<uint64_t>(d) : def;
  }
  return def;
}

bool HasNumber(const json& j, const char* key) {
  const json* v = Field(j, key);
  return v != nullptr && v->is_number();
}

double Number(const json& j, const char* key, double def = std::nan("")) {
  const json* v = Field(j, key);
  return v != nullptr && v->is_number() ? v->get<double>() : def;
}

std::string Text(const json& j, const char* key, std::string_view def = "-") {
  const json* v = Field(j, key);
  if (v == nullptr) return std::string(def);
  if (v->is_string()) return TerminalSafe(v->get<std::string>());
  if (v->is_boolean() || v->is_number()) return v->dump();
  return std::string(def);
}

const json& Sub(const json& j, const char* key) {
  static const json kNull;
  const json* v = Field(j, key);
  return v == nullptr ? kNull : *v;
}

// Columns as a terminal shows them: UTF-8 continuation bytes take no room.
size_t DisplayWidth(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string Pad(std::string_view s, size_t width, bool right) {
  size_t w = DisplayWidth(s);
  std::string fill(w < width ? width - w : 0, ' ');
  return right ? fill + std::string(s) : std::string(s) + fill;
}

// Keeps the end of a path (the file name matters most) within `width` columns.
std::string ShortenLeft(const std::string& s, size_t width) {
  if (DisplayWidth(s) <= width || width < 4) return s;
  size_t keep = width - 3;
  size_t pos = s.size();
  size_t cols = 0;
  while (pos > 0 && cols < keep) {
    --pos;
    if ((static_cast<unsigned char>(s[pos]) & 0xC0) != 0x80) ++cols;
  }
  return "..." + s.substr(pos);
}

// Left-aligned text columns, right-aligned number columns; the last column is not padded.
std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& right) {
  std::vector<size_t> widths(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  };
  measure(header);
  for (const auto& r : rows) measure(r);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      bool last = i + 1 == widths.size();
      line += last && !right[i] ? row[i] : Pad(row[i], widths[i], right[i]);
      if (!last) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(header);
  for (const auto& r : rows) emit(r);
  return out;
}

std::string Percent(double fraction) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%3d%%", static_cast<int>(std::floor(fraction * 100)));
  return buf;
}

}  // namespace

std::string TerminalSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      out += '?';
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      out += '?';  // U+0080..U+009F: C1 controls (CSI among them)
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string ProgressBar(double fraction, int width) {
  if (width < 1) width = 1;
  bool known = !std::isnan(fraction);
  double f = known ? std::clamp(fraction, 0.0, 1.0) : 0.0;
  int filled = static_cast<int>(std::floor(f * width));
  std::string bar = "[";
  for (int i = 0; i < width; ++i) {
    if (i < filled) {
      bar += '=';
    } else if (i == filled && known && filled < width && f > 0) {
      bar += '>';
    } else {
      bar += ' ';
    }
  }
  bar += "] ";
  bar += known ? Percent(f) : "   -";
  return bar;
}

std::string FormatRate(double bps) {
  if (!std::isfinite(bps) || bps < 0) return "-";
  return FormatBytes(static_cast<uint64_t>(bps)) + "/s";
}

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-";
  auto s = static_cast<uint64_t>(std::llround(seconds));
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llus", static_cast<unsigned long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%llum%02llus", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%lluh%02llum", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s % 3600 / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llud%02lluh", static_cast<unsigned long long>(s / 86400),
                  static_cast<unsigned long long>(s % 86400 / 3600));
  }
  return buf;
}

std::string RenderStatus(const json& st, const RenderOptions& o) {
  std::string out = "seqgated " + Text(st, "version", "?");
  const json* paused = Field(st, "paused");
  out +=
      paused != nullptr && paused->is_boolean() && paused->get<bool>() ? "  PAUSED" : "  running";
  if (Field(st, "started") != nullptr) out += " since " + Text(st, "started");
  out += "\n";

  const json& runs = Sub(st, "runs");
  out += "runs      " + std::to_string(Count(runs, "active")) + " active   " +
         std::to_string(Count(runs, "delivered")) + " delivered   " +
         std::to_string(Count(runs, "failed")) + " failed\n";
  const json& files = Sub(st, "files");
  out += "files     " + std::to_string(Count(files, "pending")) + " pending   " +
         std::to_string(Count(files, "packing")) + " packing   " +
         std::to_string(Count(files, "uploading")) + " uploading   " +
         std::to_string(Count(files, "delivered")) + " delivered   " +
         std::to_string(Count(files, "failed")) + " failed\n";

  uint64_t total = Count(st, "bytes_total");
  uint64_t acked = Count(st, "bytes_acked");
  double fraction = total > 0 ? static_cast<double>(acked) / static_cast<double>(total) : 1.0;
  out += "progress  " + ProgressBar(fraction, o.bar_width) + "  " + FormatBytes(acked) + " of " +
         FormatBytes(total) + "\n";
  out += "rate      " + FormatRate(Number(st, "rate_bps")) + "   ETA " +
         (HasNumber(st, "eta_seconds") ? FormatDuration(Number(st, "eta_seconds")) : "-") + "\n";
  out += "delivered " + Text(st, "last_delivery", "never") + "\n";
  if (const json* w = Field(st, "waiting"); w != nullptr && w->is_string()) {
    out += "waiting   " + w->get<std::string>() + "\n";
  }
  const json& err = Sub(st, "last_error");
  if (err.is_object()) {
    out += "error     " + Text(err, "time", "?") + "  " + Text(err, "message", "") + "\n";
  }

  const json& uploads = Sub(st, "uploads");
  if (uploads.is_array() && !uploads.empty()) {
    out += "\nuploads (" + std::to_string(uploads.size()) + ")\n";
    for (const json& u : uploads) {
      uint64_t size = Count(u, "size");
      uint64_t offset = Count(u, "offset");
      double f = size > 0 ? static_cast<double>(offset) / static_cast<double>(size) : std::nan("");
      std::string tail = "  " + ProgressBar(f, o.bar_width) + "  " + FormatBytes(offset) + " / " +
                         FormatBytes(size) + "  " + FormatRate(Number(u, "rate_bps"));
      std::string run = Text(u, "run");
      size_t fixed = 2 + DisplayWidth(run) + 2 + DisplayWidth(tail);
      size_t room = o.width > 0 && static_cast<size_t>(o.width) > fixed + 16
                        ? static_cast<size_t>(o.width) - fixed
                        : 16;
      out += "  " + run + "  " + ShortenLeft(Text(u, "path"), room) + tail + "\n";
    }
  }
  return out;
}

std::string RenderRuns(const json& doc) {
  const json& runs = Sub(doc, "runs");
  if (!runs.is_array() || runs.empty()) return "no runs yet\n";
  std::vector<std::vector<std::string>> rows;
  for (const json& r : runs) {
    std::string state = Text(r, "state");
    if (Field(r, "outcome") != nullptr) state += " (" + Text(r, "outcome") + ")";
    const json* delivered = Field(r, "delivered");  // the count; the time is "delivered_at"
    uint64_t delivered_files =
        delivered != nullptr && delivered->is_number() ? Count(r, "delivered") : 0;
    rows.push_back(
        {Text(r, "id"), Text(r, "name"), Text(r, "family"), state,
         std::to_string(Count(r, "files")), std::to_string(delivered_files),
         std::to_string(Count(r, "failed")),
         FormatBytes(Count(r, "delivered_bytes")) + " / " + FormatBytes(Count(r, "bytes")),
         Text(r, "run_receipt"), Text(r, "delivered_at")});
  }
  return Table({"ID", "NAME", "FAMILY", "STATE", "FILES", "DELIVERED", "FAILED", "DATA", "RECEIPT",
                "DELIVERED AT"},
               rows, {true, false, false, false, true, true, true, true, false, false});
}

std::string RenderFiles(const json& doc, const RenderOptions& o) {
  const json& files = Sub(doc, "files");
  std::string out = "run " + Text(doc, "run", "?") + ": ";
  if (!files.is_array() || files.empty()) return out + "no files\n";
  out += std::to_string(files.size()) + (files.size() == 1 ? " file\n" : " files\n");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> errors;
  for (const json& f : files) {
    std::string state = Text(f, "state");
    uint64_t size = Count(f, "size");
    uint64_t wire = HasNumber(f, "packed_size") ? Count(f, "packed_size") : size;
    uint64_t acked = Count(f, "acked");
    std::string progress;
    if (state == "delivered") {
      progress = ProgressBar(1.0, o.bar_width / 2);
    } else if (state == "uploading" || acked > 0) {
      progress = ProgressBar(
          wire > 0 ? static_cast<double>(acked) / static_cast<double>(wire) : std::nan(""),
          o.bar_width / 2);
    }
    std::string path = Text(f, "path");
    if (Field(f, "error") != nullptr) path += "\n      error: " + Text(f, "error");
    rows.push_back({Text(f, "id"), state, FormatBytes(size),
                    HasNumber(f, "packed_size") ? FormatBytes(wire) : "-", FormatBytes(acked),
                    progress, std::to_string(Count(f, "attempts")), Text(f, "encoding"), path});
  }
  return out +
         Table({"ID", "STATE", "SIZE", "PACKED", "ACKED", "PROGRESS", "TRIES", "ENCODING", "PATH"},
               rows, {true, false, true, true, true, false, true, false, false});
}

}  // namespace seqgate::control
