// libFuzzer: any outbox context (as JSON, read the way a format 1 outbox
// entry's context is read) rendered through each template of the bundled workflows, for a
// reader who may read everything and for one who may read nothing but the
// case id and step. The first byte picks the template, the second the reader.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/test_paths.h"
#include "dispatch/message.h"
#include "runtime/codec.h"
#include "shouhu/catalog.h"
#include "shouhu/org.h"

namespace {

struct Fixture {
  shouhu::Catalog catalog;
  shouhu::Organisation org;
  std::vector<std::pair<const shouhu::Workflow*, const shouhu::TemplateDef*>> templates;
  Fixture() {
    std::vector<shouhu::DefinitionError> errors;
    catalog = shouhu::Catalog::Load({SourceTree("/workflows")}, &errors);
    auto loaded = shouhu::Organisation::Load(SourceTree("/deploy/county/organisation.json"));
    if (!errors.empty() || !loaded.ok()) std::abort();
    org = std::move(*loaded);
    for (const auto& w : catalog.All()) {
      for (const auto& t : w->templates) templates.emplace_back(w.get(), &t);
    }
    if (templates.empty()) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture* f = new Fixture();
  if (size < 2) return 0;
  auto context = nlohmann::json::parse(data + 2, data + size, nullptr, false);
  if (!context.is_object()) return 0;
  const auto& [w, t] = f->templates[data[0] % f->templates.size()];
  const bool everything = data[1] % 2 == 0;
  shouhu::dispatch::Shows shows = [everything](std::string_view name) {
    return everything || name == "case_id" || name == "state_label";
  };
  // Read as an outbox entry of format 1 carried it: the typed context.
  auto m = shouhu::dispatch::RenderMessage(*w, *t, shouhu::codec::DecodeContextV1(context),
                                           &f->org, shows);
  // What is rendered is valid JSON for the provider's parameters.
  if (!nlohmann::json::accept(m.params_json)) std::abort();
  return 0;
}
