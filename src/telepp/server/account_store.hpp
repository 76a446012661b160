#pragma once
/// \file What the server keeps about logging in, besides the accounts themselves: login codes
/// (auth.sendCode), 2FA passwords and their SRP challenges, exported authorisations. Plain
/// records with ids, so a SQLite store can persist them; single-threaded (the event loop).

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "telepp/base/bytes.hpp"
#include "telepp/crypto/dh.hpp"
#include "telepp/server/tracked_map.hpp"

namespace telepp::server {

/// A login code sent by auth.sendCode, by its phone_code_hash.
struct PhoneCodeRecord {
  std::string phone;  ///< digits only
  std::string code;
  std::int64_t expires_at = 0;  ///< Unix seconds
  int wrong_attempts = 0;
  bool verified = false;  ///< signIn accepted the code for an unregistered number: signUp may use it
};

/// A 2FA password: the SRP verifier and the salts it was made with (current_algo).
struct PasswordRecord {
  Bytes salt1;
  Bytes salt2;
  Bytes verifier;  ///< v = g^x mod p, 256 bytes
  std::string hint;
};

/// The salts a user is offered for a new password (account.password's new_algo); a new password
/// must use salt1 followed by 32 bytes of the client's and this salt2.
struct NewPasswordSalts {
  Bytes salt1_prefix;
  Bytes salt2;
};

/// An SRP challenge handed out by account.getPassword (srp_id, srp_B); used once.
struct SrpChallengeRecord {
  std::int64_t user_id = 0;
  crypto::DhValue b;    ///< secret
  crypto::DhValue g_b;  ///< srp_B
};

/// An auth.exportAuthorization token: one use, short-lived, for one DC.
struct ExportedAuthRecord {
  std::int64_t user_id = 0;
  int dc = 0;
  std::int64_t expires_at = 0;
};

struct AccountStore {
  /// How long a login code is valid (Unix seconds).
  static constexpr std::int64_t kCodeLifetime = 300;
  /// Wrong codes accepted for one phone_code_hash before it expires.
  static constexpr int kMaxWrongCodes = 5;
  /// How long an exported authorisation may be imported.
  static constexpr std::int64_t kExportLifetime = 120;

  std::map<std::string, PhoneCodeRecord> codes;              ///< by phone_code_hash
  // NOTE: passwords and the offered salts outlive a restart with `--data` (persistence.hpp);
  // codes, challenges and exported authorisations are short-lived and kept in memory only.
  TrackedMap<std::int64_t, PasswordRecord> passwords;        ///< by user id
  TrackedMap<std::int64_t, NewPasswordSalts> new_salts;      ///< by user id
  std::map<std::int64_t, SrpChallengeRecord> challenges;     ///< by srp_id (one per user at a time)
  std::map<std::string, ExportedAuthRecord> exported;        ///< by the token's bytes

  /// The live code `hash` for `phone` at `now`, or nullptr (unknown, another number's, expired).
  PhoneCodeRecord* code(const std::string& hash, const std::string& phone, std::int64_t now);
  /// Drops every code of `phone` (a new one supersedes them; a used one is spent).
  void forget_codes(const std::string& phone);
  /// Drops `user_id`'s outstanding SRP challenges.
  void forget_challenges(std::int64_t user_id);
  /// Drops expired codes and exported authorisations.
  void expire(std::int64_t now);
};

}  // namespace telepp::server
