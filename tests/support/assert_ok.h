// ASSERT_OK(expr): asserts that a shouhu::Status is OK, printing it if not.
#pragma once

#include <gtest/gtest.h>

#include "shouhu/status.h"

#define ASSERT_OK(expr)                                   \
  do {                                                    \
    const ::shouhu::Status assert_ok_status_ = (expr);    \
    ASSERT_TRUE(assert_ok_status_.ok())                   \
        << #expr << ": " << assert_ok_status_.ToString(); \
  } while (0)
