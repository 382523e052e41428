// Where the tests find the checkout (workflows, sample configuration,
// fixtures) and the build (programs, plugins).
//
// The two directories are compiled into one generated file (test_paths.cc in
// the build directory) rather than into every test, so that the other test
// objects are the same in any checkout and ccache shares them between clones
// and worktrees.
#pragma once

#include <string>

// `relative` (starting with "/", or "" for the directory itself) under the
// source directory the build was configured from.
std::string SourceTree(const std::string& relative);
// `relative` under the build directory.
std::string BuildTree(const std::string& relative);
