#include "telepp/mtproto/client_session.hpp"

#include <algorithm>

#include "telepp/mtp.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/gzip.hpp"

namespace telepp::mtproto {
namespace {

constexpr std::size_t kRecentContainers = 1024;
constexpr std::uint32_t kRpcResultId = 0xf35c6d01;
constexpr std::uint32_t kRpcErrorId = 0x2144ca19;

std::uint32_t id_of(ByteView body) { return body.size() >= 4 ? load_le32(body.data()) : 0; }

template <class T>
Bytes boxed(const T& value) {
  auto bytes = tl::to_bytes(value);
  return bytes.ok() ? std::move(*bytes) : Bytes{};
}

}  // namespace

struct ClientSession::Context {
  Time now;
  std::int64_t packet_msg_id = 0;
  std::vector<SessionEvent> events;
};

namespace {
// Constructs the event in place (also sidesteps a GCC 12 -Wmaybe-uninitialized false positive
// on moving variants of vectors).
template <class E>
void emit(std::vector<SessionEvent>& events, E event) {
  events.emplace_back(std::in_place_type<E>, std::move(event));
}
}  // namespace

ClientSession::ClientSession(AuthKey key, std::uint64_t session_id, std::uint64_t salt, Entropy& entropy,
                             ClientSessionConfig config)
    : key_(std::move(key)), session_id_(session_id), salt_(salt), entropy_(entropy), config_(config) {}

RequestId ClientSession::enqueue(Bytes query) {
  RequestId id = next_request_++;
  requests_.emplace(id, Request{.id = id, .body = std::move(query)});
  return id;
}

bool ClientSession::has_outgoing(Time now) const {
  if (!service_out_.empty()) return true;
  for (const auto& [_, r] : requests_) {
    if (!r.sent) return true;
  }
  if (pending_acks_.empty()) return false;
  return pending_acks_.size() >= config_.max_pending_acks || now >= *acks_since_ + config_.ack_delay;
}

std::optional<Time> ClientSession::next_deadline() const {
  if (!service_out_.empty()) return Time{0};
  for (const auto& [_, r] : requests_) {
    if (!r.sent) return Time{0};
  }
  if (!pending_acks_.empty()) return *acks_since_ + config_.ack_delay;
  return std::nullopt;
}

Bytes ClientSession::take_ack_body() {
  auto body = boxed(mtp::msgs_ack{.msg_ids = std::move(pending_acks_)});
  pending_acks_.clear();
  acks_since_.reset();
  return body;
}

void ClientSession::pick_salt(Time now) {
  auto server_now = unix_seconds(now + ids_.offset());
  std::erase_if(future_salts_, [&](const FutureSalt& s) { return s.valid_until <= server_now; });
  const FutureSalt* best = nullptr;
  for (const auto& s : future_salts_) {
    if (s.valid_since <= server_now && (!best || s.valid_since > best->valid_since)) best = &s;
  }
  if (best) salt_ = best->salt;
}

std::optional<Buffer> ClientSession::take_outgoing(Time now, std::size_t headroom) {
  if (!has_outgoing(now)) return std::nullopt;
  pick_salt(now);
  std::vector<OutgoingMessage> out;
  std::size_t bytes = 8;
  auto fits = [&](std::size_t body) {
    return out.empty() || (out.size() < kMaxContainerMessages - 1 &&
                           bytes + container_entry_size(body) <= kMaxContainerBytes);
  };
  // Service answers first, then requests in the order they were made; acks ride along.
  while (!service_out_.empty() && fits(service_out_.front().size())) {
    OutgoingMessage m{ids_.next(now), seq_.next(true), std::move(service_out_.front())};
    service_out_.pop_front();
    bytes += container_entry_size(m.body.size());
    out.push_back(std::move(m));
  }
  for (auto& [id, r] : requests_) {
    if (r.sent) continue;
    Bytes body = r.body.size() >= config_.gzip_threshold ? maybe_gzip_packed(r.body).value_or(r.body) : r.body;
    if (!fits(body.size())) break;
    if (r.msg_id == 0) {  // a resend after a reconnect keeps its msg_id; new and renewed ones get one
      r.msg_id = ids_.next(now);
      r.seq_no = seq_.next(true);
      by_msg_id_[r.msg_id] = id;
    }
    r.sent = true;
    bytes += container_entry_size(body.size());
    out.push_back(OutgoingMessage{r.msg_id, r.seq_no, std::move(body)});
  }
  if (!pending_acks_.empty()) out.push_back(OutgoingMessage{ids_.next(now), seq_.next(false), take_ack_body()});
  if (out.empty()) return std::nullopt;

  MessageHeader header{salt_, session_id_, 0, 0};
  Buffer packet(headroom + kEncryptedHeaderSize, 0);
  if (out.size() == 1) {
    header.msg_id = out[0].msg_id;
    header.seq_no = out[0].seq_no;
    packet.append(out[0].body);
  } else {
    std::vector<const OutgoingMessage*> list;
    std::vector<std::int64_t> inner;
    for (const auto& m : out) {
      list.push_back(&m);
      inner.push_back(m.msg_id);
    }
    Bytes container;
    write_container(list, container);
    header.msg_id = ids_.next(now);
    header.seq_no = seq_.next(false);
    packet.append(container);
    containers_.emplace_back(header.msg_id, std::move(inner));
    if (containers_.size() > kRecentContainers) containers_.pop_front();
  }
  encrypt_message(key_, Direction::client_to_server, header, packet, entropy_, config_.max_extra_padding);
  return packet;
}

Result<std::vector<SessionEvent>> ClientSession::on_packet(MutableByteView packet, Time now) {
  auto message = decrypt_message(key_, Direction::server_to_client, packet);
  if (!message) return fail(message.take_error());
  const auto& h = message->header;
  // SECURITY: session_id and msg_id checks of the MTProto 2.0 security guidelines.
  if (h.session_id != session_id_) return mtproto_fail(MtprotoErrc::bad_session, "message for another session");
  // Validate a container completely before any state changes.
  std::vector<InnerMessage> inner;
  const bool container = is_container(message->body);
  if (container) {
    auto parsed = parse_container(message->body);
    if (!parsed) return fail(parsed.take_error());
    inner = std::move(*parsed);
  }
  const bool clock_fix = container ? std::any_of(inner.begin(), inner.end(), [&](const InnerMessage& m) { return is_clock_fix(m.body); })
                                   : is_clock_fix(message->body);
  auto problem = received_.check(h.msg_id, now + ids_.offset(), false, !clock_fix);
  if (problem == MsgIdProblem::duplicate) return mtproto_fail(MtprotoErrc::duplicate_msg_id, "msg_id seen before");
  if (problem != MsgIdProblem::none) {
    return mtproto_fail(MtprotoErrc::bad_msg_id, "server msg_id rejected (code " + std::to_string(static_cast<int>(problem)) + ")");
  }
  received_.insert(h.msg_id);
  Context ctx{now, h.msg_id, {}};
  if (!container) {
    process(h.msg_id, h.seq_no, message->body, ctx, 0);
  } else {
    for (const auto& m : inner) {
      if (received_.check(m.msg_id, now + ids_.offset(), false, !clock_fix) != MsgIdProblem::none) continue;  // replayed inside
      received_.insert(m.msg_id);
      process(m.msg_id, m.seq_no, m.body, ctx, 1);
    }
  }
  return std::move(ctx.events);
}

void ClientSession::process(std::int64_t msg_id, std::int32_t seq_no, ByteView body, Context& ctx, int depth) {
  if (seq_no & 1) {  // content-related: acknowledge
    pending_acks_.push_back(msg_id);
    if (!acks_since_) acks_since_ = ctx.now;
  }
  auto bad = [&](const Error& e) { emit<BadMessageEvent>(ctx.events, {msg_id, e}); };
  switch (id_of(body)) {
    case kGzipPackedId: {
      auto packed = tl::deserialize<mtp::gzip_packed>(body);
      if (!packed) return bad(packed.error());
      auto plain = gzip_decompress(as_bytes(packed->packed_data));
      if (!plain) return bad(plain.error());
      if (depth > 2) return bad(mtproto_error(MtprotoErrc::decompression, "gzip_packed nested too deep"));
      return process(msg_id, seq_no & ~1, *plain, ctx, depth + 1);  // acked once, above
    }
    case kRpcResultId: return on_rpc_result(body, msg_id, ctx);
    case mtp::msgs_ack::kId: {
      auto ack = tl::deserialize<mtp::msgs_ack>(body);
      if (!ack) return bad(ack.error());
      for (auto id : ack->msg_ids) {
        for (auto rid : requests_sent_in(id)) requests_[rid].acked = true;
      }
      return;
    }
    case mtp::bad_server_salt::kId: {
      auto b = tl::deserialize<mtp::bad_server_salt>(body);
      if (!b) return bad(b.error());
      return on_bad_salt(b->bad_msg_id, static_cast<std::uint64_t>(b->new_server_salt), ctx);
    }
    case mtp::bad_msg_notification::kId: {
      auto b = tl::deserialize<mtp::bad_msg_notification>(body);
      if (!b) return bad(b.error());
      return on_bad_msg(b->bad_msg_id, b->error_code, msg_id, ctx);
    }
    case mtp::new_session_created::kId: {
      auto n = tl::deserialize<mtp::new_session_created>(body);
      if (!n) return bad(n.error());
      return on_new_session(n->first_msg_id, static_cast<std::uint64_t>(n->unique_id),
                            static_cast<std::uint64_t>(n->server_salt), ctx);
    }
    case mtp::msgs_state_req::kId: {
      auto q = tl::deserialize<mtp::msgs_state_req>(body);
      if (!q) return bad(q.error());
      return on_state_req(q->msg_ids, msg_id, ctx.now);
    }
    case mtp::msg_detailed_info::kId: {
      auto d = tl::deserialize<mtp::msg_detailed_info>(body);
      if (!d) return bad(d.error());
      return on_detailed_info(d->answer_msg_id, d->msg_id, ctx.now);
    }
    case mtp::msg_new_detailed_info::kId: {
      auto d = tl::deserialize<mtp::msg_new_detailed_info>(body);
      if (!d) return bad(d.error());
      return on_detailed_info(d->answer_msg_id, 0, ctx.now);
    }
    case mtp::future_salts::kId: {
      auto f = tl::deserialize<mtp::future_salts>(body);
      if (!f) return bad(f.error());
      future_salts_.clear();
      for (const auto& s : f->salts) future_salts_.push_back({s.valid_since, s.valid_until, static_cast<std::uint64_t>(s.salt)});
      return answer(f->req_msg_id, Bytes(body.begin(), body.end()), ctx);
    }
    case mtp::pong::kId: {
      auto p = tl::deserialize<mtp::pong>(body);
      if (!p) return bad(p.error());
      return answer(p->msg_id, Bytes(body.begin(), body.end()), ctx);
    }
    case mtp::destroy_session_ok::kId:
    case mtp::destroy_session_none::kId: {
      // Not wrapped in rpc_result: it answers the oldest pending destroy_session.
      for (auto& [rid, r] : requests_) {
        if (r.sent && id_of(r.body) == mtp::destroy_session::kId) return answer(r.msg_id, Bytes(body.begin(), body.end()), ctx);
      }
      return;
    }
    case mtp::msg_copy::kId: {
      auto c = tl::deserialize<mtp::msg_copy>(body);
      if (!c) return bad(c.error());
      if (const auto* m = c->orig_message.get_if<mtp::message>(); m && depth < 2) {
        return process(m->msg_id, m->seqno & ~1, as_bytes(m->body.data), ctx, depth + 1);
      }
      return;
    }
    case mtp::msgs_all_info::kId:
    case mtp::http_wait::kId:
      return;  // informational
    default:
      emit<UpdateEvent>(ctx.events, {Bytes(body.begin(), body.end())});
  }
}

void ClientSession::on_rpc_result(ByteView body, std::int64_t msg_id, Context& ctx) {
  if (body.size() < 16) return emit<BadMessageEvent>(ctx.events, {msg_id, mtproto_error(MtprotoErrc::bad_length, "short rpc_result")});
  auto req_msg_id = static_cast<std::int64_t>(load_le64(body.data() + 4));
  ByteView result = body.subspan(12);
  Bytes inflated;
  if (id_of(result) == kGzipPackedId) {
    auto packed = tl::deserialize<mtp::gzip_packed>(result);
    if (!packed) return emit<BadMessageEvent>(ctx.events, {msg_id, packed.error()});
    auto plain = gzip_decompress(as_bytes(packed->packed_data));
    if (!plain) return emit<BadMessageEvent>(ctx.events, {msg_id, plain.error()});
    inflated = std::move(*plain);
    result = inflated;
  }
  if (id_of(result) == kRpcErrorId) {
    auto e = tl::deserialize<mtp::rpc_error>(result);
    if (!e) return emit<BadMessageEvent>(ctx.events, {msg_id, e.error()});
    auto it = by_msg_id_.find(req_msg_id);
    if (it == by_msg_id_.end()) return;
    RequestId rid = it->second;
    forget_msg_id(requests_[rid]);
    requests_.erase(rid);
    return emit<RpcErrorEvent>(ctx.events, {rid, RpcErrorInfo::parse(e->error_code, e->error_message)});
  }
  answer(req_msg_id, Bytes(result.begin(), result.end()), ctx);
}

void ClientSession::answer(std::int64_t req_msg_id, Bytes result, Context& ctx) {
  auto it = by_msg_id_.find(req_msg_id);
  if (it == by_msg_id_.end()) return;  // cancelled, or answered before (a resent answer)
  RequestId rid = it->second;
  forget_msg_id(requests_[rid]);
  requests_.erase(rid);
  emit<RpcResultEvent>(ctx.events, {rid, std::move(result)});
}

// NOTE: when our clock jumps after the handshake, the server's messages fall outside our time
// window, including the bad_msg_notification 16/17 that tells us so. A packet carrying one is
// accepted anyway when the notice names a message we have just sent, which proves the packet is
// fresh (it is authenticated by msg_key); anything else outside the window stays rejected.
bool ClientSession::is_clock_fix(ByteView body) const {
  if (id_of(body) != mtp::bad_msg_notification::kId) return false;
  auto b = tl::deserialize<mtp::bad_msg_notification>(body);
  return b.ok() && (b->error_code == 16 || b->error_code == 17) && !requests_sent_in(b->bad_msg_id).empty();
}

std::vector<RequestId> ClientSession::requests_sent_in(std::int64_t msg_id) const {
  std::vector<RequestId> out;
  auto add = [&](std::int64_t id) {
    if (auto it = by_msg_id_.find(id); it != by_msg_id_.end()) out.push_back(it->second);
  };
  add(msg_id);
  for (const auto& [cid, inner] : containers_) {
    if (cid == msg_id) std::for_each(inner.begin(), inner.end(), add);
  }
  return out;
}

void ClientSession::forget_msg_id(Request& r) {
  if (r.msg_id != 0) by_msg_id_.erase(r.msg_id);
  r.msg_id = 0;
  r.seq_no = 0;
}

void ClientSession::requeue(std::int64_t msg_id, bool renew_msg_id) {
  for (auto rid : requests_sent_in(msg_id)) {
    auto& r = requests_[rid];
    r.sent = false;
    r.acked = false;
    if (renew_msg_id) forget_msg_id(r);
  }
}

void ClientSession::on_bad_salt(std::int64_t bad_msg_id, std::uint64_t new_salt, Context&) {
  salt_ = new_salt;
  future_salts_.clear();  // they were wrong or stale
  requeue(bad_msg_id, true);
}

void ClientSession::on_bad_msg(std::int64_t bad_msg_id, int code, std::int64_t server_msg_id, Context& ctx) {
  switch (code) {
    case 16:
    case 17:  // our clock is off: take the server's time from its msg_id and send again
      ids_.adopt_server_time(server_msg_id, ctx.now);
      return requeue(bad_msg_id, true);
    case 19:
    case 20:
    case 48:
      return requeue(bad_msg_id, true);
    case 32:  // seq_no too low
      seq_.adjust(64);
      return requeue(bad_msg_id, true);
    case 33:  // seq_no too high
      seq_.adjust(-16);
      return requeue(bad_msg_id, true);
    default:  // 18, 34, 35, 64 and unknown codes: the message itself is wrong, sending it again would not help
      for (auto rid : requests_sent_in(bad_msg_id)) {
        forget_msg_id(requests_[rid]);
        requests_.erase(rid);
        emit<RequestFailedEvent>(ctx.events, {
            rid, mtproto_error(MtprotoErrc::bad_msg_id, "bad_msg_notification code " + std::to_string(code))});
      }
  }
}

void ClientSession::on_new_session(std::int64_t first_msg_id, std::uint64_t unique_id, std::uint64_t salt, Context& ctx) {
  salt_ = salt;
  // NOTE: the server forgot whatever came before first_msg_id: send those requests again.
  for (auto& [rid, r] : requests_) {
    if (r.sent && r.msg_id != 0 && r.msg_id < first_msg_id) {
      r.sent = false;
      forget_msg_id(r);
    }
  }
  emit<NewSessionEvent>(ctx.events, {first_msg_id, unique_id});
}

void ClientSession::on_state_req(const std::vector<std::int64_t>& ids, std::int64_t req_msg_id, Time) {
  std::string info(ids.size(), '\0');
  for (std::size_t i = 0; i < ids.size(); ++i) info[i] = received_.contains(ids[i]) ? 4 : 1;
  service_out_.push_back(boxed(mtp::msgs_state_info{.req_msg_id = req_msg_id, .info = std::move(info)}));
}

void ClientSession::on_detailed_info(std::int64_t answer_msg_id, std::int64_t, Time now) {
  if (received_.contains(answer_msg_id)) {
    pending_acks_.push_back(answer_msg_id);
    if (!acks_since_) acks_since_ = now;
  } else {
    service_out_.push_back(boxed(mtp::msg_resend_req{.msg_ids = {answer_msg_id}}));
  }
}

void ClientSession::on_connection_lost() {
  for (auto& [_, r] : requests_) r.sent = false;  // msg_ids kept: the server deduplicates them
}

void ClientSession::cancel(RequestId id) {
  auto it = requests_.find(id);
  if (it == requests_.end()) return;
  forget_msg_id(it->second);
  requests_.erase(it);
}

}  // namespace telepp::mtproto
