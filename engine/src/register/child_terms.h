// The terms of the register's search index (一人一档): what a child's file
// is found by, and what a search or a duplicate check looks up. This file
// alone names the file fields the register searches.
//
// The index (runtime/codec.h, k/x/) keeps one entry per file and term, with
// the term stored as a keyed hash: an exact term is found without any file
// being opened, and the names never reach the disk in clear. Prefix search
// is exact search over prefix terms: every prefix of the name and of the
// given name (the name without its first character), and of their pinyin
// initials, is a term of its own ("张", "张小", "张小明", "z", "zx", "zxm").
// That costs a few entries per file (a name is short) and leaks nothing the
// hash does not hide; substring search inside a name is not offered.
//
// Thread safety: pure functions.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace shouhu {

// The file fields the register reads (workflows' child fields).
inline constexpr std::string_view kChildNameField = "child_name";
inline constexpr std::string_view kChildBirthField = "child_birth_date";
inline constexpr std::string_view kChildSchoolField = "school";
inline constexpr std::string_view kChildClassField = "class_name";
inline constexpr std::string_view kChildCategoryField = "child_category";
inline constexpr std::string_view kChildHelpersField = "helpers";
inline constexpr std::string_view kChildGuardianField = "guardian_name";
inline constexpr std::string_view kChildIdNumberField = "child_id_number";

// An index entry: the unit it is kept under ("" for de-duplication terms,
// which are looked up across every unit) and the term.
using ChildTerm = std::pair<std::string, std::string>;

// Every term of a file kept for `unit` with these fields.
std::set<ChildTerm> ChildTermsOf(std::string_view unit, const nlohmann::json& fields);

// Terms a query looks up in each unit. Every file of a unit has kEveryFile.
inline constexpr std::string_view kEveryFile = "*";
// A name query: a file matches if it has either term (the text as a name
// prefix, or as a prefix of its initials); the second is "" when the text
// cannot be initials.
std::pair<std::string, std::string> NameQueryTerms(std::string_view text);
std::string SchoolTerm(std::string_view school);
std::string ClassTerm(std::string_view class_name);
std::string CategoryTerm(std::string_view category);
std::string HelperTerm(std::string_view user);
// Under unit "": every file a helper is paired with, for the helper's cap.
std::string PairingTerm(std::string_view user);

// De-duplication (under unit ""): the same name, and one of the others.
std::string SameNameTerm(const nlohmann::json& fields);  // "" without a name
std::vector<std::string> SameChildTerms(const nlohmann::json& fields);

// Trimmed (ASCII and ideographic spaces), without control characters, ASCII
// letters in lower case: "张小明 " and "张小明" are one term.
std::string NormalizeTermText(std::string_view text);

}  // namespace shouhu
