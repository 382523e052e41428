// A working-day calendar as data: weekly rest days, public holidays, and the
// make-up working days of 调休 that fall on a weekend.
//
// Thread safety: immutable after loading; safe to share between threads.
#pragma once

#include <chrono>
#include <set>
#include <string>

#include "shouhu/duration.h"

namespace shouhu {

class Calendar {
 public:
  Calendar() = default;
  Calendar(std::string id, std::chrono::minutes utc_offset,
           unsigned rest_weekday_mask,  // bit i set: weekday c_encoding i rests
           std::set<std::chrono::sys_days> holidays,
           std::set<std::chrono::sys_days> makeup_workdays);

  const std::string& id() const { return id_; }
  std::chrono::minutes utc_offset() const { return utc_offset_; }

  // A local date is a working day when it is a make-up working day, or it is
  // neither a rest weekday nor a holiday.
  bool IsWorkingDay(std::chrono::sys_days local_date) const;

  // Adds `days` working days to `at`. The clock only runs on working days: a
  // start on a rest day counts from 00:00 of the next working day; the result
  // keeps the start's local time of day on the `days`-th working day after it.
  // REQUIRES: days > 0.
  Instant AddWorkingDays(Instant at, int days) const;

 private:
  std::string id_;
  std::chrono::minutes utc_offset_{0};
  unsigned rest_weekday_mask_ = 0;
  std::set<std::chrono::sys_days> holidays_;
  std::set<std::chrono::sys_days> makeup_workdays_;
};

}  // namespace shouhu
