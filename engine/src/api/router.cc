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
  std::vector<std::string> segments = SplitPath(pattern);
  routes_.push_back({std::move(method), std::move(pattern), std::move(name),
                     std::move(handler), nullptr, std::move(segments)});
}

void Router::AddAsync(std::string method, std::string pattern, std::string name,
                      AsyncRouteHandler handler) {
  std::vector<std::string> segments = SplitPath(pattern);
  routes_.push_back({std::move(method), std::move(pattern), std::move(name), nullptr,
                     std::move(handler), std::move(segments)});
}

Router::Result Router::Match(const std::string& method, const std::string& path,
                             RouteMatch* out) const {
  std::vector<std::string> parts = SplitPath(path);
  bool path_found = false;
  // Patterns are split once (Add); only the route found builds params.
  auto IsParam = [](const std::string& p) {
    return p.size() > 2 && p.front() == '{' && p.back() == '}';
  };
  for (const Route& r : routes_) {
    const std::vector<std::string>& pattern = r.segments;
    if (pattern.size() != parts.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      ok = IsParam(pattern[i]) ? !parts[i].empty() : pattern[i] == parts[i];
    }
    if (!ok) continue;
    path_found = true;
    if (r.method != method) continue;
    out->route = &r;
    out->params.clear();
    for (size_t i = 0; i < parts.size(); ++i) {
      if (IsParam(pattern[i])) out->params[pattern[i].substr(1, pattern[i].size() - 2)] = parts[i];
    }
    return Result::kFound;
  }
  return path_found ? Result::kWrongMethod : Result::kNoPath;
}

}  // namespace shouhu::api
