// A small blocking HTTP client over libcurl: what the CLI (and the API's
// integration tests) use to talk to shouhud.
//
// Thread safety: one HttpClient per thread.
#pragma once

#include <map>
#include <string>

namespace shouhu::cli {

struct HttpReply {
  long status = 0;  // 0 when no response (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string error;  // transport error, "" when a response came
};

struct HttpClientOptions {
  std::string base_url;  // "http://127.0.0.1:8620"
  std::string token;     // sent as Authorization: Bearer <token>
  std::string ca_file;   // trust this CA for https (else the system's)
  bool insecure = false; // https without checking the certificate (testing)
  long timeout_ms = 30'000;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  HttpClient(std::string base_url, std::string token);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `path` is appended to base_url ("/api/v1/cases?unit=x").
  HttpReply Send(const std::string& method, const std::string& path,
                 const std::string& body = "",
                 const std::map<std::string, std::string>& headers = {});

  const HttpClientOptions& options() const { return options_; }

 private:
  HttpClientOptions options_;
  void* curl_;  // CURL*, reused for keep-alive
};

// Percent-encodes a query value or path segment.
std::string UrlEncode(const std::string& text);

}  // namespace shouhu::cli
