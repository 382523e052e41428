// HTTPS from a certificate and key in the configuration: a client that
// trusts the certificate talks to the API; a plain-HTTP client does not.
#include <gtest/gtest.h>

#include <cstdlib>

#include "api_daemon.h"
#include "auth/credential_store.h"

namespace shouhu {
namespace {

using nlohmann::json;

TEST(TlsTest, ServesHttpsWithTheConfiguredCertificate) {
  char tmpl[] = "/tmp/shouhu-tls-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                    "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert +
                    " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a test certificate";

  testing::ApiDaemon daemon(json{{"tls_cert", cert}, {"tls_key", key}});
  daemon.Start();
  std::string https = "https://" + daemon.base_url().substr(7);
  cli::HttpClientOptions options;
  options.base_url = https;
  options.token = daemon.TokenFor("u0008");
  options.ca_file = cert;
  cli::HttpClient client(options);
  auto me = client.Send("GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200) << me.error << me.body;
  EXPECT_EQ(json::parse(me.body)["id"], "u0008");
  // Under TLS the session cookie is Secure: never sent over plain HTTP.
  CredentialStore credentials(CredentialsPathBeside(TokensPathFor(daemon.data_dir())));
  auto invited = credentials.Invite("u0008", std::chrono::hours(1), "test", SystemClock().Now());
  ASSERT_TRUE(invited.ok());
  cli::HttpClientOptions browser_options = options;
  browser_options.token = "";
  cli::HttpClient browser(browser_options);
  ASSERT_EQ(browser.Send("POST", "/api/v1/invitations/accept",
                         json{{"code", invited->code}, {"password", "police password"}}.dump())
                .status,
            200);
  auto signed_in = browser.Send("POST", "/api/v1/session",
                                json{{"login", "u0008"}, {"password", "police password"}}.dump());
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  std::string cookie = signed_in.headers["set-cookie"];
  EXPECT_NE(cookie.find("; Path=/; HttpOnly; SameSite=Strict; Secure"), std::string::npos)
      << cookie;
  // Without trusting the certificate the client refuses it.
  cli::HttpClient untrusting(https, options.token);
  EXPECT_EQ(untrusting.Send("GET", "/api/v1/me").status, 0);
  // Plain HTTP gets no answer from a TLS port.
  cli::HttpClient plain(daemon.base_url(), options.token);
  EXPECT_NE(plain.Send("GET", "/api/v1/me").status, 200);
  daemon.Stop();
  std::filesystem::remove_all(dir);
}

TEST(TlsTest, UnreadableCertificateRefusesToStart) {
  testing::ApiDaemon daemon(json{{"tls_cert", "/nonexistent/cert.pem"},
                                 {"tls_key", "/nonexistent/key.pem"}});
  testing::Subprocess d({testing::kDaemonPath, "--config", daemon.config_path()});
  std::string out = d.ReadAll();
  EXPECT_EQ(d.Wait(), 1) << out;
  EXPECT_NE(out.find("cannot load the TLS certificate"), std::string::npos) << out;
}

}  // namespace
}  // namespace shouhu
