#include "shouhu/duration.h"

#include <gtest/gtest.h>

#include <string>

namespace shouhu {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::sys_days;

constexpr minutes kChina{8 * 60};

Duration Parse(std::string_view text) {
  auto d = ParseDuration(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status().ToString();
  return d.ok() ? *d : Duration{};
}

Instant At(std::string_view text) {
  auto at = ParseInstant(text);
  EXPECT_TRUE(at.ok()) << text << ": " << at.status().ToString();
  return at.ok() ? *at : Instant{};
}

Instant Utc(int y, unsigned m, unsigned d, int h = 0, int mi = 0) {
  return sys_days{std::chrono::year{y} / m / d} + hours{h} + minutes{mi};
}

TEST(ParseDurationTest, AcceptsEachUnit) {
  EXPECT_EQ(Parse("PT2H"), (Duration{.seconds = 2 * 3600}));
  EXPECT_EQ(Parse("PT30M"), (Duration{.seconds = 30 * 60}));
  EXPECT_EQ(Parse("PT45S"), (Duration{.seconds = 45}));
  EXPECT_EQ(Parse("P3D"), (Duration{.days = 3}));
  EXPECT_EQ(Parse("P2W"), (Duration{.days = 14}));
  EXPECT_EQ(Parse("P1M"), (Duration{.months = 1}));
  EXPECT_EQ(Parse("P1Y"), (Duration{.years = 1}));
}

TEST(ParseDurationTest, MonthsBeforeTAndMinutesAfterIt) {
  EXPECT_EQ(Parse("P1M"), (Duration{.months = 1}));
  EXPECT_EQ(Parse("PT1M"), (Duration{.seconds = 60}));
}

TEST(ParseDurationTest, AcceptsEveryUnitTogether) {
  EXPECT_EQ(Parse("P1Y2M3DT4H5M6S"),
            (Duration{.years = 1,
                      .months = 2,
                      .days = 3,
                      .seconds = 4 * 3600 + 5 * 60 + 6}));
}

TEST(ParseDurationTest, ZeroIsAllowedAndIsZero) {
  Duration d = Parse("PT0S");
  EXPECT_TRUE(d.is_zero());
  EXPECT_FALSE(d.whole_days_only());
}

TEST(ParseDurationTest, WholeDaysOnly) {
  EXPECT_TRUE(Parse("P3D").whole_days_only());
  EXPECT_TRUE(Parse("P1W").whole_days_only());
  EXPECT_FALSE(Parse("PT72H").whole_days_only());
  EXPECT_FALSE(Parse("P1DT1H").whole_days_only());
  EXPECT_FALSE(Parse("P1M").whole_days_only());
  EXPECT_FALSE(Parse("P0D").whole_days_only());
}

TEST(ParseDurationTest, RefusesMalformedText) {
  for (const char* bad : {"", "P", "PT", "2H", "P-1D", "PT1.5H", "P1H", "PT1D",
                          "P1D2Y", "P1DT", "PT2H3H", "P2", "p1d", "P1DT2HT",
                          "PT2H ", " PT2H", "P1W1W", "PTH", "P1X"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << '"' << bad << "\" was accepted";
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(d.status().message().find("bad duration"), std::string::npos)
        << d.status().message();
  }
}

// A week count large enough to overflow 32-bit days must not come back as a
// negative duration: negative durations are refused by contract.
TEST(ParseDurationTest, RefusesWeeksThatOverflowDays) {
  auto d = ParseDuration("P400000000W");
  ASSERT_FALSE(d.ok()) << "parsed as " << d->days << " days";
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseDuration("P2000000000D").ok());
}

TEST(DurationToStringTest, IsCanonical) {
  EXPECT_EQ(Parse("PT0S").ToString(), "PT0S");
  EXPECT_EQ(Parse("PT2H").ToString(), "PT2H");
  EXPECT_EQ(Parse("PT90M").ToString(), "PT1H30M");
  EXPECT_EQ(Parse("P2W").ToString(), "P14D");
  EXPECT_EQ(Parse("P1Y2M3DT4H5M6S").ToString(), "P1Y2M3DT4H5M6S");
}

TEST(DurationToStringTest, RoundTrips) {
  for (const char* text : {"PT2H", "P3D", "P2W", "P1M", "P1Y", "PT0S",
                           "P1Y2M3DT4H5M6S", "PT30M", "P1DT1S", "PT3600S"}) {
    Duration d = Parse(text);
    EXPECT_EQ(Parse(d.ToString()), d) << text << " -> " << d.ToString();
  }
}

TEST(AddDurationTest, DaysAndTimeAreExact) {
  Instant start = At("2026-02-13T09:00:00+08:00");
  EXPECT_EQ(AddDuration(start, Parse("P1D"), kChina), start + hours{24});
  EXPECT_EQ(AddDuration(start, Parse("PT36H"), kChina), start + hours{36});
  EXPECT_EQ(AddDuration(start, Parse("P2W"), kChina), start + hours{14 * 24});
  EXPECT_EQ(AddDuration(start, Parse("PT0S"), kChina), start);
}

TEST(AddDurationTest, MonthClampsToTheLastDay) {
  EXPECT_EQ(AddDuration(At("2026-01-31T10:00:00+08:00"), Parse("P1M"), kChina),
            At("2026-02-28T10:00:00+08:00"));
  EXPECT_EQ(AddDuration(At("2028-01-31T10:00:00+08:00"), Parse("P1M"), kChina),
            At("2028-02-29T10:00:00+08:00"));  // leap year
  EXPECT_EQ(AddDuration(At("2026-03-31T10:00:00+08:00"), Parse("P1M"), kChina),
            At("2026-04-30T10:00:00+08:00"));
  EXPECT_EQ(AddDuration(At("2028-02-29T10:00:00+08:00"), Parse("P1Y"), kChina),
            At("2029-02-28T10:00:00+08:00"));
  EXPECT_EQ(AddDuration(At("2026-11-15T10:00:00+08:00"), Parse("P3M"), kChina),
            At("2027-02-15T10:00:00+08:00"));
}

TEST(AddDurationTest, MonthsThenDays) {
  EXPECT_EQ(
      AddDuration(At("2026-01-31T10:00:00+08:00"), Parse("P1M1DT1H"), kChina),
      At("2026-03-01T11:00:00+08:00"));
}

TEST(AddDurationTest, MonthsCountInLocalTime) {
  // 20:00 local on 31 Jan is 12:00Z the same day: the same either way.
  Instant evening = At("2026-01-31T20:00:00+08:00");
  EXPECT_EQ(evening, Utc(2026, 1, 31, 12));
  EXPECT_EQ(AddDuration(evening, Parse("P1M"), kChina),
            At("2026-02-28T20:00:00+08:00"));

  // 05:00 local on 31 Jan is still 30 Jan in UTC. Counted in UTC the month
  // would end on 28 Feb 21:00Z, which is already 1 March in China.
  Instant early = At("2026-01-31T05:00:00+08:00");
  EXPECT_EQ(early, Utc(2026, 1, 30, 21));
  EXPECT_EQ(AddDuration(early, Parse("P1M"), kChina),
            At("2026-02-28T05:00:00+08:00"));

  // West of Greenwich: 20:00 on 28 Feb at -05:00 is 1 March in UTC.
  Instant west = At("2026-02-28T20:00:00-05:00");
  EXPECT_EQ(AddDuration(west, Parse("P1M"), minutes{-5 * 60}),
            At("2026-03-28T20:00:00-05:00"));
}

TEST(ParseInstantTest, OffsetsAndZ) {
  EXPECT_EQ(At("2026-02-13T09:00:00+08:00"), Utc(2026, 2, 13, 1));
  EXPECT_EQ(At("2026-02-13T01:00:00Z"), Utc(2026, 2, 13, 1));
  EXPECT_EQ(At("2026-02-13T01:00:00z"), Utc(2026, 2, 13, 1));
  EXPECT_EQ(At("2026-02-13T01:00:00+00:00"), Utc(2026, 2, 13, 1));
  EXPECT_EQ(At("2026-02-12T20:00:00-05:00"), Utc(2026, 2, 13, 1));
  EXPECT_EQ(At("2026-02-13T06:45:00+05:45"), Utc(2026, 2, 13, 1));
  // An offset can move the instant across a day and a year.
  EXPECT_EQ(At("2026-01-01T07:59:59+08:00"),
            Utc(2025, 12, 31, 23, 59) + std::chrono::seconds{59});
}

TEST(ParseInstantTest, Milliseconds) {
  Instant whole = Utc(2026, 2, 13, 1);
  EXPECT_EQ(At("2026-02-13T01:00:00.123Z"), whole + milliseconds{123});
  EXPECT_EQ(At("2026-02-13T01:00:00.5Z"), whole + milliseconds{500});
  EXPECT_EQ(At("2026-02-13T09:00:00.07+08:00"), whole + milliseconds{70});
  // Beyond milliseconds is cut, not rounded.
  EXPECT_EQ(At("2026-02-13T01:00:00.123999Z"), whole + milliseconds{123});
}

TEST(ParseInstantTest, RefusesBadText) {
  for (const char* bad : {
           "",
           "2026-02-13T09:00:00",        // no offset
           "2026-02-13",                 // no time
           "2026-02-30T09:00:00Z",       // no such day
           "2026-02-29T09:00:00Z",       // 2026 is not a leap year
           "2026-13-01T09:00:00Z",       // no such month
           "2026-02-13T24:00:00Z",       // no such hour
           "2026-02-13T09:60:00Z",       // no such minute
           "2026-02-13 09:00:00Z",       // space for T
           "2026-02-13T09:00:00+0800",   // offset without colon
           "2026-02-13T09:00:00+08",     // short offset
           "2026-02-13T09:00:00.Z",      // dot without digits
           "2026-02-13T09:00:00Zjunk",   // trailing text
           "2026-2-13T09:00:00Z",        // one-digit month
           "2026- 2-13T09:00:00Z",       // blank-padded month
           "2026-+2-13T09:00:00Z",       // signed month
           "2026-02-13T09:00:00+0a:00",  // letters in the offset
           "2026-02-13T09:00:00+24:00",  // offset hour out of range
           "2026-02-13T09:00:00+08:60",  // offset minute out of range
       }) {
    auto at = ParseInstant(bad);
    EXPECT_FALSE(at.ok()) << '"' << bad << "\" parsed as "
                          << (at.ok() ? FormatInstant(*at) : "");
    if (!at.ok()) {
      EXPECT_EQ(at.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(FormatInstantTest, IsUtcWithMilliseconds) {
  EXPECT_EQ(FormatInstant(At("2026-02-13T09:00:00+08:00")),
            "2026-02-13T01:00:00.000Z");
  EXPECT_EQ(FormatInstant(At("2026-02-13T09:00:00.042+08:00")),
            "2026-02-13T01:00:00.042Z");
  EXPECT_EQ(FormatInstant(Instant{}), "1970-01-01T00:00:00.000Z");
}

TEST(FormatInstantTest, RoundTripsThroughParse) {
  for (Instant at : {Utc(2026, 2, 13, 1), Utc(2026, 12, 31, 23, 59),
                     Utc(2028, 2, 29, 12) + milliseconds{999},
                     Utc(1969, 12, 31, 23, 59) + milliseconds{1}}) {
    std::string text = FormatInstant(at);
    EXPECT_EQ(At(text), at) << text;
  }
  EXPECT_EQ(FormatInstant(At("2026-06-01T00:00:00.250-03:30")),
            "2026-06-01T03:30:00.250Z");
}

}  // namespace
}  // namespace shouhu
