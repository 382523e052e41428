// ParseJson: the one way shouhu parses JSON text it did not build itself, with
// a cap on nesting depth.
//
// nlohmann::json parses iteratively, but copying, comparing and dumping a value
// recurse once per level: a 200 KB body of "[[[[…]]]]" nested 100,000 deep
// overflows the stack of whichever thread copies it. Every parse of outside
// text (request bodies, workflow and organisation files, the configuration,
// stored records) therefore goes through here with the limit of its place,
// one named constant each (below), and a value nested deeper is refused
// before any of it is built.
//
// Thread safety: a pure function.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "shouhu/status.h"

namespace shouhu {

// Nesting limits, in levels: "{}" and "[]" are 1 level, {"a":[1]} is 2.
// An API request body: an object whose "data" holds the client's values.
inline constexpr int kMaxRequestJsonDepth = 64;
// A workflow or calendar definition (guards nest; see also kMaxGuardDepth).
inline constexpr int kMaxDefinitionJsonDepth = 64;
// The organisation file, the daemon's configuration and the tokens file:
// flat lists of units, users and settings (a notifier's config nests a few).
inline constexpr int kMaxConfigJsonDepth = 32;
// A stored record: request data (up to kMaxRequestJsonDepth) inside the
// record's own envelope of a few levels.
inline constexpr int kMaxRecordJsonDepth = kMaxRequestJsonDepth + 16;

// Parses `text` as one JSON value of at most `max_depth` levels. Errors are
// InvalidArgument: "not valid JSON: …" with nlohmann's position, or
// "nested deeper than N levels".
StatusOr<nlohmann::json> ParseJson(std::string_view text, int max_depth);

// The same, for callers that need no reason: a discarded value (is_discarded())
// on any error, like nlohmann's parse without exceptions.
nlohmann::json ParseJsonOrDiscarded(std::string_view text, int max_depth);

}  // namespace shouhu
