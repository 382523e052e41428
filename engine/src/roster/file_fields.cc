#include "roster/file_fields.h"

#include <set>
#include <string>

namespace shouhu::roster {

std::vector<const FieldDef*> FileFields(const Catalog& catalog) {
  std::vector<const FieldDef*> out;
  std::set<std::string> seen;
  for (const auto& w : catalog.All()) {
    if (!w->child) continue;
    for (const std::string& id : w->child->fields) {
      if (!seen.insert(id).second) continue;
      auto newest = catalog.Newest(w->id);
      const FieldDef* f = newest ? newest->FindField(id) : nullptr;
      out.push_back(f ? f : w->FindField(id));
    }
  }
  std::erase(out, nullptr);
  return out;
}

}  // namespace shouhu::roster
