#include "telepp/server/account_helpers.hpp"

#include <algorithm>
#include <cctype>

#include "telepp/crypto/os_entropy.hpp"

namespace telepp::server {
namespace {

constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kMaxUsernameLength = 32;
constexpr std::size_t kMinUsernameLength = 5;
constexpr std::size_t kMaxAboutLength = 70;

bool username_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Characters counted as a user sees them (UTF-8 code points), not bytes.
std::size_t utf8_length(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xc0) != 0x80; }));
}

}  // namespace

Entropy& handler_entropy(Call& call) { return call.entropy ? *call.entropy : crypto::os_entropy(); }

Bytes random_bytes(Call& call, std::size_t n) {
  Bytes out(n);
  handler_entropy(call).fill(out);
  return out;
}

std::int64_t random_id(Call& call) {
  Byte b[8];
  handler_entropy(call).fill(b);
  auto id = static_cast<std::int64_t>(load_le64(b) >> 1);
  return id == 0 ? 1 : id;
}

std::optional<std::int64_t> logged_in_user(const Call& call) {
  if (!call.permanent) return std::nullopt;
  return call.permanent->user_id;
}

Reply log_in(Call& call, const UserRecord& user) {
  if (!call.permanent) return Reply::fail(401, "AUTH_KEY_PERM_EMPTY");
  call.permanent->user_id = user.id;
  call.permanent->password_pending_user.reset();
  return Reply::of(api::auth::authorization{.user = user_object(user, user.id)});
}

bool api_id_valid(const ServerConfig& config, std::int32_t api_id, const std::string& api_hash) {
  if (config.api_ids.empty()) return api_id > 0;
  auto it = config.api_ids.find(api_id);
  return it != config.api_ids.end() && it->second == api_hash;
}

std::optional<TestPhone> parse_test_phone(const std::string& text, int dcs) {
  std::string digits;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    else if (c != '+' && c != ' ' && c != '-' && c != '(' && c != ')') return std::nullopt;
  }
  // NOTE: only Telegram's test numbers exist here: 99966, the DC digit, four more digits.
  if (digits.size() != 10 || digits.rfind("99966", 0) != 0) return std::nullopt;
  int dc = digits[5] - '0';
  if (dc < 1 || dc > dcs) return std::nullopt;
  return TestPhone{digits, dc};
}

UserRecord* resolve_input_user(State& state, const api::InputUser& input, std::int64_t me) {
  if (input.is<api::inputUserSelf>()) return state.find(me);
  if (const auto* in = input.get_if<api::inputUser>()) {
    UserRecord* u = state.find(in->user_id);
    // SECURITY: another account is only reachable with the access_hash it was shown with.
    if (u && u->id != me && u->access_hash != in->access_hash) return nullptr;
    return u;
  }
  if (const auto* from = input.get_if<api::inputUserFromMessage>()) return state.find(from->user_id);
  return nullptr;
}

std::string trimmed(const std::string& text) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  auto begin = std::find_if_not(text.begin(), text.end(), space);
  auto end = std::find_if_not(text.rbegin(), std::string::const_reverse_iterator(begin), space).base();
  return std::string(begin, end);
}

bool first_name_valid(const std::string& name) { return !name.empty() && utf8_length(name) <= kMaxNameLength; }

bool last_name_valid(const std::string& name) { return utf8_length(name) <= kMaxNameLength; }

bool about_valid(const std::string& about) { return utf8_length(about) <= kMaxAboutLength; }

bool username_valid(const std::string& username) {
  if (username.size() < kMinUsernameLength || username.size() > kMaxUsernameLength) return false;
  if (!std::isalpha(static_cast<unsigned char>(username.front())) || username.back() == '_') return false;
  return std::all_of(username.begin(), username.end(), username_char);
}

bool username_lookup_valid(const std::string& username) {
  return !username.empty() && username.size() <= kMaxUsernameLength &&
         std::all_of(username.begin(), username.end(), username_char);
}

}  // namespace telepp::server
