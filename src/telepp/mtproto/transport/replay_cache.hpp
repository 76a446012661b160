#pragma once
/// \file Remembers recent handshakes so a server can refuse replayed ones (an observer replaying a
/// client's first bytes to probe whether this is an MTProxy).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_set>

#include "telepp/base/bytes.hpp"

namespace telepp::mtproto::transport {

/// The last `capacity` handshake fingerprints (16 bytes each: the start of a fake-TLS random or of
/// an obfuscated2 key). Shared by the connections of one server: not thread-safe, so one per
/// thread or external locking. Memory is about 50 bytes per entry.
class ReplayCache {
 public:
  explicit ReplayCache(std::size_t capacity = 100'000);

  /// SECURITY: records the first 16 bytes of `fingerprint` (at least 16, asserted); false when
  /// they were already recorded (a replay), true otherwise. The oldest entry goes at capacity.
  bool insert(ByteView fingerprint);
  std::size_t size() const { return order_.size(); }

 private:
  struct Key {
    std::uint64_t lo = 0, hi = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const { return static_cast<std::size_t>(k.lo ^ (k.hi * 0x9e3779b97f4a7c15ull)); }
  };

  std::size_t capacity_;
  std::unordered_set<Key, KeyHash> seen_;
  std::deque<Key> order_;
};

}  // namespace telepp::mtproto::transport
