// Sessions end when idle, at their absolute limit, when ended by id or for
// their user; the cookie secret is not kept.
#include "auth/session_store.h"

#include <gtest/gtest.h>

namespace shouhu {
namespace {

using std::chrono::minutes;

const Instant kT0{std::chrono::milliseconds(1'772'000'000'000)};

TEST(SessionStoreTest, IdleSessionEndsButUseKeepsItAliveUntilTheAbsoluteLimit) {
  SessionStore store({minutes(30), minutes(120), 100});
  auto s = store.Start("u0021", "10.0.0.1", kT0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->secret.size(), 64u);
  EXPECT_NE(s->session.csrf, s->secret);
  Instant t = kT0;
  for (int i = 0; i < 3; ++i) {
    t += minutes(29);
    auto touched = store.Touch(s->secret, t);
    ASSERT_TRUE(touched) << i;
    EXPECT_EQ(touched->user, "u0021");
  }
  t += minutes(29);  // 116 min after the start: still within 120
  EXPECT_TRUE(store.Touch(s->secret, t));
  t += minutes(5);  // 121 min: the absolute limit, however busy
  EXPECT_FALSE(store.Touch(s->secret, t));

  auto idle = store.Start("u0021", "10.0.0.1", t);
  ASSERT_TRUE(idle.ok());
  EXPECT_FALSE(store.Touch(idle->secret, t + minutes(30)));
  EXPECT_TRUE(store.List(t + minutes(30)).empty());
}

TEST(SessionStoreTest, EndedByIdOrForTheUser) {
  SessionStore store;
  auto a = store.Start("u0021", "x", kT0);
  auto b = store.Start("u0021", "y", kT0);
  auto c = store.Start("u0008", "z", kT0);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(store.List(kT0).size(), 3u);
  EXPECT_TRUE(store.End(c->session.id));
  EXPECT_FALSE(store.End(c->session.id));
  EXPECT_FALSE(store.Touch(c->secret, kT0));
  EXPECT_EQ(store.EndForUser("u0021"), 2u);
  EXPECT_FALSE(store.Touch(a->secret, kT0));
  // The public id is not a cookie.
  EXPECT_FALSE(store.Touch(a->session.id, kT0));
}

TEST(SessionStoreTest, BeyondTheCapTheLeastRecentlyUsedEnds) {
  SessionStore store({minutes(30), minutes(120), 2});
  auto a = store.Start("u1", "", kT0);
  auto b = store.Start("u2", "", kT0 + minutes(1));
  ASSERT_TRUE(store.Touch(a->secret, kT0 + minutes(2)));
  auto c = store.Start("u3", "", kT0 + minutes(3));
  EXPECT_TRUE(store.Touch(a->secret, kT0 + minutes(3)));
  EXPECT_FALSE(store.Touch(b->secret, kT0 + minutes(3)));
  EXPECT_TRUE(store.Touch(c->secret, kT0 + minutes(3)));
}

}  // namespace
}  // namespace shouhu
