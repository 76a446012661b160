// Private chats on the test server over real loopback TCP: two bot accounts send, edit, delete
// and read messages; pushes reach the other side's online sessions at their own layer (198 too);
// getHistory's pagination rules; getState/getDifference after being offline; every error.
#include <gtest/gtest.h>

#include "telepp/api.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/server/server.hpp"
#include "telepp/tl/value.hpp"
#include "query_support.hpp"
#include "test_client.hpp"

namespace telepp::server {
namespace {

namespace api = telepp::api;
using test::QueryResult;
using test::TestClient;
using test::boxed;
using test::init_wrapped;

constexpr const char* kAliceToken = "5001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";
constexpr const char* kBobToken = "5002:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2";
constexpr std::int64_t kAlice = 5001;
constexpr std::int64_t kBob = 5002;

std::string error_of(const QueryResult& r) { return r.error ? r.error->message() : std::string("(no error)"); }

// A query's typed answer (a test failure and nullopt on an error).
template <class Q>
std::optional<typename Q::Result> invoke(TestClient& c, const Q& q) {
  auto r = c.query(boxed(q));
  if (!r.result) {
    ADD_FAILURE() << "error " << error_of(r);
    return std::nullopt;
  }
  auto v = tl::deserialize<typename Q::Result>(*r.result);
  if (!v.ok()) {
    ADD_FAILURE() << v.error().to_string();
    return std::nullopt;
  }
  return std::move(*v);
}

template <class Q>
std::string error_for(TestClient& c, const Q& q) {
  return error_of(c.query(boxed(q)));
}

// The next push as layer-228 `Updates` (a test failure and an empty holder when none came).
api::Updates next_updates(TestClient& c) {
  auto push = c.next_push();
  if (!push) {
    ADD_FAILURE() << "no push";
    return {};
  }
  auto u = tl::deserialize<api::Updates>(*push);
  if (!u.ok()) {
    ADD_FAILURE() << u.error().to_string();
    return {};
  }
  return std::move(*u);
}

// True when `c` has a push waiting. A round trip first: anything pushed to the session before
// its query was handled arrives before the answer (one session's messages keep their order), so
// no wait is needed. `quiet` keeps the session unsubscribed (invokeWithoutUpdates).
bool has_push(TestClient& c, bool quiet = false) {
  auto r = quiet ? c.query(boxed(api::invokeWithoutUpdates{.query = api::updates::getState{}}))
                 : c.query(boxed(api::updates::getState{}));
  EXPECT_TRUE(r.result) << error_of(r);
  return c.pending_pushes() != 0;
}

// The only update of a pushed `updates`.
template <class U>
U only_update(const api::Updates& updates) {
  const auto* list = updates.get_if<api::updates_>();
  if (!list || list->updates.size() != 1 || !list->updates[0].is<U>()) {
    ADD_FAILURE() << "expected one " << U::tl_info.name << " in " << updates.name();
    return U{};
  }
  return list->updates[0].as<U>();
}

api::message as_message(const api::Message& m) {
  if (!m.is<api::message>()) {
    ADD_FAILURE() << "not a message: " << m.name();
    return {};
  }
  return m.as<api::message>();
}

std::vector<std::int32_t> ids_of(const api::messages::Messages& answer) {
  const std::vector<api::Message>* list = nullptr;
  if (const auto* all = answer.get_if<api::messages::messages>()) list = &all->messages;
  if (const auto* slice = answer.get_if<api::messages::messagesSlice>()) list = &slice->messages;
  std::vector<std::int32_t> ids;
  for (const auto& m : list ? *list : std::vector<api::Message>{}) {
    ids.push_back(m.is<api::message>() ? m.as<api::message>().id : -m.as<api::messageEmpty>().id);
  }
  return ids;
}

class MessagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.dcs = 1;  // bots live on the DC of their first login: one is enough
    auto s = Server::start(config);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    server = std::move(*s);
  }

  std::unique_ptr<TestClient> client(mtproto::transport::ClientOptions options = {}) {
    auto c = std::make_unique<TestClient>(server->port(1), server->public_key_pem(), options);
    EXPECT_TRUE(c->connect());
    EXPECT_TRUE(c->handshake());
    return c;
  }
  // A new connection and key logged in as the bot of `token`; remembers the access hashes.
  std::unique_ptr<TestClient> login(const char* token, mtproto::transport::ClientOptions options = {}) {
    auto c = client(options);
    auto r = c->query(init_wrapped(api::auth::importBotAuthorization{.api_id = 1, .api_hash = "x", .bot_auth_token = token}));
    EXPECT_TRUE(r.result.has_value()) << error_of(r);
    if (r.result) {
      auto auth = tl::deserialize<api::auth::Authorization>(*r.result);
      const auto& user = auth->as<api::auth::authorization>().user.as<api::user>();
      hashes[user.id] = user.access_hash.value_or(0);
    }
    return c;
  }
  api::InputPeer peer(std::int64_t id) { return api::inputPeerUser{.user_id = id, .access_hash = hashes[id]}; }
  api::Updates send(TestClient& c, std::int64_t to, std::string text) {
    auto q = api::messages::sendMessage{.peer = peer(to), .message = std::move(text), .random_id = ++random_id};
    return invoke(c, q).value_or(api::Updates{});
  }
  api::messages::Messages history(TestClient& c, std::int64_t with, api::messages::getHistory q) {
    q.peer = peer(with);
    return invoke(c, q).value_or(api::messages::Messages{});
  }

  std::unique_ptr<Server> server;
  std::map<std::int64_t, std::int64_t> hashes;
  std::int64_t random_id = 1000;
};

TEST_F(MessagesTest, SendAnswersShortSentMessageAndPushesToTheRecipient) {
  auto alice = login(kAliceToken);
  auto bob = login(kBobToken);
  std::vector<api::MessageEntity> bold = {api::messageEntityBold{.offset = 0, .length = 5}};
  auto sent = invoke(*alice, api::messages::sendMessage{.peer = peer(kBob), .message = "hello there", .random_id = 1,
                                                        .entities = bold});
  ASSERT_TRUE(sent && sent->is<api::updateShortSentMessage>()) << (sent ? sent->name() : "");
  const auto& s = sent->as<api::updateShortSentMessage>();
  EXPECT_TRUE(s.out);
  EXPECT_EQ(s.id, 1);
  EXPECT_EQ(s.pts_count, 1);
  EXPECT_EQ(s.entities, bold);

  auto push = next_updates(*bob);
  ASSERT_TRUE(push.is<api::updateShortMessage>()) << push.name();
  const auto& m = push.as<api::updateShortMessage>();
  EXPECT_FALSE(m.out);
  EXPECT_EQ(m.id, 1);  // Bob's box numbers its own messages
  EXPECT_EQ(m.user_id, kAlice);
  EXPECT_EQ(m.message, "hello there");
  EXPECT_EQ(m.entities, bold);
  EXPECT_EQ(m.date, s.date);

  // Bob's answer has Bob's ids and pts, and Alice's session gets it.
  send(*bob, kAlice, "hi");
  auto back = next_updates(*alice);
  ASSERT_TRUE(back.is<api::updateShortMessage>());
  EXPECT_EQ(back.as<api::updateShortMessage>().id, 2);
  EXPECT_EQ(back.as<api::updateShortMessage>().user_id, kBob);
  EXPECT_FALSE(has_push(*alice)) << "the sender's own session gets the answer, not a push";
}

TEST_F(MessagesTest, TheSendersOtherSessionsGetTheMessageButNotInvokeWithoutUpdatesOnes) {
  auto alice = login(kAliceToken);
  auto alice_phone = login(kAliceToken);  // another key logged in as the same bot
  auto bob = login(kBobToken);
  // A session that only ever asked without updates (as file-download connections do).
  auto quiet = client();
  auto r = quiet->query(init_wrapped(api::invokeWithoutUpdates{
      .query = api::auth::importBotAuthorization{.api_id = 1, .api_hash = "x", .bot_auth_token = kBobToken}}));
  ASSERT_TRUE(r.result) << error_of(r);

  send(*alice, kBob, "to bob");
  auto mirrored = next_updates(*alice_phone);
  ASSERT_TRUE(mirrored.is<api::updateShortMessage>());
  EXPECT_TRUE(mirrored.as<api::updateShortMessage>().out);
  EXPECT_EQ(mirrored.as<api::updateShortMessage>().user_id, kBob);
  EXPECT_TRUE(bob->next_push());
  EXPECT_FALSE(has_push(*quiet, true));
}

TEST_F(MessagesTest, SavedMessagesExistOnce) {
  auto alice = login(kAliceToken);
  auto other = login(kAliceToken);
  auto sent = invoke(*alice, api::messages::sendMessage{.peer = api::inputPeerSelf{}, .message = "note", .random_id = 7});
  ASSERT_TRUE(sent && sent->is<api::updateShortSentMessage>());
  auto push = next_updates(*other);
  ASSERT_TRUE(push.is<api::updateShortMessage>());
  EXPECT_EQ(push.as<api::updateShortMessage>().user_id, kAlice);
  EXPECT_TRUE(push.as<api::updateShortMessage>().out);
  auto h = invoke(*alice, api::messages::getHistory{.peer = api::inputPeerSelf{}, .limit = 10});
  ASSERT_TRUE(h);
  EXPECT_EQ(ids_of(*h), std::vector<std::int32_t>{1});
  auto state = invoke(*alice, api::updates::getState{});
  EXPECT_EQ(state->as<api::updates::state>().pts, 2);  // one copy, one pts
}

TEST_F(MessagesTest, SendMessageErrors) {
  auto alice = login(kAliceToken);
  auto bob = login(kBobToken);
  auto to_bob = [&](std::string text, std::int64_t rid = 0, std::vector<api::MessageEntity> entities = {}) {
    api::messages::sendMessage q{.peer = peer(kBob), .message = std::move(text), .random_id = rid ? rid : ++random_id};
    if (!entities.empty()) q.entities = std::move(entities);
    return error_for(*alice, q);
  };
  EXPECT_EQ(error_for(*alice, api::messages::sendMessage{.peer = api::inputPeerUser{.user_id = kBob, .access_hash = 1},
                                                         .message = "x", .random_id = 1}),
            "PEER_ID_INVALID");
  EXPECT_EQ(error_for(*alice, api::messages::sendMessage{.peer = api::inputPeerUser{.user_id = 999, .access_hash = 0},
                                                         .message = "x", .random_id = 1}),
            "PEER_ID_INVALID");
  EXPECT_EQ(error_for(*alice, api::messages::sendMessage{.peer = api::inputPeerChat{.chat_id = 1}, .message = "x", .random_id = 1}),
            "PEER_ID_INVALID");
  EXPECT_EQ(to_bob(""), "MESSAGE_EMPTY");
  EXPECT_EQ(to_bob(" \n\t "), "MESSAGE_EMPTY");
  EXPECT_EQ(to_bob(std::string(4097, 'a')), "MESSAGE_TOO_LONG");
  EXPECT_EQ(to_bob(std::string(4096, 'a')), "(no error)");
  // Lengths count UTF-16 units: an emoji beyond the BMP is two.
  std::string emoji = "\xF0\x9F\x98\x80";
  std::string long_emoji;
  for (int i = 0; i < 2049; ++i) long_emoji += emoji;
  EXPECT_EQ(to_bob(long_emoji), "MESSAGE_TOO_LONG");
  EXPECT_EQ(to_bob(emoji + "a", 0, {api::messageEntityBold{.offset = 2, .length = 1}}), "(no error)");
  EXPECT_EQ(to_bob(emoji + "a", 0, {api::messageEntityBold{.offset = 2, .length = 2}}), "ENTITY_BOUNDS_INVALID");
  EXPECT_EQ(to_bob("abc", 0, {api::messageEntityItalic{.offset = -1, .length = 2}}), "ENTITY_BOUNDS_INVALID");
  EXPECT_EQ(to_bob("abc", 0, {api::messageEntityItalic{.offset = 0, .length = 0}}), "ENTITY_BOUNDS_INVALID");
  EXPECT_EQ(to_bob("abc", 0, {api::inputMessageEntityMentionName{.offset = 0, .length = 1,
                                                                 .user_id = api::inputUser{.user_id = 77, .access_hash = 0}}}),
            "ENTITY_MENTION_USER_INVALID");
  EXPECT_EQ(to_bob("x", -1), "(no error)");
  auto dup = alice->query(boxed(api::messages::sendMessage{.peer = peer(kBob), .message = "x", .random_id = -1}));
  ASSERT_TRUE(dup.error);
  EXPECT_EQ(dup.error->code, 500);
  EXPECT_EQ(dup.error->message(), "RANDOM_ID_DUPLICATE");
  // The same random_id from another sender is fine.
  EXPECT_EQ(error_for(*bob, api::messages::sendMessage{.peer = peer(kAlice), .message = "x", .random_id = -1}), "(no error)");
  auto anonymous = client();
  auto r = anonymous->query(init_wrapped(api::messages::sendMessage{.peer = api::inputPeerSelf{}, .message = "x", .random_id = 1}));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, 401);
  EXPECT_EQ(r.error->message(), "AUTH_KEY_UNREGISTERED");
  for (auto q : {boxed(api::messages::getHistory{.peer = api::inputPeerSelf{}}), boxed(api::updates::getState{}),
                 boxed(api::updates::getDifference{.pts = 1}), boxed(api::messages::readHistory{.peer = api::inputPeerSelf{}}),
                 boxed(api::messages::deleteMessages{.id = {1}}), boxed(api::messages::getMessages{}),
                 boxed(api::messages::editMessage{.peer = api::inputPeerSelf{}, .id = 1})}) {
    EXPECT_EQ(error_of(anonymous->query(q)), "AUTH_KEY_UNREGISTERED");
  }
}

TEST_F(MessagesTest, GetHistoryFollowsTelegramsPagination) {
  auto alice = login(kAliceToken);
  auto bob = login(kBobToken);
  for (int i = 1; i <= 10; ++i) send(*alice, kBob, "message " + std::to_string(i));
  using V = std::vector<std::int32_t>;
  using Q = api::messages::getHistory;

  auto first = history(*alice, kBob, Q{.limit = 3});
  ASSERT_TRUE(first.is<api::messages::messagesSlice>()) << first.name();
  EXPECT_EQ(first.as<api::messages::messagesSlice>().count, 10);
  EXPECT_EQ(ids_of(first), (V{10, 9, 8}));
  ASSERT_EQ(first.as<api::messages::messagesSlice>().users.size(), 2u);
  EXPECT_EQ(as_message(first.as<api::messages::messagesSlice>().messages[0]).message, "message 10");
  EXPECT_TRUE(as_message(first.as<api::messages::messagesSlice>().messages[0]).out);

  EXPECT_EQ(ids_of(history(*alice, kBob, Q{.offset_id = 8, .limit = 3})), (V{7, 6, 5}));      // older than 8
  EXPECT_EQ(ids_of(history(*alice, kBob, Q{.offset_id = 5, .add_offset = -3, .limit = 3})), (V{7, 6, 5}));
  EXPECT_EQ(ids_of(history(*alice, kBob, Q{.offset_id = 5, .add_offset = -2, .limit = 4})), (V{6, 5, 4, 3}));  // around
  EXPECT_EQ(ids_of(history(*alice, kBob, Q{.add_offset = -5, .limit = 10})), (V{10, 9, 8, 7, 6}));  // clipped at the top
  EXPECT_EQ(ids_of(history(*alice, kBob, Q{.offset_id = 2, .limit = 5})), (V{1}));
  EXPECT_EQ(ids_of(history(*alice, kBob, Q{.offset_id = 1, .limit = 5})), V{});
  // max_id and min_id narrow the window after slicing.
  EXPECT_EQ(ids_of(history(*alice, kBob, Q{.limit = 10, .max_id = 8, .min_id = 3})), (V{7, 6, 5, 4}));
  EXPECT_EQ(ids_of(history(*alice, kBob, Q{.limit = 3, .max_id = 5})), V{});
  // offset_date: messages sent before it.
  auto date = as_message(first.as<api::messages::messagesSlice>().messages[0]).date;
  EXPECT_EQ(ids_of(history(*alice, kBob, Q{.offset_date = date + 1000, .limit = 2})), (V{10, 9}));
  EXPECT_EQ(ids_of(history(*alice, kBob, Q{.offset_date = date - 1000, .limit = 2})), V{});
  // The whole history at once (limit 0 means the default, 20) is messages.messages.
  auto all = history(*alice, kBob, Q{.limit = 0});
  ASSERT_TRUE(all.is<api::messages::messages>()) << all.name();
  EXPECT_EQ(ids_of(all).size(), 10u);
  EXPECT_EQ(ids_of(history(*alice, kBob, Q{.limit = 1000})).size(), 10u);
  // Bob's copies: his own ids, incoming.
  auto bobs = history(*bob, kAlice, Q{.limit = 1});
  EXPECT_FALSE(as_message(bobs.as<api::messages::messagesSlice>().messages[0]).out);
  EXPECT_EQ(error_for(*alice, Q{.peer = api::inputPeerEmpty{}, .limit = 1}), "PEER_ID_INVALID");
  EXPECT_EQ(ids_of(history(*alice, kAlice, Q{.limit = 5})), V{});  // nothing in Saved Messages

  auto got = invoke(*alice, api::messages::getMessages{.id = {api::inputMessageID{.id = 3}, api::inputMessageID{.id = 99},
                                                              api::inputMessagePinned{}}});
  ASSERT_TRUE(got && got->is<api::messages::messages>());
  EXPECT_EQ(ids_of(*got), (V{3, -99, 0}));
  EXPECT_EQ(as_message(got->as<api::messages::messages>().messages[0]).message, "message 3");
}

TEST_F(MessagesTest, EditReachesBothSidesAndItsErrors) {
  auto alice = login(kAliceToken);
  auto bob = login(kBobToken);
  invoke(*bob, api::messages::sendMessage{.peer = api::inputPeerSelf{}, .message = "note", .random_id = 5});
  send(*alice, kBob, "typo");  // Alice's id 1, Bob's id 2 (his 1 is in Saved Messages)
  next_updates(*bob);
  auto edited = invoke(*alice, api::messages::editMessage{.peer = peer(kBob), .id = 1, .message = "fixed"});
  ASSERT_TRUE(edited);
  auto mine = only_update<api::updateEditMessage>(*edited);
  EXPECT_EQ(as_message(mine.message).message, "fixed");
  EXPECT_TRUE(as_message(mine.message).edit_date.has_value());
  auto theirs = only_update<api::updateEditMessage>(next_updates(*bob));
  EXPECT_EQ(as_message(theirs.message).id, 2);
  EXPECT_EQ(as_message(theirs.message).message, "fixed");
  EXPECT_FALSE(as_message(theirs.message).out);
  auto got = invoke(*bob, api::messages::getMessages{.id = {api::inputMessageID{.id = 2}}});
  EXPECT_EQ(as_message(got->as<api::messages::messages>().messages[0]).message, "fixed");

  using E = api::messages::editMessage;
  EXPECT_EQ(error_for(*alice, E{.peer = peer(kBob), .id = 1, .message = "fixed"}), "MESSAGE_NOT_MODIFIED");
  EXPECT_EQ(error_for(*alice, E{.peer = peer(kBob), .id = 1}), "MESSAGE_NOT_MODIFIED");
  EXPECT_EQ(error_for(*alice, E{.peer = peer(kBob), .id = 42, .message = "x"}), "MESSAGE_ID_INVALID");
  EXPECT_EQ(error_for(*alice, E{.peer = api::inputPeerSelf{}, .id = 1, .message = "x"}), "MESSAGE_ID_INVALID");
  EXPECT_EQ(error_for(*alice, E{.peer = peer(kBob), .id = 1, .message = "  "}), "MESSAGE_EMPTY");
  EXPECT_EQ(error_for(*alice, E{.peer = peer(kBob), .id = 1, .message = std::string(4097, 'b')}), "MESSAGE_TOO_LONG");
  EXPECT_EQ(error_for(*alice, E{.peer = api::inputPeerChat{.chat_id = 3}, .id = 1, .message = "x"}), "PEER_ID_INVALID");
  auto foreign = bob->query(boxed(E{.peer = peer(kAlice), .id = 2, .message = "not mine"}));
  ASSERT_TRUE(foreign.error);
  EXPECT_EQ(foreign.error->code, 403);
  EXPECT_EQ(foreign.error->message(), "MESSAGE_AUTHOR_REQUIRED");
  // Entities alone are an edit.
  auto styled = invoke(*alice, E{.peer = peer(kBob), .id = 1, .entities = std::vector<api::MessageEntity>{
                                                                 api::messageEntityBold{.offset = 0, .length = 5}}});
  ASSERT_TRUE(styled);
  EXPECT_EQ(as_message(only_update<api::updateEditMessage>(*styled).message).message, "fixed");
}

TEST_F(MessagesTest, DeleteWithAndWithoutRevoke) {
  auto alice = login(kAliceToken);
  auto bob = login(kBobToken);
  send(*alice, kBob, "one");
  send(*alice, kBob, "two");
  next_updates(*bob);
  next_updates(*bob);
  auto state = invoke(*alice, api::updates::getState{})->as<api::updates::state>();

  auto mine_only = invoke(*alice, api::messages::deleteMessages{.id = {1, 77}});
  ASSERT_TRUE(mine_only);
  EXPECT_EQ(mine_only->as<api::messages::affectedMessages>().pts_count, 1);  // 77 does not exist
  EXPECT_EQ(mine_only->as<api::messages::affectedMessages>().pts, state.pts + 1);
  EXPECT_FALSE(has_push(*bob));
  auto bobs = invoke(*bob, api::messages::getMessages{.id = {api::inputMessageID{.id = 1}}});
  EXPECT_EQ(ids_of(*bobs), std::vector<std::int32_t>{1});

  auto both = invoke(*alice, api::messages::deleteMessages{.revoke = true, .id = {2}});
  EXPECT_EQ(both->as<api::messages::affectedMessages>().pts_count, 1);
  auto gone = only_update<api::updateDeleteMessages>(next_updates(*bob));
  EXPECT_EQ(gone.messages, std::vector<std::int32_t>{2});
  EXPECT_EQ(gone.pts_count, 1);
  bobs = invoke(*bob, api::messages::getMessages{.id = {api::inputMessageID{.id = 2}}});
  EXPECT_EQ(ids_of(*bobs), std::vector<std::int32_t>{-2});
  auto nothing = invoke(*alice, api::messages::deleteMessages{.revoke = true, .id = {2}});
  EXPECT_EQ(nothing->as<api::messages::affectedMessages>().pts_count, 0);
}

TEST_F(MessagesTest, ReadHistoryTellsTheSender) {
  auto alice = login(kAliceToken);
  auto bob = login(kBobToken);
  for (int i = 0; i < 3; ++i) {
    send(*alice, kBob, "m" + std::to_string(i));
    next_updates(*bob);
  }
  EXPECT_EQ(invoke(*bob, api::updates::getState{})->as<api::updates::state>().unread_count, 3);
  auto read = invoke(*bob, api::messages::readHistory{.peer = peer(kAlice), .max_id = 2});
  ASSERT_TRUE(read);
  EXPECT_EQ(read->as<api::messages::affectedMessages>().pts_count, 1);
  auto outbox = only_update<api::updateReadHistoryOutbox>(next_updates(*alice));
  EXPECT_EQ(outbox.peer.as<api::peerUser>().user_id, kBob);
  EXPECT_EQ(outbox.max_id, 2);
  EXPECT_EQ(invoke(*bob, api::updates::getState{})->as<api::updates::state>().unread_count, 1);

  invoke(*bob, api::messages::readHistory{.peer = peer(kAlice), .max_id = 0});  // everything
  EXPECT_EQ(only_update<api::updateReadHistoryOutbox>(next_updates(*alice)).max_id, 3);
  auto again = invoke(*bob, api::messages::readHistory{.peer = peer(kAlice), .max_id = 0});
  EXPECT_EQ(again->as<api::messages::affectedMessages>().pts_count, 0);
  EXPECT_FALSE(has_push(*alice));
  EXPECT_EQ(error_for(*bob, api::messages::readHistory{.peer = peer(kAlice), .max_id = -1}), "MSG_ID_INVALID");
  EXPECT_EQ(error_for(*bob, api::messages::readHistory{.peer = api::inputPeerEmpty{}}), "PEER_ID_INVALID");
}

TEST_F(MessagesTest, GetDifferenceCatchesUpAfterBeingOffline) {
  auto alice = login(kAliceToken);
  auto bob = login(kBobToken);
  auto before = invoke(*bob, api::updates::getState{})->as<api::updates::state>();
  EXPECT_EQ(invoke(*bob, api::updates::getDifference{.pts = before.pts, .date = before.date})->name(),
            "updates.differenceEmpty");
  bob.reset();  // offline

  send(*alice, kBob, "while you were out 1");
  send(*alice, kBob, "while you were out 2");
  send(*alice, kBob, "while you were out 3");
  invoke(*alice, api::messages::editMessage{.peer = peer(kBob), .id = 1, .message = "edited"});
  invoke(*alice, api::messages::deleteMessages{.revoke = true, .id = {2}});

  bob = login(kBobToken);
  auto diff = invoke(*bob, api::updates::getDifference{.pts = before.pts, .date = before.date});
  ASSERT_TRUE(diff && diff->is<api::updates::difference>()) << (diff ? diff->name() : "");
  const auto& d = diff->as<api::updates::difference>();
  ASSERT_EQ(d.new_messages.size(), 3u);
  EXPECT_EQ(as_message(d.new_messages[0]).message, "while you were out 1");
  ASSERT_EQ(d.other_updates.size(), 2u);
  EXPECT_TRUE(d.other_updates[0].is<api::updateEditMessage>());
  EXPECT_TRUE(d.other_updates[1].is<api::updateDeleteMessages>());
  EXPECT_EQ(d.users.size(), 2u);
  const auto& state = d.state.as<api::updates::state>();
  EXPECT_EQ(state.pts, before.pts + 5);
  EXPECT_EQ(state.unread_count, 2);
  EXPECT_EQ(invoke(*bob, api::updates::getDifference{.pts = state.pts, .date = state.date})->name(), "updates.differenceEmpty");

  // pts_limit cuts it into slices; pts_total_limit refuses a long one.
  auto slice = invoke(*bob, api::updates::getDifference{.pts = before.pts, .pts_limit = 2, .date = before.date});
  ASSERT_TRUE(slice && slice->is<api::updates::differenceSlice>()) << (slice ? slice->name() : "");
  EXPECT_EQ(slice->as<api::updates::differenceSlice>().new_messages.size(), 2u);
  auto middle = slice->as<api::updates::differenceSlice>().intermediate_state.as<api::updates::state>().pts;
  EXPECT_EQ(middle, before.pts + 2);
  auto rest = invoke(*bob, api::updates::getDifference{.pts = middle, .pts_limit = 2, .date = before.date});
  ASSERT_TRUE(rest && rest->is<api::updates::differenceSlice>());
  EXPECT_EQ(rest->as<api::updates::differenceSlice>().new_messages.size(), 1u);
  EXPECT_EQ(rest->as<api::updates::differenceSlice>().other_updates.size(), 1u);
  auto too_long = invoke(*bob, api::updates::getDifference{.pts = before.pts, .pts_total_limit = 3, .date = before.date});
  ASSERT_TRUE(too_long && too_long->is<api::updates::differenceTooLong>());
  EXPECT_EQ(too_long->as<api::updates::differenceTooLong>().pts, state.pts);

  EXPECT_EQ(error_for(*bob, api::updates::getDifference{.pts = 0, .date = 1}), "PERSISTENT_TIMESTAMP_EMPTY");
  EXPECT_EQ(error_for(*bob, api::updates::getDifference{.pts = state.pts + 1, .date = 1}), "PERSISTENT_TIMESTAMP_INVALID");
  EXPECT_EQ(error_for(*bob, api::updates::getDifference{.pts = -5, .date = 1}), "PERSISTENT_TIMESTAMP_INVALID");
}

TEST_F(MessagesTest, PushesComeDownToAClientAtLayer198) {
  const auto& l198 = *schemas::api(198);
  auto alice = login(kAliceToken);
  auto bob = client();
  auto json = std::string(R"({"_":"invokeWithLayer","layer":198,"query":{"_":"initConnection","api_id":1,"device_model":"gramjs",)") +
              R"("system_version":"x","app_version":"1","system_lang_code":"en","lang_pack":"","lang_code":"en",)" +
              R"("query":{"_":"auth.importBotAuthorization","flags":0,"api_id":1,"api_hash":"h","bot_auth_token":")" +
              kBobToken + R"("}}})";
  auto value = tl::value_from_json(l198, json);
  ASSERT_TRUE(value.ok()) << value.error().to_string();
  auto login198 = bob->query(*tl::encode_value(*value));
  ASSERT_TRUE(login198.result) << error_of(login198);
  auto user = tl::decode_value(l198, *login198.result);
  ASSERT_TRUE(user.ok());
  hashes[kBob] = user->field("user")->field("access_hash")->as_int64();

  send(*alice, kBob, "to an old client");
  auto push = bob->next_push();
  ASSERT_TRUE(push);
  auto short_message = tl::decode_value(l198, *push);
  ASSERT_TRUE(short_message.ok()) << short_message.error().to_string();
  EXPECT_EQ(short_message->as_object().combinator->name, "updateShortMessage");
  EXPECT_EQ(short_message->field("message")->as_text(), "to an old client");

  // An edit pushes a whole `message`, whose constructor differs at layer 198.
  invoke(*alice, api::messages::editMessage{.peer = peer(kBob), .id = 1, .message = "edited"});
  push = bob->next_push();
  ASSERT_TRUE(push);
  auto updates = tl::decode_value(l198, *push);
  ASSERT_TRUE(updates.ok()) << updates.error().to_string();
  const auto& list = updates->field("updates")->as_vector();
  ASSERT_EQ(list.size(), 1u);
  const auto& message = list[0].field("message")->as_object();
  EXPECT_EQ(message.combinator->id, l198.find("message")->id);
  EXPECT_NE(l198.find("message")->id, api::message::kId);
  EXPECT_EQ(list[0].field("message")->field("message")->as_text(), "edited");
}

TEST_F(MessagesTest, AUserSignedInByPhoneAndABotTalk) {
  auto bot = login(kBobToken);
  auto phone = client();
  const std::string number = "9996610042";  // home DC 1, code 11111
  auto code = phone->query(init_wrapped(api::auth::sendCode{.phone_number = number, .api_id = 1, .api_hash = "h",
                                                             .settings = api::codeSettings{}}));
  ASSERT_TRUE(code.result) << error_of(code);
  auto hash = tl::deserialize<api::auth::SentCode>(*code.result)->as<api::auth::sentCode>().phone_code_hash;
  invoke(*phone, api::auth::signIn{.phone_number = number, .phone_code_hash = hash, .phone_code = "11111"});
  auto auth = invoke(*phone, api::auth::signUp{.phone_number = number, .phone_code_hash = hash, .first_name = "Carol",
                                               .last_name = ""});
  ASSERT_TRUE(auth && auth->is<api::auth::authorization>());
  const auto& carol = auth->as<api::auth::authorization>().user.as<api::user>();
  hashes[carol.id] = carol.access_hash.value_or(0);

  send(*phone, kBob, "hello bot");
  auto push = next_updates(*bot);
  ASSERT_TRUE(push.is<api::updateShortMessage>());
  EXPECT_EQ(push.as<api::updateShortMessage>().user_id, carol.id);
  send(*bot, carol.id, "hello human");
  EXPECT_EQ(next_updates(*phone).as<api::updateShortMessage>().message, "hello human");
  auto read = invoke(*phone, api::messages::readHistory{.peer = peer(kBob), .max_id = 0});
  EXPECT_EQ(read->as<api::messages::affectedMessages>().pts_count, 1);
  EXPECT_EQ(only_update<api::updateReadHistoryOutbox>(next_updates(*bot)).max_id, 2);
}

TEST_F(MessagesTest, ManyPushesOnAnObfuscatedConnectionArriveInOrder) {
  // Pushes and answers share the connection's writer: the obfuscated2 keystream breaks at once if
  // two packets were ever packed out of order.
  namespace tr = mtproto::transport;
  auto alice = login(kAliceToken);
  auto bob = login(kBobToken, {.protocol = tr::Protocol::intermediate, .obfuscated = true});
  auto start = invoke(*bob, api::updates::getState{})->as<api::updates::state>().pts;
  for (int i = 0; i < 30; ++i) {
    send(*alice, kBob, "burst " + std::to_string(i));
    if (i % 10 == 0) invoke(*bob, api::updates::getState{});  // answers in between pushes
  }
  for (int i = 0; i < 30; ++i) {
    auto u = next_updates(*bob);
    ASSERT_TRUE(u.is<api::updateShortMessage>()) << i;
    EXPECT_EQ(u.as<api::updateShortMessage>().pts, start + i + 1);
  }
}

}  // namespace
}  // namespace telepp::server
