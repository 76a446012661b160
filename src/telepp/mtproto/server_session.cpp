#include "telepp/mtproto/server_session.hpp"

#include <algorithm>
#include <cassert>
#include <cstdio>

#include <telepp/mtp.hpp>

#include "telepp/mtproto/errc.hpp"
#include "telepp/tl/codec.hpp"
#include "telepp/tl/writer.hpp"

namespace telepp::mtproto {
namespace {

// The boxed bytes of a generated mtp object. Writing these plain structs cannot fail.
template <class T>
Bytes boxed(const T& value) {
  auto bytes = tl::to_bytes(value);
  assert(bytes.ok());
  return std::move(bytes).value();
}

Bytes rpc_result_body(std::int64_t req_msg_id, ByteView result) {
  tl::Writer w(0, 12 + result.size());
  w.u32(mtp::rpc_result::kId);
  w.i64(req_msg_id);
  w.raw(result);
  return w.buffer().to_bytes();
}

// How a client message's seq_no must look.
enum class Relevance { content, service, either };

Relevance relevance_of(std::uint32_t id) {
  switch (id) {
    case mtp::msgs_ack::kId:
    case mtp::msg_container::kId:
      return Relevance::service;
    case mtp::ping::kId:
    case mtp::ping_delay_disconnect::kId:
    case mtp::msgs_state_req::kId:
    case mtp::msg_resend_req::kId:
    case ServerSession::kMsgResendAnsReqId:
    case mtp::http_wait::kId:
    case mtp::msgs_state_info::kId:
    case mtp::msgs_all_info::kId:
    case mtp::msg_detailed_info::kId:
    case mtp::msg_new_detailed_info::kId:
      return Relevance::either;
    default:
      // API queries and the service functions get_future_salts, rpc_drop_answer, destroy_session
      // (and objects only a server sends, which are ignored anyway).
      return Relevance::content;
  }
}

// Objects only a server sends: a client sending one is confused; they are ignored.
bool server_only(std::uint32_t id) {
  switch (id) {
    case mtp::rpc_result::kId:
    case mtp::rpc_error::kId:
    case mtp::pong::kId:
    case mtp::bad_msg_notification::kId:
    case mtp::bad_server_salt::kId:
    case mtp::new_session_created::kId:
    case mtp::future_salts::kId:
    case mtp::destroy_session_ok::kId:
    case mtp::destroy_session_none::kId:
    case mtp::rpc_answer_unknown::kId:
    case mtp::rpc_answer_dropped_running::kId:
    case mtp::rpc_answer_dropped::kId:
    case mtp::msg_copy::kId:  // "not used at this time" (service_messages#message-copies)
    case mtp::message::kId:
      return true;
    default:
      return false;
  }
}

std::string name_of(std::uint32_t id) {
  if (auto name = tl::constructor_name(id); !name.empty()) return std::string(name);
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%08x", id);
  return buf;
}

}  // namespace

ServerSession::ServerSession(const AuthKey& key, std::uint64_t session_id, ServerSalts& salts, Entropy& entropy,
                             ServerSessionConfig config)
    : key_(key), session_id_(session_id), salts_(salts), entropy_(entropy), config_(config) {}

// ---------------------------------------------------------------------------------------------
// Incoming

Result<ServerEvents> ServerSession::on_message(const DecryptedMessage& message, Time now) {
  const auto& h = message.header;
  if (h.session_id != session_id_) {
    return mtproto_fail(MtprotoErrc::bad_session, "message for session " + std::to_string(h.session_id) +
                                                      " given to session " + std::to_string(session_id_));
  }
  Context ctx;
  ctx.now = now;
  ctx.packet_min_id = h.msg_id;

  // SECURITY: the outer msg_id's parity and time window come first: a message outside the window
  // is never processed (replay protection together with the duplicate check below).
  auto problem = received_.check(h.msg_id, now, /*expect_client=*/true);
  if (problem == MsgIdProblem::bad_parity || problem == MsgIdProblem::too_low || problem == MsgIdProblem::too_high) {
    reject(h.msg_id, h.seq_no, static_cast<int>(problem), "outer msg_id", ctx);
    return std::move(ctx.events);
  }
  // NOTE: clients start with salt 0 (gramjs) and expect exactly this answer; the message is not
  // processed and not recorded, so it may be resent with the same msg_id.
  if (!salts_.accepts(h.salt, now)) {
    auto fresh = salts_.current(now);
    enqueue(boxed(mtp::bad_server_salt{.bad_msg_id = h.msg_id,
                                       .bad_msg_seqno = h.seq_no,
                                       .error_code = 48,
                                       .new_server_salt = static_cast<std::int64_t>(fresh)}),
            MsgIdKind::server_answer, /*content_related=*/false, h.msg_id);
    note(ctx, NoteKind::bad_salt, h.msg_id, 48, "salt " + std::to_string(h.salt) + " is not valid now");
    return std::move(ctx.events);
  }

  if (!is_container(message.body)) {
    process(h.msg_id, h.seq_no, message.body, ctx);
    return std::move(ctx.events);
  }

  // A container is accepted or rejected as a whole (service_messages#containers).
  if (problem == MsgIdProblem::duplicate) {
    reject(h.msg_id, h.seq_no, 19, "container msg_id seen before", ctx);
    return std::move(ctx.events);
  }
  if (problem == MsgIdProblem::too_old) {
    reject(h.msg_id, h.seq_no, 20, "container msg_id older than the remembered window", ctx);
    return std::move(ctx.events);
  }
  if (config_.check_seq_no_parity && (h.seq_no & 1) != 0) {
    reject(h.msg_id, h.seq_no, 34, "container with an odd seq_no", ctx);
    return std::move(ctx.events);
  }
  auto inner = parse_container(message.body);
  if (!inner) {
    reject(h.msg_id, h.seq_no, 64, inner.error().detail, ctx);
    return std::move(ctx.events);
  }
  // SECURITY: inner msg_ids must be below the container's and distinct, or the container is
  // invalid (a repeated id would otherwise be processed twice in one packet).
  std::unordered_set<std::int64_t> seen;
  for (const auto& m : *inner) {
    if (m.msg_id >= h.msg_id || !seen.insert(m.msg_id).second) {
      reject(h.msg_id, h.seq_no, 64, "inner msg_id " + std::to_string(m.msg_id) + " not below the container's or repeated", ctx);
      return std::move(ctx.events);
    }
    ctx.packet_min_id = std::min(ctx.packet_min_id, m.msg_id);
  }
  received_.insert(h.msg_id);
  remember(h.msg_id, kNoAckNeeded);
  for (const auto& m : *inner) process(m.msg_id, m.seq_no, m.body, ctx);
  return std::move(ctx.events);
}

void ServerSession::process(std::int64_t msg_id, std::int32_t seq_no, ByteView body, Context& ctx) {
  switch (auto problem = received_.check(msg_id, ctx.now, true)) {
    case MsgIdProblem::none:
      break;
    case MsgIdProblem::duplicate:
      on_duplicate(msg_id, seq_no, ctx);
      return;
    default:
      reject(msg_id, seq_no, static_cast<int>(problem), "msg_id", ctx);
      return;
  }

  // gzip_packed around a whole message: inflate (bounded) and handle what is inside.
  Bytes inflated;
  ByteView content = body;
  if (body.size() >= 4 && load_le32(body.data()) == mtp::gzip_packed::kId) {
    auto packed = tl::deserialize<mtp::gzip_packed>(body);
    if (!packed) {
      note(ctx, NoteKind::malformed, msg_id, 0, "gzip_packed: " + packed.error().detail);
      return;
    }
    auto data = gzip_decompress(as_bytes(packed->packed_data), config_.max_inflated_size);
    if (!data) {
      note(ctx, NoteKind::malformed, msg_id, 0, "gzip_packed: " + data.error().detail);
      return;
    }
    inflated = std::move(*data);
    content = inflated;
    if (content.size() >= 4 && load_le32(content.data()) == mtp::gzip_packed::kId) {
      note(ctx, NoteKind::malformed, msg_id, 0, "gzip_packed inside gzip_packed");
      return;
    }
  }
  if (content.size() < 4) {
    note(ctx, NoteKind::malformed, msg_id, 0, "message body of " + std::to_string(content.size()) + " bytes");
    return;
  }
  auto id = load_le32(content.data());
  if (id == kMsgContainerId) {
    // Only reachable through gzip_packed (parse_container refuses nested containers): containers
    // belong at the top level of a packet.
    note(ctx, NoteKind::malformed, msg_id, 0, "container inside gzip_packed");
    return;
  }
  if (config_.check_seq_no_parity) {
    bool odd = (seq_no & 1) != 0;
    auto relevance = relevance_of(id);
    if (relevance == Relevance::content && !odd) {
      reject(msg_id, seq_no, 35, "content-related message with an even seq_no", ctx);
      return;
    }
    if (relevance == Relevance::service && odd && !config_.tolerate_odd_acks) {
      reject(msg_id, seq_no, 34, "msgs_ack with an odd seq_no", ctx);
      return;
    }
  }
  dispatch(id, msg_id, seq_no, content, ctx);
}

void ServerSession::dispatch(std::uint32_t id, std::int64_t msg_id, std::int32_t seq_no, ByteView content,
                             Context& ctx) {
  // Each case parses first and calls accept() only on success: a malformed message changes nothing.
  auto parse_failed = [&](std::string_view what, const Error& e) {
    note(ctx, NoteKind::malformed, msg_id, 0, std::string(what) + ": " + e.detail);
  };
  auto too_many = [&](std::string_view what, std::size_t n) {
    if (n <= kMaxIdsPerMessage) return false;
    note(ctx, NoteKind::malformed, msg_id, 0, std::string(what) + " with " + std::to_string(n) + " ids (limit 8192)");
    return true;
  };

  switch (id) {
    case mtp::msgs_ack::kId: {
      auto v = tl::deserialize<mtp::msgs_ack>(content);
      if (!v) return parse_failed("msgs_ack", v.error());
      if (too_many("msgs_ack", v->msg_ids.size())) return;
      accept(msg_id, seq_no, 0, ctx);
      for (auto acked : v->msg_ids) {
        if (auto it = out_by_msg_id_.find(acked); it != out_by_msg_id_.end()) forget_outgoing(it->second);
      }
      return;
    }
    case mtp::ping::kId: {
      auto v = tl::deserialize<mtp::ping>(content);
      if (!v) return parse_failed("ping", v.error());
      accept(msg_id, seq_no, kQuery, ctx);
      // NOTE: pong is sent as is, not in rpc_result, and needs no acknowledgement.
      answer(msg_id, boxed(mtp::pong{.msg_id = msg_id, .ping_id = v->ping_id}), false);
      return;
    }
    case mtp::ping_delay_disconnect::kId: {
      auto v = tl::deserialize<mtp::ping_delay_disconnect>(content);
      if (!v) return parse_failed("ping_delay_disconnect", v.error());
      accept(msg_id, seq_no, kQuery, ctx);
      answer(msg_id, boxed(mtp::pong{.msg_id = msg_id, .ping_id = v->ping_id}), false);
      if (v->disconnect_delay > 0) {
        disconnect_deadline_ = ctx.now + std::chrono::seconds(v->disconnect_delay);
      } else {
        disconnect_deadline_.reset();
      }
      return;
    }
    case mtp::get_future_salts::kId: {
      auto v = tl::deserialize<mtp::get_future_salts>(content);
      if (!v) return parse_failed("get_future_salts", v.error());
      accept(msg_id, seq_no, kQuery, ctx);
      mtp::future_salts answer_body{.req_msg_id = msg_id, .now = static_cast<std::int32_t>(unix_seconds(ctx.now))};
      auto count = v->num > 0 ? static_cast<std::size_t>(v->num) : 1;
      for (const auto& s : salts_.upcoming(ctx.now, count)) {
        answer_body.salts.push_back({.valid_since = static_cast<std::int32_t>(s.valid_since),
                                     .valid_until = static_cast<std::int32_t>(s.valid_until),
                                     .salt = static_cast<std::int64_t>(s.salt)});
      }
      // NOTE: future_salts is sent as is and "does not require an acknowledgment itself".
      answer(msg_id, boxed(answer_body), false);
      return;
    }
    case mtp::msgs_state_req::kId: {
      auto v = tl::deserialize<mtp::msgs_state_req>(content);
      if (!v) return parse_failed("msgs_state_req", v.error());
      if (too_many("msgs_state_req", v->msg_ids.size())) return;
      accept(msg_id, seq_no, kQuery, ctx);
      answer(msg_id, state_info(msg_id, v->msg_ids, ctx.now), false);
      return;
    }
    case mtp::msg_resend_req::kId: {
      auto v = tl::deserialize<mtp::msg_resend_req>(content);
      if (!v) return parse_failed("msg_resend_req", v.error());
      if (too_many("msg_resend_req", v->msg_ids.size())) return;
      accept(msg_id, seq_no, kQuery, ctx);
      on_resend(msg_id, v->msg_ids, /*answers=*/false, ctx);
      return;
    }
    case kMsgResendAnsReqId: {
      tl::Reader r(content);
      r.u32();
      std::vector<std::int64_t> ids(r.vector_header(8));
      for (auto& x : ids) x = r.i64();
      if (auto s = r.finish(); !s) return parse_failed("msg_resend_ans_req", s.error());
      if (too_many("msg_resend_ans_req", ids.size())) return;
      accept(msg_id, seq_no, kQuery, ctx);
      on_resend(msg_id, ids, /*answers=*/true, ctx);
      return;
    }
    case mtp::destroy_session::kId: {
      auto v = tl::deserialize<mtp::destroy_session>(content);
      if (!v) return parse_failed("destroy_session", v.error());
      accept(msg_id, seq_no, kQuery, ctx);
      auto target = static_cast<std::uint64_t>(v->session_id);
      if (target == session_id_) {
        // NOTE: "The result of this being applied to the current session is undefined"; a
        // session cannot destroy itself while answering, so it reports that nothing was destroyed.
        answer(msg_id, boxed(mtp::destroy_session_none{.session_id = v->session_id}), true);
        return;
      }
      running_.insert(msg_id);
      ctx.events.destroy_sessions.push_back({msg_id, target});
      return;
    }
    case mtp::rpc_drop_answer::kId: {
      auto v = tl::deserialize<mtp::rpc_drop_answer>(content);
      if (!v) return parse_failed("rpc_drop_answer", v.error());
      accept(msg_id, seq_no, kQuery, ctx);
      on_rpc_drop_answer(msg_id, v->req_msg_id, ctx);
      return;
    }
    case mtp::http_wait::kId:
    case mtp::msgs_state_info::kId:
    case mtp::msgs_all_info::kId:
    case mtp::msg_detailed_info::kId:
    case mtp::msg_new_detailed_info::kId: {
      // Status reports about our messages and HTTP long-poll parameters (this session serves
      // stream transports): nothing to do, but they count as received.
      accept(msg_id, seq_no, 0, ctx);
      note(ctx, NoteKind::ignored, msg_id, 0, name_of(id));
      return;
    }
    default:
      break;
  }
  if (server_only(id)) {
    accept(msg_id, seq_no, 0, ctx);
    note(ctx, NoteKind::ignored, msg_id, 0, "a client sent " + name_of(id));
    return;
  }
  // Everything else is a query for the dispatcher (invokeAfterMsg, invokeWithLayer, ... included).
  accept(msg_id, seq_no, kQuery, ctx);
  running_.insert(msg_id);
  ctx.events.requests.push_back({msg_id, Bytes(content.begin(), content.end())});
}

void ServerSession::accept(std::int64_t msg_id, std::int32_t seq_no, std::uint8_t flags, Context& ctx) {
  // The first accepted message creates the session; "if, after this, the server receives a
  // message with an even smaller msg_id within the same session, a similar notification will be
  // generated for this msg_id as well" (service_messages#new-session-creation-notification).
  if (!created_) {
    new_session(std::min(ctx.packet_min_id, msg_id), ctx);
  } else if (msg_id < first_msg_id_) {
    new_session(msg_id, ctx);
  }
  received_.insert(msg_id);
  bool odd = (seq_no & 1) != 0;
  remember(msg_id, static_cast<std::uint8_t>(flags | (odd ? 0 : kNoAckNeeded)));
  if (odd) add_ack(msg_id, ctx.now);
}

void ServerSession::new_session(std::int64_t first_msg_id, Context& ctx) {
  bool first = !created_;
  if (first) {
    Byte b[8];
    entropy_.fill(b);
    unique_id_ = load_le64(b);
    created_ = true;
  }
  first_msg_id_ = first_msg_id;
  enqueue(boxed(mtp::new_session_created{.first_msg_id = first_msg_id,
                                         .unique_id = static_cast<std::int64_t>(unique_id_),
                                         .server_salt = static_cast<std::int64_t>(salts_.current(ctx.now))}),
          MsgIdKind::server_push, /*content_related=*/true, 0, /*front=*/first);
  note(ctx, NoteKind::new_session, first_msg_id, 0, "new_session_created");
}

void ServerSession::on_duplicate(std::int64_t msg_id, std::int32_t seq_no, Context& ctx) {
  // NOTE: a resent request (same msg_id, e.g. after a reconnect) must not run twice: answer it
  // from the store; while it still runs, or when nothing is stored, acknowledge it again.
  if (results_.count(msg_id) != 0) {
    resend_stored(msg_id);
    note(ctx, NoteKind::duplicate, msg_id, 1, "answered from the stored result");
    return;
  }
  if ((seq_no & 1) != 0) add_ack(msg_id, ctx.now);
  note(ctx, NoteKind::duplicate, msg_id, 0, running_.count(msg_id) ? "still running" : "acknowledged again");
}

void ServerSession::on_rpc_drop_answer(std::int64_t msg_id, std::int64_t req_msg_id, Context& ctx) {
  (void)ctx;
  Bytes result;
  if (running_.erase(req_msg_id) != 0) {
    // "the same rpc_answer_dropped_running is also returned in response to the original query";
    // the owner's later reply() is then refused.
    result = boxed(mtp::rpc_answer_dropped_running{});
    answer(req_msg_id, rpc_result_body(req_msg_id, result), true);
  } else if (auto queued = std::find_if(out_.begin(), out_.end(),
                                        [&](const auto& kv) {
                                          return kv.second.content_related && kv.second.answers == req_msg_id;
                                        });
             queued != out_.end()) {
    // Still in the outgoing queue (unsent or unacknowledged): remove it and forget the answer.
    // (A linear scan: out_ is capped and dropping answers is rare.)
    const auto& o = queued->second.msg;
    result = boxed(mtp::rpc_answer_dropped{
        .msg_id = o.msg_id, .seq_no = o.seq_no, .bytes = static_cast<std::int32_t>(o.body.size())});
    forget_outgoing(queued->first);
    if (auto it = results_.find(req_msg_id); it != results_.end()) erase_stored(it);
  } else {
    result = boxed(mtp::rpc_answer_unknown{});
  }
  answer(msg_id, rpc_result_body(msg_id, result), true);
}

void ServerSession::on_resend(std::int64_t msg_id, const std::vector<std::int64_t>& ids, bool answers,
                              Context& ctx) {
  bool missing = false;
  for (auto id : ids) {
    if (answers) {
      if (results_.count(id) != 0) resend_stored(id);
      else missing = true;
    } else if (auto it = out_by_msg_id_.find(id); it != out_by_msg_id_.end()) {
      unsent_.insert(it->second);  // same msg_id and seq_no: the client drops it if it has it
    } else {
      missing = true;
    }
  }
  // "If at least one message with requested msg_id does not exist or has already been forgotten,
  // or has been sent by the requesting party, MsgsStateInfo is returned for all messages".
  if (missing || answers) answer(msg_id, state_info(msg_id, ids, ctx.now), false);
}

void ServerSession::reject(std::int64_t msg_id, std::int32_t seq_no, int code, std::string detail, Context& ctx) {
  enqueue(boxed(mtp::bad_msg_notification{.bad_msg_id = msg_id, .bad_msg_seqno = seq_no, .error_code = code}),
          MsgIdKind::server_answer, /*content_related=*/false, msg_id);
  note(ctx, NoteKind::rejected, msg_id, code, std::move(detail));
}

void ServerSession::note(Context& ctx, NoteKind kind, std::int64_t msg_id, int code, std::string detail) {
  ctx.events.notes.push_back({kind, msg_id, code, std::move(detail)});
}

// ---------------------------------------------------------------------------------------------
// Answers and pushes

bool ServerSession::reply(std::int64_t req_msg_id, ByteView result) {
  assert(!result.empty() && result.size() % 4 == 0 && "a boxed TL object");
  if (running_.erase(req_msg_id) == 0) return false;
  answer(req_msg_id, rpc_result_body(req_msg_id, maybe_packed(result)), true);
  return true;
}

bool ServerSession::reply_error(std::int64_t req_msg_id, int code, std::string_view message) {
  if (running_.erase(req_msg_id) == 0) return false;
  auto error = boxed(mtp::rpc_error{.error_code = code, .error_message = std::string(message)});
  answer(req_msg_id, rpc_result_body(req_msg_id, error), true);
  return true;
}

bool ServerSession::reply_destroy_session(std::int64_t req_msg_id, std::uint64_t session_id, bool destroyed) {
  if (running_.erase(req_msg_id) == 0) return false;
  auto id = static_cast<std::int64_t>(session_id);
  answer(req_msg_id,
         destroyed ? boxed(mtp::destroy_session_ok{.session_id = id}) : boxed(mtp::destroy_session_none{.session_id = id}),
         true);
  return true;
}

void ServerSession::push(ByteView body) {
  assert(!body.empty() && body.size() % 4 == 0 && "a boxed TL object");
  enqueue(maybe_packed(body), MsgIdKind::server_push, true, 0);
}

Bytes ServerSession::maybe_packed(ByteView body) const {
  if (body.size() >= config_.gzip_threshold) {
    if (auto packed = maybe_gzip_packed(body)) return std::move(*packed);
  }
  return Bytes(body.begin(), body.end());
}

void ServerSession::answer(std::int64_t req_msg_id, Bytes body, bool content_related) {
  // Any answer acknowledges its query: no separate msgs_ack is needed for it.
  drop_ack(req_msg_id);
  if (content_related) set_flags(req_msg_id, kAnswered);
  Bytes copy = body;
  auto key = enqueue(std::move(body), MsgIdKind::server_answer, content_related, req_msg_id);
  store(req_msg_id, std::move(copy), content_related, key);
}

std::uint64_t ServerSession::enqueue(Bytes body, MsgIdKind kind, bool content_related, std::int64_t answers,
                                     bool front) {
  auto key = front ? 0 : next_key_++;
  Outgoing o;
  o.msg.body = std::move(body);
  o.kind = kind;
  o.content_related = content_related;
  o.answers = answers;
  out_bytes_ += o.msg.body.size();
  out_[key] = std::move(o);
  unsent_.insert(key);
  trim_outgoing();
  return key;
}

void ServerSession::trim_outgoing() {
  // SECURITY: a client that never acknowledges must not make the server hold unbounded data.
  // The oldest messages sent at least once go first; unsent ones are the owner's to drain.
  auto it = out_.begin();
  while ((out_.size() > config_.max_unacknowledged || out_bytes_ > config_.max_unacknowledged_bytes) &&
         it != out_.end()) {
    auto key = (it++)->first;
    if (out_.at(key).msg.msg_id == 0) continue;
    forget_outgoing(key);
    ++dropped_unacknowledged_;
  }
}

void ServerSession::store(std::int64_t req_msg_id, Bytes body, bool content_related, std::uint64_t out_key) {
  if (config_.max_stored_results == 0) return;
  if (auto it = results_.find(req_msg_id); it != results_.end()) erase_stored(it);
  // Too big to keep at all: not worth flushing the rest of the store for.
  if (body.size() > config_.max_stored_result_bytes) return;
  results_lru_.push_front(req_msg_id);
  stored_bytes_ += body.size();
  results_[req_msg_id] = Stored{std::move(body), content_related, out_key, results_lru_.begin()};
  while (results_.size() > config_.max_stored_results || stored_bytes_ > config_.max_stored_result_bytes) {
    erase_stored(results_.find(results_lru_.back()));
  }
}

void ServerSession::erase_stored(std::unordered_map<std::int64_t, Stored>::iterator it) {
  stored_bytes_ -= it->second.body.size();
  results_lru_.erase(it->second.lru);
  results_.erase(it);
}

void ServerSession::resend_stored(std::int64_t req_msg_id) {
  auto& s = results_.at(req_msg_id);
  results_lru_.splice(results_lru_.begin(), results_lru_, s.lru);
  if (out_.count(s.out_key) != 0) {
    // Still held (unacknowledged or not yet sent): send that same message again.
    unsent_.insert(s.out_key);
    return;
  }
  s.out_key = enqueue(s.body, MsgIdKind::server_answer, s.content_related, req_msg_id);
}

void ServerSession::forget_outgoing(std::uint64_t key) {
  auto it = out_.find(key);
  if (it == out_.end()) return;
  if (it->second.msg.msg_id != 0) out_by_msg_id_.erase(it->second.msg.msg_id);
  unsent_.erase(key);
  out_bytes_ -= it->second.msg.body.size();
  out_.erase(it);
}

// ---------------------------------------------------------------------------------------------
// Acknowledgements and message status

void ServerSession::add_ack(std::int64_t msg_id, Time now) {
  if (!pending_ack_set_.insert(msg_id).second) return;
  if (pending_acks_.empty()) acks_since_ = now;
  pending_acks_.push_back(msg_id);
}

void ServerSession::drop_ack(std::int64_t msg_id) {
  if (pending_ack_set_.erase(msg_id) == 0) return;
  std::erase(pending_acks_, msg_id);
  if (pending_acks_.empty()) acks_since_.reset();
}

void ServerSession::set_flags(std::int64_t msg_id, std::uint8_t flags) {
  if (auto it = received_flags_.find(msg_id); it != received_flags_.end()) it->second |= flags;
}

void ServerSession::remember(std::int64_t msg_id, std::uint8_t flags) {
  auto [it, inserted] = received_flags_.try_emplace(msg_id, 0);
  it->second |= flags;
  if (!inserted) return;
  received_order_.push_back(msg_id);
  while (received_order_.size() > kReceivedWindow) {
    received_flags_.erase(received_order_.front());
    received_order_.pop_front();
  }
}

std::uint8_t ServerSession::status_of(std::int64_t msg_id, Time now) const {
  if ((msg_id & 3) != 0) {
    // One of ours (only msg_resend_req asks about those): 4 while we hold it, else forgotten.
    return out_by_msg_id_.count(msg_id) != 0 ? 4 : 1;
  }
  switch (received_.check(msg_id, now, true)) {
    case MsgIdProblem::duplicate: {
      auto it = received_flags_.find(msg_id);
      return static_cast<std::uint8_t>(4 | (it != received_flags_.end() ? it->second : 0));
    }
    case MsgIdProblem::none:
      return 2;  // within the remembered range, certainly not received
    case MsgIdProblem::too_high:
      return 3;
    default:
      return 1;  // too low: forgotten, nothing known
  }
}

Bytes ServerSession::state_info(std::int64_t req_msg_id, const std::vector<std::int64_t>& ids, Time now) const {
  mtp::msgs_state_info info{.req_msg_id = req_msg_id};
  info.info.reserve(ids.size());
  for (auto id : ids) info.info.push_back(static_cast<char>(status_of(id, now)));
  return boxed(info);
}

// ---------------------------------------------------------------------------------------------
// Outgoing

std::int64_t ServerSession::next_msg_id(Time now, MsgIdKind kind) {
  // The generator yields strictly increasing multiples of 4; the kind goes in the low bits
  // (1: an answer to a client message, 3: server-initiated), keeping them strictly increasing.
  return ids_.next(now) | static_cast<std::int64_t>(kind);
}

bool ServerSession::has_outgoing(Time now) const {
  if (!unsent_.empty()) return true;
  return acks_since_ && now >= *acks_since_ + config_.ack_delay;
}

std::optional<Time> ServerSession::next_deadline() const {
  if (!unsent_.empty()) return Time{};
  if (acks_since_) return *acks_since_ + config_.ack_delay;
  return std::nullopt;
}

std::optional<Buffer> ServerSession::take_outgoing(Time now, std::size_t headroom) {
  if (!has_outgoing(now)) return std::nullopt;

  // The acknowledgements ride along (last, so new_session_created stays first).
  std::optional<OutgoingMessage> ack;
  std::vector<std::int64_t> acked;
  if (!pending_acks_.empty()) {
    auto n = std::min(pending_acks_.size(), kMaxIdsPerMessage);
    acked.assign(pending_acks_.begin(), pending_acks_.begin() + static_cast<std::ptrdiff_t>(n));
    ack.emplace();
    ack->body = boxed(mtp::msgs_ack{.msg_ids = acked});
  }

  // Pick due messages in queue order within the container limits; a message too big for a
  // container travels alone.
  std::vector<std::uint64_t> batch;
  std::size_t bytes = 8 + (ack ? container_entry_size(ack->body.size()) : 0);
  std::size_t count = ack ? 1 : 0;
  for (auto key : unsent_) {
    auto size = container_entry_size(out_.at(key).msg.body.size());
    // (With acks waiting, a message too big to share goes in the next packet, alone.)
    if (count > 0 && (count + 1 > kMaxContainerMessages || bytes + size > kMaxOutgoingContainerBytes)) break;
    batch.push_back(key);
    bytes += size;
    ++count;
  }

  bool any_answer = false;
  std::vector<const OutgoingMessage*> messages;
  for (auto key : batch) {
    auto& o = out_.at(key);
    if (o.msg.msg_id == 0) {
      // First transmission: msg_id and seq_no are fixed now and kept for every resend.
      o.msg.msg_id = next_msg_id(now, o.kind);
      o.msg.seq_no = seq_.next(o.content_related);
    }
    any_answer = any_answer || o.kind == MsgIdKind::server_answer;
    messages.push_back(&o.msg);
  }
  if (ack) {
    ack->msg_id = next_msg_id(now, MsgIdKind::server_answer);
    ack->seq_no = seq_.next(false);
    any_answer = true;
    messages.push_back(&*ack);
  }

  MessageHeader header;
  header.salt = salts_.current(now);
  header.session_id = session_id_;
  Buffer packet(headroom + kEncryptedHeaderSize, bytes + 1024 + 64);
  if (messages.size() == 1) {
    header.msg_id = messages[0]->msg_id;
    header.seq_no = messages[0]->seq_no;
    packet.append(messages[0]->body);
  } else {
    Bytes container;
    container.reserve(bytes);
    write_container(messages, container);
    header.msg_id = next_msg_id(now, any_answer ? MsgIdKind::server_answer : MsgIdKind::server_push);
    header.seq_no = seq_.next(false);
    packet.append(container);
  }
  encrypt_message(key_, Direction::server_to_client, header, packet, entropy_, config_.max_extra_padding);

  // Bookkeeping: content-related messages stay until acknowledged; the rest is done with.
  for (auto key : batch) {
    unsent_.erase(key);
    auto& o = out_.at(key);
    if (o.answers != 0) set_flags(o.answers, kAcked);
    if (o.content_related) {
      out_by_msg_id_[o.msg.msg_id] = key;
    } else {
      forget_outgoing(key);
    }
  }
  for (auto id : acked) {
    set_flags(id, kAcked);
    pending_ack_set_.erase(id);
  }
  pending_acks_.erase(pending_acks_.begin(), pending_acks_.begin() + static_cast<std::ptrdiff_t>(acked.size()));
  if (pending_acks_.empty()) acks_since_.reset();
  trim_outgoing();
  return packet;
}

void ServerSession::on_connection_lost() {
  for (const auto& [key, o] : out_) unsent_.insert(key);
  disconnect_deadline_.reset();
}

}  // namespace telepp::mtproto
