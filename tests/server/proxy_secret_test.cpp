// `--proxy-secret`: every port is a DC and an MTProxy at once. Clients with the secret (plain,
// dd, ee/fake-TLS) and without it are served side by side; a wrong secret is refused.
#include <gtest/gtest.h>

#include "telepp/api.hpp"
#include "telepp/mtproto/transport/proxy_secret.hpp"
#include "telepp/server/server.hpp"
#include "test_client.hpp"

namespace telepp::server {
namespace {

namespace api = telepp::api;
namespace tr = mtproto::transport;
using test::TestClient;

constexpr const char* kKey = "00112233445566778899aabbccddeeff";

Bytes get_nearest_dc_wrapped() {
  auto bytes = tl::to_bytes(api::invokeWithLayer{
      .layer = api::kLayer,
      .query = api::initConnection{.api_id = 1, .device_model = "proxy test", .system_version = "Linux",
                                   .app_version = "1.0", .system_lang_code = "en", .lang_pack = "", .lang_code = "en",
                                   .query = api::help::getNearestDc{}}});
  return bytes.ok() ? *bytes : Bytes{};
}

tr::ProxySecret secret(const std::string& text) {
  auto s = tr::ProxySecret::from_string(text);
  EXPECT_TRUE(s.ok()) << text;
  return s.ok() ? *s : tr::ProxySecret{};
}

// Connects, runs the handshake and one query; true when the answer arrived.
bool served(const Server& server, tr::ClientOptions options) {
  TestClient c(server.port(1), server.public_key_pem(), options);
  if (!c.connect() || !c.handshake()) return false;
  return c.query(get_nearest_dc_wrapped()).result.has_value();
}

std::unique_ptr<Server> start(const std::string& proxy_secret) {
  ServerConfig config;
  config.dcs = 1;
  config.proxy_secret = proxy_secret;
  auto s = Server::start(config);
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return s.ok() ? std::move(*s) : nullptr;
}

TEST(ProxySecret, DdSecretClientsAndDcClientsShareAPort) {
  auto server = start(std::string("dd") + kKey);
  ASSERT_TRUE(server);
  EXPECT_TRUE(served(*server, {.secret = secret(std::string("dd") + kKey)}));
  // The same key without the dd prefix: served in padded intermediate, refused in another
  // protocol (a dd secret exists to force padding).
  EXPECT_TRUE(served(*server, {.protocol = tr::Protocol::padded_intermediate, .secret = secret(kKey)}));
  EXPECT_FALSE(served(*server, {.protocol = tr::Protocol::intermediate, .secret = secret(kKey)}));
  EXPECT_TRUE(served(*server, {.protocol = tr::Protocol::abridged}));
  EXPECT_TRUE(served(*server, {.protocol = tr::Protocol::intermediate, .obfuscated = true}));
}

TEST(ProxySecret, FakeTlsClientsAndDcClientsShareAPort) {
  const std::string ee = std::string("ee") + kKey + "6578616d706c652e636f6d";  // domain example.com
  auto server = start(ee);
  ASSERT_TRUE(server);
  EXPECT_TRUE(served(*server, {.secret = secret(ee)}));
  EXPECT_TRUE(served(*server, {.protocol = tr::Protocol::full}));
  EXPECT_TRUE(served(*server, {.protocol = tr::Protocol::padded_intermediate, .obfuscated = true}));
}

TEST(ProxySecret, AWrongSecretIsRefused) {
  auto server = start(std::string("dd") + kKey);
  ASSERT_TRUE(server);
  EXPECT_FALSE(served(*server, {.secret = secret("dd00112233445566778899aabbccdd0000")}));
  // And the port keeps serving others.
  EXPECT_TRUE(served(*server, {.secret = secret(std::string("dd") + kKey)}));
}

TEST(ProxySecret, ABadSecretStopsTheStart) {
  ServerConfig config;
  config.dcs = 1;
  config.proxy_secret = "not a secret";
  EXPECT_FALSE(Server::start(config).ok());
}

}  // namespace
}  // namespace telepp::server
