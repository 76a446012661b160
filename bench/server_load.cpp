// server_load: a load generator for `telepp serve` (not a Google Benchmark; scripts/server-load
// runs it). N concurrent connections, each: TCP connect, the auth-key handshake, the encrypted
// session, invokeWithLayer(initConnection(help.getConfig)), a bot login, then `--calls` calls
// (help.getNearestDc and users.getUsers in turn). Then every connection stays open and idle
// while the server's memory is read from /proc/PID/status (with --server-pid).
//
// It is built from the mtproto state machines (codec, ClientHandshake, ClientSession) and Asio
// coroutines on one or two threads, like the server; it never uses telepp's client.
//
// Usage: server_load --port P --public-key pub.pem [--host H] [--connections N] [--calls C]
//                    [--threads T] [--timeout S] [--server-pid PID]

#include <sys/resource.h>
#include <unistd.h>

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "telepp/api.hpp"
#include "telepp/crypto/os_entropy.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/mtproto/client_session.hpp"
#include "telepp/mtproto/handshake/handshake.hpp"
#include "telepp/mtproto/transport/codec.hpp"

namespace {

using namespace telepp;
using asio::ip::tcp;
namespace api = telepp::api;
namespace transport = telepp::mtproto::transport;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

Time wall_now() { return std::chrono::duration_cast<Time>(std::chrono::system_clock::now().time_since_epoch()); }

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string public_key_path;
  int connections = 1000;
  int calls = 10;
  int threads = 1;
  int timeout_seconds = 120;
  long server_pid = 0;
};

/// Shared by every connection (counters are atomic; the rest is read-only while running).
struct Shared {
  Options options;
  mtproto::handshake::ClientHandshakeConfig handshake;
  crypto::OsEntropy entropy;  // stateless and thread-safe
  std::atomic<int> finished{0};
  std::atomic<int> failed{0};
  std::mutex errors_mutex;
  std::vector<std::string> errors;  // the first few, for the report

  void fail(const std::string& why) {
    failed.fetch_add(1);
    std::lock_guard lock(errors_mutex);
    if (errors.size() < 5) errors.push_back(why);
  }
};

template <class T>
Bytes boxed(const T& v) {
  auto b = tl::to_bytes(v);
  return b.ok() ? *b : Bytes{};
}

Bytes init_query() {
  return boxed(api::invokeWithLayer{
      .layer = api::kLayer,
      .query = api::initConnection{.api_id = 1, .device_model = "server_load", .system_version = "Linux", .app_version = "1.0",
                                   .system_lang_code = "en", .lang_pack = "", .lang_code = "en", .query = api::help::getConfig{}}});
}

// One bot per connection (ids from 100000), so logins do not share state.
Bytes login_query(int index) {
  std::string token = std::to_string(100000 + index) + ":AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";
  return boxed(api::auth::importBotAuthorization{.api_id = 1, .api_hash = "x", .bot_auth_token = token});
}

// help.getNearestDc and users.getUsers(self) in turn.
Bytes plain_query(int i) {
  if (i % 2 == 0) return boxed(api::help::getNearestDc{});
  return boxed(api::users::getUsers{.id = {api::inputUserSelf{}}});
}

/// One client connection: everything it needs, kept alive (idle) after its calls.
class LoadConnection {
 public:
  LoadConnection(Shared& shared, asio::any_io_executor executor, int index)
      : shared_(shared), socket_(executor), index_(index) {}

  /// Runs the whole exchange; on failure the reason is in `error_`.
  asio::awaitable<bool> run() {
    auto address = asio::ip::make_address(shared_.options.host);
    auto [ec] = co_await socket_.async_connect(tcp::endpoint(address, shared_.options.port), kTuple);
    if (ec) co_return fail("connect: " + ec.message());
    auto codec = transport::Codec::client({}, shared_.entropy, wall_now());
    if (!codec) co_return fail("codec: " + codec.error().to_string());
    codec_.emplace(std::move(*codec));
    if (!co_await handshake()) co_return false;
    // NOTE: queries are built outside the coroutine: GCC 12 destroys some temporaries of a
    // co_await full-expression twice.
    if (!co_await call(init_query())) co_return false;
    if (!co_await call(login_query(index_))) co_return false;
    for (int i = 0; i < shared_.options.calls; ++i) {
      if (!co_await call(plain_query(i))) co_return false;
    }
    co_return true;
  }

  void close() {
    std::error_code ignored;
    socket_.close(ignored);
  }
  const std::string& error() const { return error_; }

 private:
  bool fail(std::string why) {
    error_ = "connection " + std::to_string(index_) + ": " + why;
    return false;
  }

  asio::awaitable<bool> handshake() {
    mtproto::handshake::ClientHandshake hs(shared_.handshake);
    auto first = hs.start(wall_now(), shared_.entropy);
    if (!first) co_return fail("handshake: " + first.error().to_string());
    if (!co_await send(*first)) co_return false;
    while (true) {
      auto frame = co_await receive();
      if (!frame) co_return false;
      auto step = hs.on_message(*frame, wall_now(), shared_.entropy);
      if (!step) co_return fail("handshake: " + step.error().to_string());
      if (step->done) {
        const auto& result = *step->done;
        std::uint64_t session_id = 0;
        shared_.entropy.fill(MutableByteView(reinterpret_cast<Byte*>(&session_id), sizeof session_id));
        session_.emplace(result.key.auth_key, session_id, result.key.server_salt, shared_.entropy);
        session_->set_time_offset(result.time_offset);
        co_return true;
      }
      if (!co_await send(step->send)) co_return false;
    }
  }

  // Sends one query and waits for its answer; an rpc_error is a failure.
  asio::awaitable<bool> call(Bytes query) {
    auto id = session_->enqueue(std::move(query));
    while (true) {
      while (auto packet = session_->take_outgoing(wall_now(), codec_->headroom())) {
        codec_->pack(*packet);
        if (!co_await write(packet->view())) co_return false;
      }
      auto frame = co_await receive();
      if (!frame) co_return false;
      auto events = session_->on_packet(MutableByteView(*frame), wall_now());
      if (!events) co_return fail("session: " + events.error().to_string());
      for (const auto& e : *events) {
        if (auto* r = std::get_if<mtproto::RpcResultEvent>(&e); r && r->request == id) co_return true;
        if (auto* r = std::get_if<mtproto::RpcErrorEvent>(&e); r && r->request == id) {
          co_return fail("rpc_error " + std::to_string(r->error.code) + " " + r->error.message());
        }
      }
    }
  }

  asio::awaitable<bool> send(ByteView payload) {
    Buffer b(codec_->headroom(), payload.size() + 64);
    b.append(payload);
    codec_->pack(b);
    co_return co_await write(b.view());
  }

  asio::awaitable<bool> write(ByteView bytes) {
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), kTuple);
    if (ec) co_return fail("write: " + ec.message());
    co_return true;
  }

  // The next frame's payload (copied), or nullopt after a failure.
  asio::awaitable<std::optional<Bytes>> receive() {
    while (true) {
      auto unpacked = codec_->unpack();
      if (!unpacked) {
        fail("transport: " + unpacked.error().to_string());
        co_return std::nullopt;
      }
      if (auto* f = std::get_if<transport::Frame>(&*unpacked)) co_return Bytes(f->payload.begin(), f->payload.end());
      if (auto* e = std::get_if<transport::TransportError>(&*unpacked)) {
        fail("transport error " + std::to_string(e->code));
        co_return std::nullopt;
      }
      if (!std::holds_alternative<transport::NeedMoreBytes>(*unpacked)) continue;
      auto space = codec_->prepare(16 * 1024);
      auto [ec, n] = co_await socket_.async_read_some(asio::buffer(space.data(), space.size()), kTuple);
      if (ec) {
        fail("read: " + ec.message());
        co_return std::nullopt;
      }
      codec_->commit(n);
    }
  }

  Shared& shared_;
  tcp::socket socket_;
  int index_;
  std::optional<transport::Codec> codec_;
  std::optional<mtproto::ClientSession> session_;
  std::string error_;
};

// --- measuring the server ---

/// A field of /proc/PID/status in KiB (VmRSS, VmHWM), or -1.
long status_kib(long pid, const std::string& field) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

/// The process's CPU time (user + system) in seconds, or -1.
double cpu_seconds(long pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close_paren = stat.rfind(')');  // the command name may hold spaces
  if (close_paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close_paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // utime and stime are fields 14 and 15
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Both processes hold one descriptor per connection: raise the soft limit to the hard one.
void raise_fd_limit(int wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur >= static_cast<rlim_t>(wanted)) return;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < static_cast<rlim_t>(wanted)) {
    std::fprintf(stderr, "server_load: warning: open files limited to %llu, %d wanted\n",
                 static_cast<unsigned long long>(limit.rlim_cur), wanted);
  }
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--host") o.host = value();
    else if (arg == "--port") o.port = static_cast<std::uint16_t>(std::stoi(value()));
    else if (arg == "--public-key") o.public_key_path = value();
    else if (arg == "--connections") o.connections = std::stoi(value());
    else if (arg == "--calls") o.calls = std::stoi(value());
    else if (arg == "--threads") o.threads = std::stoi(value());
    else if (arg == "--timeout") o.timeout_seconds = std::stoi(value());
    else if (arg == "--server-pid") o.server_pid = std::stol(value());
    else return false;
  }
  return o.port != 0 && !o.public_key_path.empty() && o.connections > 0 && o.threads > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Shared shared;
  if (!parse(argc, argv, shared.options)) {
    std::fprintf(stderr, "usage: server_load --port P --public-key pub.pem [--host H] [--connections N] [--calls C] "
                         "[--threads T] [--timeout S] [--server-pid PID]\n");
    return 2;
  }
  const auto& o = shared.options;
  std::ifstream pem_file(o.public_key_path);
  std::stringstream pem;
  pem << pem_file.rdbuf();
  auto key = crypto::RsaPublicKey::from_pem(pem.str());
  if (!key) {
    std::fprintf(stderr, "server_load: %s: %s\n", o.public_key_path.c_str(), key.error().to_string().c_str());
    return 2;
  }
  shared.handshake.trust(*key);
  shared.handshake.dc_id = 1;
  raise_fd_limit(o.connections + 64);

  asio::io_context io(o.threads);
  std::vector<std::unique_ptr<LoadConnection>> connections;
  for (int i = 0; i < o.connections; ++i) connections.push_back(std::make_unique<LoadConnection>(shared, io.get_executor(), i));

  // A warm-up connection first, so one-time costs (schemas, adapters, the first allocations of
  // every structure) are not counted per connection.
  {
    asio::io_context warm_io;
    LoadConnection warm(shared, warm_io.get_executor(), o.connections);
    bool warm_ok = false;
    asio::co_spawn(warm_io, [&]() -> asio::awaitable<void> { warm_ok = co_await warm.run(); }, asio::detached);
    warm_io.run();
    if (!warm_ok) {
      std::fprintf(stderr, "server_load: the warm-up connection failed: %s\n", warm.error().c_str());
      return 1;
    }
    warm.close();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  const long rss_before = status_kib(o.server_pid, "VmRSS");
  const double cpu_before = cpu_seconds(o.server_pid);
  const auto started = std::chrono::steady_clock::now();
  std::atomic<long long> last_done_ns{0};
  for (auto& c : connections) {
    asio::co_spawn(io, [&, conn = c.get()]() -> asio::awaitable<void> {
      bool ok = co_await conn->run();
      if (!ok) {
        shared.fail(conn->error());
        conn->close();
      }
      auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
      long long previous = last_done_ns.load();
      while (previous < elapsed && !last_done_ns.compare_exchange_weak(previous, elapsed)) {
      }
      shared.finished.fetch_add(1);
    }, asio::detached);
  }
  // A watchdog: connections still running at the deadline are closed (and so fail).
  asio::steady_timer watchdog(io, std::chrono::seconds(o.timeout_seconds));
  watchdog.async_wait([&](std::error_code ec) {
    if (ec) return;
    for (auto& c : connections) c->close();
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) threads.emplace_back([&] { io.run(); });

  // Every connection has finished (succeeded: open and idle; failed: closed).
  while (shared.finished.load() < o.connections) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const double wall = static_cast<double>(last_done_ns.load()) / 1e9;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the server settle
  const long rss_idle = status_kib(o.server_pid, "VmRSS");
  const double server_cpu = cpu_seconds(o.server_pid) - cpu_before;
  const int open = o.connections - shared.failed.load();

  asio::post(io, [&] {
    watchdog.cancel();
    for (auto& c : connections) c->close();
  });
  for (auto& t : threads) t.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long rss_after = status_kib(o.server_pid, "VmRSS");
  const long hwm = status_kib(o.server_pid, "VmHWM");

  std::printf("connections      %d (%d failed), each: handshake, initConnection, bot login, %d calls\n", o.connections,
              shared.failed.load(), o.calls);
  std::printf("wall time        %.2f s (first connect to last answer, %d client thread%s)\n", wall, o.threads,
              o.threads == 1 ? "" : "s");
  if (o.server_pid > 0) {
    std::printf("server RSS       after a warm-up connection %ld KiB, %d idle connections %ld KiB, after closing %ld KiB\n", rss_before, open,
                rss_idle, rss_after);
    std::printf("server CPU       %.2f s (user + system, all connections)\n", server_cpu);
    std::printf("server peak RSS  %ld KiB (VmHWM)\n", hwm);
    if (open > 0) {
      std::printf("per idle conn    %.1f KiB ((idle - before) / %d)\n", static_cast<double>(rss_idle - rss_before) / open, open);
    }
  }
  for (const auto& e : shared.errors) std::printf("error            %s\n", e.c_str());
  return shared.failed.load() == 0 ? 0 : 1;
}
