// auth.bindTempAuthKey over real TCP: a temporary key bound to a permanent one carries its
// authorisation (and logs it in), and every refusal of a bad binding.
//
// The binding message must name the msg_id of the request that carries it, which the client
// session only picks when it sends; so the bind request is encrypted and sent by hand here.
#include "accounts_test_support.hpp"
#include "support/fixed_entropy.hpp"
#include "telepp/mtp.hpp"
#include "telepp/mtproto/container.hpp"
#include "telepp/mtproto/encrypted_message.hpp"
#include "telepp/mtproto/handshake/bind_temp_key.hpp"
#include "telepp/mtproto/message_id.hpp"

namespace telepp::server::accounts_test {
namespace {

namespace hs = mtproto::handshake;

constexpr std::uint32_t kRpcResult = 0xf35c6d01;
constexpr std::uint32_t kBadServerSalt = 0xedab447b;  // bad_msg_id:long bad_msg_seqno:int error_code:int new_server_salt:long
constexpr std::int32_t kTempKeyLifetime = 3600;

class TempKeyBindingTest : public AccountsTest {
 protected:
  std::unique_ptr<TestClient> temp_client(int dc = 1) {
    auto c = std::make_unique<TestClient>(server->port(dc), server->public_key_pem());
    c->use_temporary_keys(kTempKeyLifetime);
    EXPECT_TRUE(c->connect());
    EXPECT_TRUE(c->handshake());
    return c;
  }

  std::int64_t next_msg_id(TestClient& c) {
    mtproto::MessageIdGenerator ids;
    ids.set_offset(c.session().time_offset());
    return ids.next(test::wall_now());
  }

  std::int32_t expires_at() { return static_cast<std::int32_t>(unix_seconds(test::wall_now()) + kTempKeyLifetime); }

  // Sends `body` as message `msg_id` of `c`'s session and waits for its rpc_result. NOTE: a new
  // key's first message meets bad_server_salt; it is sent again with the new salt, same msg_id.
  QueryResult raw_query(TestClient& c, std::int64_t msg_id, const Bytes& body) {
    std::uint64_t salt = c.session().salt();
    for (int sends = 0; sends < 2; ++sends) {
      Buffer packet(mtproto::kEncryptedHeaderSize, body.size() + 1024);
      packet.append(body);
      mtproto::MessageHeader header{salt, c.session().session_id(), msg_id, 1};
      mtproto::encrypt_message(c.key(), mtproto::Direction::client_to_server, header, packet, entropy);
      c.send_frame(packet.view());
      for (int frames = 0; frames < 10; ++frames) {
        auto frame = c.next();
        if (!frame.result) return frame;
        auto message = mtproto::decrypt_message(c.key(), mtproto::Direction::server_to_client, *frame.result);
        EXPECT_TRUE(message.ok());
        if (!message.ok()) return {};
        std::optional<QueryResult> out;
        bool salt_fixed = false;
        for (const auto& m : messages_of(*message)) {
          if (answers(m.body, kRpcResult, msg_id)) out = result_of(m.body.subspan(12));
          if (answers(m.body, kBadServerSalt, msg_id)) {
            salt = load_le64(m.body.data() + 4 + 8 + 4 + 4);
            salt_fixed = true;
          }
        }
        if (out) return *out;
        if (salt_fixed) break;
      }
    }
    ADD_FAILURE() << "no rpc_result";
    return {};
  }

  static std::vector<mtproto::InnerMessage> messages_of(const mtproto::DecryptedMessage& message) {
    if (!mtproto::is_container(message.body)) return {{message.header.msg_id, message.header.seq_no, message.body}};
    auto inner = mtproto::parse_container(message.body);
    EXPECT_TRUE(inner.ok());
    return inner.ok() ? *inner : std::vector<mtproto::InnerMessage>{};
  }

  // True when `body` is a `constructor` about msg_id (rpc_result, bad_server_salt).
  static bool answers(ByteView body, std::uint32_t constructor, std::int64_t msg_id) {
    return body.size() >= 12 && load_le32(body.data()) == constructor &&
           static_cast<std::int64_t>(load_le64(body.data() + 4)) == msg_id;
  }

  static QueryResult result_of(ByteView result) {
    QueryResult out;
    if (auto error = tl::deserialize<mtp::RpcError>(result); error.ok()) {
      const auto& e = error->as<mtp::rpc_error>();
      out.error = RpcErrorInfo{e.error_code, e.error_message, {}};
    } else {
      out.result = Bytes(result.begin(), result.end());
    }
    return out;
  }

  // Binds `temp` to `perm` (the args built by the MTProto core's client side).
  QueryResult bind(TestClient& temp, TestClient& perm) {
    std::int64_t msg_id = next_msg_id(temp);
    auto args = hs::make_bind_temp_auth_key(perm.key(), temp.key(), temp.session().session_id(), expires_at(), msg_id, entropy);
    EXPECT_TRUE(args.ok());
    return raw_query(temp, msg_id, request(*args));
  }

  static Bytes request(const hs::BindTempAuthKeyArgs& args) {
    return boxed(api::auth::bindTempAuthKey{.perm_auth_key_id = args.perm_auth_key_id, .nonce = args.nonce, .expires_at = args.expires_at,
                                            .encrypted_message = std::string(args.encrypted_message.begin(), args.encrypted_message.end())});
  }

  test::FixedEntropy entropy{99};
};

TEST_F(TempKeyBindingTest, ABoundTemporaryKeyCarriesThePermanentKeysLogin) {
  auto perm = client();
  auto alice = sign_up(*perm, "9996610001", "Alice");
  auto temp = temp_client();
  auto bound = bind(*temp, *perm);  // allowed before initConnection
  ASSERT_TRUE(bound.result.has_value()) << describe(bound);
  EXPECT_TRUE(answer<api::Bool>(bound).is<api::boolTrue>());
  auto self = answer<std::vector<api::User>>(temp->query(init_wrapped(api::users::getUsers{.id = {api::inputUserSelf{}}}, "temp pc")));
  ASSERT_EQ(self.size(), 1u);
  EXPECT_EQ(self[0].as<api::user>().id, alice.id);
  expect_error(bind(*temp, *perm), 400, "TEMP_AUTH_KEY_ALREADY_BOUND");
  // Logging out through the temporary key logs the permanent key out.
  ASSERT_TRUE(temp->query(boxed(api::auth::logOut{})).result);
  expect_error(get_self(*perm), 401, "AUTH_KEY_UNREGISTERED");
}

TEST_F(TempKeyBindingTest, LoggingInThroughABoundKeyLogsInThePermanentKey) {
  auto perm = client();  // never says anything itself
  auto temp = temp_client();
  // Unbound, a temporary key cannot log in.
  auto unbound = temp->query(init_wrapped(api::auth::sendCode{.phone_number = "9996610001", .api_id = 1, .api_hash = "h", .settings = api::codeSettings{}}));
  expect_error(unbound, 401, "AUTH_KEY_PERM_EMPTY");
  ASSERT_TRUE(bind(*temp, *perm).result);
  auto alice = sign_up(*temp, "9996610001", "Alice");
  ASSERT_TRUE(perm->query(init_wrapped(api::help::getNearestDc{}, "perm pc")).result);
  EXPECT_EQ(answer<std::vector<api::User>>(get_self(*perm)).at(0).as<api::user>().id, alice.id);
  // The device list shows the permanent key once, current for the temporary key on it, with the
  // client info the temporary key sent.
  auto list = answer<api::account::Authorizations>(temp->query(boxed(api::account::getAuthorizations{})))
                  .as<api::account::authorizations>();
  ASSERT_EQ(list.authorizations.size(), 1u);
  EXPECT_TRUE(list.authorizations[0].as<api::authorization>().current);
}

TEST_F(TempKeyBindingTest, TemporaryKeyInfoIsShownForItsPermanentKey) {
  auto perm = client();
  auto temp = temp_client();
  ASSERT_TRUE(bind(*temp, *perm).result);
  sign_up(*temp, "9996610001", "Alice");  // initConnection("test pc") on the temporary key only
  auto list = answer<api::account::Authorizations>(temp->query(boxed(api::account::getAuthorizations{})))
                  .as<api::account::authorizations>();
  ASSERT_EQ(list.authorizations.size(), 1u);
  EXPECT_EQ(list.authorizations[0].as<api::authorization>().device_model, "test pc");
  EXPECT_EQ(list.authorizations[0].as<api::authorization>().api_id, 1);
}

TEST_F(TempKeyBindingTest, BadBindingsAreRefused) {
  auto perm = client();
  auto temp = temp_client();
  // On a permanent key.
  auto other_perm = client();
  {
    std::int64_t msg_id = next_msg_id(*other_perm);
    auto args = hs::make_bind_temp_auth_key(perm->key(), other_perm->key(), other_perm->session().session_id(), expires_at(), msg_id, entropy);
    expect_error(raw_query(*other_perm, msg_id, request(*args)), 400, "TEMP_AUTH_KEY_EMPTY");
  }
  auto attempt = [&](auto tamper) {
    std::int64_t msg_id = next_msg_id(*temp);
    auto args = hs::make_bind_temp_auth_key(perm->key(), temp->key(), temp->session().session_id(), expires_at(), msg_id, entropy);
    EXPECT_TRUE(args.ok());
    tamper(*args, msg_id);
    return raw_query(*temp, msg_id, request(*args));
  };
  // Encrypted for another msg_id (a replay), another session, with the wrong nonce, a flipped bit.
  expect_error(attempt([&](hs::BindTempAuthKeyArgs& a, std::int64_t msg_id) {
                 a.encrypted_message = *hs::encrypt_bind_message(
                     perm->key(), {a.nonce, temp->key().id(), perm->key().id(), temp->session().session_id(), a.expires_at}, msg_id - 4, entropy);
               }),
               400, "ENCRYPTED_MESSAGE_INVALID");
  expect_error(attempt([&](hs::BindTempAuthKeyArgs& a, std::int64_t msg_id) {
                 a.encrypted_message = *hs::encrypt_bind_message(
                     perm->key(), {a.nonce, temp->key().id(), perm->key().id(), temp->session().session_id() + 1, a.expires_at}, msg_id, entropy);
               }),
               400, "ENCRYPTED_MESSAGE_INVALID");
  expect_error(attempt([](hs::BindTempAuthKeyArgs& a, std::int64_t) { a.nonce ^= 1; }), 400, "ENCRYPTED_MESSAGE_INVALID");
  expect_error(attempt([](hs::BindTempAuthKeyArgs& a, std::int64_t) { a.encrypted_message[40] ^= 1; }), 400, "ENCRYPTED_MESSAGE_INVALID");
  expect_error(attempt([](hs::BindTempAuthKeyArgs& a, std::int64_t) { a.encrypted_message.resize(20); }), 400, "ENCRYPTED_MESSAGE_INVALID");
  // A permanent key this DC does not know, or a temporary key named as the permanent one.
  expect_error(attempt([](hs::BindTempAuthKeyArgs& a, std::int64_t) { a.perm_auth_key_id ^= 1; }), 400, "ENCRYPTED_MESSAGE_INVALID");
  auto temp2 = temp_client();
  expect_error(attempt([&](hs::BindTempAuthKeyArgs& a, std::int64_t) { a.perm_auth_key_id = static_cast<std::int64_t>(temp2->key().id()); }),
               400, "ENCRYPTED_MESSAGE_INVALID");
  // Already expired.
  expect_error(attempt([](hs::BindTempAuthKeyArgs& a, std::int64_t) { a.expires_at = 1000; }), 400, "EXPIRES_AT_INVALID");
  // None of that bound the key: a good binding still works.
  EXPECT_TRUE(bind(*temp, *perm).result.has_value());
  // A permanent key of another DC is unknown here.
  auto perm2 = client(2);
  auto temp3 = temp_client();
  expect_error(bind(*temp3, *perm2), 400, "ENCRYPTED_MESSAGE_INVALID");
}

}  // namespace
}  // namespace telepp::server::accounts_test
