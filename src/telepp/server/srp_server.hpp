#pragma once
/// \file The server's half of 2FA (https://core.telegram.org/api/srp): account.password with a
/// fresh SRP challenge, checking inputCheckPasswordSRP, and setting, changing or removing a
/// password. The math is crypto/srp.hpp; the records are account_store.hpp.

#include <cstdint>
#include <optional>

#include "telepp/crypto/srp.hpp"
#include "telepp/server/dispatcher.hpp"

namespace telepp::server {

/// Telegram's group (g = 3, the 2048-bit DH prime) with the given salts.
crypto::SrpAlgo srp_algo(const Bytes& salt1, const Bytes& salt2);

/// account.password for `user_id`: the current algorithm with a new challenge (srp_id, srp_B)
/// when a password is set (earlier challenges of the user are dropped), and new_algo with the
/// salts a new password must use.
api::account::password password_info(Call& call, std::int64_t user_id);

/// Checks `input` against `user_id`'s password: nullopt when it proves the password, else the
/// error to answer: PASSWORD_HASH_INVALID (wrong password, no password set, inputCheckPasswordEmpty,
/// a malformed A or M1) or SRP_ID_INVALID (not the user's outstanding challenge). A challenge is
/// used up by the check, right or wrong.
std::optional<Reply> check_password(Call& call, std::int64_t user_id, const api::InputCheckPasswordSRP& input);

/// Applies account.passwordInputSettings for `user_id` whose current password (if any) was
/// already checked: new_algo = passwordKdfAlgoUnknown with an empty hash removes the password;
/// the SRP algorithm with salt1 = offered salt1 + 32 bytes, the offered salt2 and a 256-byte
/// verifier sets it. Errors: NEW_SETTINGS_EMPTY, NEW_SALT_INVALID, NEW_SETTINGS_INVALID.
std::optional<Reply> apply_password_settings(Call& call, std::int64_t user_id,
                                             const api::account::PasswordInputSettings& settings);

}  // namespace telepp::server
