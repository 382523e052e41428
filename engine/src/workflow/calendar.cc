#include "shouhu/calendar.h"

namespace shouhu {

using std::chrono::days;
using std::chrono::sys_days;

Calendar::Calendar(std::string id, std::chrono::minutes utc_offset,
                   unsigned rest_weekday_mask, std::set<sys_days> holidays,
                   std::set<sys_days> makeup_workdays)
    : id_(std::move(id)),
      utc_offset_(utc_offset),
      rest_weekday_mask_(rest_weekday_mask),
      holidays_(std::move(holidays)),
      makeup_workdays_(std::move(makeup_workdays)) {}

bool Calendar::IsWorkingDay(sys_days local_date) const {
  if (makeup_workdays_.count(local_date)) return true;
  if (holidays_.count(local_date)) return false;
  unsigned wd = std::chrono::weekday{local_date}.c_encoding();
  return (rest_weekday_mask_ & (1u << wd)) == 0;
}

Instant Calendar::AddWorkingDays(Instant at, int n) const {
  auto local = at + utc_offset_;
  sys_days date = std::chrono::floor<days>(local);
  auto time_of_day = local - date;
  if (!IsWorkingDay(date)) {
    // The clock stops on rest days: start at 00:00 of the next working day.
    time_of_day = {};
    do {
      date += days{1};
    } while (!IsWorkingDay(date));
  }
  // A calendar that never works would loop forever; ten years is the cap.
  for (int counted = 0, guard = 0; counted < n && guard < 3660; ++guard) {
    date += days{1};
    if (IsWorkingDay(date)) ++counted;
  }
  return date + time_of_day - utc_offset_;
}

}  // namespace shouhu
