// The web app's files (the Vite build in `web_root`), served for GET and
// HEAD on every path outside the API: the file itself with its content
// type, else index.html so the app's client-side routes load on reload.
// Hashed assets under /assets/ are cached for a year; everything else must
// be revalidated. Also the security headers that every response carries.
//
// No Beast here: plain requests and responses, tested without sockets.
//
// Thread safety: immutable after construction; Serve is safe from many
// threads.
#pragma once

#include <string>

#include "api/http_message.h"

namespace shouhu::api {

class StaticFiles {
 public:
  // `root` is the folder with index.html; "" serves nothing (404).
  explicit StaticFiles(std::string root);

  // The answer to GET or HEAD of `path` (decoded, as in HttpRequest::path):
  // 200 with the file, 200 with index.html for a path that names no file,
  // 404 for a missing /assets/ file or when no app is built, 400 for a path
  // with ".." or other tricks that could leave the root.
  HttpResponse Serve(const std::string& path) const;

  const std::string& root() const { return root_; }

 private:
  std::string root_;  // canonical, "" when none
};

// "text/css; charset=utf-8" for "app.css"; application/octet-stream for
// names it does not know.
std::string ContentTypeFor(const std::string& file_name);

// Sets Content-Security-Policy, X-Content-Type-Options, Referrer-Policy and
// X-Frame-Options on `response`.
void AddSecurityHeaders(HttpResponse* response);

}  // namespace shouhu::api
