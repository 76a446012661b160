// 2FA over real TCP: setting a password with SRP, logging in with it (SESSION_PASSWORD_NEEDED,
// auth.checkPassword), changing and removing it, and every error of those calls.
#include "accounts_test_support.hpp"
#include "support/fixed_entropy.hpp"
#include "telepp/crypto/srp.hpp"

namespace telepp::server::accounts_test {
namespace {

constexpr const char* kAlice = "9996610001";

using Algo = api::passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow;

Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string text(ByteView b) { return std::string(b.begin(), b.end()); }
crypto::SrpAlgo srp(const Algo& a) { return crypto::SrpAlgo{bytes(a.salt1), bytes(a.salt2), a.g, bytes(a.p)}; }

class TwoFactorTest : public AccountsTest {
 protected:
  api::account::password get_password(TestClient& c) {
    return answer<api::account::Password>(c.query(boxed(api::account::getPassword{}))).as<api::account::password>();
  }

  /// inputCheckPasswordSRP for `password` against a fresh account.password.
  api::inputCheckPasswordSRP prove(TestClient& c, const std::string& password) {
    auto info = get_password(c);
    EXPECT_TRUE(info.has_password);
    if (!info.current_algo || !info.srp_B || !info.srp_id) return {};
    auto algo = srp(info.current_algo->as<Algo>());
    auto x = crypto::srp_password_hash(as_bytes(password), algo.salt1, algo.salt2);
    auto proof = crypto::srp_client_proof(algo, x, as_bytes(*info.srp_B), entropy);
    EXPECT_TRUE(proof.ok()) << proof.error().to_string();
    if (!proof.ok()) return {};
    return api::inputCheckPasswordSRP{.srp_id = *info.srp_id, .A = text(proof->g_a.view()), .M1 = text(proof->m1.view())};
  }

  /// new_settings making `password` the password, with the salts account.password offers.
  api::account::passwordInputSettings new_password(TestClient& c, const std::string& password, std::string hint = "") {
    auto offered = get_password(c).new_algo.as<Algo>();
    Bytes suffix(crypto::kSrpNewSalt1Suffix);
    entropy.fill(suffix);
    Algo chosen = offered;
    chosen.salt1 += text(suffix);
    auto algo = srp(chosen);
    auto v = crypto::srp_verifier(algo, crypto::srp_password_hash(as_bytes(password), algo.salt1, algo.salt2));
    EXPECT_TRUE(v.ok());
    return api::account::passwordInputSettings{.new_algo = chosen, .new_password_hash = text(v->view()), .hint = std::move(hint)};
  }

  test::QueryResult update(TestClient& c, api::InputCheckPasswordSRP current, api::account::passwordInputSettings settings) {
    return c.query(boxed(api::account::updatePasswordSettings{.password = std::move(current), .new_settings = std::move(settings)}));
  }

  /// A second device that got past the code and now waits for the password.
  std::unique_ptr<TestClient> pending_device() {
    auto d = client();
    std::string hash = send_code(*d, kAlice);
    expect_error(d->query(boxed(api::auth::signIn{.phone_number = kAlice, .phone_code_hash = hash, .phone_code = "11111"})), 401,
                 "SESSION_PASSWORD_NEEDED");
    return d;
  }

  test::FixedEntropy entropy{7};
};

TEST_F(TwoFactorTest, SetPasswordThenLogInWithIt) {
  auto c = client();
  auto alice = sign_up(*c, kAlice, "Alice");
  auto before = get_password(*c);
  EXPECT_FALSE(before.has_password);
  EXPECT_FALSE(before.srp_B.has_value());
  const auto& offered = before.new_algo.as<Algo>();
  EXPECT_EQ(offered.g, 3);
  EXPECT_EQ(bytes(offered.p), Bytes(crypto::telegram_dh_prime().bytes.begin(), crypto::telegram_dh_prime().bytes.end()));
  EXPECT_FALSE(offered.salt1.empty());
  EXPECT_TRUE(before.new_secure_algo.is<api::securePasswordKdfAlgoPBKDF2HMACSHA512iter100000>());
  EXPECT_GE(before.secure_random.size(), 32u);

  auto set = update(*c, api::inputCheckPasswordEmpty{}, new_password(*c, "hunter2", "the usual"));
  ASSERT_TRUE(set.result.has_value()) << describe(set);
  auto after = get_password(*c);
  EXPECT_TRUE(after.has_password);
  EXPECT_EQ(after.hint, "the usual");
  ASSERT_TRUE(after.current_algo.has_value());
  EXPECT_EQ(after.current_algo->as<Algo>().salt1.size(), offered.salt1.size() + 32);
  EXPECT_TRUE(crypto::check_dh_value(as_bytes(*after.srp_B), crypto::telegram_dh_prime().view()).ok());

  // Another device: the code is right, the password is needed; until then the key is not logged in.
  auto d = pending_device();
  expect_error(get_self(*d), 401, "AUTH_KEY_UNREGISTERED");
  auto wrong = prove(*d, "hunter3");
  expect_error(d->query(boxed(api::auth::checkPassword{.password = wrong})), 400, "PASSWORD_HASH_INVALID");
  // A challenge is good for one try.
  expect_error(d->query(boxed(api::auth::checkPassword{.password = wrong})), 400, "SRP_ID_INVALID");
  auto login = answer<api::auth::Authorization>(d->query(boxed(api::auth::checkPassword{.password = prove(*d, "hunter2")})));
  EXPECT_EQ(login.as<api::auth::authorization>().user.as<api::user>().id, alice.id);
  EXPECT_EQ(answer<std::vector<api::User>>(get_self(*d)).at(0).as<api::user>().id, alice.id);
}

TEST_F(TwoFactorTest, ChangeAndRemoveThePassword) {
  auto c = client();
  sign_up(*c, kAlice, "Alice");
  ASSERT_TRUE(update(*c, api::inputCheckPasswordEmpty{}, new_password(*c, "one")).result);
  // Changing needs the current password.
  expect_error(update(*c, api::inputCheckPasswordEmpty{}, new_password(*c, "two")), 400, "PASSWORD_HASH_INVALID");
  expect_error(update(*c, prove(*c, "wrong"), new_password(*c, "two")), 400, "PASSWORD_HASH_INVALID");
  ASSERT_TRUE(update(*c, prove(*c, "one"), new_password(*c, "two")).result);
  // The old password no longer proves anything; the new one does.
  auto d = pending_device();
  expect_error(d->query(boxed(api::auth::checkPassword{.password = prove(*d, "one")})), 400, "PASSWORD_HASH_INVALID");
  // Removing: new_algo = passwordKdfAlgoUnknown, no hash.
  ASSERT_TRUE(update(*c, prove(*c, "two"), api::account::passwordInputSettings{.new_algo = api::passwordKdfAlgoUnknown{}, .new_password_hash = "", .hint = ""}).result);
  EXPECT_FALSE(get_password(*c).has_password);
  auto e = client();
  std::string hash = send_code(*e, kAlice);
  EXPECT_TRUE(e->query(boxed(api::auth::signIn{.phone_number = kAlice, .phone_code_hash = hash, .phone_code = "11111"})).result);
}

TEST_F(TwoFactorTest, NewSettingsErrors) {
  auto c = client();
  sign_up(*c, kAlice, "Alice");
  // Salt1 not extended by the client's 32 bytes, or extended from another prefix.
  auto settings = new_password(*c, "pw");
  auto unextended = settings;
  unextended.new_algo = get_password(*c).new_algo;
  expect_error(update(*c, api::inputCheckPasswordEmpty{}, unextended), 400, "NEW_SALT_INVALID");
  auto foreign = settings;
  auto algo = settings.new_algo->as<Algo>();
  algo.salt1[0] = static_cast<char>(algo.salt1[0] ^ 1);
  foreign.new_algo = algo;
  expect_error(update(*c, api::inputCheckPasswordEmpty{}, foreign), 400, "NEW_SALT_INVALID");
  auto other_salt2 = settings;
  algo = settings.new_algo->as<Algo>();
  algo.salt2 += "x";
  other_salt2.new_algo = algo;
  expect_error(update(*c, api::inputCheckPasswordEmpty{}, other_salt2), 400, "NEW_SALT_INVALID");
  // A verifier that is not 256 bytes below p, another group, a removal with a hash.
  auto short_hash = settings;
  short_hash.new_password_hash = "abc";
  expect_error(update(*c, api::inputCheckPasswordEmpty{}, short_hash), 400, "NEW_SETTINGS_INVALID");
  auto too_big = settings;
  too_big.new_password_hash = std::string(256, '\xff');
  expect_error(update(*c, api::inputCheckPasswordEmpty{}, too_big), 400, "NEW_SETTINGS_INVALID");
  auto other_g = settings;
  algo = settings.new_algo->as<Algo>();
  algo.g = 2;
  other_g.new_algo = algo;
  expect_error(update(*c, api::inputCheckPasswordEmpty{}, other_g), 400, "NEW_SETTINGS_INVALID");
  expect_error(update(*c, api::inputCheckPasswordEmpty{},
                      api::account::passwordInputSettings{.new_algo = api::passwordKdfAlgoUnknown{}, .new_password_hash = "x", .hint = ""}),
               400, "NEW_SETTINGS_INVALID");
  expect_error(update(*c, api::inputCheckPasswordEmpty{}, api::account::passwordInputSettings{}), 400, "NEW_SETTINGS_EMPTY");
  // With no password set, an SRP proof is not the current password.
  expect_error(update(*c, api::inputCheckPasswordSRP{.srp_id = 1, .A = "a", .M1 = "m"}, settings), 400, "PASSWORD_HASH_INVALID");
  // Nothing was set by the refused calls; the good one works.
  EXPECT_FALSE(get_password(*c).has_password);
  EXPECT_TRUE(update(*c, api::inputCheckPasswordEmpty{}, new_password(*c, "pw")).result);
}

TEST_F(TwoFactorTest, CheckPasswordErrors) {
  auto c = client();
  sign_up(*c, kAlice, "Alice");
  ASSERT_TRUE(update(*c, api::inputCheckPasswordEmpty{}, new_password(*c, "pw")).result);
  auto d = pending_device();
  auto info = get_password(*d);
  ASSERT_TRUE(info.srp_id.has_value());
  expect_error(d->query(boxed(api::auth::checkPassword{.password = api::inputCheckPasswordEmpty{}})), 400, "PASSWORD_HASH_INVALID");
  expect_error(d->query(boxed(api::auth::checkPassword{.password = api::inputCheckPasswordSRP{.srp_id = *info.srp_id + 1, .A = "", .M1 = ""}})),
               400, "SRP_ID_INVALID");
  // A malformed A (zero) is refused like a wrong password.
  info = get_password(*d);
  expect_error(d->query(boxed(api::auth::checkPassword{.password = api::inputCheckPasswordSRP{.srp_id = *info.srp_id, .A = std::string(256, '\0'), .M1 = std::string(32, 'm')}})),
               400, "PASSWORD_HASH_INVALID");
  // A newer getPassword replaces the outstanding challenge.
  auto stale = prove(*d, "pw");
  get_password(*d);
  expect_error(d->query(boxed(api::auth::checkPassword{.password = stale})), 400, "SRP_ID_INVALID");
  // A key with no login in progress.
  auto fresh = client();
  expect_error(fresh->query(init_wrapped(api::auth::checkPassword{.password = api::inputCheckPasswordEmpty{}})), 401, "AUTH_KEY_UNREGISTERED");
  expect_error(fresh->query(boxed(api::account::getPassword{})), 401, "AUTH_KEY_UNREGISTERED");
  expect_error(fresh->query(boxed(api::account::updatePasswordSettings{.password = api::inputCheckPasswordEmpty{}, .new_settings = api::account::passwordInputSettings{}})),
               401, "AUTH_KEY_UNREGISTERED");
}

TEST_F(TwoFactorTest, PendingPasswordShowsInAuthorizations) {
  auto c = client();
  sign_up(*c, kAlice, "Alice");
  ASSERT_TRUE(update(*c, api::inputCheckPasswordEmpty{}, new_password(*c, "pw")).result);
  auto d = pending_device();
  auto list = answer<api::account::Authorizations>(c->query(boxed(api::account::getAuthorizations{}))).as<api::account::authorizations>();
  ASSERT_EQ(list.authorizations.size(), 2u);
  int pending = 0;
  for (const auto& a : list.authorizations) pending += a.as<api::authorization>().password_pending;
  EXPECT_EQ(pending, 1);
}

}  // namespace
}  // namespace telepp::server::accounts_test
