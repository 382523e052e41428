// openapi.json documents exactly the router's routes: every route is a
// documented path and method, every documented one is a route, and the
// daemon serves the file as it is in the repository.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "api/api_service.h"
#include "api_service_fixture.h"
#include "../../support/test_paths.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

json RepositoryDocument() {
  std::ifstream in(SourceTree("/engine/src/api/openapi.json"));
  return json::parse(in);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST_F(ApiServiceTest, EveryRouteIsDocumented) {
  json doc = RepositoryDocument();
  for (const Route& r : service().router().routes()) {
    ASSERT_TRUE(doc["paths"].contains(r.pattern)) << r.method << " " << r.pattern;
    const json& item = doc["paths"][r.pattern];
    ASSERT_TRUE(item.contains(Lower(r.method))) << r.method << " " << r.pattern;
    const json& op = item[Lower(r.method)];
    EXPECT_TRUE(op.contains("responses")) << r.pattern;
    EXPECT_TRUE(op.contains("summary")) << r.pattern;
    // Path parameters in the pattern are declared.
    for (const std::string& part : SplitPath(r.pattern)) {
      if (part.front() != '{') continue;
      std::string name = part.substr(1, part.size() - 2);
      bool declared = false;
      for (const json& p : op.value("parameters", json::array())) {
        if (p.value("in", "") == "path" && p.value("name", "") == name) declared = true;
      }
      EXPECT_TRUE(declared) << r.pattern << " does not declare {" << name << "}";
    }
  }
}

TEST_F(ApiServiceTest, EveryDocumentedOperationIsARoute) {
  json doc = RepositoryDocument();
  std::set<std::pair<std::string, std::string>> routes;
  for (const Route& r : service().router().routes()) routes.insert({Lower(r.method), r.pattern});
  size_t operations = 0;
  for (auto& [path, item] : doc["paths"].items()) {
    for (auto& [method, op] : item.items()) {
      ++operations;
      EXPECT_TRUE(routes.count({method, path})) << method << " " << path << " is not a route";
    }
  }
  EXPECT_EQ(operations, service().router().routes().size());
}

TEST_F(ApiServiceTest, ServesTheRepositoryDocument) {
  HttpResponse r = Call("GET", "/api/v1/openapi.json", "", "");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), RepositoryDocument());
}

TEST_F(ApiServiceTest, EveryErrorCodeTheServerUsesIsInTheSchema) {
  json codes = RepositoryDocument()["components"]["schemas"]["Error"]["properties"]["error"]
                                   ["properties"]["code"]["enum"];
  for (const char* code : {"malformed", "unauthenticated", "forbidden", "not_found",
                           "method_not_allowed", "conflict", "too_large", "invalid_data",
                           "rate_limited", "internal", "unavailable", "timeout", "overloaded",
                           "csrf", "expired"}) {
    EXPECT_NE(std::find(codes.begin(), codes.end(), code), codes.end()) << code;
  }
}

}  // namespace
}  // namespace shouhu::api
