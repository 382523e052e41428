// libFuzzer: any bytes as one HTTP request on the API's socket: read by the
// server's parser (ParseRequestBytes), routed and answered by the real
// ApiService over a real RocksDB store, the bundled workflows and the sample
// county. The first byte picks who sends it (nobody, a teacher, a police
// officer, a police supervisor, the administrator), whose token is added
// unless the request carries its own Authorization. Every answer must be a
// status the API documents, never a crash or a 500.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "../support/test_paths.h"
#include "api/api_service.h"
#include "api/policy.h"
#include "api/server.h"
#include "auth/token_store.h"
#include "shouhu/store.h"

namespace {

using namespace shouhu;

struct Fixture {
  std::string dir;
  FakeClock clock{Instant(std::chrono::milliseconds(1'772'413'200'000))};
  std::unique_ptr<Store> store;
  Catalog catalog;
  Organisation org;
  AccessRules access;
  std::unique_ptr<OrganisationDirectory> orgs;
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<TokenStore> tokens;
  std::unique_ptr<api::ApiService> service;
  std::vector<std::string> bearer;  // "" for nobody

  Fixture() {
    char tmpl[] = "/tmp/shouhu-fuzz-http-XXXXXX";
    dir = mkdtemp(tmpl);
    auto rocks = OpenRocksStore(dir + "/data");
    std::vector<DefinitionError> errors;
    catalog = Catalog::Load({SourceTree("/workflows")}, &errors);
    auto loaded = Organisation::Load(SourceTree("/deploy/county/organisation.json"));
    if (!rocks.ok() || !errors.empty() || !loaded.ok()) std::abort();
    store = std::move(*rocks);
    org = std::move(*loaded);
    auto rules = AccessRules::Load(SourceTree("/deploy/county/access.json"),
                                   KnownRoles(org, catalog));
    if (!rules.ok()) std::abort();
    access = std::move(*rules);
    orgs = std::make_unique<OrganisationDirectory>(org);
    RuntimeOptions options;
    options.child_in_reach = api::ChildInReach(*orgs);
    auto rt = Runtime::Create(*store, catalog, clock, options);
    if (!rt.ok()) std::abort();
    runtime = std::move(*rt);
    tokens = std::make_unique<TokenStore>(TokensPathFor(dir + "/data"));
    api::ApiOptions api_options;
    api_options.rate_per_second = 0;  // the fuzzer is one very busy client
    service = std::make_unique<api::ApiService>(
        api::ApiDeps{*runtime, catalog, *orgs, *tokens, *store, clock, access}, api_options);
    bearer.push_back("");
    // A teacher, a police officer, a police supervisor, the administrator.
    for (const char* user : {"u0021", "u0008", "u0010", "u0007"}) {
      auto issued = tokens->Issue(user, std::chrono::hours(24 * 365), "fuzz", clock.Now());
      if (!issued.ok()) std::abort();
      bearer.push_back("Bearer " + issued->token);
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* f = new Fixture();
  if (size == 0) return 0;
  api::HttpRequest request;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (!api::ParseRequestBytes(bytes, 1 << 16, &request)) return 0;
  const std::string& who = f->bearer[data[0] % f->bearer.size()];
  if (!who.empty() && request.Header("authorization").empty()) request.headers["authorization"] = who;
  api::HttpResponse response = f->service->Handle(request);
  if (response.status < 200 || response.status >= 600 || response.status == 500) {
    std::fprintf(stderr, "%d %s\n", response.status, response.body.c_str());
    std::abort();
  }
  return 0;
}
