#include "shouhu/duration.h"

#include <cctype>
#include <cstdio>

namespace shouhu {
namespace {

using std::chrono::days;
using std::chrono::hh_mm_ss;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::year_month_day;

Status BadDuration(std::string_view text, std::string_view why) {
  return InvalidArgument("bad duration \"" + std::string(text) + "\": " +
                         std::string(why));
}

// Adds whole months to a date, clamping the day to the month's last day.
sys_days AddMonths(sys_days date, int months) {
  year_month_day ymd{date};
  auto ym = std::chrono::year_month{ymd.year(), ymd.month()} +
            std::chrono::months{months};
  auto last = std::chrono::year_month_day_last{ym.year(),
      std::chrono::month_day_last{ym.month()}};
  auto day = std::min(ymd.day(), last.day());
  return sys_days{ym.year() / ym.month() / day};
}

// True when `s` starts with digits wherever `shape` has 'd' and the same
// characters elsewhere. sscanf's %2d alone also takes " 2" and "+2".
bool HasShape(std::string_view s, std::string_view shape) {
  if (s.size() < shape.size()) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    bool digit = std::isdigit(static_cast<unsigned char>(s[i]));
    if (shape[i] == 'd' ? !digit : s[i] != shape[i]) return false;
  }
  return true;
}

}  // namespace

StatusOr<Duration> ParseDuration(std::string_view text) {
  if (text.size() < 3 || text[0] != 'P') {
    return BadDuration(text, "expected ISO 8601 like PT2H, P3D or P1M");
  }
  Duration d;
  bool in_time = false;
  bool any = false;
  std::string order_date = "YMWD", order_time = "HMS";
  size_t date_pos = 0, time_pos = 0;
  size_t i = 1;
  int64_t days = 0;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return BadDuration(text, "two 'T' separators");
      in_time = true;
      ++i;
      if (i == text.size()) return BadDuration(text, "nothing after 'T'");
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      return BadDuration(text, "expected a number at position " +
                                   std::to_string(i));
    }
    int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      if (n > 1'000'000'000) return BadDuration(text, "number too large");
      ++i;
    }
    if (i == text.size()) return BadDuration(text, "number without a unit");
    char unit = text[i++];
    const std::string& order = in_time ? order_time : order_date;
    size_t& pos = in_time ? time_pos : date_pos;
    size_t at = order.find(unit, pos);
    if (at == std::string::npos) {
      return BadDuration(text, std::string("unit '") + unit +
                                   "' is unknown or out of order here");
    }
    pos = at + 1;
    any = true;
    if (!in_time) {
      switch (unit) {
        case 'Y': d.years = static_cast<int32_t>(n); break;
        case 'M': d.months = static_cast<int32_t>(n); break;
        case 'W': days += n * 7; break;
        case 'D': days += n; break;
      }
      // Weeks and days add up in 32 bits; past that they would wrap negative.
      if (days > 1'000'000'000) return BadDuration(text, "number too large");
      d.days = static_cast<int32_t>(days);
    } else {
      switch (unit) {
        case 'H': d.seconds += n * 3600; break;
        case 'M': d.seconds += n * 60; break;
        case 'S': d.seconds += n; break;
      }
    }
  }
  if (!any) return BadDuration(text, "no amount given");
  return d;
}

std::string Duration::ToString() const {
  if (is_zero()) return "PT0S";
  std::string out = "P";
  if (years) out += std::to_string(years) + "Y";
  if (months) out += std::to_string(months) + "M";
  if (days) out += std::to_string(days) + "D";
  if (seconds) {
    out += "T";
    int64_t s = seconds;
    if (s / 3600) out += std::to_string(s / 3600) + "H";
    s %= 3600;
    if (s / 60) out += std::to_string(s / 60) + "M";
    s %= 60;
    if (s) out += std::to_string(s) + "S";
  }
  return out;
}

Instant AddDuration(Instant at, const Duration& d, minutes utc_offset) {
  if (d.years != 0 || d.months != 0) {
    auto local = at + utc_offset;
    auto date = std::chrono::floor<days>(local);
    auto time_of_day = local - date;
    date = AddMonths(date, d.years * 12 + d.months);
    at = date + time_of_day - utc_offset;
  }
  return at + days{d.days} + std::chrono::seconds{d.seconds};
}

StatusOr<Instant> ParseInstant(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)
  int y, mo, da, h, mi, s;
  int consumed = 0;
  std::string str(text);
  if (!HasShape(str, "dddd-dd-ddTdd:dd:dd") ||
      std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &da, &h,
                  &mi, &s, &consumed) != 6 ||
      consumed != 19) {
    return InvalidArgument("bad datetime \"" + str +
                           "\": expected RFC 3339 like 2026-02-13T09:00:00+08:00");
  }
  year_month_day ymd{std::chrono::year{y}, std::chrono::month(mo),
                     std::chrono::day(da)};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) {
    return InvalidArgument("bad datetime \"" + str + "\": no such date or time");
  }
  size_t i = 19;
  int64_t ms = 0;
  if (i < str.size() && str[i] == '.') {
    ++i;
    int digits = 0;
    while (i < str.size() && std::isdigit(static_cast<unsigned char>(str[i]))) {
      if (digits < 3) ms = ms * 10 + (str[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return InvalidArgument("bad datetime \"" + str + "\"");
    for (; digits < 3; ++digits) ms *= 10;
  }
  int offset_minutes = 0;
  if (i < str.size() && (str[i] == 'Z' || str[i] == 'z')) {
    ++i;
  } else if (i + 6 == str.size() && (str[i] == '+' || str[i] == '-') &&
             HasShape(std::string_view(str).substr(i + 1), "dd:dd")) {
    int oh = std::atoi(str.substr(i + 1, 2).c_str());
    int om = std::atoi(str.substr(i + 4, 2).c_str());
    if (oh > 23 || om > 59) {
      return InvalidArgument("bad datetime \"" + str +
                             "\": no such UTC offset");
    }
    offset_minutes = (str[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return InvalidArgument("bad datetime \"" + str +
                           "\": needs a UTC offset (Z or +08:00)");
  }
  if (i != str.size()) return InvalidArgument("bad datetime \"" + str + "\"");
  Instant local = sys_days{ymd} + std::chrono::hours{h} + minutes{mi} +
                  std::chrono::seconds{s} + milliseconds{ms};
  return local - minutes{offset_minutes};
}

std::string FormatInstant(Instant at) {
  auto date = std::chrono::floor<days>(at);
  year_month_day ymd{date};
  hh_mm_ss<milliseconds> t{at - date};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()),
                static_cast<int>(t.hours().count()),
                static_cast<int>(t.minutes().count()),
                static_cast<int>(t.seconds().count()),
                static_cast<int>(t.subseconds().count()));
  return buf;
}

}  // namespace shouhu
