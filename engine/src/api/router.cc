// Pattern matching of request paths against the route table.
#include "api/router.h"

namespace shouhu::api {

std::string RouteMatch::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

void Router::Add(std::string method, std::string pattern, std::string name,
                 RouteHandler handler) {
  routes_.push_back({std::move(method), std::move(pattern), std::move(name),
                     std::move(handler)});
}

Router::Result Router::Match(const std::string& method, const std::string& path,
                             RouteMatch* out) const {
  std::vector<std::string> parts = SplitPath(path);
  bool path_found = false;
  for (const Route& r : routes_) {
    std::vector<std::string> pattern = SplitPath(r.pattern);
    if (pattern.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string& p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        if (parts[i].empty()) ok = false;
        params[p.substr(1, p.size() - 2)] = parts[i];
      } else {
        ok = p == parts[i];
      }
    }
    if (!ok) continue;
    path_found = true;
    if (r.method != method) continue;
    out->route = &r;
    out->params = std::move(params);
    return Result::kFound;
  }
  return path_found ? Result::kWrongMethod : Result::kNoPath;
}

}  // namespace shouhu::api
