#include "telepp/mtproto/server/server_salts.hpp"

#include <algorithm>
#include <cassert>

namespace telepp::mtproto {

ServerSalts::ServerSalts(Entropy& entropy, std::chrono::seconds period)
    : entropy_(entropy), period_(std::max<std::int64_t>(period.count(), 1)) {}

std::uint64_t ServerSalts::draw() {
  // NOTE: 0 is what clients send before they know a salt (gramjs does); it must never be valid.
  std::uint64_t salt = 0;
  while (salt == 0) {
    Byte b[8];
    entropy_.fill(b);
    salt = load_le64(b);
  }
  return salt;
}

void ServerSalts::cover(std::int64_t now_s, std::size_t count) {
  while (!salts_.empty() && salts_.front().valid_until + kGraceSeconds <= now_s) salts_.pop_front();
  if (salts_.empty()) {
    // Floor division, so times before 1970 (only in tests) still align.
    std::int64_t start = now_s / period_ * period_;
    if (start > now_s) start -= period_;
    salts_.push_back({start, start + period_, draw()});
  }
  // Salts not yet past their grace may end before now: fill the gap up to now first.
  while (salts_.back().valid_until <= now_s) {
    auto since = salts_.back().valid_until;
    salts_.push_back({since, since + period_, draw()});
  }
  auto ending_after_now = static_cast<std::size_t>(
      std::count_if(salts_.begin(), salts_.end(), [&](const ServerSalt& s) { return s.valid_until > now_s; }));
  for (; ending_after_now < count; ++ending_after_now) {
    auto since = salts_.back().valid_until;
    salts_.push_back({since, since + period_, draw()});
  }
}

std::uint64_t ServerSalts::current(Time now) {
  auto now_s = unix_seconds(now);
  cover(now_s, 1);
  for (const auto& s : salts_) {
    if (s.valid_since <= now_s && now_s < s.valid_until) return s.salt;
  }
  assert(false && "cover() leaves a salt for now");
  return salts_.back().salt;
}

void ServerSalts::adopt_current(std::uint64_t salt, Time now) {
  if (salt == 0) return;
  auto now_s = unix_seconds(now);
  cover(now_s, 1);
  for (auto& s : salts_) {
    if (s.valid_since <= now_s && now_s < s.valid_until) s.salt = salt;
  }
}

bool ServerSalts::accepts(std::uint64_t salt, Time now) {
  auto now_s = unix_seconds(now);
  // The next period's salt must exist to be accepted early.
  cover(now_s, 2);
  for (const auto& s : salts_) {
    if (s.salt == salt && s.valid_since - kEarlySeconds <= now_s && now_s < s.valid_until + kGraceSeconds) return true;
  }
  return false;
}

std::vector<ServerSalt> ServerSalts::upcoming(Time now, std::size_t count) {
  count = std::clamp<std::size_t>(count, 1, kMaxFutureSalts);
  auto now_s = unix_seconds(now);
  cover(now_s, count);
  std::vector<ServerSalt> out;
  for (const auto& s : salts_) {
    if (s.valid_until > now_s && out.size() < count) out.push_back(s);
  }
  return out;
}

}  // namespace telepp::mtproto
