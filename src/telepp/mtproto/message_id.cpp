#include "telepp/mtproto/message_id.hpp"

namespace telepp::mtproto {

std::int64_t MessageIdGenerator::next(Time now) {
  auto t = now + offset_;
  auto ns = t.count();
  auto seconds = ns / 1'000'000'000;
  auto fraction = ns % 1'000'000'000;
  // Upper 32 bits: seconds; lower 32: the fraction of a second scaled to 2^32, low bits = kind.
  auto id = (seconds << 32) | ((fraction << 32) / 1'000'000'000);
  id = (id & ~std::int64_t{3}) | static_cast<std::int64_t>(kind_);
  if (id <= last_) id = last_ + 4;  // strictly increasing, keeping the kind in the low bits
  last_ = id;
  return id;
}

void MessageIdGenerator::adopt_server_time(std::int64_t server_msg_id, Time now) {
  auto server = std::chrono::seconds(msg_id_seconds(server_msg_id));
  offset_ = std::chrono::duration_cast<Duration>(server) - now;
}

MsgIdProblem ReceivedIds::check(std::int64_t msg_id, Time now, bool expect_client) const {
  auto kind = msg_id & 3;
  if (expect_client ? kind != 0 : (kind != 1 && kind != 3)) return MsgIdProblem::bad_parity;
  auto seconds = msg_id_seconds(msg_id);
  auto local = unix_seconds(now);
  if (seconds < local - kPastSeconds) return MsgIdProblem::too_low;
  if (seconds > local + kFutureSeconds) return MsgIdProblem::too_high;
  if (ids_.count(msg_id)) return MsgIdProblem::duplicate;
  if (msg_id <= forgotten_max_) return MsgIdProblem::too_old;
  return MsgIdProblem::none;
}

void ReceivedIds::insert(std::int64_t msg_id) {
  if (!ids_.insert(msg_id).second) return;
  order_.push_back(msg_id);
  while (order_.size() > capacity_) {
    auto dropped = order_.front();
    order_.pop_front();
    ids_.erase(dropped);
    if (dropped > forgotten_max_) forgotten_max_ = dropped;
  }
}

void ReceivedIds::clear() {
  order_.clear();
  ids_.clear();
  forgotten_max_ = 0;
}

}  // namespace telepp::mtproto
