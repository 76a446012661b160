// Phone login: auth.sendCode, auth.signIn, auth.signUp with Telegram's test numbers
// (99966XYYYY: home DC X, code XXXXX). See https://core.telegram.org/api/auth.
#include "telepp/base/hex.hpp"
#include "telepp/server/account_helpers.hpp"

namespace telepp::server {
namespace {

constexpr int kCodeLength = 5;

Reply phone_migrate(int dc) { return Reply::fail(303, "PHONE_MIGRATE_" + std::to_string(dc)); }

Reply send_code(Call& call, const api::AnyFunction& q) {
  const auto& req = q.as<api::auth::sendCode>();
  if (!api_id_valid(call.config, req.api_id, req.api_hash)) return Reply::fail(400, "API_ID_INVALID");
  auto phone = parse_test_phone(req.phone_number, call.dcs);
  if (!phone) return Reply::fail(406, "PHONE_NUMBER_INVALID");
  // NOTE: an account lives on its home DC; a login started elsewhere is sent there.
  if (call.dc != phone->dc) return phone_migrate(phone->dc);
  if (!call.permanent) return Reply::fail(401, "AUTH_KEY_PERM_EMPTY");

  auto now = unix_seconds(call.now);
  auto& store = call.state.accounts;
  store.expire(now);
  store.forget_codes(phone->digits);  // a new code supersedes the earlier ones
  std::string hash = to_hex(random_bytes(call, 9));
  store.codes[hash] = PhoneCodeRecord{.phone = phone->digits, .code = phone->code(), .expires_at = now + AccountStore::kCodeLifetime};
  // NOTE: registered accounts get the code "in the app", new numbers "by SMS", as Telegram does.
  api::auth::SentCodeType type = api::auth::sentCodeTypeSms{.length = kCodeLength};
  if (call.state.find_by_phone(phone->digits)) type = api::auth::sentCodeTypeApp{.length = kCodeLength};
  return Reply::of(api::auth::sentCode{.type = std::move(type), .phone_code_hash = hash});
}

// The checks signIn and signUp share: the number, its home DC and the code hash.
struct CodeLookup {
  std::optional<TestPhone> phone;
  PhoneCodeRecord* code = nullptr;
  std::string hash;
  std::optional<Reply> error;
};

CodeLookup find_code(Call& call, const std::string& phone_number, const std::string& hash, const char* migrate) {
  CodeLookup out;
  out.phone = parse_test_phone(phone_number, call.dcs);
  if (!out.phone) {
    out.error = Reply::fail(406, "PHONE_NUMBER_INVALID");
    return out;
  }
  if (call.dc != out.phone->dc) {
    out.error = Reply::fail(303, migrate + std::to_string(out.phone->dc));
    return out;
  }
  if (!call.permanent) {
    out.error = Reply::fail(401, "AUTH_KEY_PERM_EMPTY");
    return out;
  }
  // NOTE: an unknown, superseded, spent or timed-out hash all read as expired, as on Telegram.
  out.code = call.state.accounts.code(hash, out.phone->digits, unix_seconds(call.now));
  if (!out.code) out.error = Reply::fail(400, "PHONE_CODE_EXPIRED");
  out.hash = hash;
  return out;
}

Reply sign_in(Call& call, const api::AnyFunction& q) {
  const auto& req = q.as<api::auth::signIn>();
  if (!req.phone_code || req.phone_code->empty()) return Reply::fail(400, "PHONE_CODE_EMPTY");
  auto found = find_code(call, req.phone_number, req.phone_code_hash, "PHONE_MIGRATE_");
  if (found.error) return *found.error;
  auto& store = call.state.accounts;
  if (*req.phone_code != found.code->code) {
    if (++found.code->wrong_attempts >= AccountStore::kMaxWrongCodes) store.codes.erase(found.hash);
    return Reply::fail(400, "PHONE_CODE_INVALID");
  }
  const UserRecord* user = call.state.find_by_phone(found.phone->digits);
  if (!user) {
    // NOTE: since layer 104 an unregistered number is not PHONE_NUMBER_UNOCCUPIED but this
    // answer; the code stays valid for auth.signUp.
    found.code->verified = true;
    return Reply::of(api::auth::authorizationSignUpRequired{});
  }
  store.forget_codes(found.phone->digits);
  if (store.passwords.count(user->id)) {
    // 2FA: the code was right; the key waits for auth.checkPassword.
    call.permanent->user_id.reset();
    call.permanent->password_pending_user = user->id;
    return Reply::fail(401, "SESSION_PASSWORD_NEEDED");
  }
  return log_in(call, *user);
}

Reply sign_up(Call& call, const api::AnyFunction& q) {
  const auto& req = q.as<api::auth::signUp>();
  // NOTE: registration is routed by the network to the number's region: NETWORK_MIGRATE_X.
  auto found = find_code(call, req.phone_number, req.phone_code_hash, "NETWORK_MIGRATE_");
  if (found.error) return *found.error;
  // The code must have been shown to auth.signIn first (the layer-104+ flow).
  if (!found.code->verified) return Reply::fail(400, "PHONE_CODE_INVALID");
  // NOTE: a guard only: registering spends every code of the number, so a verified code never
  // outlives its number's registration today.
  if (call.state.find_by_phone(found.phone->digits)) return Reply::fail(400, "PHONE_NUMBER_OCCUPIED");
  std::string first = trimmed(req.first_name), last = trimmed(req.last_name);
  if (!first_name_valid(first)) return Reply::fail(400, "FIRSTNAME_INVALID");
  if (!last_name_valid(last)) return Reply::fail(400, "LASTNAME_INVALID");
  call.state.accounts.forget_codes(found.phone->digits);
  const auto& user = call.state.add_user(found.phone->digits, first, last, found.phone->dc);
  return log_in(call, user);
}

}  // namespace

void add_phone_login_handlers(Dispatcher& d) {
  d.add(api::auth::sendCode::kId, send_code);
  d.add(api::auth::signIn::kId, sign_in);
  d.add(api::auth::signUp::kId, sign_up);
}

}  // namespace telepp::server
