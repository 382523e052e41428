// Password guessing is slowed, then locked, per account and per address;
// the lock ends after its time (fake instants, no sleeping).
#include "auth/sign_in_limiter.h"

#include <gtest/gtest.h>

namespace shouhu {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const Instant kT0{milliseconds(1'772'000'000'000)};

SignInLimits Limits() {
  SignInLimits l;
  l.free_failures = 2;
  l.delay = seconds(1);
  l.account_failures = 4;
  l.address_failures = 6;
  l.lock = minutes(15);
  return l;
}

TEST(SignInLimiterTest, DelaysDoubleThenTheAccountLocksUntilTheLockTimeHasPassed) {
  SignInLimiter limiter(Limits());
  Instant t = kT0;
  EXPECT_EQ(limiter.WaitFor("u1", "10.0.0.1", t).count(), 0);
  limiter.Failed("u1", "10.0.0.1", t);
  limiter.Failed("u1", "10.0.0.1", t);
  // Two free failures; the third attempt waits 1 s.
  EXPECT_EQ(limiter.WaitFor("u1", "10.0.0.1", t), seconds(1));
  t += seconds(1);
  EXPECT_EQ(limiter.WaitFor("u1", "10.0.0.1", t).count(), 0);
  limiter.Failed("u1", "10.0.0.1", t);
  EXPECT_EQ(limiter.WaitFor("u1", "10.0.0.1", t), seconds(2));
  t += seconds(2);
  limiter.Failed("u1", "10.0.0.1", t);  // the fourth: locked
  EXPECT_EQ(limiter.WaitFor("u1", "10.0.0.2", t), minutes(15));
  // Another account from the same address is not locked (3 < 6 there, but
  // the address has had 4 failures: past its free ones, so slowed).
  EXPECT_GT(limiter.WaitFor("u2", "10.0.0.1", t).count(), 0);
  EXPECT_EQ(limiter.WaitFor("u2", "10.0.0.9", t).count(), 0);
  t += minutes(15) - milliseconds(1);
  EXPECT_EQ(limiter.WaitFor("u1", "10.0.0.2", t), milliseconds(1));
  t += milliseconds(1);
  EXPECT_EQ(limiter.WaitFor("u1", "10.0.0.2", t).count(), 0);
  // The count starts again from nothing.
  limiter.Failed("u1", "10.0.0.2", t);
  EXPECT_EQ(limiter.WaitFor("u1", "10.0.0.3", t).count(), 0);
}

TEST(SignInLimiterTest, OneAddressGuessingManyAccountsIsLocked) {
  SignInLimiter limiter(Limits());
  Instant t = kT0;
  for (int i = 0; i < 6; ++i) {
    t += minutes(1);  // past every delay
    ASSERT_EQ(limiter.WaitFor("user" + std::to_string(i), "10.0.0.1", t).count(), 0) << i;
    limiter.Failed("user" + std::to_string(i), "10.0.0.1", t);
  }
  EXPECT_EQ(limiter.WaitFor("fresh", "10.0.0.1", t), minutes(15));
  EXPECT_EQ(limiter.WaitFor("fresh", "10.0.0.2", t).count(), 0);
  t += minutes(15);
  EXPECT_EQ(limiter.WaitFor("fresh", "10.0.0.1", t).count(), 0);
}

TEST(SignInLimiterTest, SuccessClearsTheAccountButNotTheAddress) {
  SignInLimiter limiter(Limits());
  limiter.Failed("u1", "10.0.0.1", kT0);
  limiter.Failed("u1", "10.0.0.1", kT0);
  limiter.Failed("u1", "10.0.0.1", kT0);
  limiter.Succeeded("u1");
  EXPECT_EQ(limiter.WaitFor("u1", "10.0.0.2", kT0).count(), 0);
  EXPECT_GT(limiter.WaitFor("u1", "10.0.0.1", kT0).count(), 0);
}

}  // namespace
}  // namespace shouhu
