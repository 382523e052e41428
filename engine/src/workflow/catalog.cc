#include "shouhu/catalog.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "shouhu/json_parse.h"
#include "workflow/json_reader.h"
#include "workflow/loader.h"
#include "workflow/validator.h"

namespace shouhu {
namespace fs = std::filesystem;
using json = nlohmann::json;

std::string DefinitionError::ToString() const {
  return file + ":" + pointer + ": " + message;
}

namespace {

std::vector<std::string> JsonFilesUnder(const std::vector<std::string>& paths,
                                        std::vector<DefinitionError>* errors) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".json") {
          files.push_back(it->path().string());
        }
      }
    } else if (fs::is_regular_file(path, ec)) {
      files.push_back(path);
    } else {
      errors->push_back({path, "", "no such file or folder"});
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

struct Parsed {
  std::string file;
  json doc;
};

}  // namespace

Catalog Catalog::Load(const std::vector<std::string>& paths,
                      std::vector<DefinitionError>* errors) {
  Catalog catalog;
  std::vector<Parsed> workflow_docs;
  std::map<std::string, std::string> calendar_files;
  for (const std::string& file : JsonFilesUnder(paths, errors)) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    StatusOr<json> parsed = ParseJson(text.str(), kMaxDefinitionJsonDepth);
    if (!parsed.ok()) {
      errors->push_back({file, "", parsed.status().message()});
      continue;
    }
    json doc = std::move(parsed).value();
    JsonReader r(file, errors);
    std::string kind;
    if (!r.IsObject(doc, "") || !r.String(doc, "", "kind", &kind, true)) continue;
    if (kind == "calendar") {
      auto cal = ParseCalendar(doc, r);
      if (!cal) continue;
      auto [it, fresh] = calendar_files.emplace(cal->id(), file);
      if (!fresh) {
        r.Error("/id", "duplicate id \"" + cal->id() + "\": calendar also in " +
                           it->second);
        continue;
      }
      catalog.calendars_.emplace(cal->id(), std::move(*cal));
    } else if (kind == "workflow") {
      workflow_docs.push_back({file, std::move(doc)});
    } else {
      r.Error("/kind", "expected \"workflow\" or \"calendar\"");
    }
  }
  // Workflows after calendars, so a workflow may name a calendar in any file.
  std::set<std::string, std::less<>> calendar_ids;
  for (const auto& [id, cal] : catalog.calendars_) calendar_ids.insert(id);
  std::map<std::pair<std::string, int>, std::string> seen;
  for (const Parsed& p : workflow_docs) {
    JsonReader r(p.file, errors);
    auto w = std::make_shared<Workflow>(ParseWorkflow(p.doc, r));
    w->source_file = p.file;
    ValidateWorkflow(*w, calendar_ids, r);
    auto key = std::make_pair(w->id, w->version);
    if (!w->id.empty() && w->version > 0) {
      auto [it, fresh] = seen.emplace(key, p.file);
      if (!fresh) {
        r.Error("/version", "duplicate id: workflow \"" + w->id +
                                "\" version " + std::to_string(w->version) +
                                " is also defined in " + it->second);
      }
    }
    if (r.error_count() == 0) catalog.workflows_.emplace(key, std::move(w));
  }
  catalog.CheckLinkedCases(errors);
  return catalog;
}

// An event that opens a case of another workflow must name one that loaded,
// with data its newest version accepts when opening. A workflow that fails
// this is left out, like any invalid definition.
void Catalog::CheckLinkedCases(std::vector<DefinitionError>* errors) {
  std::vector<std::pair<std::string, int>> refused;
  for (const auto& [key, w] : workflows_) {
    JsonReader r(w->source_file, errors);
    for (size_t i = 0; i < w->events.size(); ++i) {
      const EventDef& e = w->events[i];
      if (!e.opens) continue;
      std::string p = "/events/" + std::to_string(i) + "/opens";
      auto target = Newest(e.opens->workflow);
      if (!target) {
        r.Error(p + "/workflow", "unknown workflow \"" + e.opens->workflow + "\"");
        continue;
      }
      const EventDef& open = target->open;
      auto accepted = [&](const std::string& f) {
        return std::count(open.requires_fields.begin(), open.requires_fields.end(), f) +
                   std::count(open.optional_fields.begin(), open.optional_fields.end(), f) >
               0;
      };
      std::set<std::string> given;
      for (const auto& [key, pairs] : {std::pair{"/copy/", &e.opens->copy},
                                       std::pair{"/move/", &e.opens->move}}) {
        for (const auto& [field, source] : *pairs) {
          given.insert(field);
          if (!accepted(field)) {
            r.Error(p + key + field, "field \"" + field + "\" is not accepted when "
                                     "opening \"" + target->id + "\"");
          }
        }
      }
      for (auto it = e.opens->set.begin(); it != e.opens->set.end(); ++it) {
        given.insert(it.key());
        const FieldDef* f = target->FindField(it.key());
        if (!accepted(it.key()) || !f) {
          r.Error(p + "/set/" + it.key(), "field \"" + it.key() + "\" is not accepted "
                                          "when opening \"" + target->id + "\"");
        } else if (Status s = CheckFieldValue(*f, *it); !s.ok()) {
          r.Error(p + "/set/" + it.key(), s.message());
        }
      }
      for (const std::string& f : open.requires_fields) {
        if (!given.count(f)) {
          r.Error(p, "field \"" + f + "\" required to open \"" + target->id +
                         "\" is neither copied nor set");
        }
      }
    }
    if (r.error_count() > 0) refused.push_back(key);
  }
  for (const auto& key : refused) workflows_.erase(key);
}

std::shared_ptr<const Workflow> Catalog::Find(std::string_view id,
                                              int version) const {
  auto it = workflows_.find(std::make_pair(std::string(id), version));
  return it == workflows_.end() ? nullptr : it->second;
}

std::shared_ptr<const Workflow> Catalog::Newest(std::string_view id) const {
  std::shared_ptr<const Workflow> best;
  for (const auto& [key, w] : workflows_) {
    if (key.first == id) best = w;  // map order: versions ascending
  }
  return best;
}

const Calendar* Catalog::FindCalendar(std::string_view id) const {
  auto it = calendars_.find(id);
  return it == calendars_.end() ? nullptr : &it->second;
}

std::vector<std::shared_ptr<const Workflow>> Catalog::All() const {
  std::vector<std::shared_ptr<const Workflow>> out;
  for (const auto& [key, w] : workflows_) out.push_back(w);
  return out;
}

}  // namespace shouhu
