// The working-day calendar, checked against the real cn-mainland calendar and
// the State Council's 2026 holiday notice.
#include "shouhu/calendar.h"

#include <gtest/gtest.h>

#include "definitions.h"

namespace shouhu {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using testing::Load;
using testing::Loaded;
using testing::SourcePath;

sys_days Date(int y, unsigned m, unsigned d) {
  return sys_days{std::chrono::year{y} / m / d};
}

Instant At(std::string_view text) {
  auto at = ParseInstant(text);
  EXPECT_TRUE(at.ok()) << text << ": " << at.status().ToString();
  return at.ok() ? *at : Instant{};
}

class CnMainlandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    loaded_ =
        new Loaded(Load({SourcePath("workflows/calendars/cn-mainland.json")}));
  }
  static void TearDownTestSuite() {
    delete loaded_;
    loaded_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(loaded_->errors.empty()) << loaded_->Lines().front();
    cal_ = loaded_->catalog.FindCalendar("cn-mainland");
    ASSERT_NE(cal_, nullptr);
  }

  // The result of counting `n` working days from `start`, in China's local
  // time, so a failure reads like the expectation.
  std::string Plus(std::string_view start, int n) const {
    auto at = cal_->AddWorkingDays(At(start), n);
    return FormatInstant(at);
  }
  std::string Utc(std::string_view local) const {
    return FormatInstant(At(local));
  }

  static Loaded* loaded_;
  const Calendar* cal_ = nullptr;
};

Loaded* CnMainlandTest::loaded_ = nullptr;

TEST_F(CnMainlandTest, LoadsWithItsOffset) {
  EXPECT_EQ(cal_->id(), "cn-mainland");
  EXPECT_EQ(cal_->utc_offset(), std::chrono::minutes{8 * 60});
}

TEST_F(CnMainlandTest, WeekdaysWorkWeekendsRest) {
  // 16-20 Nov 2026 is an ordinary Monday to Friday.
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(cal_->IsWorkingDay(Date(2026, 11, 16) + days{i})) << i;
  }
  EXPECT_FALSE(cal_->IsWorkingDay(Date(2026, 11, 21)));  // Saturday
  EXPECT_FALSE(cal_->IsWorkingDay(Date(2026, 11, 22)));  // Sunday
}

TEST_F(CnMainlandTest, NationalDay2026IsAHoliday) {
  for (unsigned d = 1; d <= 7; ++d) {
    EXPECT_FALSE(cal_->IsWorkingDay(Date(2026, 10, d))) << "October " << d;
  }
  EXPECT_TRUE(cal_->IsWorkingDay(Date(2026, 9, 30)));
  EXPECT_TRUE(cal_->IsWorkingDay(Date(2026, 10, 8)));
  EXPECT_TRUE(cal_->IsWorkingDay(Date(2026, 10, 9)));
  EXPECT_FALSE(cal_->IsWorkingDay(Date(2026, 10, 11)));  // an ordinary Sunday
}

TEST_F(CnMainlandTest, MakeUpSaturdaysAndSundaysAreWorkingDays) {
  using std::chrono::Saturday;
  using std::chrono::Sunday;
  EXPECT_EQ(std::chrono::weekday{Date(2026, 10, 10)}, Saturday);
  EXPECT_TRUE(cal_->IsWorkingDay(Date(2026, 10, 10)));
  EXPECT_EQ(std::chrono::weekday{Date(2026, 2, 14)}, Saturday);
  EXPECT_TRUE(cal_->IsWorkingDay(Date(2026, 2, 14)));
  EXPECT_EQ(std::chrono::weekday{Date(2026, 2, 28)}, Saturday);
  EXPECT_TRUE(cal_->IsWorkingDay(Date(2026, 2, 28)));
  EXPECT_EQ(std::chrono::weekday{Date(2026, 9, 20)}, Sunday);
  EXPECT_TRUE(cal_->IsWorkingDay(Date(2026, 9, 20)));
}

TEST_F(CnMainlandTest, SpringFestival2026IsAHoliday) {
  for (unsigned d = 15; d <= 23; ++d) {
    EXPECT_FALSE(cal_->IsWorkingDay(Date(2026, 2, d))) << "February " << d;
  }
  EXPECT_TRUE(cal_->IsWorkingDay(Date(2026, 2, 13)));
  EXPECT_TRUE(cal_->IsWorkingDay(Date(2026, 2, 24)));
}

TEST_F(CnMainlandTest, OneWorkingDayFromFridayIsMonday) {
  EXPECT_EQ(Plus("2026-11-20T10:00:00+08:00", 1),
            Utc("2026-11-23T10:00:00+08:00"));
  EXPECT_EQ(Plus("2026-11-20T10:00:00+08:00", 5),
            Utc("2026-11-27T10:00:00+08:00"));
  EXPECT_EQ(Plus("2026-11-18T10:00:00+08:00", 1),
            Utc("2026-11-19T10:00:00+08:00"));
}

TEST_F(CnMainlandTest, KeepsTheLocalTimeOfDayToTheMillisecond) {
  EXPECT_EQ(Plus("2026-11-20T23:59:59.999+08:00", 1),
            Utc("2026-11-23T23:59:59.999+08:00"));
  EXPECT_EQ(Plus("2026-11-20T00:00:00+08:00", 1),
            Utc("2026-11-23T00:00:00+08:00"));
}

TEST_F(CnMainlandTest, AStartOnARestDayCountsFromTheNextWorkingDay) {
  // Saturday afternoon: the clock starts at 00:00 on Monday.
  EXPECT_EQ(Plus("2026-11-21T15:30:00+08:00", 1),
            Utc("2026-11-24T00:00:00+08:00"));
  EXPECT_EQ(Plus("2026-11-22T09:00:00+08:00", 2),
            Utc("2026-11-25T00:00:00+08:00"));
  // In the National Day holiday: the clock starts on 8 October.
  EXPECT_EQ(Plus("2026-10-03T14:00:00+08:00", 1),
            Utc("2026-10-09T00:00:00+08:00"));
}

TEST_F(CnMainlandTest, TheDayIsTheLocalDayNotTheUtcDay) {
  // 20:00Z on Friday is 04:00 on Saturday in China: a rest day.
  EXPECT_EQ(Plus("2026-11-20T20:00:00Z", 1), Utc("2026-11-24T00:00:00+08:00"));
  // 17:00Z on Sunday is 01:00 on Monday in China: a working day.
  EXPECT_EQ(Plus("2026-11-22T17:00:00Z", 1), Utc("2026-11-24T01:00:00+08:00"));
}

TEST_F(CnMainlandTest, AcrossNationalDay2026) {
  const char* start = "2026-09-30T09:00:00+08:00";
  EXPECT_EQ(Plus(start, 1), Utc("2026-10-08T09:00:00+08:00"));
  EXPECT_EQ(Plus(start, 2), Utc("2026-10-09T09:00:00+08:00"));
  EXPECT_EQ(Plus(start, 3), Utc("2026-10-10T09:00:00+08:00"));  // make-up Sat
  EXPECT_EQ(Plus(start, 4), Utc("2026-10-12T09:00:00+08:00"));  // Sun rests
}

TEST_F(CnMainlandTest, AcrossMidAutumnAndNationalDay2026) {
  // 25-27 Sep is 中秋节; Sunday 20 Sep is a make-up working day.
  EXPECT_EQ(Plus("2026-09-18T09:00:00+08:00", 1),
            Utc("2026-09-20T09:00:00+08:00"));
  EXPECT_EQ(Plus("2026-09-24T09:00:00+08:00", 1),
            Utc("2026-09-28T09:00:00+08:00"));
  // The real assessment deadline: five working days from 28 Sep.
  EXPECT_EQ(Plus("2026-09-28T09:00:00+08:00", 5),
            Utc("2026-10-10T09:00:00+08:00"));
}

TEST_F(CnMainlandTest, AcrossSpringFestival2026) {
  EXPECT_EQ(Plus("2026-02-12T09:00:00+08:00", 1),
            Utc("2026-02-13T09:00:00+08:00"));
  EXPECT_EQ(Plus("2026-02-13T09:00:00+08:00", 1),
            Utc("2026-02-14T09:00:00+08:00"));  // make-up Saturday
  EXPECT_EQ(Plus("2026-02-13T09:00:00+08:00", 2),
            Utc("2026-02-24T09:00:00+08:00"));  // after the nine days off
  EXPECT_EQ(Plus("2026-02-14T09:00:00+08:00", 1),
            Utc("2026-02-24T09:00:00+08:00"));
  // Sunday 15 Feb is in the holiday: count from Tuesday 24 Feb.
  EXPECT_EQ(Plus("2026-02-15T09:00:00+08:00", 1),
            Utc("2026-02-25T00:00:00+08:00"));
  // Friday 27 Feb + 1 is the make-up Saturday 28 Feb.
  EXPECT_EQ(Plus("2026-02-27T09:00:00+08:00", 1),
            Utc("2026-02-28T09:00:00+08:00"));
}

TEST_F(CnMainlandTest, AcrossNewYear2026) {
  // 1-3 Jan are holidays, Sunday 4 Jan is a make-up working day.
  EXPECT_EQ(Plus("2025-12-31T09:00:00+08:00", 1),
            Utc("2026-01-04T09:00:00+08:00"));
}

// A calendar built in code: the rest-weekday mask and a negative offset.
TEST(CalendarTest, OwnRestDaysAndOffset) {
  using std::chrono::Friday;
  Calendar cal("gulf", std::chrono::minutes{-(3 * 60 + 30)},
               1u << Friday.c_encoding(), {Date(2026, 11, 18)},
               {Date(2026, 11, 27)});
  EXPECT_EQ(cal.id(), "gulf");
  EXPECT_TRUE(cal.IsWorkingDay(Date(2026, 11, 21)));   // Saturday works
  EXPECT_FALSE(cal.IsWorkingDay(Date(2026, 11, 20)));  // Friday rests
  EXPECT_FALSE(cal.IsWorkingDay(Date(2026, 11, 18)));  // holiday
  EXPECT_TRUE(cal.IsWorkingDay(Date(2026, 11, 27)));   // make-up Friday
  // Thursday 19 Nov 22:00 at -03:30 is Friday 01:30Z; locally still Thursday.
  EXPECT_EQ(cal.AddWorkingDays(At("2026-11-19T22:00:00-03:30"), 1),
            At("2026-11-21T22:00:00-03:30"));
}

TEST(CalendarTest, TheTestFixtureCalendarLoads) {
  Loaded l = Load({testing::TestCalendarFile()});
  ASSERT_TRUE(l.errors.empty()) << l.Lines().front();
  const Calendar* cal = l.catalog.FindCalendar("test-cal");
  ASSERT_NE(cal, nullptr);
  EXPECT_EQ(cal->utc_offset(), std::chrono::minutes{5 * 60 + 45});
  EXPECT_FALSE(cal->IsWorkingDay(Date(2026, 3, 2)));   // holiday Monday
  EXPECT_TRUE(cal->IsWorkingDay(Date(2026, 3, 7)));    // make-up Saturday
  EXPECT_FALSE(cal->IsWorkingDay(Date(2026, 3, 14)));  // Saturday
  EXPECT_TRUE(cal->IsWorkingDay(Date(2026, 3, 8)));    // Sunday works here
  EXPECT_EQ(l.catalog.FindCalendar("cn-mainland"), nullptr);
}

}  // namespace
}  // namespace shouhu
