#include "telepp/mtproto/transport/replay_cache.hpp"

#include <cassert>

namespace telepp::mtproto::transport {

ReplayCache::ReplayCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

bool ReplayCache::insert(ByteView fingerprint) {
  assert(fingerprint.size() >= 16);
  const Key key{load_le64(fingerprint.data()), load_le64(fingerprint.data() + 8)};
  if (!seen_.insert(key).second) return false;
  order_.push_back(key);
  if (order_.size() > capacity_) {
    seen_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

}  // namespace telepp::mtproto::transport
