// Static file serving for the web app, with path checks and cache headers.
#include "api/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/errors.h"

namespace shouhu::api {
namespace {

namespace fs = std::filesystem;

constexpr const char* kImmutable = "public, max-age=31536000, immutable";
constexpr const char* kRevalidate = "no-cache";

// True when `path` is a plain absolute path the root may hold: no "." or
// ".." segments, no backslash, NUL or control characters, no empty segments
// except a trailing slash.
bool SafePath(const std::string& path) {
  if (path.empty() || path[0] != '/') return false;
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == 0x7f) return false;
  }
  size_t i = 1;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string_view segment(path.data() + i, j - i);
    if (segment == "." || segment == "..") return false;
    if (segment.empty() && j != path.size() - 1 && j != path.size()) return false;
    i = j + 1;
  }
  return true;
}

// The file's bytes, or false when it is not a readable regular file.
bool ReadRegularFile(const fs::path& p, std::string* out) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return false;
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

}  // namespace

std::string ContentTypeFor(const std::string& file_name) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".webp", "image/webp"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".ttf", "font/ttf"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"},
  };
  std::string ext = fs::path(file_name).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [suffix, type] : kTypes) {
    if (ext == suffix) return type;
  }
  return "application/octet-stream";
}

void AddSecurityHeaders(HttpResponse* r) {
  r->headers["Content-Security-Policy"] =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
      "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
  r->headers["X-Content-Type-Options"] = "nosniff";
  r->headers["Referrer-Policy"] = "no-referrer";
  r->headers["X-Frame-Options"] = "DENY";
}

StaticFiles::StaticFiles(std::string root) {
  if (root.empty()) return;
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(root, ec);
  root_ = ec ? root : canonical.string();
}

HttpResponse StaticFiles::Serve(const std::string& path) const {
  if (!SafePath(path)) {
    return ErrorResponse(400, kMalformed, "the path may not contain \"..\" or control characters");
  }
  if (root_.empty()) {
    return ErrorResponse(404, kNotFound,
                         "no web app is configured (set \"web_root\" in the configuration)");
  }
  fs::path root(root_);
  HttpResponse r;
  std::string body;
  if (path.back() != '/') {
    fs::path file = (root / path.substr(1)).lexically_normal();
    // A symbolic link inside the root may still point outside it.
    std::error_code ec;
    fs::path real = fs::weakly_canonical(file, ec);
    std::string real_text = real.string();
    bool inside = !ec && real_text.size() > root_.size() &&
                  real_text.compare(0, root_.size(), root_) == 0 &&
                  real_text[root_.size()] == '/';
    if (inside && ReadRegularFile(real, &body)) {
      r.content_type = ContentTypeFor(real_text);
      r.headers["Cache-Control"] =
          path.rfind("/assets/", 0) == 0 ? kImmutable : kRevalidate;
      r.body = std::move(body);
      return r;
    }
    // A hashed asset that is gone (an old page after an upgrade) must fail
    // as a missing script, not load the app's HTML as one.
    if (path.rfind("/assets/", 0) == 0) {
      return ErrorResponse(404, kNotFound, "no file " + path);
    }
  }
  if (!ReadRegularFile(root / "index.html", &body)) {
    return ErrorResponse(404, kNotFound,
                         "the web app is not built: no index.html in " + root_);
  }
  r.content_type = ContentTypeFor("index.html");
  r.headers["Cache-Control"] = kRevalidate;
  r.body = std::move(body);
  return r;
}

}  // namespace shouhu::api
