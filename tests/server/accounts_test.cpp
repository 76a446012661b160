// Accounts over real TCP: phone login (sendCode/signIn/signUp) with home DCs and migration,
// exporting an authorisation to another DC, logging out, the list of logged-in devices, usernames,
// profiles and full users.
#include "accounts_test_support.hpp"

namespace telepp::server::accounts_test {
namespace {

constexpr const char* kAlice = "9996610001";  // home DC 1, code 11111
constexpr const char* kBob = "9996610002";
constexpr const char* kCarol = "9996621234";  // home DC 2, code 22222

TEST_F(AccountsTest, NewNumberSignsUpThenSignsInFromAnotherDevice) {
  auto c = client();
  std::string hash = send_code(*c, kAlice);
  EXPECT_GE(hash.size(), 16u);
  auto r = c->query(boxed(api::auth::signIn{.phone_number = kAlice, .phone_code_hash = hash, .phone_code = "11111"}));
  EXPECT_TRUE(answer<api::auth::Authorization>(r).is<api::auth::authorizationSignUpRequired>());
  auto auth = answer<api::auth::Authorization>(c->query(boxed(api::auth::signUp{
      .phone_number = kAlice, .phone_code_hash = hash, .first_name = "  Alice ", .last_name = "Liddell"})));
  const auto& alice = auth.as<api::auth::authorization>().user.as<api::user>();
  EXPECT_TRUE(alice.self);
  EXPECT_FALSE(alice.bot);
  EXPECT_EQ(alice.first_name, "Alice");
  EXPECT_EQ(alice.last_name, "Liddell");
  EXPECT_EQ(alice.phone, kAlice);
  EXPECT_NE(alice.access_hash, 0);
  auto self = answer<std::vector<api::User>>(get_self(*c));
  ASSERT_EQ(self.size(), 1u);
  EXPECT_EQ(self[0].as<api::user>().id, alice.id);

  // A second device: the registered number gets the code "in the app", then logs in directly.
  auto d = client();
  auto sent = answer<api::auth::SentCode>(d->query(init_wrapped(api::auth::sendCode{
      .phone_number = "+999 661 0001", .api_id = 1, .api_hash = "h", .settings = api::codeSettings{}})));
  const auto& code = sent.as<api::auth::sentCode>();
  EXPECT_TRUE(code.type.is<api::auth::sentCodeTypeApp>());
  EXPECT_EQ(code.type.as<api::auth::sentCodeTypeApp>().length, 5);
  auto login = answer<api::auth::Authorization>(d->query(boxed(
      api::auth::signIn{.phone_number = kAlice, .phone_code_hash = code.phone_code_hash, .phone_code = "11111"})));
  EXPECT_EQ(login.as<api::auth::authorization>().user.as<api::user>().id, alice.id);
}

TEST_F(AccountsTest, SendCodeChecksTheApiIdTheNumberAndItsHomeDc) {
  auto c = client();
  auto send = [&](std::string phone, std::int32_t api_id = 1) {
    return c->query(init_wrapped(
        api::auth::sendCode{.phone_number = std::move(phone), .api_id = api_id, .api_hash = "h", .settings = api::codeSettings{}}));
  };
  expect_error(send(kAlice, 0), 400, "API_ID_INVALID");
  expect_error(send("12345"), 406, "PHONE_NUMBER_INVALID");
  expect_error(send("99966100011"), 406, "PHONE_NUMBER_INVALID");  // eleven digits
  expect_error(send("9996601234"), 406, "PHONE_NUMBER_INVALID");   // DC 0
  expect_error(send("9996631234"), 406, "PHONE_NUMBER_INVALID");   // DC 3 of a 2-DC server
  expect_error(send("99966l0001"), 406, "PHONE_NUMBER_INVALID");
  expect_error(send(kCarol), 303, "PHONE_MIGRATE_2");
  // On its home DC the number is served.
  auto c2 = client(2);
  EXPECT_FALSE(send_code(*c2, kCarol).empty());
}

TEST_F(AccountsTest, SignInCodeErrors) {
  auto c = client();
  std::string hash = send_code(*c, kAlice);
  auto sign_in = [&](std::string h, std::optional<std::string> code, std::string phone = kAlice) {
    return c->query(boxed(api::auth::signIn{.phone_number = std::move(phone), .phone_code_hash = std::move(h), .phone_code = std::move(code)}));
  };
  expect_error(sign_in(hash, std::nullopt), 400, "PHONE_CODE_EMPTY");
  expect_error(sign_in(hash, ""), 400, "PHONE_CODE_EMPTY");
  expect_error(sign_in(hash, "12345"), 400, "PHONE_CODE_INVALID");
  expect_error(sign_in("not a hash", "11111"), 400, "PHONE_CODE_EXPIRED");
  expect_error(sign_in(hash, "11111", kBob), 400, "PHONE_CODE_EXPIRED");  // another number's hash
  expect_error(sign_in(hash, "22222", kCarol), 303, "PHONE_MIGRATE_2");
  expect_error(sign_in(hash, "11111", "123"), 406, "PHONE_NUMBER_INVALID");
  // A new code supersedes the old one.
  std::string newer = send_code(*c, kAlice);
  expect_error(sign_in(hash, "11111"), 400, "PHONE_CODE_EXPIRED");
  // Too many wrong codes spend the hash.
  for (int i = 0; i < 4; ++i) expect_error(sign_in(newer, "00000"), 400, "PHONE_CODE_INVALID");
  expect_error(sign_in(newer, "00000"), 400, "PHONE_CODE_INVALID");
  expect_error(sign_in(newer, "11111"), 400, "PHONE_CODE_EXPIRED");
}

TEST_F(AccountsTest, SignUpErrors) {
  auto c = client();
  std::string hash = send_code(*c, kAlice);
  auto sign_up_as = [&](std::string first, std::string last = "") {
    return c->query(boxed(api::auth::signUp{.phone_number = kAlice, .phone_code_hash = hash, .first_name = std::move(first), .last_name = std::move(last)}));
  };
  // The code must have been accepted by signIn first.
  expect_error(sign_up_as("Alice"), 400, "PHONE_CODE_INVALID");
  ASSERT_TRUE(c->query(boxed(api::auth::signIn{.phone_number = kAlice, .phone_code_hash = hash, .phone_code = "11111"})).result);
  expect_error(sign_up_as("   "), 400, "FIRSTNAME_INVALID");
  expect_error(sign_up_as(std::string(65, 'a')), 400, "FIRSTNAME_INVALID");
  expect_error(sign_up_as("Alice", std::string(65, 'b')), 400, "LASTNAME_INVALID");
  // Registration arriving at another DC is sent to the number's region.
  auto c2 = client(2);
  expect_error(c2->query(init_wrapped(api::auth::signUp{.phone_number = kAlice, .phone_code_hash = hash, .first_name = "A", .last_name = ""})),
               303, "NETWORK_MIGRATE_1");
  // 64 characters (not bytes) are fine.
  std::string name;
  for (int i = 0; i < 64; ++i) name += "\xc3\xa9";  // é
  ASSERT_TRUE(sign_up_as(name).result);
  // The code is spent.
  expect_error(sign_up_as("Alice"), 400, "PHONE_CODE_EXPIRED");
}

TEST_F(AccountsTest, SignInOnALoggedInKeyLogsInAgain) {
  auto c = client();
  auto alice = sign_up(*c, kAlice, "Alice");
  auto bob = sign_up(*c, kBob, "Bob");  // the same key, now Bob's
  EXPECT_NE(alice.id, bob.id);
  EXPECT_EQ(answer<std::vector<api::User>>(get_self(*c)).at(0).as<api::user>().id, bob.id);
}

TEST_F(AccountsTest, ExportAndImportAuthorizationAcrossDcs) {
  auto c = client();
  auto alice = sign_up(*c, kAlice, "Alice");
  auto other = client(2);
  expect_error(other->query(init_wrapped(api::auth::exportAuthorization{.dc_id = 1})), 401, "AUTH_KEY_UNREGISTERED");
  expect_error(c->query(boxed(api::auth::exportAuthorization{.dc_id = 1})), 400, "DC_ID_INVALID");  // its own DC
  expect_error(c->query(boxed(api::auth::exportAuthorization{.dc_id = 3})), 400, "DC_ID_INVALID");
  auto exported = answer<api::auth::ExportedAuthorization>(c->query(boxed(api::auth::exportAuthorization{.dc_id = 2})));
  const auto& token = exported.as<api::auth::exportedAuthorization>();
  EXPECT_EQ(token.id, alice.id);

  // Wrong account id, wrong DC, then the real import; a second use fails.
  expect_error(other->query(boxed(api::auth::importAuthorization{.id = alice.id + 1, .bytes = token.bytes})), 400, "USER_ID_INVALID");
  auto same_dc = client(1);
  expect_error(same_dc->query(init_wrapped(api::auth::importAuthorization{.id = alice.id, .bytes = token.bytes})), 400, "DC_ID_INVALID");
  auto imported = answer<api::auth::Authorization>(other->query(boxed(api::auth::importAuthorization{.id = alice.id, .bytes = token.bytes})));
  EXPECT_EQ(imported.as<api::auth::authorization>().user.as<api::user>().id, alice.id);
  EXPECT_EQ(answer<std::vector<api::User>>(get_self(*other)).at(0).as<api::user>().id, alice.id);
  auto third = client(2);
  expect_error(third->query(init_wrapped(api::auth::importAuthorization{.id = alice.id, .bytes = token.bytes})), 400, "AUTH_BYTES_INVALID");
  expect_error(third->query(boxed(api::auth::importAuthorization{.id = alice.id, .bytes = "forged"})), 400, "AUTH_BYTES_INVALID");
}

TEST_F(AccountsTest, GetAuthorizationsListsEveryKeyOfTheAccountOnEveryDc) {
  auto c = client();
  auto alice = sign_up(*c, kAlice, "Alice");
  auto token = answer<api::auth::ExportedAuthorization>(c->query(boxed(api::auth::exportAuthorization{.dc_id = 2})))
                   .as<api::auth::exportedAuthorization>();
  auto phone = client(2);
  ASSERT_TRUE(phone->query(init_wrapped(api::auth::importAuthorization{.id = token.id, .bytes = token.bytes}, "phone")).result);
  auto stranger = client();
  sign_up(*stranger, kBob, "Bob");

  auto list = answer<api::account::Authorizations>(c->query(boxed(api::account::getAuthorizations{})))
                  .as<api::account::authorizations>();
  ASSERT_EQ(list.authorizations.size(), 2u);
  int current = 0;
  for (const auto& entry : list.authorizations) {
    const auto& a = entry.as<api::authorization>();
    EXPECT_EQ(a.ip, "127.0.0.1");
    EXPECT_EQ(a.country, "Local");
    EXPECT_EQ(a.api_id, 1);
    EXPECT_EQ(a.system_version, "Linux");
    EXPECT_GT(a.date_created, 0);
    if (a.current) {
      ++current;
      EXPECT_EQ(a.hash, 0);
      EXPECT_EQ(a.device_model, "test pc");
    } else {
      EXPECT_NE(a.hash, 0);
      EXPECT_EQ(a.device_model, "phone");
    }
  }
  EXPECT_EQ(current, 1);
  expect_error(client()->query(init_wrapped(api::account::getAuthorizations{})), 401, "AUTH_KEY_UNREGISTERED");
  (void)alice;
}

TEST_F(AccountsTest, LogOutClearsTheKeysAuthorisation) {
  auto c = client();
  sign_up(*c, kAlice, "Alice");
  auto out = answer<api::auth::LoggedOut>(c->query(boxed(api::auth::logOut{})));
  EXPECT_TRUE(out.is<api::auth::loggedOut>());
  expect_error(get_self(*c), 401, "AUTH_KEY_UNREGISTERED");
  expect_error(c->query(boxed(api::auth::logOut{})), 401, "AUTH_KEY_UNREGISTERED");
  // The account is still there: signing in again works.
  std::string hash = send_code(*c, kAlice);
  EXPECT_TRUE(c->query(boxed(api::auth::signIn{.phone_number = kAlice, .phone_code_hash = hash, .phone_code = "11111"})).result);
}

TEST_F(AccountsTest, UsernamesFollowTelegramsRules) {
  auto a = client();
  auto alice = sign_up(*a, kAlice, "Alice");
  auto set = [](TestClient& c, std::string name) { return c.query(boxed(api::account::updateUsername{.username = std::move(name)})); };
  for (const char* bad : {"abcd", "1abcde", "abcde_", "abc-de", "_abcde", "abcdefghijklmnopqrstuvwxyz0123456"}) {
    expect_error(set(*a, bad), 400, "USERNAME_INVALID");
  }
  auto updated = answer<api::User>(set(*a, "alice_1")).as<api::user>();
  EXPECT_EQ(updated.username, "alice_1");
  expect_error(set(*a, "alice_1"), 400, "USERNAME_NOT_MODIFIED");

  auto b = client();
  sign_up(*b, kBob, "Bob");
  expect_error(set(*b, "ALICE_1"), 400, "USERNAME_OCCUPIED");
  auto resolved = answer<api::contacts::ResolvedPeer>(b->query(boxed(api::contacts::resolveUsername{.username = "Alice_1"})))
                      .as<api::contacts::resolvedPeer>();
  EXPECT_EQ(resolved.peer.as<api::peerUser>().user_id, alice.id);
  ASSERT_EQ(resolved.users.size(), 1u);
  EXPECT_EQ(resolved.users[0].as<api::user>().access_hash, alice.access_hash);
  EXPECT_FALSE(resolved.users[0].as<api::user>().self);
  expect_error(b->query(boxed(api::contacts::resolveUsername{.username = "nobody_here"})), 400, "USERNAME_NOT_OCCUPIED");
  expect_error(b->query(boxed(api::contacts::resolveUsername{.username = "bad-name"})), 400, "USERNAME_INVALID");
  expect_error(b->query(boxed(api::contacts::resolveUsername{.username = ""})), 400, "USERNAME_INVALID");
  expect_error(client()->query(init_wrapped(api::contacts::resolveUsername{.username = "alice_1"})), 401, "AUTH_KEY_UNREGISTERED");

  // Removing it frees the name.
  EXPECT_FALSE(answer<api::User>(set(*a, "")).as<api::user>().username.has_value());
  expect_error(b->query(boxed(api::contacts::resolveUsername{.username = "alice_1"})), 400, "USERNAME_NOT_OCCUPIED");
  EXPECT_TRUE(set(*b, "alice_1").result);
}

TEST_F(AccountsTest, ProfileAndFullUser) {
  auto a = client();
  auto alice = sign_up(*a, kAlice, "Alice");
  auto update = [&](std::optional<std::string> first, std::optional<std::string> last, std::optional<std::string> about) {
    return a->query(boxed(api::account::updateProfile{.first_name = std::move(first), .last_name = std::move(last), .about = std::move(about)}));
  };
  expect_error(update(" ", std::nullopt, std::nullopt), 400, "FIRSTNAME_INVALID");
  expect_error(update(std::nullopt, std::string(65, 'x'), std::nullopt), 400, "LASTNAME_INVALID");
  expect_error(update("Al", std::nullopt, std::string(71, 'x')), 400, "ABOUT_TOO_LONG");
  auto me = answer<api::User>(update("Al", "Ice", "Down the rabbit hole")).as<api::user>();
  EXPECT_EQ(me.first_name, "Al");  // the refused update above changed nothing, this one all
  EXPECT_EQ(me.last_name, "Ice");

  auto full = answer<api::users::UserFull>(a->query(boxed(api::users::getFullUser{.id = api::inputUserSelf{}})))
                  .as<api::users::userFull>();
  EXPECT_EQ(full.full_user.as<api::userFull>().id, alice.id);
  EXPECT_EQ(full.full_user.as<api::userFull>().about, "Down the rabbit hole");
  ASSERT_EQ(full.users.size(), 1u);
  EXPECT_TRUE(full.users[0].as<api::user>().self);

  auto b = client();
  sign_up(*b, kBob, "Bob");
  auto seen = answer<api::users::UserFull>(b->query(boxed(api::users::getFullUser{.id = api::inputUser{.user_id = alice.id, .access_hash = *alice.access_hash}})))
                  .as<api::users::userFull>();
  EXPECT_EQ(seen.users.at(0).as<api::user>().first_name, "Al");
  expect_error(b->query(boxed(api::users::getFullUser{.id = api::inputUser{.user_id = alice.id, .access_hash = *alice.access_hash + 1}})),
               400, "USER_ID_INVALID");
  expect_error(b->query(boxed(api::users::getFullUser{.id = api::inputUser{.user_id = 424242, .access_hash = 0}})), 400, "USER_ID_INVALID");
  expect_error(client()->query(init_wrapped(api::users::getFullUser{.id = api::inputUserSelf{}})), 401, "AUTH_KEY_UNREGISTERED");
  expect_error(client()->query(init_wrapped(api::account::updateProfile{.about = "x"})), 401, "AUTH_KEY_UNREGISTERED");
}

}  // namespace
}  // namespace telepp::server::accounts_test
