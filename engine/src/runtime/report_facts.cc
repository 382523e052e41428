#include "runtime/report_facts.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "shouhu/reports.h"

namespace shouhu {
namespace report_facts {

using json = nlohmann::json;

std::string Prefix(std::string_view unit, char kind) {
  std::string k(kArea);
  k.append(unit);
  k.push_back('\0');
  k.push_back(kind);
  k.push_back('\0');
  return k;
}

std::string Key(std::string_view unit, char kind, const std::vector<std::string>& parts) {
  std::string k = Prefix(unit, kind);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) k.push_back('\0');
    k.append(parts[i]);
  }
  return k;
}

std::vector<std::string_view> Parts(std::string_view key, size_t prefix_size) {
  std::vector<std::string_view> out;
  key.remove_prefix(std::min(prefix_size, key.size()));
  for (;;) {
    size_t at = key.find('\0');
    out.push_back(key.substr(0, at));
    if (at == std::string_view::npos) break;
    key.remove_prefix(at + 1);
  }
  return out;
}

std::string MonthOf(Instant at, const Calendar* calendar) {
  auto offset = calendar ? calendar->utc_offset() : std::chrono::minutes(0);
  std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(at + offset)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()));
  return buf;
}

bool IsTerminal(const Workflow& w, std::string_view state) {
  const StateDef* s = w.FindState(state);
  return s && s->terminal;
}

namespace {

// A field's value as one part of a key ("" when absent or not a string).
std::string FieldPart(const CaseRecord& c, const std::string& field) {
  if (field.empty() || !c.data.is_object()) return "";
  auto v = c.data.find(field);
  return v != c.data.end() && v->is_string() ? v->get<std::string>() : "";
}

}  // namespace

std::string OpenKey(const Workflow& w, const CaseRecord& c) {
  if (IsTerminal(w, c.state)) return "";
  return Key(c.unit, 's', {c.workflow_id, c.state, c.overdue ? "1" : "0", c.id});
}

std::string OpenedKey(const Workflow& w, const CaseRecord& c, Instant at, const Calendar* cal) {
  return Key(c.unit, 'o',
             {MonthOf(at, cal), c.workflow_id, FieldPart(c, w.reports.category),
              FieldPart(c, w.reports.reporter_kind), c.id});
}

std::vector<std::string> ClosedKeys(const Workflow& w, const CaseRecord& c, Instant at,
                                    const Calendar* cal) {
  std::string month = MonthOf(at, cal);
  std::vector<std::string> out = {Key(c.unit, 'c', {month, c.workflow_id, c.state, c.id})};
  if (!w.reports.surveyed.empty() && c.data.is_object()) {
    auto v = c.data.find(w.reports.surveyed);
    if (v != c.data.end() && v->is_number_integer() && v->get<int64_t>() >= 0) {
      out.push_back(Key(c.unit, 'v', {month, c.workflow_id, std::to_string(v->get<int64_t>()), c.id}));
    }
  }
  return out;
}

std::vector<std::string> MeasuredFor(const MeasureDef& m, const CaseRecord& c) {
  if (m.by.empty()) return {""};
  if (m.by == "owner") return {c.owner};
  std::vector<std::string> out;
  auto v = c.data.is_object() ? c.data.find(m.by) : c.data.end();
  if (c.data.is_object() && v != c.data.end()) {
    if (v->is_string()) out.push_back(v->get<std::string>());
    if (v->is_array()) {
      for (const json& item : *v) {
        if (item.is_string()) out.push_back(item.get<std::string>());
      }
    }
  }
  if (out.empty()) out.push_back("");
  return out;
}

}  // namespace report_facts

std::vector<std::string> DrawSample(std::vector<std::string> population, size_t size,
                                    uint64_t seed) {
  std::sort(population.begin(), population.end());
  population.erase(std::unique(population.begin(), population.end()), population.end());
  size = std::min(size, population.size());
  // A partial Fisher-Yates shuffle on the raw engine output: the first
  // `size` places hold the draw, in the order drawn.
  std::mt19937_64 engine(seed);
  for (size_t i = 0; i < size; ++i) {
    uint64_t left = population.size() - i;
    size_t j = i + static_cast<size_t>(engine() % left);
    std::swap(population[i], population[j]);
  }
  population.resize(size);
  return population;
}

}  // namespace shouhu
