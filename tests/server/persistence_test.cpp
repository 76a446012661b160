// `--data DIR` over real TCP: everything a client relies on survives a restart (its auth key
// and login, messages, pts and the update log, documents, 2FA, usernames, id counters), and a
// database that cannot be used is a clear start error.
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "accounts_test_support.hpp"
#include "support/fixed_entropy.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/crypto/srp.hpp"
#include "telepp/server/persistence.hpp"

namespace telepp::server::accounts_test {
namespace {

namespace fs = std::filesystem;
using Algo = api::passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow;

constexpr const char* kAlicePhone = "9996610001";
constexpr const char* kBotToken = "4242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";

Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string text(ByteView b) { return std::string(b.begin(), b.end()); }
crypto::SrpAlgo srp(const Algo& a) { return crypto::SrpAlgo{bytes(a.salt1), bytes(a.salt2), a.g, bytes(a.p)}; }

template <class Q>
typename Q::Result call(TestClient& c, const Q& q) {
  return answer<typename Q::Result>(c.query(boxed(q)));
}

// Runs `sql` on the database file directly (the server must be stopped: it holds the file).
void run_sql(const fs::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(handle);
}

class PersistenceTest : public AccountsTest {
 protected:
  // One RSA key for the suite, put where --data looks for it (making one per test is slow); the
  // fixture below leaves it out, so the server makes DIR/server.pem itself.
  static void SetUpTestSuite() {
    auto key = crypto::RsaPrivateKey::generate(2048);
    ASSERT_TRUE(key.ok());
    shared_pem = key->to_pem();
  }
  virtual bool reuse_key() const { return true; }

  void SetUp() override {
    static int counter = 0;
    dir = fs::temp_directory_path() / ("telepp-persistence-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::remove_all(dir);
    if (reuse_key()) {
      fs::create_directories(dir);
      std::ofstream(dir / "server.pem") << shared_pem;
    }
    start();
  }
  void TearDown() override {
    server.reset();
    fs::remove_all(dir);
  }

  Result<std::unique_ptr<Server>> try_start() {
    ServerConfig config;
    config.dcs = 2;
    config.data_dir = dir.string();
    // NOTE: DC 2 listens on DC 1's ephemeral port + 1, which another process may hold: retry.
    auto s = Server::start(config);
    for (int tries = 1; !s.ok() && s.error().detail.find("cannot listen") != std::string::npos && tries < 5; ++tries) {
      s = Server::start(config);
    }
    return s;
  }
  void start() {
    auto s = try_start();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    server = std::move(*s);
  }
  void restart() {
    server.reset();  // stops it
    start();
  }
  // `c` continues on the restarted server with its key and session: no handshake.
  void reconnect(TestClient& c, int dc = 1) {
    c.keep_key_on_port(server->port(dc));
    ASSERT_TRUE(c.connect());
  }
  std::string start_error() {
    server.reset();
    auto s = try_start();
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.error().detail;
  }

  api::user login_bot(TestClient& c) {
    auto auth = answer<api::auth::Authorization>(
        c.query(init_wrapped(api::auth::importBotAuthorization{.api_id = 1, .api_hash = "x", .bot_auth_token = kBotToken})));
    return auth.is<api::auth::authorization>() ? auth.as<api::auth::authorization>().user.as<api::user>() : api::user{};
  }

  api::updateShortSentMessage send(TestClient& c, const api::user& to, std::string message) {
    auto sent = call(c, api::messages::sendMessage{.peer = api::inputPeerUser{.user_id = to.id, .access_hash = to.access_hash.value_or(0)},
                                                   .message = std::move(message), .random_id = ++random_id});
    EXPECT_TRUE(sent.is<api::updateShortSentMessage>()) << sent.name();
    return sent.is<api::updateShortSentMessage>() ? sent.as<api::updateShortSentMessage>() : api::updateShortSentMessage{};
  }

  std::vector<std::string> history(TestClient& c, const api::user& with) {
    auto h = call(c, api::messages::getHistory{.peer = api::inputPeerUser{.user_id = with.id, .access_hash = with.access_hash.value_or(0)},
                                               .limit = 100});
    std::vector<std::string> out;
    for (const auto& m : h.as<api::messages::messages>().messages) {
      out.push_back(std::to_string(m.as<api::message>().id) + ":" + m.as<api::message>().message);
    }
    return out;
  }

  api::updates::state get_state(TestClient& c) { return call(c, api::updates::getState{}).as<api::updates::state>(); }

  // A one-part upload sent to Saved Messages; the document.
  api::document send_document(TestClient& c, const std::string& content) {
    auto saved = c.query(boxed(api::upload::saveFilePart{.file_id = 77, .file_part = 0, .bytes = content}));
    EXPECT_TRUE(saved.result.has_value()) << describe(saved);
    auto media = api::inputMediaUploadedDocument{
        .file = api::inputFile{.id = 77, .parts = 1, .name = "notes.txt", .md5_checksum = ""},
        .mime_type = "text/plain",
        .attributes = {api::documentAttributeFilename{.file_name = "notes.txt"}}};
    auto updates = call(c, api::messages::sendMedia{.peer = api::inputPeerSelf{}, .media = media, .message = "notes",
                                                    .random_id = ++random_id});
    for (const auto& u : updates.as<api::updates_>().updates) {
      if (const auto* m = u.get_if<api::updateNewMessage>()) {
        return m->message.as<api::message>().media->as<api::messageMediaDocument>().document->as<api::document>();
      }
    }
    ADD_FAILURE() << "no document";
    return {};
  }
  std::string download(TestClient& c, const api::document& d) {
    auto f = call(c, api::upload::getFile{.location = api::inputDocumentFileLocation{.id = d.id, .access_hash = d.access_hash,
                                                                                     .file_reference = d.file_reference, .thumb_size = ""},
                                          .offset = 0, .limit = 1024 * 1024});
    return f.is<api::upload::file>() ? f.as<api::upload::file>().bytes : std::string();
  }

  // account.updatePasswordSettings from no password to `password`.
  void set_password(TestClient& c, const std::string& password) {
    auto offered = call(c, api::account::getPassword{}).as<api::account::password>().new_algo.as<Algo>();
    Bytes suffix(crypto::kSrpNewSalt1Suffix);
    entropy.fill(suffix);
    Algo chosen = offered;
    chosen.salt1 += text(suffix);
    auto algo = srp(chosen);
    auto v = crypto::srp_verifier(algo, crypto::srp_password_hash(as_bytes(password), algo.salt1, algo.salt2));
    ASSERT_TRUE(v.ok());
    auto set = c.query(boxed(api::account::updatePasswordSettings{
        .password = api::inputCheckPasswordEmpty{},
        .new_settings = api::account::passwordInputSettings{.new_algo = chosen, .new_password_hash = text(v->view()), .hint = ""}}));
    ASSERT_TRUE(set.result.has_value()) << describe(set);
  }
  // The SRP proof of `password` for a fresh account.password.
  api::inputCheckPasswordSRP prove(TestClient& c, const std::string& password) {
    auto info = call(c, api::account::getPassword{}).as<api::account::password>();
    EXPECT_TRUE(info.has_password);
    if (!info.current_algo || !info.srp_B || !info.srp_id) return {};
    auto algo = srp(info.current_algo->as<Algo>());
    auto x = crypto::srp_password_hash(as_bytes(password), algo.salt1, algo.salt2);
    auto proof = crypto::srp_client_proof(algo, x, as_bytes(*info.srp_B), entropy);
    EXPECT_TRUE(proof.ok());
    if (!proof.ok()) return {};
    return api::inputCheckPasswordSRP{.srp_id = *info.srp_id, .A = text(proof->g_a.view()), .M1 = text(proof->m1.view())};
  }

  static inline std::string shared_pem;
  fs::path dir;
  std::int64_t random_id = 0;
  test::FixedEntropy entropy{11};
};

class PersistenceFreshKeyTest : public PersistenceTest {
 protected:
  bool reuse_key() const override { return false; }
};

TEST_F(PersistenceFreshKeyTest, AClientCarriesOnAfterARestart) {
  auto alice_device = client();
  auto alice = sign_up(*alice_device, kAlicePhone, "Alice");
  auto bot_device = client();
  auto bot = login_bot(*bot_device);
  send(*alice_device, bot, "one");
  send(*alice_device, bot, "two");
  auto three = send(*alice_device, bot, "three");
  send(*bot_device, alice, "from the bot");
  call(*alice_device, api::messages::editMessage{.peer = api::inputPeerUser{.user_id = bot.id, .access_hash = *bot.access_hash},
                                                 .id = 1, .message = "one, edited"});
  call(*alice_device, api::messages::deleteMessages{.revoke = true, .id = {2}});
  const std::string content = "the content of a document \x01\x02\x00 with a zero byte";
  auto doc = send_document(*alice_device, std::string(content.data(), content.size() + 1));
  set_password(*alice_device, "hunter2");
  EXPECT_TRUE(call(*alice_device, api::account::updateUsername{.username = "alice_p"}).is<api::user>());
  auto state_before = get_state(*alice_device);
  auto history_before = history(*alice_device, bot);
  ASSERT_EQ(history_before.size(), 3u);
  auto fingerprint = server->fingerprint_hex();

  restart();
  EXPECT_EQ(server->fingerprint_hex(), fingerprint) << "the RSA key defaults to DIR/server.pem";
  EXPECT_TRUE(fs::exists(dir / "server.pem"));
  reconnect(*alice_device);
  // No handshake, no initConnection: the saved key is known, logged in, initialised.
  auto self = answer<std::vector<api::User>>(get_self(*alice_device));
  ASSERT_EQ(self.size(), 1u);
  EXPECT_EQ(self[0].as<api::user>().id, alice.id);
  EXPECT_EQ(self[0].as<api::user>().username, "alice_p");
  EXPECT_EQ(history(*alice_device, bot), history_before);
  EXPECT_EQ(get_state(*alice_device).pts, state_before.pts);
  EXPECT_EQ(download(*alice_device, doc), std::string(content.data(), content.size() + 1));
  auto resolved = call(*alice_device, api::contacts::resolveUsername{.username = "alice_p"});
  EXPECT_EQ(resolved.as<api::contacts::resolvedPeer>().peer.as<api::peerUser>().user_id, alice.id);

  // New ids follow the old ones; the pts goes on and getDifference replays across the restart.
  reconnect(*bot_device);
  send(*bot_device, alice, "after the restart");
  auto next = send(*alice_device, bot, "four");
  EXPECT_EQ(next.id, three.id + 4) << "after three: the bot's message, the document, the bot's new one";
  EXPECT_EQ(next.pts, state_before.pts + 2);
  auto diff = call(*alice_device, api::updates::getDifference{.pts = state_before.pts - 2, .date = state_before.date});
  ASSERT_TRUE(diff.is<api::updates::difference>()) << diff.name();
  const auto& d = diff.as<api::updates::difference>();
  EXPECT_EQ(d.new_messages.size(), 3u) << "the document (logged before the restart), the bot's message, four";
  ASSERT_EQ(d.other_updates.size(), 1u);
  EXPECT_TRUE(d.other_updates[0].is<api::updateDeleteMessages>()) << "logged before the restart";

  // The password is still asked for, and still accepted.
  auto other_device = client();
  std::string hash = send_code(*other_device, kAlicePhone);
  expect_error(other_device->query(boxed(api::auth::signIn{.phone_number = kAlicePhone, .phone_code_hash = hash, .phone_code = "11111"})),
               401, "SESSION_PASSWORD_NEEDED");
  auto login = call(*other_device, api::auth::checkPassword{.password = prove(*other_device, "hunter2")});
  EXPECT_EQ(login.as<api::auth::authorization>().user.as<api::user>().id, alice.id);

  // A new account gets a new id; it and everything above survive a second restart.
  auto bob_device = client();
  auto bob = sign_up(*bob_device, "9996610002", "Bob");
  EXPECT_GT(bob.id, alice.id);
  EXPECT_NE(bob.id, bot.id);
  restart();
  reconnect(*bob_device);
  EXPECT_EQ(answer<std::vector<api::User>>(get_self(*bob_device))[0].as<api::user>().id, bob.id);
  reconnect(*alice_device);
  EXPECT_EQ(history(*alice_device, bot).size(), 5u);
  EXPECT_EQ(get_state(*alice_device).pts, next.pts);
}

TEST_F(PersistenceTest, TemporaryKeysAndTheirClientInfoSurviveARestart) {
  auto temp = std::make_unique<TestClient>(server->port(2), server->public_key_pem());
  temp->use_temporary_keys(3600);
  ASSERT_TRUE(temp->connect());
  ASSERT_TRUE(temp->handshake());
  // Unbound, the temporary key is not logged in (binding: temp_key_binding_test; the bound key's
  // fields go through the same row: the store test below).
  expect_error(temp->query(init_wrapped(api::users::getUsers{.id = {api::inputUserSelf{}}})), 401, "AUTH_KEY_UNREGISTERED");
  auto keys = server->auth_key_count(2);
  restart();
  EXPECT_EQ(server->auth_key_count(2), keys);
  reconnect(*temp, 2);
  // Not CONNECTION_NOT_INITED: the client info saved by initConnection above is still there.
  expect_error(get_self(*temp), 401, "AUTH_KEY_UNREGISTERED");
}

// A write that fails is not acknowledged (and the client may retry); what it changed stays marked
// and goes with the next write that succeeds.
TEST_F(PersistenceTest, AnAnswerWaitsForItsWrite) {
  auto c = client();
  auto bot = login_bot(*c);
  const std::string content(1024 * 1024, 'z');
  for (int part = 0; part < 2; ++part) {
    auto saved = c->query(boxed(api::upload::saveFilePart{.file_id = 77, .file_part = part, .bytes = content.substr(part * 524288, 524288)}));
    ASSERT_TRUE(saved.result.has_value()) << describe(saved);
  }
  auto media = api::inputMediaUploadedDocument{.file = api::inputFile{.id = 77, .parts = 2, .name = "big", .md5_checksum = ""},
                                               .mime_type = "application/octet-stream", .attributes = {}};
  // The file-size limit makes the write of the 1 MiB document fail (EFBIG; SIGXFSZ ignored).
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit small = old_limit;
  small.rlim_cur = 512 * 1024;
  ::setrlimit(RLIMIT_FSIZE, &small);
  auto failed = c->query(boxed(api::messages::sendMedia{.peer = api::inputPeerSelf{}, .media = media, .message = "", .random_id = 999}));
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  expect_error(failed, 500, "STATE_NOT_SAVED_ON_TEST_SERVER");

  send(*c, bot, "next");
  restart();
  reconnect(*c);
  EXPECT_EQ(history(*c, bot), (std::vector<std::string>{"2:next", "1:"})) << "the media message went with the next write";
}

TEST_F(PersistenceTest, AFileThatIsNotADatabaseIsAClearStartError) {
  server.reset();
  fs::remove(dir / Persistence::kFileName);
  std::ofstream(dir / Persistence::kFileName) << std::string(4096, 'x');
  auto error = start_error();
  EXPECT_NE(error.find("not a usable telepp state database"), std::string::npos) << error;
  EXPECT_NE(error.find(Persistence::kFileName), std::string::npos) << error;
}

TEST_F(PersistenceTest, ACorruptRowIsAClearStartError) {
  auto c = client();
  login_bot(*c);
  server.reset();
  run_sql(dir / Persistence::kFileName, "UPDATE users SET body = '{\"access_hash\": \"not a number\"}'");
  auto error = start_error();
  EXPECT_NE(error.find("corrupt user 4242"), std::string::npos) << error;
}

TEST_F(PersistenceTest, ANewerSchemaVersionIsRefused) {
  server.reset();
  run_sql(dir / Persistence::kFileName, "UPDATE meta SET value = 2 WHERE name = 'schema_version'");
  auto error = start_error();
  EXPECT_NE(error.find("schema version 2 is newer than this telepp's (1)"), std::string::npos) << error;
}

TEST_F(PersistenceTest, AnotherLayersDatabaseIsRefused) {
  server.reset();
  run_sql(dir / Persistence::kFileName, "UPDATE meta SET value = 227 WHERE name = 'tl_layer'");
  auto error = start_error();
  EXPECT_NE(error.find("TL at layer 227"), std::string::npos) << error;
}

TEST_F(PersistenceTest, ASecondServerOnTheSameFolderIsRefused) {
  auto second = try_start();
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().detail.find("locked"), std::string::npos) << second.error().detail;
}

// ---- the store alone: what a flush writes, and what a load gives back -------------------

class PersistenceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("telepp-store-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    reopen();
  }
  void TearDown() override {
    store.reset();
    fs::remove_all(dir);
  }
  // A fresh State and keys loaded from the folder (the previous store closed first).
  void reopen() {
    store.reset();
    state = std::make_unique<State>();
    keys = std::make_unique<AuthKeys>(entropy);
    auto p = Persistence::open(dir.string());
    ASSERT_TRUE(p.ok()) << p.error().to_string();
    store = std::move(*p);
    ASSERT_TRUE(store->load(*state, dcs()).ok());
  }
  std::vector<DcKeys> dcs() { return {{2, keys.get()}}; }
  std::size_t flush(bool at_stop = false) {
    auto done = store->flush(*state, dcs(), at_stop);
    EXPECT_TRUE(done.ok()) << done.error().to_string();
    return store->last_flush_rows();
  }
  static mtproto::AuthKey key_of(Byte seed) {
    mtproto::AuthKey::Bytes256 raw;
    for (std::size_t i = 0; i < raw.size(); ++i) raw.bytes[i] = static_cast<Byte>(seed + i);
    return mtproto::AuthKey(raw);
  }

  fs::path dir;
  test::FixedEntropy entropy{3};
  std::unique_ptr<Persistence> store;
  std::unique_ptr<State> state;
  std::unique_ptr<AuthKeys> keys;
};

TEST_F(PersistenceStoreTest, AFlushWritesOnlyWhatChanged) {
  auto id = state->add_user("9996620001", "Ann", "", 2).id;
  auto& r = keys->add(key_of(1), false, 0);
  r.client.emplace();
  r.client->layer = 198;
  r.client->date_active = 20;
  EXPECT_EQ(flush(), 2u);  // the account, the key
  EXPECT_EQ(flush(), 0u);
  state->find(id);        // reached for writing, not changed
  keys->find(r.key.id());
  keys->records();
  EXPECT_EQ(flush(), 0u);
  r.client->date_active = 30;  // moves on every query: written at stop only
  EXPECT_EQ(flush(), 0u);
  EXPECT_EQ(flush(/*at_stop=*/true), 1u);
  state->find(id)->username = "ann";
  r.user_id = id;  // changed without a mark (find, touch, records): the store does not look
  EXPECT_EQ(flush(), 1u);
  keys->touch(r);
  EXPECT_EQ(flush(), 1u);
  EXPECT_EQ(flush(), 0u);
}

TEST_F(PersistenceStoreTest, AKeyComesBackWithEverythingLearntWithIt) {
  auto& temp = keys->add(key_of(7), true, 1700000000);
  temp.bound_perm_id = 0x1234567890abcdefull;
  temp.user_id = 1000001;
  temp.password_pending_user = 1000002;
  temp.client = ClientInfo{.layer = 227, .api_id = 5, .device_model = "phone", .system_version = "Android 14",
                           .app_version = "1.2", .system_lang_code = "de", .lang_pack = "android", .lang_code = "de",
                           .proxy_address = "10.0.0.1", .proxy_port = 443, .params_json = R"({"tz_offset":3600})",
                           .date_created = 100, .date_active = 200};
  auto id = temp.key.id();
  flush(/*at_stop=*/true);
  reopen();
  auto* back = keys->find(id);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->key, key_of(7));
  EXPECT_TRUE(back->temporary);
  EXPECT_EQ(back->expires_at, 1700000000);
  EXPECT_EQ(back->bound_perm_id, 0x1234567890abcdefull);
  EXPECT_EQ(back->user_id, 1000001);
  EXPECT_EQ(back->password_pending_user, 1000002);
  ASSERT_TRUE(back->client.has_value());
  EXPECT_EQ(back->client->layer, 227);
  EXPECT_EQ(back->client->lang_pack, "android");
  EXPECT_EQ(back->client->proxy_port, 443);
  EXPECT_EQ(back->client->params_json, R"({"tz_offset":3600})");
  EXPECT_EQ(back->client->date_created, 100);
  EXPECT_EQ(back->client->date_active, 200);
  EXPECT_NE(back->salts, nullptr) << "salts are made afresh";
  EXPECT_EQ(flush(), 0u) << "a load leaves nothing to write";
}

TEST_F(PersistenceStoreTest, AFailedFlushWritesNothingAndTheNextOneCatchesUp) {
  DocumentRecord doc{.mime_type = "application/octet-stream", .bytes = std::string(2 * 1024 * 1024, 'd')};
  auto added = state->files.add_document(doc);
  ASSERT_TRUE(std::holds_alternative<const DocumentRecord*>(added));
  auto id = std::get<const DocumentRecord*>(added)->id;
  // The file-size limit makes the write of the 2 MiB document fail (EFBIG; SIGXFSZ ignored).
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit small = old_limit;
  small.rlim_cur = 512 * 1024;
  ::setrlimit(RLIMIT_FSIZE, &small);
  auto failed = store->flush(*state, dcs());
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().detail.find(Persistence::kFileName), std::string::npos) << failed.error().detail;
  EXPECT_EQ(flush(), 2u) << "the document and the id counter, still marked";
  reopen();
  ASSERT_NE(state->files.document(id), nullptr);
  EXPECT_EQ(state->files.document(id)->bytes, doc.bytes);
  auto again = state->files.add_document(doc);
  ASSERT_TRUE(std::holds_alternative<const DocumentRecord*>(again));
  EXPECT_NE(std::get<const DocumentRecord*>(again)->id, id) << "the id counter came back too";
}

}  // namespace
}  // namespace telepp::server::accounts_test
