#include "telepp/server/srp_server.hpp"

#include <algorithm>

#include "telepp/server/account_helpers.hpp"

namespace telepp::server {
namespace {

using Algo = api::passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow;

// The salt sizes Telegram's servers use: new_algo salt1 (the client appends 32 bytes), salt2,
// and the Passport salt.
constexpr std::size_t kSalt1PrefixSize = 8;
constexpr std::size_t kSalt2Size = 16;
constexpr std::size_t kSecureSaltSize = 8;
constexpr std::size_t kSecureRandomSize = 32;

std::string text(ByteView b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }
Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes prime() { return Bytes(crypto::telegram_dh_prime().bytes.begin(), crypto::telegram_dh_prime().bytes.end()); }

Algo algo_object(const crypto::SrpAlgo& a) { return Algo{.salt1 = text(a.salt1), .salt2 = text(a.salt2), .g = a.g, .p = text(a.p)}; }

// The salts this user is offered for a new password (made on first need, then kept).
const NewPasswordSalts& offered_salts(Call& call, std::int64_t user_id) {
  auto& salts = call.state.accounts.new_salts[user_id];
  if (salts.salt1_prefix.empty()) salts = {random_bytes(call, kSalt1PrefixSize), random_bytes(call, kSalt2Size)};
  return salts;
}

// A new challenge for the stored password (earlier ones of the user dropped).
std::optional<std::pair<std::int64_t, crypto::DhValue>> new_challenge(Call& call, std::int64_t user_id,
                                                                      const PasswordRecord& password) {
  auto& store = call.state.accounts;
  store.forget_challenges(user_id);
  auto c = crypto::srp_server_challenge(srp_algo(password.salt1, password.salt2), password.verifier, handler_entropy(call));
  if (!c) return std::nullopt;  // only a corrupt stored verifier gets here
  std::int64_t srp_id = random_id(call);
  store.challenges[srp_id] = SrpChallengeRecord{.user_id = user_id, .b = c->b, .g_b = c->g_b};
  return std::pair{srp_id, c->g_b};
}

// The verifier v = g^x mod p as the client sends it: 256 big-endian bytes, 1 < v < p.
bool verifier_valid(const Bytes& v) {
  const Bytes p = prime();
  if (v.size() != p.size() || !std::lexicographical_compare(v.begin(), v.end(), p.begin(), p.end())) return false;
  return std::any_of(v.begin(), v.end() - 1, [](Byte b) { return b != 0; }) || v.back() > 1;
}

}  // namespace

crypto::SrpAlgo srp_algo(const Bytes& salt1, const Bytes& salt2) { return crypto::SrpAlgo{salt1, salt2, 3, prime()}; }

api::account::password password_info(Call& call, std::int64_t user_id) {
  const auto& salts = offered_salts(call, user_id);
  api::account::password out{
      .new_algo = algo_object(srp_algo(salts.salt1_prefix, salts.salt2)),
      .new_secure_algo = api::securePasswordKdfAlgoPBKDF2HMACSHA512iter100000{.salt = text(random_bytes(call, kSecureSaltSize))},
      .secure_random = text(random_bytes(call, kSecureRandomSize))};
  auto it = call.state.accounts.passwords.find(user_id);
  if (it == call.state.accounts.passwords.end()) return out;
  const auto& password = it->second;
  out.has_password = true;
  out.current_algo = algo_object(srp_algo(password.salt1, password.salt2));
  if (!password.hint.empty()) out.hint = password.hint;
  if (auto challenge = new_challenge(call, user_id, password)) {
    out.srp_id = challenge->first;
    out.srp_B = text(challenge->second.view());
  }
  return out;
}

std::optional<Reply> check_password(Call& call, std::int64_t user_id, const api::InputCheckPasswordSRP& input) {
  auto& store = call.state.accounts;
  auto password = store.passwords.find(user_id);
  const auto* srp = input.get_if<api::inputCheckPasswordSRP>();
  if (password == store.passwords.end() || !srp) return Reply::fail(400, "PASSWORD_HASH_INVALID");
  auto challenge = store.challenges.find(srp->srp_id);
  if (challenge == store.challenges.end() || challenge->second.user_id != user_id) return Reply::fail(400, "SRP_ID_INVALID");
  crypto::SrpChallenge c{challenge->second.b, challenge->second.g_b};
  store.challenges.erase(challenge);  // SECURITY: one guess per challenge
  const auto& p = password->second;
  auto verified = crypto::srp_server_verify(srp_algo(p.salt1, p.salt2), p.verifier, c, as_bytes(srp->A), as_bytes(srp->M1));
  // SECURITY: a malformed A (out of range, u = 0) or M1 is refused like a wrong password.
  if (!verified || !*verified) return Reply::fail(400, "PASSWORD_HASH_INVALID");
  return std::nullopt;
}

std::optional<Reply> apply_password_settings(Call& call, std::int64_t user_id,
                                             const api::account::PasswordInputSettings& input) {
  const auto& settings = input.as<api::account::passwordInputSettings>();
  // NOTE: recovery e-mail and Passport settings are not kept by the test server.
  if (!settings.new_algo) return Reply::fail(400, "NEW_SETTINGS_EMPTY");
  auto& store = call.state.accounts;
  const std::string hash = settings.new_password_hash.value_or("");
  if (settings.new_algo->is<api::passwordKdfAlgoUnknown>()) {
    if (!hash.empty()) return Reply::fail(400, "NEW_SETTINGS_INVALID");
    store.passwords.erase(user_id);
    store.forget_challenges(user_id);
    return std::nullopt;
  }
  const auto* algo = settings.new_algo->get_if<Algo>();
  if (!algo || algo->g != 3 || bytes(algo->p) != prime()) return Reply::fail(400, "NEW_SETTINGS_INVALID");
  // SECURITY: the new salt1 must extend the one offered with the client's 32 random bytes.
  const auto& offered = offered_salts(call, user_id);
  Bytes salt1 = bytes(algo->salt1);
  if (salt1.size() != offered.salt1_prefix.size() + crypto::kSrpNewSalt1Suffix ||
      !std::equal(offered.salt1_prefix.begin(), offered.salt1_prefix.end(), salt1.begin()) ||
      bytes(algo->salt2) != offered.salt2) {
    return Reply::fail(400, "NEW_SALT_INVALID");
  }
  PasswordRecord record{salt1, offered.salt2, bytes(hash), settings.hint.value_or("")};
  if (!verifier_valid(record.verifier)) return Reply::fail(400, "NEW_SETTINGS_INVALID");
  store.passwords[user_id] = std::move(record);
  store.forget_challenges(user_id);
  return std::nullopt;
}

}  // namespace telepp::server
