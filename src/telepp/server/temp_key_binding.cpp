// auth.bindTempAuthKey: binding the temporary key that carries the query to a permanent key of
// this DC (Perfect Forward Secrecy, https://core.telegram.org/api/pfs). The message checks are
// the MTProto core's (mtproto/handshake/bind_temp_key.hpp); here are the records and errors.
#include "telepp/mtproto/handshake/bind_temp_key.hpp"
#include "telepp/server/account_helpers.hpp"

namespace telepp::server {
namespace {

Reply bind_temp_auth_key(Call& call, const api::AnyFunction& q) {
  const auto& req = q.as<api::auth::bindTempAuthKey>();
  if (!call.auth.temporary) return Reply::fail(400, "TEMP_AUTH_KEY_EMPTY");
  // NOTE: a temporary key is bound once, for its whole life.
  if (call.auth.bound_perm_id) return Reply::fail(400, "TEMP_AUTH_KEY_ALREADY_BOUND");
  if (std::int64_t{req.expires_at} <= unix_seconds(call.now)) return Reply::fail(400, "EXPIRES_AT_INVALID");
  AuthRecord* perm = call.keys ? call.keys->find(static_cast<std::uint64_t>(req.perm_auth_key_id)) : nullptr;
  // SECURITY: only a permanent key of this DC can hold an authorisation.
  if (!perm || perm->temporary || !call.session) return Reply::fail(400, "ENCRYPTED_MESSAGE_INVALID");
  mtproto::handshake::BindTempAuthKeyArgs args{req.perm_auth_key_id, req.nonce, req.expires_at,
                                               Bytes(req.encrypted_message.begin(), req.encrypted_message.end())};
  mtproto::handshake::BindRequestContext context{call.auth.key.id(), call.session->session_id(), call.msg_id};
  // SECURITY: the permanent key's owner must have encrypted this very request's key, session,
  // msg_id, nonce and expiry (every check in verify_bind_temp_auth_key).
  auto binding = mtproto::handshake::verify_bind_temp_auth_key(perm->key, args, context, call.now);
  if (!binding) return Reply::fail(400, "ENCRYPTED_MESSAGE_INVALID");
  call.auth.bound_perm_id = perm->key.id();
  call.permanent = perm;
  return Reply::of(api::boolTrue{});
}

}  // namespace

void add_temp_key_binding_handlers(Dispatcher& d) { d.add(api::auth::bindTempAuthKey::kId, bind_temp_auth_key); }

}  // namespace telepp::server
