#include "shouhu/catalog.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "shouhu/json_parse.h"
#include "shouhu/mutex.h"
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

// What a catalog holds; never changed once made (a reload makes another).
struct CatalogContents {
  std::map<std::pair<std::string, int>, std::shared_ptr<const Workflow>, std::less<>> workflows;
  std::map<std::string, Calendar, std::less<>> calendars;
  // Each version's file as it was read: a reload refuses one that changed.
  std::map<std::pair<std::string, int>, std::string> texts;
};

struct Catalog::Shared {
  explicit Shared(std::shared_ptr<const CatalogContents> c) : current(std::move(c)) {}
  std::atomic<std::shared_ptr<const CatalogContents>> current;
  // Contents a reload replaced, kept while the catalog lives: FindCalendar
  // hands out plain pointers into them. Reloads are few and small.
  Mutex mu;
  std::vector<std::shared_ptr<const CatalogContents>> superseded SHOUHU_GUARDED_BY(mu);
};

namespace {

std::shared_ptr<const Workflow> NewestIn(const CatalogContents& c, std::string_view id) {
  std::shared_ptr<const Workflow> best;
  for (const auto& [key, w] : c.workflows) {
    if (key.first == id) best = w;  // map order: versions ascending
  }
  return best;
}

// An event that opens a case of another workflow must name one that loaded,
// with data its newest version accepts when opening. A workflow that fails
// this is left out, like any invalid definition.
void CheckLinkedCases(CatalogContents* c, std::vector<DefinitionError>* errors) {
  std::vector<std::pair<std::string, int>> refused;
  for (const auto& [key, w] : c->workflows) {
    JsonReader r(w->source_file, errors);
    for (size_t i = 0; i < w->events.size(); ++i) {
      const EventDef& e = w->events[i];
      if (!e.opens) continue;
      std::string p = "/events/" + std::to_string(i) + "/opens";
      auto target = NewestIn(*c, e.opens->workflow);
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
  for (const auto& key : refused) c->workflows.erase(key);
}

}  // namespace

Catalog::Catalog() : shared_(std::make_unique<Shared>(std::make_shared<CatalogContents>())) {}
Catalog::Catalog(const Catalog& other) : shared_(std::make_unique<Shared>(other.Current())) {}
Catalog& Catalog::operator=(const Catalog& other) {
  if (this != &other) shared_ = std::make_unique<Shared>(other.Current());
  return *this;
}
Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;
Catalog::~Catalog() = default;

// A moved-from catalog is empty.
std::shared_ptr<const CatalogContents> Catalog::Current() const {
  return shared_ ? shared_->current.load() : std::make_shared<const CatalogContents>();
}

Catalog Catalog::Load(const std::vector<std::string>& paths,
                      std::vector<DefinitionError>* errors) {
  auto contents = std::make_shared<CatalogContents>();
  std::map<std::string, std::string> texts;  // file -> its text
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
    texts[file] = text.str();
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
      contents->calendars.emplace(cal->id(), std::move(*cal));
    } else if (kind == "workflow") {
      workflow_docs.push_back({file, std::move(doc)});
    } else {
      r.Error("/kind", "expected \"workflow\" or \"calendar\"");
    }
  }
  // Workflows after calendars, so a workflow may name a calendar in any file.
  std::set<std::string, std::less<>> calendar_ids;
  for (const auto& [id, cal] : contents->calendars) calendar_ids.insert(id);
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
    if (r.error_count() == 0) {
      contents->texts[key] = texts[p.file];
      contents->workflows.emplace(key, std::move(w));
    }
  }
  CheckLinkedCases(contents.get(), errors);
  Catalog catalog;
  catalog.shared_ = std::make_unique<Shared>(std::move(contents));
  return catalog;
}

std::shared_ptr<const Workflow> Catalog::Find(std::string_view id,
                                              int version) const {
  auto c = Current();
  auto it = c->workflows.find(std::make_pair(std::string(id), version));
  return it == c->workflows.end() ? nullptr : it->second;
}

std::shared_ptr<const Workflow> Catalog::Newest(std::string_view id) const {
  return NewestIn(*Current(), id);
}

const Calendar* Catalog::FindCalendar(std::string_view id) const {
  // The contents outlive this call: the catalog keeps superseded ones.
  auto c = Current();
  auto it = c->calendars.find(id);
  return it == c->calendars.end() ? nullptr : &it->second;
}

std::vector<std::shared_ptr<const Workflow>> Catalog::All() const {
  std::vector<std::shared_ptr<const Workflow>> out;
  for (const auto& [key, w] : Current()->workflows) out.push_back(w);
  return out;
}

std::vector<std::string> Catalog::Adopt(const Catalog& next) {
  auto now = Current();
  auto coming = next.Current();
  std::vector<std::string> problems;
  for (const auto& [key, w] : now->workflows) {
    const std::string name =
        "workflow \"" + key.first + "\" version " + std::to_string(key.second);
    auto there = coming->texts.find(key);
    if (there == coming->texts.end() || !coming->workflows.count(key)) {
      problems.push_back(name + " (" + w->source_file +
                         ") is gone or no longer loads, and cases may run on it "
                         "(已加载的版本不可删除)");
    } else if (there->second != now->texts.at(key)) {
      problems.push_back(name + " (" + w->source_file +
                         ") changed: a loaded version stays as it is; add a new version "
                         "(已加载的版本不可修改，请新增版本)");
    }
  }
  if (!problems.empty()) return problems;
  MutexLock lock(shared_->mu);
  shared_->superseded.push_back(now);
  shared_->current.store(coming);
  return {};
}

}  // namespace shouhu
