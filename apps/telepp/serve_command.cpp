// `telepp serve`: the local MTProto test server.
#include <csignal>
#include <iostream>

#include "commands.hpp"
#include "telepp/server/server.hpp"

namespace telepp::cli {
namespace {

bool is_loopback(const std::string& host) { return host.rfind("127.", 0) == 0 || host == "::1" || host == "localhost"; }

// "HOST:PORT" (IPv6 as [::1]:PORT).
std::pair<std::string, std::uint16_t> split_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw CLI::ValidationError("--listen", "expected HOST:PORT, got " + listen);
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = std::stoi(listen.substr(colon + 1));
  if (port < 0 || port > 65535) throw CLI::ValidationError("--listen", "port out of range");
  return {host, static_cast<std::uint16_t>(port)};
}

void serve(server::ServerConfig config, const std::string& listen, const std::vector<std::string>& api_ids,
           const std::vector<std::string>& flood_waits) {
  auto [host, port] = split_listen(listen);
  config.host = host;
  config.port = port;
  for (const auto& entry : api_ids) {
    auto colon = entry.find(':');
    if (colon == std::string::npos) throw CLI::RuntimeError("telepp: --api-id takes ID:HASH, got " + entry, 2);
    config.api_ids[std::stoi(entry.substr(0, colon))] = entry.substr(colon + 1);
  }
  for (const auto& entry : flood_waits) {
    auto eq = entry.find('=');
    if (eq == std::string::npos) throw CLI::RuntimeError("telepp: --flood-wait takes METHOD=SECONDS, got " + entry, 2);
    config.knobs.flood_wait[entry.substr(0, eq)] = std::stoi(entry.substr(eq + 1));
  }
  if (!is_loopback(config.host)) {
    std::cerr << "telepp serve: WARNING: listening on " << config.host
              << ", not loopback. This is a TEST server: it has no real authentication of users.\n";
  }
  // Block the signals before the server's thread starts, so only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::string data_dir = config.data_dir;
  auto server = server::Server::start(std::move(config));
  if (!server) throw CLI::RuntimeError("telepp serve: " + server.error().detail, 1);
  auto& s = **server;
  std::cout << "ready " << s.host() << ":" << s.port(1) << " dcs=" << s.dcs() << " fingerprint=" << s.fingerprint_hex()
            << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  s.stop();  // with --data, also writes what is only saved at stop (see docs/server.md, "Persistence")
  std::cerr << "telepp serve: stopped (" << (received == SIGINT ? "SIGINT" : "SIGTERM") << ")"
            << (data_dir.empty() ? "" : ", state kept in " + data_dir) << "\n";
}

}  // namespace

void add_serve_command(CLI::App& app) {
  static server::ServerConfig config;
  static std::string listen = "127.0.0.1:2443";
  static std::vector<std::string> api_ids, flood_waits;
  auto* cmd = app.add_subcommand("serve", "Run the local MTProto test server (DC i on PORT+i-1)");
  cmd->add_option("--listen", listen, "HOST:PORT of DC 1 (loopback unless told otherwise)")->capture_default_str();
  cmd->add_option("--dcs", config.dcs, "number of DCs")->capture_default_str()->check(CLI::Range(1, 16));
  cmd->add_option("--rsa-key", config.rsa_key_path,
                  "the server's RSA-2048 private key (PEM); created if missing (default with --data: DIR/server.pem)");
  cmd->add_option("--public-key-out", config.public_key_out, "write the public key (PEM) here, for clients");
  cmd->add_option("--data", config.data_dir, "keep state in SQLite under this folder across restarts (default: in memory)");
  cmd->add_option("--proxy-secret", config.proxy_secret,
                  "also serve as an MTProxy with this secret (hex or base64url; dd.. and ee.. forms too)");
  cmd->add_option("--api-id", api_ids, "register ID:HASH (repeatable; default: any api_id > 0)");
  cmd->add_option("--flood-wait", flood_waits, "answer METHOD with FLOOD_WAIT_SECONDS (METHOD=SECONDS, repeatable)");
  cmd->add_option("--drop-after", config.knobs.drop_after, "close each connection after N messages");
  cmd->add_option("--delay-ms", config.knobs.delay_ms, "wait MS before answering each query");
  cmd->add_flag("--log-queries", config.log_queries, "log each query in the dynamic JSON form to stderr");
  cmd->callback([] { serve(config, listen, api_ids, flood_waits); });
}

}  // namespace telepp::cli
