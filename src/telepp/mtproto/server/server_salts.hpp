#pragma once
/// \file `ServerSalts`: the server salts a server hands out for one auth key, each valid for a
/// fixed period, generated ahead of time so `get_future_salts` can announce them.
/// See https://core.telegram.org/mtproto/description#server-salt and
/// /mtproto/service_messages#request-for-several-future-salts.

#include <chrono>
#include <cstdint>
#include <deque>
#include <vector>

#include "telepp/base/entropy.hpp"
#include "telepp/base/time.hpp"

namespace telepp::mtproto {

/// One salt and the Unix seconds [valid_since, valid_until) it is meant for.
struct ServerSalt {
  std::int64_t valid_since = 0;
  std::int64_t valid_until = 0;
  std::uint64_t salt = 0;
};

/// The salts of one auth key. NOTE: Telegram attaches salts to the auth key, not to a session
/// (a client may keep using future salts after changing sessions), so a server keeps one
/// `ServerSalts` per key and lends it to every `ServerSession` of that key.
///
/// Salts cover consecutive periods aligned to multiples of `period`. A salt is accepted from
/// `kEarlySeconds` before its period (client clocks run a little ahead) until `kGrace` after it
/// (the description page: the old salt stays valid for a further 1800 s). Salts are drawn from
/// `Entropy` lazily, when a call first needs them, and are never 0 (a client's "I have no salt
/// yet"). Not thread-safe: the owner serialises calls for one key.
class ServerSalts {
 public:
  static constexpr std::chrono::seconds kDefaultPeriod{3600};
  static constexpr std::int64_t kGraceSeconds = 1800;
  static constexpr std::int64_t kEarlySeconds = 30;
  /// The most salts one `future_salts` answer carries (the spec: between 1 and 64).
  static constexpr std::size_t kMaxFutureSalts = 64;

  /// `entropy` must outlive this object.
  explicit ServerSalts(Entropy& entropy, std::chrono::seconds period = kDefaultPeriod);

  /// The salt whose period contains `now`.
  std::uint64_t current(Time now);
  /// True when a message carrying `salt` may be processed at `now`.
  bool accepts(std::uint64_t salt, Time now);
  /// Makes `salt` the salt of the period containing `now`: the one the handshake derived
  /// (new_nonce[0..8) ^ server_nonce[0..8)), which clients use for their first messages. Ignored
  /// when 0 (never a valid salt).
  void adopt_current(std::uint64_t salt, Time now);
  /// The current salt followed by later ones: `count` salts, clamped to 1..kMaxFutureSalts.
  std::vector<ServerSalt> upcoming(Time now, std::size_t count);

 private:
  /// Forgets salts past their grace and generates until `count` salts end after `now_s`.
  void cover(std::int64_t now_s, std::size_t count);
  std::uint64_t draw();

  Entropy& entropy_;
  std::int64_t period_;
  std::deque<ServerSalt> salts_;  ///< consecutive periods, oldest first
};

}  // namespace telepp::mtproto
