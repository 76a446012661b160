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
  // A forward jump beyond the peer's window: remember where we were, in case the peer refuses
  // the new ids and we have to come back (see adopt_server_time).
  if (last_ != 0 && id - last_ > (std::int64_t{30} << 32)) floor_before_jump_ = last_;
  if (id <= last_) id = last_ + 4;  // strictly increasing, keeping the kind in the low bits
  last_ = id;
  return id;
}

void MessageIdGenerator::adopt_server_time(std::int64_t server_msg_id, Time now) {
  auto server = std::chrono::seconds(msg_id_seconds(server_msg_id));
  offset_ = std::chrono::duration_cast<Duration>(server) - now;
  // NOTE: the ids made with the wrong clock were refused (that is why we are here); if they ran
  // ahead of the corrected clock, keeping them as the floor would keep every new id in the
  // future too. Go back to the last id made before the jump: the peer may have stored ids up to
  // it, so new ids must stay above it (reusing one would be answered from the peer's store).
  auto corrected = (unix_seconds(now + offset_) + 1) << 32;
  if (last_ > corrected) last_ = floor_before_jump_;
}

MsgIdProblem ReceivedIds::check(std::int64_t msg_id, Time now, bool expect_client, bool check_time) const {
  auto kind = msg_id & 3;
  if (expect_client ? kind != 0 : (kind != 1 && kind != 3)) return MsgIdProblem::bad_parity;
  auto seconds = msg_id_seconds(msg_id);
  auto local = unix_seconds(now);
  if (check_time && seconds < local - kPastSeconds) return MsgIdProblem::too_low;
  if (check_time && seconds > local + kFutureSeconds) return MsgIdProblem::too_high;
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
