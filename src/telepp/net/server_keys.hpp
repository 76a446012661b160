#pragma once
/// \file The RSA keys a client trusts for the auth-key handshake, from PEM text.

#include <string_view>
#include <vector>

#include "telepp/base/result.hpp"
#include "telepp/crypto/rsa.hpp"

namespace telepp::net {

/// Every public key in `pem` (one or more PEM blocks, PKCS#1 or SubjectPublicKeyInfo, as
/// `RsaPublicKey::from_pem` reads them). Errors: `bad_options` when there is none, or the crypto
/// error of the first block that does not parse.
Result<std::vector<crypto::RsaPublicKey>> parse_server_keys(std::string_view pem);

}  // namespace telepp::net
