#include "telepp/mtproto/handshake/client_handshake.hpp"

#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>

#include "telepp/crypto/handshake_kdf.hpp"
#include "telepp/crypto/hash.hpp"
#include "telepp/crypto/pq.hpp"
#include "telepp/crypto/rsa_pad.hpp"
#include "telepp/mtp.hpp"
#include "telepp/mtproto/handshake/detail.hpp"

namespace telepp::mtproto::handshake {
namespace {

using detail::in;
using detail::tl_string;
using detail::tl_view;

// b is redrawn while g_b falls outside the recommended range; with a real source of randomness
// the first draw succeeds with probability 1 - 2^-63.
constexpr int kMaxExponentDraws = 16;

Failure unexpected(std::string detail) { return mtproto_fail(MtprotoErrc::handshake_unexpected, std::move(detail)); }

// SECURITY: every nonce the server echoes must be the one of this run of the protocol (security
// guidelines, "Checking nonce, server_nonce and new_nonce fields").
Status check_nonces(const Int128& got_nonce, const Int128& nonce, const Int128& got_server_nonce,
                    const Int128& server_nonce, std::string_view where) {
  if (!detail::equal_ct(got_nonce.view(), nonce.view())) {
    return mtproto_fail(MtprotoErrc::handshake_nonce, std::string(where) + ": nonce is not ours");
  }
  if (!detail::equal_ct(got_server_nonce.view(), server_nonce.view())) {
    return mtproto_fail(MtprotoErrc::handshake_nonce, std::string(where) + ": server_nonce is not the one of resPQ");
  }
  return {};
}

}  // namespace

ClientHandshake::ClientHandshake(ClientHandshakeConfig config) : config_(std::move(config)) {
  ids_.set_offset(config_.clock_offset);
}

ClientHandshake::~ClientHandshake() { wipe_secrets(); }

void ClientHandshake::wipe_secrets() {
  detail::wipe(new_nonce_);
  detail::wipe(tmp_aes_.key);
  detail::wipe(tmp_aes_.iv);
  static_assert(std::is_trivially_copyable_v<AuthKey>);
  detail::wipe(&pending_key_, sizeof pending_key_);
}

Result<Bytes> ClientHandshake::start(Time now, Entropy& entropy) {
  if (state_ != ClientState::start) return unexpected("start() called twice");
  if (config_.kind == KeyKind::temporary && config_.expires_in <= 0) {
    state_ = ClientState::failed;
    return unexpected("a temporary key needs a positive expires_in, got " + std::to_string(config_.expires_in));
  }
  entropy.fill({nonce_.data(), nonce_.size()});
  auto packet = detail::frame(mtp::req_pq_multi{nonce_}, ids_, now);
  state_ = packet ? ClientState::wait_res_pq : ClientState::failed;
  return packet;
}

Result<ClientStep> ClientHandshake::on_message(ByteView packet, Time now, Entropy& entropy) {
  Result<ClientStep> step = unexpected("no answer is expected in this state");
  switch (state_) {
    case ClientState::wait_res_pq:
      step = on_res_pq(packet, now, entropy);
      break;
    case ClientState::wait_server_dh_params:
      step = on_server_dh_params(packet, now, entropy);
      break;
    case ClientState::wait_dh_gen:
      step = on_dh_gen(packet, now, entropy);
      break;
    case ClientState::start:
      step = unexpected("an answer before start()");
      break;
    case ClientState::done:
    case ClientState::failed:
      step = unexpected("the handshake is over");
      break;
  }
  if (!step) {
    state_ = ClientState::failed;
    wipe_secrets();
  } else if (step->done) {
    state_ = ClientState::done;
    wipe_secrets();
  }
  return step;
}

Result<ClientStep> ClientHandshake::on_res_pq(ByteView packet, Time now, Entropy& entropy) {
  auto holder = detail::unframe<mtp::ResPQ>(packet, Direction::server_to_client, "resPQ");
  if (!holder) return Failure{holder.take_error()};
  const auto& res = holder->as<mtp::resPQ>();  // resPQ is ResPQ's only constructor
  // SECURITY: the nonce identifies our request; resPQ for someone else's must not be used.
  if (!detail::equal_ct(res.nonce.view(), nonce_.view())) {
    return mtproto_fail(MtprotoErrc::handshake_nonce, "resPQ: nonce is not ours");
  }
  server_nonce_ = res.server_nonce;

  // Proof of work: pq is a big-endian number of at most 64 bits, the product of two primes.
  auto pq = crypto::uint64_from_be(tl_view(res.pq));
  if (!pq) return in("resPQ.pq", pq.take_error());
  auto factors = crypto::factorize_pq(*pq);
  if (!factors) return in("resPQ.pq", factors.take_error());

  // SECURITY: only a key we already trust may carry new_nonce; an unknown key could be anyone's.
  const crypto::RsaPublicKey* key = nullptr;
  std::int64_t fingerprint = 0;
  for (std::int64_t fp : res.server_public_key_fingerprints) {
    auto it = config_.server_keys.find(static_cast<std::uint64_t>(fp));
    if (it != config_.server_keys.end()) {
      key = &it->second;
      fingerprint = fp;
      break;
    }
  }
  if (key == nullptr) {
    return mtproto_fail(MtprotoErrc::handshake_no_key,
                        "resPQ: none of the " + std::to_string(res.server_public_key_fingerprints.size()) +
                            " server key fingerprints is a key we trust");
  }

  entropy.fill({new_nonce_.data(), new_nonce_.size()});
  const std::string p = tl_string(crypto::uint64_to_be(factors->p));
  const std::string q = tl_string(crypto::uint64_to_be(factors->q));
  // pq goes back exactly as the server sent it.
  Result<Bytes> inner = config_.kind == KeyKind::temporary
                            ? detail::serialize(mtp::p_q_inner_data_temp_dc{res.pq, p, q, nonce_, server_nonce_,
                                                                            new_nonce_, config_.dc(),
                                                                            config_.expires_in})
                            : detail::serialize(mtp::p_q_inner_data_dc{res.pq, p, q, nonce_, server_nonce_, new_nonce_,
                                                                       config_.dc()});
  if (!inner) return Failure{inner.take_error()};
  auto encrypted = crypto::rsa_pad_encrypt(*key, *inner, entropy);
  detail::wipe(inner->data(), inner->size());
  if (!encrypted) return in("RSA_PAD(p_q_inner_data)", encrypted.take_error());

  tmp_aes_ = crypto::handshake_tmp_aes(new_nonce_, server_nonce_);
  auto message = detail::frame(
      mtp::req_DH_params{nonce_, server_nonce_, p, q, fingerprint, tl_string(*encrypted)}, ids_, now);
  if (!message) return Failure{message.take_error()};
  state_ = ClientState::wait_server_dh_params;
  return ClientStep{std::move(*message), std::nullopt};
}

Result<ClientStep> ClientHandshake::on_server_dh_params(ByteView packet, Time now, Entropy& entropy) {
  auto holder = detail::unframe<mtp::Server_DH_Params>(packet, Direction::server_to_client, "Server_DH_Params");
  if (!holder) return Failure{holder.take_error()};

  if (const auto* failed = holder->get_if<mtp::server_DH_params_fail>()) {
    TELEPP_TRY(check_nonces(failed->nonce, nonce_, failed->server_nonce, server_nonce_, "server_DH_params_fail"));
    // SECURITY: new_nonce_hash (the low 128 bits of SHA1(new_nonce)) proves the refusal comes from
    // the server that decrypted our request, not from someone in between.
    const crypto::Sha1Digest h = crypto::sha1(new_nonce_.view());
    if (!detail::equal_ct(failed->new_nonce_hash.view(), h.view().subspan(4))) {
      return mtproto_fail(MtprotoErrc::handshake_hash, "server_DH_params_fail: new_nonce_hash does not match");
    }
    return mtproto_fail(MtprotoErrc::handshake_failed, "the server refused req_DH_params (server_DH_params_fail)");
  }

  const auto& ok = holder->as<mtp::server_DH_params_ok>();
  TELEPP_TRY(check_nonces(ok.nonce, nonce_, ok.server_nonce, server_nonce_, "server_DH_params_ok"));
  auto inner = detail::open_with_sha1<mtp::server_DH_inner_data>(tl_view(ok.encrypted_answer), tmp_aes_,
                                                                 "server_DH_params_ok.encrypted_answer");
  if (!inner) return Failure{inner.take_error()};
  TELEPP_TRY(check_nonces(inner->nonce, nonce_, inner->server_nonce, server_nonce_, "server_DH_inner_data"));

  // SECURITY: a safe 2048-bit prime with g generating the subgroup of order (p-1)/2; proven once
  // per prime and then cached, as the docs suggest.
  const ByteView prime = tl_view(inner->dh_prime);
  crypto::DhPrimeCache& cache = config_.prime_cache ? *config_.prime_cache : crypto::DhPrimeCache::global();
  if (auto s = crypto::check_dh_params(prime, inner->g, cache); !s) {
    return in("server_DH_inner_data.dh_prime/g", s.take_error());
  }
  // SECURITY: 1 < g_a < p - 1 and 2^(2048-64) <= g_a <= p - 2^(2048-64).
  const ByteView g_a = tl_view(inner->g_a);
  if (auto s = crypto::check_dh_value(g_a, prime); !s) return in("server_DH_inner_data.g_a", s.take_error());

  std::copy(prime.begin(), prime.end(), dh_prime_.bytes.begin());  // exactly 256 bytes (checked)
  g_a_ = crypto::DhValue{};
  std::copy(g_a.begin(), g_a.end(), g_a_.bytes.end() - static_cast<std::ptrdiff_t>(g_a.size()));
  g_ = inner->g;
  // NOTE: server_time has second resolution, so the offset is kept in whole seconds.
  time_offset_ = from_unix_seconds(std::int64_t{inner->server_time} - unix_seconds(now));
  ids_.set_offset(time_offset_);
  retry_id_ = 0;

  auto message = make_set_client_dh_params(now, entropy);
  if (!message) return Failure{message.take_error()};
  state_ = ClientState::wait_dh_gen;
  return ClientStep{std::move(*message), std::nullopt};
}

Result<Bytes> ClientHandshake::make_set_client_dh_params(Time now, Entropy& entropy) {
  const ByteView prime = dh_prime_.view();
  crypto::DhValue b;
  crypto::DhValue g_b;
  int draw = 0;
  for (;; ++draw) {
    if (draw == kMaxExponentDraws) {
      detail::wipe(b);
      return mtproto_fail(MtprotoErrc::handshake_failed,
                          "no b in " + std::to_string(kMaxExponentDraws) + " draws gave g_b in range (broken entropy?)");
    }
    entropy.fill({b.data(), b.size()});
    auto power = crypto::dh_pow_g(static_cast<std::uint32_t>(g_), b.view(), prime);
    if (!power) {
      detail::wipe(b);
      return in("g_b", power.take_error());
    }
    g_b = *power;
    // SECURITY: our own g_b gets the same range check as the server's g_a.
    if (crypto::check_dh_value(g_b.view(), prime)) break;
  }
  auto shared = crypto::dh_mod_exp(g_a_.view(), b.view(), prime);
  detail::wipe(b);
  if (!shared) return in("auth_key", shared.take_error());
  pending_key_ = AuthKey(*shared);
  detail::wipe(*shared);

  auto inner = detail::serialize(mtp::client_DH_inner_data{nonce_, server_nonce_, retry_id_, tl_string(g_b.view())});
  if (!inner) return Failure{inner.take_error()};
  auto encrypted = detail::seal_with_sha1(*inner, tmp_aes_, entropy);
  if (!encrypted) return Failure{encrypted.take_error()};
  return detail::frame(mtp::set_client_DH_params{nonce_, server_nonce_, tl_string(*encrypted)}, ids_, now);
}

Result<ClientStep> ClientHandshake::on_dh_gen(ByteView packet, Time now, Entropy& entropy) {
  auto holder = detail::unframe<mtp::Set_client_DH_params_answer>(packet, Direction::server_to_client,
                                                                  "Set_client_DH_params_answer");
  if (!holder) return Failure{holder.take_error()};
  const AuthKey::Bytes256& key = pending_key_.bytes();

  // SECURITY: new_nonce_hash1/2/3 differ per outcome, so an intruder cannot turn one answer into
  // another, and they hash the key, so they confirm both sides computed the same one.
  auto hash_matches = [&](const Int128& got, crypto::DhGenOutcome outcome) {
    const Int128 expected = crypto::new_nonce_hash(new_nonce_, outcome, key);
    return detail::equal_ct(got.view(), expected.view());
  };

  if (const auto* ok = holder->get_if<mtp::dh_gen_ok>()) {
    TELEPP_TRY(check_nonces(ok->nonce, nonce_, ok->server_nonce, server_nonce_, "dh_gen_ok"));
    if (!hash_matches(ok->new_nonce_hash1, crypto::DhGenOutcome::ok)) {
      return mtproto_fail(MtprotoErrc::handshake_hash, "dh_gen_ok: new_nonce_hash1 does not match");
    }
    ClientHandshakeResult result;
    result.key.auth_key = pending_key_;
    result.key.server_salt = crypto::handshake_server_salt(new_nonce_, server_nonce_);
    result.key.kind = config_.kind;
    result.key.dc = config_.dc();
    if (config_.kind == KeyKind::temporary) {
      result.key.expires_at = unix_seconds(now + time_offset_) + config_.expires_in;
    }
    result.time_offset = time_offset_;
    return ClientStep{{}, std::move(result)};
  }
  if (const auto* retry = holder->get_if<mtp::dh_gen_retry>()) {
    TELEPP_TRY(check_nonces(retry->nonce, nonce_, retry->server_nonce, server_nonce_, "dh_gen_retry"));
    if (!hash_matches(retry->new_nonce_hash2, crypto::DhGenOutcome::retry)) {
      return mtproto_fail(MtprotoErrc::handshake_hash, "dh_gen_retry: new_nonce_hash2 does not match");
    }
    if (++retries_ > config_.max_retries) {
      return mtproto_fail(MtprotoErrc::handshake_failed,
                          "dh_gen_retry more than " + std::to_string(config_.max_retries) + " times");
    }
    // The next attempt names the key that collided: retry_id = its auth_key_aux_hash.
    retry_id_ = static_cast<std::int64_t>(pending_key_.aux_hash());
    auto message = make_set_client_dh_params(now, entropy);
    if (!message) return Failure{message.take_error()};
    return ClientStep{std::move(*message), std::nullopt};
  }
  const auto& failed = holder->as<mtp::dh_gen_fail>();
  TELEPP_TRY(check_nonces(failed.nonce, nonce_, failed.server_nonce, server_nonce_, "dh_gen_fail"));
  if (!hash_matches(failed.new_nonce_hash3, crypto::DhGenOutcome::fail)) {
    return mtproto_fail(MtprotoErrc::handshake_hash, "dh_gen_fail: new_nonce_hash3 does not match");
  }
  return mtproto_fail(MtprotoErrc::handshake_failed, "the server answered dh_gen_fail");
}

}  // namespace telepp::mtproto::handshake
