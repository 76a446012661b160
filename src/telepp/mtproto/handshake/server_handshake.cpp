#include "telepp/mtproto/handshake/server_handshake.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/handshake_kdf.hpp"
#include "telepp/crypto/pq.hpp"
#include "telepp/crypto/rsa_pad.hpp"
#include "telepp/mtp.hpp"
#include "telepp/mtproto/handshake/detail.hpp"

namespace telepp::mtproto::handshake {
namespace {

using detail::in;
using detail::tl_string;
using detail::tl_view;

// a is redrawn while g_a falls outside the recommended range (probability 2^-63 per draw).
constexpr int kMaxExponentDraws = 16;

Failure unexpected(std::string detail) { return mtproto_fail(MtprotoErrc::handshake_unexpected, std::move(detail)); }

// SECURITY: every message of one run carries this run's (nonce, server_nonce); anything else
// belongs to another run or to an intruder.
Status check_nonces(const Int128& got_nonce, const Int128& nonce, const Int128& got_server_nonce,
                    const Int128& server_nonce, std::string_view where) {
  if (!detail::equal_ct(got_nonce.view(), nonce.view())) {
    return mtproto_fail(MtprotoErrc::handshake_nonce, std::string(where) + ": nonce is not the one of req_pq");
  }
  if (!detail::equal_ct(got_server_nonce.view(), server_nonce.view())) {
    return mtproto_fail(MtprotoErrc::handshake_nonce, std::string(where) + ": server_nonce is not ours");
  }
  return {};
}

// SECURITY: the proof of work must be this run's pq and its factors, compared as numbers.
Status check_number(const std::string& got, std::uint64_t expected, std::string_view what) {
  auto value = crypto::uint64_from_be(tl_view(got));
  if (!value || *value != expected) {
    return unexpected(std::string(what) + " is not the proof of work of this run");
  }
  return {};
}

// The fields every P_Q_inner_data constructor shares, and the optional ones.
struct InnerData {
  const std::string* pq = nullptr;
  const std::string* p = nullptr;
  const std::string* q = nullptr;
  Int128 nonce{};
  Int128 server_nonce{};
  Int256 new_nonce{};
  std::optional<std::int32_t> dc;
  std::optional<std::int32_t> expires_in;
};

template <class C>
InnerData common_fields(const C& c) {
  InnerData d;
  d.pq = &c.pq;
  d.p = &c.p;
  d.q = &c.q;
  d.nonce = c.nonce;
  d.server_nonce = c.server_nonce;
  d.new_nonce = c.new_nonce;
  return d;
}

InnerData fields_of(const mtp::P_Q_inner_data& h) {
  if (const auto* c = h.get_if<mtp::p_q_inner_data_dc>()) {
    auto d = common_fields(*c);
    d.dc = c->dc;
    return d;
  }
  if (const auto* c = h.get_if<mtp::p_q_inner_data_temp_dc>()) {
    auto d = common_fields(*c);
    d.dc = c->dc;
    d.expires_in = c->expires_in;
    return d;
  }
  if (const auto* c = h.get_if<mtp::p_q_inner_data_temp>()) {
    auto d = common_fields(*c);
    d.expires_in = c->expires_in;
    return d;
  }
  return common_fields(h.as<mtp::p_q_inner_data>());
}

}  // namespace

ServerHandshake::ServerHandshake(ServerHandshakeConfig config) : config_(std::move(config)) {}

ServerHandshake::~ServerHandshake() { wipe_secrets(); }

void ServerHandshake::wipe_secrets() {
  detail::wipe(a_);
  detail::wipe(new_nonce_);
  detail::wipe(tmp_aes_.key);
  detail::wipe(tmp_aes_.iv);
}

Result<ServerStep> ServerHandshake::on_message(ByteView packet, Time now, Entropy& entropy) {
  Result<ServerStep> step = unexpected("the handshake is over");
  switch (state_) {
    case ServerState::wait_req_pq:
      step = on_req_pq(packet, now, entropy);
      break;
    case ServerState::wait_req_dh_params:
      step = on_req_dh_params(packet, now, entropy);
      break;
    case ServerState::wait_set_client_dh_params:
      step = on_set_client_dh_params(packet, now);
      break;
    case ServerState::done:
    case ServerState::failed:
      break;
  }
  if (!step || step->failure) {
    state_ = ServerState::failed;
    wipe_secrets();
  } else if (step->done) {
    state_ = ServerState::done;
    wipe_secrets();
  }
  return step;
}

Result<ServerStep> ServerHandshake::on_req_pq(ByteView packet, Time now, Entropy& entropy) {
  auto request = detail::unframe<mtp::AnyFunction>(packet, Direction::client_to_server, "req_pq_multi or req_pq");
  if (!request) return Failure{request.take_error()};
  // req_pq is the pre-2017 form that older clients still send; both get the same answer.
  if (const auto* multi = request->get_if<mtp::req_pq_multi>()) nonce_ = multi->nonce;
  else if (const auto* legacy = request->get_if<mtp::req_pq>()) nonce_ = legacy->nonce;
  else return unexpected(std::string("expected req_pq_multi or req_pq, got ") + std::string(request->name()));

  entropy.fill({server_nonce_.data(), server_nonce_.size()});
  const crypto::PqChallenge challenge = crypto::generate_pq(entropy);
  pq_ = challenge.pq;
  p_ = challenge.p;
  q_ = challenge.q;
  mtp::resPQ answer{nonce_, server_nonce_, tl_string(crypto::uint64_to_be(pq_)), {}};
  for (const auto& key : config_.keys) {
    answer.server_public_key_fingerprints.push_back(static_cast<std::int64_t>(key.public_key().fingerprint()));
  }
  auto message = detail::frame(answer, ids_, now);
  if (!message) return Failure{message.take_error()};
  state_ = ServerState::wait_req_dh_params;
  return ServerStep{std::move(*message), std::nullopt, std::nullopt};
}

Result<ServerStep> ServerHandshake::on_req_dh_params(ByteView packet, Time now, Entropy& entropy) {
  auto request = detail::unframe<mtp::req_DH_params>(packet, Direction::client_to_server, "req_DH_params");
  if (!request) return Failure{request.take_error()};
  TELEPP_TRY(check_nonces(request->nonce, nonce_, request->server_nonce, server_nonce_, "req_DH_params"));
  TELEPP_TRY(check_number(request->p, p_, "req_DH_params.p"));
  TELEPP_TRY(check_number(request->q, q_, "req_DH_params.q"));

  // SECURITY: only a key of ours, and the one the client named: the client picked it because it
  // trusts it, and decrypting with another would only produce garbage to parse.
  const crypto::RsaPrivateKey* key = nullptr;
  for (const auto& k : config_.keys) {
    if (static_cast<std::int64_t>(k.public_key().fingerprint()) == request->public_key_fingerprint) {
      key = &k;
      break;
    }
  }
  if (key == nullptr) {
    return mtproto_fail(MtprotoErrc::handshake_no_key, "req_DH_params: public_key_fingerprint " +
                                                           std::to_string(request->public_key_fingerprint) +
                                                           " is none of this server's keys");
  }

  // MTProto 2.0 clients send RSA_PAD; its SHA-256 authenticates all 192 bytes. Older clients send
  // RSA(SHA1(data) ‖ data ‖ padding), which only fails RSA_PAD's hash (bad_padding).
  const ByteView encrypted = tl_view(request->encrypted_data);
  mtp::P_Q_inner_data inner;
  auto padded = crypto::rsa_pad_decrypt(*key, encrypted);
  if (padded) {
    auto parsed = detail::parse_prefix<mtp::P_Q_inner_data>(*padded, "RSA_PAD data");
    detail::wipe(padded->data(), padded->size());
    if (!parsed) return unexpected("req_DH_params.encrypted_data: " + parsed.error().detail);
    inner = std::move(parsed->first);
    legacy_rsa_ = false;
  } else if (crypto::is(padded.error(), crypto::CryptoErrc::bad_padding)) {
    if (!config_.accept_legacy_rsa) {
      return mtproto_fail(MtprotoErrc::handshake_hash, "req_DH_params.encrypted_data: " + padded.error().detail);
    }
    auto legacy = crypto::rsa_legacy_decrypt(*key, encrypted);
    if (!legacy) {
      return mtproto_fail(MtprotoErrc::handshake_hash,
                          "req_DH_params.encrypted_data is neither RSA_PAD nor the legacy scheme");
    }
    auto parsed = detail::parse_prefix<mtp::P_Q_inner_data>(legacy->data_with_padding, "legacy RSA data");
    // SECURITY: the legacy scheme's only integrity check: SHA1 of exactly the parsed data.
    const bool hashed = parsed && legacy->hash_matches(parsed->second);
    detail::wipe(legacy->data_with_padding.data(), legacy->data_with_padding.size());
    if (!hashed) {
      return mtproto_fail(MtprotoErrc::handshake_hash,
                          "req_DH_params.encrypted_data is neither RSA_PAD nor a legacy payload with a matching SHA-1");
    }
    inner = std::move(parsed->first);
    legacy_rsa_ = true;
  } else {
    return in("req_DH_params.encrypted_data", padded.take_error());
  }

  const InnerData d = fields_of(inner);
  TELEPP_TRY(check_nonces(d.nonce, nonce_, d.server_nonce, server_nonce_, "p_q_inner_data"));
  TELEPP_TRY(check_number(*d.pq, pq_, "p_q_inner_data.pq"));
  TELEPP_TRY(check_number(*d.p, p_, "p_q_inner_data.p"));
  TELEPP_TRY(check_number(*d.q, q_, "p_q_inner_data.q"));
  // SECURITY: a key made for another DC (or a test DC on a production server) is refused, as
  // Telegram does with -444.
  if (d.dc && !config_.accepted_dcs.empty() &&
      std::find(config_.accepted_dcs.begin(), config_.accepted_dcs.end(), *d.dc) == config_.accepted_dcs.end()) {
    return unexpected("p_q_inner_data: dc " + std::to_string(*d.dc) + " is not served here");
  }
  if (d.expires_in && *d.expires_in <= 0) {
    return unexpected("p_q_inner_data_temp: expires_in " + std::to_string(*d.expires_in) + " is not positive");
  }
  new_nonce_ = d.new_nonce;
  dc_ = d.dc;
  kind_ = d.expires_in ? KeyKind::temporary : KeyKind::permanent;
  expires_in_ = d.expires_in.value_or(0);
  tmp_aes_ = crypto::handshake_tmp_aes(new_nonce_, server_nonce_);

  const ByteView prime = config_.dh_prime.view();
  crypto::DhValue g_a;
  for (int draw = 0;; ++draw) {
    if (draw == kMaxExponentDraws) {
      return mtproto_fail(MtprotoErrc::handshake_failed, "no a gave g_a in range (broken entropy?)");
    }
    entropy.fill({a_.data(), a_.size()});
    auto power = crypto::dh_pow_g(static_cast<std::uint32_t>(config_.g), a_.view(), prime);
    if (!power) return in("g_a", power.take_error());
    g_a = *power;
    // SECURITY: both sides check the DH values, ours included.
    if (crypto::check_dh_value(g_a.view(), prime)) break;
  }

  const mtp::server_DH_inner_data answer{nonce_,
                                         server_nonce_,
                                         config_.g,
                                         tl_string(prime),
                                         tl_string(g_a.view()),
                                         static_cast<std::int32_t>(unix_seconds(now))};
  auto plain = detail::serialize(answer);
  if (!plain) return Failure{plain.take_error()};
  auto sealed = detail::seal_with_sha1(*plain, tmp_aes_, entropy);
  if (!sealed) return Failure{sealed.take_error()};
  auto message = detail::frame(mtp::server_DH_params_ok{nonce_, server_nonce_, tl_string(*sealed)}, ids_, now);
  if (!message) return Failure{message.take_error()};
  expected_retry_id_ = 0;
  state_ = ServerState::wait_set_client_dh_params;
  return ServerStep{std::move(*message), std::nullopt, std::nullopt};
}

Result<ServerStep> ServerHandshake::on_set_client_dh_params(ByteView packet, Time now) {
  auto request =
      detail::unframe<mtp::set_client_DH_params>(packet, Direction::client_to_server, "set_client_DH_params");
  if (!request) return Failure{request.take_error()};
  TELEPP_TRY(check_nonces(request->nonce, nonce_, request->server_nonce, server_nonce_, "set_client_DH_params"));
  auto inner = detail::open_with_sha1<mtp::client_DH_inner_data>(tl_view(request->encrypted_data), tmp_aes_,
                                                                 "set_client_DH_params.encrypted_data");
  if (!inner) return Failure{inner.take_error()};
  TELEPP_TRY(check_nonces(inner->nonce, nonce_, inner->server_nonce, server_nonce_, "client_DH_inner_data"));

  const ByteView prime = config_.dh_prime.view();
  const ByteView g_b = tl_view(inner->g_b);
  auto shared = crypto::dh_mod_exp(g_b, a_.view(), prime);
  if (!shared) return in("client_DH_inner_data.g_b", shared.take_error());
  const AuthKey key(*shared);
  detail::wipe(*shared);

  auto answer = [&](crypto::DhGenOutcome outcome) -> Result<Bytes> {
    const Int128 hash = crypto::new_nonce_hash(new_nonce_, outcome, key.bytes());
    switch (outcome) {
      case crypto::DhGenOutcome::ok:
        return detail::frame(mtp::dh_gen_ok{nonce_, server_nonce_, hash}, ids_, now);
      case crypto::DhGenOutcome::retry:
        return detail::frame(mtp::dh_gen_retry{nonce_, server_nonce_, hash}, ids_, now);
      case crypto::DhGenOutcome::fail:
        break;
    }
    return detail::frame(mtp::dh_gen_fail{nonce_, server_nonce_, hash}, ids_, now);
  };
  // The data decrypted and its hash matched, so the client is the one of this run: a bad value
  // gets dh_gen_fail (which the client can verify) before the connection closes.
  auto refuse = [&](Error why) -> Result<ServerStep> {
    auto message = answer(crypto::DhGenOutcome::fail);
    if (!message) return Failure{message.take_error()};
    return ServerStep{std::move(*message), std::nullopt, std::move(why)};
  };

  // SECURITY: retry_id is 0 on the first attempt, then the aux hash of the key that collided:
  // an old or replayed client_DH_inner_data does not match.
  if (inner->retry_id != expected_retry_id_) {
    return refuse(mtproto_error(MtprotoErrc::handshake_unexpected,
                                "client_DH_inner_data.retry_id " + std::to_string(inner->retry_id) + ", expected " +
                                    std::to_string(expected_retry_id_)));
  }
  // SECURITY: 1 < g_b < p - 1 and 2^(2048-64) <= g_b <= p - 2^(2048-64).
  if (auto s = crypto::check_dh_value(g_b, prime); !s) {
    Error e = s.take_error();
    e.detail = "client_DH_inner_data.g_b: " + e.detail;
    return refuse(std::move(e));
  }

  if (config_.key_exists && config_.key_exists(key.id())) {
    if (retries_ >= config_.max_retries) {
      return refuse(mtproto_error(MtprotoErrc::handshake_failed,
                                  "auth_key_id collided " + std::to_string(retries_ + 1) + " times"));
    }
    ++retries_;
    expected_retry_id_ = static_cast<std::int64_t>(key.aux_hash());
    auto message = answer(crypto::DhGenOutcome::retry);
    if (!message) return Failure{message.take_error()};
    return ServerStep{std::move(*message), std::nullopt, std::nullopt};
  }

  auto message = answer(crypto::DhGenOutcome::ok);
  if (!message) return Failure{message.take_error()};
  ServerHandshakeResult result;
  result.key.auth_key = key;
  result.key.server_salt = crypto::handshake_server_salt(new_nonce_, server_nonce_);
  result.key.kind = kind_;
  result.key.dc = dc_;
  if (kind_ == KeyKind::temporary) result.key.expires_at = unix_seconds(now) + expires_in_;
  result.legacy_rsa = legacy_rsa_;
  return ServerStep{std::move(*message), std::move(result), std::nullopt};
}

}  // namespace telepp::mtproto::handshake
