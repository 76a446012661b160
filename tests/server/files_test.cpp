// Files on the test server over real loopback TCP: uploads in parts (small and big files) with
// Telegram's part rules, messages.sendMedia with an uploaded or an existing document, and
// upload.getFile with its window rules, file references and FILE_MIGRATE; plus the file store's
// own caps and MD5, directly.
#include <gtest/gtest.h>

#include <algorithm>

#include "telepp/api.hpp"
#include "telepp/server/file_store.hpp"
#include "telepp/crypto/md5.hpp"
#include "telepp/server/server.hpp"
#include "query_support.hpp"
#include "test_client.hpp"

namespace telepp::server {
namespace {

namespace api = telepp::api;
using test::QueryResult;
using test::TestClient;
using test::boxed;
using test::init_wrapped;

constexpr const char* kBotToken = "4242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";
constexpr const char* kOtherBotToken = "4343:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2";
constexpr int kKiB = 1024;
constexpr int kMiB = 1024 * 1024;

// Equal bytes, or where they first differ (without printing megabytes).
::testing::AssertionResult same_bytes(const std::string& got, const std::string& want) {
  if (got == want) return ::testing::AssertionSuccess();
  auto at = std::mismatch(got.begin(), got.end(), want.begin(), want.end()).first - got.begin();
  return ::testing::AssertionFailure() << "got " << got.size() << " bytes, want " << want.size() << ", first difference at " << at;
}

std::string error_of(const QueryResult& r) { return r.error ? r.error->message() : std::string("(no error)"); }

// Deterministic content that differs at every offset (so a shifted window cannot match).
std::string content(std::size_t size, std::uint32_t seed) {
  std::string out(size, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& c : out) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

api::Document only_document(const api::Updates& updates) {
  for (const auto& u : updates.as<api::updates_>().updates) {
    if (const auto* m = u.get_if<api::updateNewMessage>()) {
      const auto& media = m->message.as<api::message>().media;
      if (media && media->is<api::messageMediaDocument>()) return *media->as<api::messageMediaDocument>().document;
    }
  }
  ADD_FAILURE() << "no document in the answer";
  return api::documentEmpty{};
}

api::inputDocumentFileLocation location_of(const api::document& d) {
  return {.id = d.id, .access_hash = d.access_hash, .file_reference = d.file_reference, .thumb_size = ""};
}

class FilesTest : public ::testing::Test {
 protected:
  // One server for the suite (starting one makes an RSA key): tests use their own file ids, and
  // random ids from one counter, so they do not see each other.
  static void SetUpTestSuite() {
    ServerConfig config;
    config.dcs = 2;
    // NOTE: with any free port for DC 1, DC 2 takes the next port, which another socket on the
    // machine may hold (busy when other tests run): try again with another DC 1 port.
    auto s = Server::start(config);
    for (int attempt = 0; !s.ok() && attempt < 20; ++attempt) s = Server::start(config);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    server = s->release();
  }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  void SetUp() override { ASSERT_NE(server, nullptr); }

  std::unique_ptr<TestClient> client(int dc = 1) {
    auto c = std::make_unique<TestClient>(server->port(dc), server->public_key_pem());
    EXPECT_TRUE(c->connect());
    EXPECT_TRUE(c->handshake());
    return c;
  }
  // A client logged in as the bot of `token` (homed on the DC of its first login); `self` gets its user.
  std::unique_ptr<TestClient> bot(const char* token = kBotToken, int dc = 1, api::user* self = nullptr) {
    auto c = client(dc);
    auto login = c->query(init_wrapped(api::auth::importBotAuthorization{.api_id = 1, .api_hash = "x", .bot_auth_token = token}));
    EXPECT_TRUE(login.result.has_value()) << error_of(login);
    if (self && login.result) *self = tl::deserialize<api::auth::Authorization>(*login.result)->as<api::auth::authorization>().user.as<api::user>();
    return c;
  }

  static QueryResult save(TestClient& c, std::int64_t file_id, int part, std::string bytes) {
    return c.query(boxed(api::upload::saveFilePart{.file_id = file_id, .file_part = part, .bytes = std::move(bytes)}));
  }
  static QueryResult save_big(TestClient& c, std::int64_t file_id, int part, int total, std::string bytes) {
    return c.query(boxed(api::upload::saveBigFilePart{.file_id = file_id, .file_part = part, .file_total_parts = total,
                                                      .bytes = std::move(bytes)}));
  }
  static void expect_true(const QueryResult& r) {
    ASSERT_TRUE(r.result.has_value()) << error_of(r);
    EXPECT_EQ(tl::deserialize<bool>(*r.result).value(), true);
  }
  // Saves `data` in parts of `part_size` (the last one shorter) with saveFilePart, or saveBigFilePart.
  static int upload(TestClient& c, std::int64_t file_id, const std::string& data, std::size_t part_size, bool big) {
    int parts = static_cast<int>((data.size() + part_size - 1) / part_size);
    for (int i = 0; i < parts; ++i) {
      auto piece = data.substr(static_cast<std::size_t>(i) * part_size, part_size);
      expect_true(big ? save_big(c, file_id, i, parts, piece) : save(c, file_id, i, piece));
    }
    return parts;
  }

  static QueryResult send_media(TestClient& c, api::InputMedia media, api::InputPeer peer = api::inputPeerSelf{}) {
    return c.query(boxed(api::messages::sendMedia{.peer = std::move(peer), .media = std::move(media),
                                                  .message = "a caption", .random_id = ++last_random_id}));
  }
  static api::inputMediaUploadedDocument uploaded(api::InputFile file, std::string mime = "application/pdf") {
    return {.file = std::move(file), .mime_type = std::move(mime),
            .attributes = {api::documentAttributeFilename{.file_name = "report.pdf"}}};
  }
  // Sends an uploaded file to Saved Messages; the document of the resulting message.
  static api::document send_document(TestClient& c, api::InputFile file) {
    auto r = send_media(c, uploaded(std::move(file)));
    EXPECT_TRUE(r.result.has_value()) << error_of(r);
    if (!r.result) return {};
    auto updates = tl::deserialize<api::Updates>(*r.result);
    EXPECT_TRUE(updates.ok());
    if (!updates.ok()) return {};
    auto doc = only_document(*updates);
    return doc.is<api::document>() ? doc.as<api::document>() : api::document{};
  }

  static QueryResult get_file(TestClient& c, api::InputFileLocation location, std::int64_t offset, int limit,
                              bool precise = false) {
    return c.query(boxed(api::upload::getFile{.precise = precise, .location = std::move(location), .offset = offset,
                                              .limit = limit}));
  }
  static api::upload::file file_of(const QueryResult& r) {
    EXPECT_TRUE(r.result.has_value()) << error_of(r);
    if (!r.result) return {};
    auto f = tl::deserialize<api::upload::File>(*r.result);
    EXPECT_TRUE(f.ok());
    return f.ok() ? f->as<api::upload::file>() : api::upload::file{};
  }
  // The whole document, downloaded in windows of `limit` until a short answer.
  static std::string download(TestClient& c, const api::document& d, int limit) {
    std::string out;
    for (std::int64_t offset = 0;; offset += limit) {
      auto piece = file_of(get_file(c, location_of(d), offset, limit)).bytes;
      out += piece;
      if (piece.size() < static_cast<std::size_t>(limit) || offset > d.size) return out;
    }
  }
  static void expect_error(const QueryResult& r, const char* name, int code = 400) {
    ASSERT_TRUE(r.error.has_value()) << "expected " << name;
    EXPECT_EQ(r.error->message(), name);
    EXPECT_EQ(r.error->code, code) << name;
  }

  static inline Server* server = nullptr;
  static inline std::int64_t last_random_id = 0;
};


TEST_F(FilesTest, SmallFileInPartsThenDownloadsInEveryWindow) {
  auto c = bot();
  std::string data = content(3 * 128 * kKiB + 1000, 1);
  int parts = upload(*c, 77, data, 128 * kKiB, false);
  auto doc = send_document(*c, api::inputFile{.id = 77, .parts = parts, .name = "report.pdf", .md5_checksum = crypto::md5_hex(as_bytes(data))});
  EXPECT_EQ(doc.size, static_cast<std::int64_t>(data.size()));
  EXPECT_EQ(doc.mime_type, "application/pdf");
  EXPECT_EQ(doc.dc_id, 1);
  ASSERT_EQ(doc.attributes.size(), 1u);
  EXPECT_EQ(doc.attributes[0].as<api::documentAttributeFilename>().file_name, "report.pdf");

  // The whole file in one window: the file's own type.
  auto whole = file_of(get_file(*c, location_of(doc), 0, kMiB));
  EXPECT_TRUE(same_bytes(whole.bytes, data));
  EXPECT_TRUE(whole.type.is<api::storage::filePdf>());
  EXPECT_EQ(whole.mtime, doc.date);
  // Windows of several sizes put it back together.
  for (int limit : {4096, 64 * kKiB, 128 * kKiB, 512 * kKiB}) EXPECT_TRUE(same_bytes(download(*c, doc, limit), data)) << limit;
  // A piece: storage.filePartial, the bytes at that offset.
  auto piece = file_of(get_file(*c, location_of(doc), 256 * kKiB, 8192));
  EXPECT_TRUE(piece.type.is<api::storage::filePartial>());
  EXPECT_TRUE(same_bytes(piece.bytes, data.substr(256 * kKiB, 8192)));
  // precise: 1 KiB units, any limit up to 1 MiB inside one megabyte.
  EXPECT_TRUE(same_bytes(file_of(get_file(*c, location_of(doc), 1024, 3072, true)).bytes, data.substr(1024, 3072)));
  // At and past the end: empty bytes.
  EXPECT_EQ(file_of(get_file(*c, location_of(doc), 512 * kKiB, 4096)).bytes, "");
  // The upload was used up: the same InputFile again finds no parts.
  auto again = send_media(*c, uploaded(api::inputFile{.id = 77, .parts = parts, .name = "x", .md5_checksum = ""}));
  expect_error(again, "FILE_PART_0_MISSING");
}

TEST_F(FilesTest, BigFileInPartsThenDownloadsMegabyteByMegabyte) {
  auto c = bot();
  // NOTE: clients use saveBigFilePart over 10 MiB; the server takes it for any size, and a smaller
  // file keeps the suite fast while still spanning several 1 MiB chunks.
  std::string data = content(2 * kMiB + 512 * kKiB + 1234, 2);
  const int parts = static_cast<int>((data.size() + 512 * kKiB - 1) / (512 * kKiB));
  // The last part first, as parallel uploaders may: it fits the part size that comes after.
  expect_true(save_big(*c, 88, parts - 1, parts, data.substr(static_cast<std::size_t>(parts - 1) * 512 * kKiB)));
  for (int i = 0; i + 1 < parts; ++i) expect_true(save_big(*c, 88, i, parts, data.substr(static_cast<std::size_t>(i) * 512 * kKiB, 512 * kKiB)));

  auto doc = send_document(*c, api::inputFileBig{.id = 88, .parts = parts, .name = "big.bin"});
  EXPECT_EQ(doc.size, static_cast<std::int64_t>(data.size()));
  EXPECT_TRUE(same_bytes(download(*c, doc, kMiB), data));
  auto tail = file_of(get_file(*c, location_of(doc), 2 * kMiB, kMiB));
  EXPECT_TRUE(same_bytes(tail.bytes, data.substr(2 * kMiB)));
  EXPECT_TRUE(tail.type.is<api::storage::filePartial>());
}

TEST_F(FilesTest, SaveFilePartRules) {
  auto anonymous = client();
  expect_error(anonymous->query(init_wrapped(api::upload::saveFilePart{.file_id = 1, .file_part = 0, .bytes = "x"})),
               "AUTH_KEY_UNREGISTERED", 401);
  auto c = bot();
  expect_error(save(*c, 1, -1, "x"), "FILE_PART_INVALID");
  expect_error(save(*c, 1, 4000, "x"), "FILE_PART_INVALID");
  expect_error(save(*c, 1, 0, ""), "FILE_PART_EMPTY");
  expect_error(save(*c, 1, 0, std::string(512 * kKiB + 1, 'a')), "FILE_PART_TOO_BIG");
  expect_true(save(*c, 1, 3999, std::string(512 * kKiB, 'a')));  // the largest part at the last index
  // One file_id is one upload: saveBigFilePart cannot continue it.
  expect_error(save_big(*c, 1, 0, 2, std::string(kKiB, 'a')), "FILE_PARTS_INVALID");
}

TEST_F(FilesTest, SaveBigFilePartRules) {
  auto c = bot();
  std::string part(64 * kKiB, 'p');
  expect_error(save_big(*c, 2, 0, 0, part), "FILE_PARTS_INVALID");
  expect_error(save_big(*c, 2, 0, 4001, part), "FILE_PARTS_INVALID");
  expect_error(save_big(*c, 2, 5, 5, part), "FILE_PART_INVALID");
  expect_error(save_big(*c, 2, -1, 5, part), "FILE_PART_INVALID");
  expect_error(save_big(*c, 2, 0, 5, ""), "FILE_PART_EMPTY");
  expect_error(save_big(*c, 2, 0, 5, std::string(512 * kKiB + kKiB, 'p')), "FILE_PART_TOO_BIG");
  expect_error(save_big(*c, 2, 0, 5, std::string(1000, 'p')), "FILE_PART_SIZE_INVALID");   // not whole KiB
  expect_error(save_big(*c, 2, 0, 5, std::string(3 * kKiB, 'p')), "FILE_PART_SIZE_INVALID");  // 512 KiB % 3 KiB != 0

  expect_true(save_big(*c, 2, 0, 5, part));
  expect_error(save_big(*c, 2, 1, 5, std::string(128 * kKiB, 'p')), "FILE_PART_SIZE_CHANGED");
  expect_error(save_big(*c, 2, 4, 5, std::string(64 * kKiB + kKiB, 'p')), "FILE_PART_SIZE_CHANGED");  // last > part size
  expect_true(save_big(*c, 2, 4, 5, std::string(100, 'p')));  // the last part may be any smaller size
  expect_error(save_big(*c, 2, 1, 6, part), "FILE_PARTS_INVALID");  // another total for the same file
  expect_error(save(*c, 2, 1, part), "FILE_PARTS_INVALID");          // the other method

  // The last part first, then a part size it does not fit.
  expect_true(save_big(*c, 3, 2, 3, std::string(100 * kKiB, 'p')));
  expect_error(save_big(*c, 3, 0, 3, part), "FILE_PART_SIZE_CHANGED");
}

TEST_F(FilesTest, SendMediaChecksTheUpload) {
  auto c = bot();
  std::string data = content(3 * 4096 + 10, 3);
  int parts = upload(*c, 10, data, 4096, false);
  auto file = [&](int n, std::string md5 = "") {
    return api::inputFile{.id = 10, .parts = n, .name = "f", .md5_checksum = std::move(md5)};
  };
  expect_error(send_media(*c, uploaded(file(0))), "FILE_PARTS_INVALID");
  expect_error(send_media(*c, uploaded(file(parts + 1))), "FILE_PART_4_MISSING");
  expect_error(send_media(*c, uploaded(file(parts, crypto::md5_hex(as_bytes(std::string_view("other")))))), "MD5_CHECKSUM_INVALID");
  expect_error(send_media(*c, uploaded(api::inputFileBig{.id = 10, .parts = parts, .name = "f"})), "INPUT_FILE_INVALID");
  expect_error(send_media(*c, uploaded(api::inputFile{.id = 999, .parts = 1, .name = "f", .md5_checksum = ""})),
               "FILE_PART_0_MISSING");
  expect_error(send_media(*c, api::inputMediaGeoPoint{.geo_point = api::inputGeoPointEmpty{}}),
               "MEDIA_NOT_SUPPORTED_BY_TEST_SERVER: inputMediaGeoPoint");
  expect_error(send_media(*c, api::inputMediaEmpty{}), "MEDIA_EMPTY");
  // A missing middle part is named; the checksum is not case-sensitive.
  expect_true(save(*c, 11, 0, data.substr(0, 4096)));
  expect_true(save(*c, 11, 2, data.substr(8192, 4096)));
  expect_error(send_media(*c, uploaded(api::inputFile{.id = 11, .parts = 3, .name = "f", .md5_checksum = ""})),
               "FILE_PART_1_MISSING");
  std::string upper = crypto::md5_hex(as_bytes(data));
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(send_document(*c, file(parts, upper)).size, static_cast<std::int64_t>(data.size()));
  // A retried send (the same random_id) is a duplicate, not a missing upload.
  auto retried = c->query(boxed(api::messages::sendMedia{.peer = api::inputPeerSelf{}, .media = uploaded(file(parts)),
                                                         .message = "", .random_id = last_random_id}));
  expect_error(retried, "RANDOM_ID_DUPLICATE", 500);

  // saveFilePart cannot know the last part: part sizes are checked when the file is used.
  expect_true(save(*c, 12, 0, std::string(4096, 'a')));
  expect_true(save(*c, 12, 1, std::string(8192, 'a')));
  expect_true(save(*c, 12, 2, std::string(10, 'a')));
  expect_error(send_media(*c, uploaded(api::inputFile{.id = 12, .parts = 3, .name = "f", .md5_checksum = ""})),
               "FILE_PART_LENGTH_INVALID");
  // A big upload used with another part count.
  upload(*c, 13, data, 4096, true);
  expect_error(send_media(*c, uploaded(api::inputFileBig{.id = 13, .parts = parts - 1, .name = "f"})),
               "FILE_PARTS_INVALID");
}

TEST_F(FilesTest, GetFileWindowAndLocationRules) {
  auto c = bot();
  std::string data = content(2 * kMiB + 5000, 4);
  int parts = upload(*c, 20, data, 512 * kKiB, true);
  auto doc = send_document(*c, api::inputFileBig{.id = 20, .parts = parts, .name = "f"});
  auto at = [&](std::int64_t offset, int limit, bool precise = false) {
    return get_file(*c, location_of(doc), offset, limit, precise);
  };
  for (int limit : {0, -4096, 1000, 3 * 4096, 2 * kMiB}) expect_error(at(0, limit), "LIMIT_INVALID");
  expect_error(at(kMiB - 4096, 8192), "LIMIT_INVALID");  // across a megabyte boundary
  expect_error(at(100, 4096), "OFFSET_INVALID");
  expect_error(at(-4096, 4096), "OFFSET_INVALID");
  expect_error(at(0, 1000, true), "LIMIT_INVALID");
  expect_error(at(0, kMiB + kKiB, true), "LIMIT_INVALID");
  expect_error(at(512, 1024, true), "OFFSET_INVALID");
  expect_error(at(kMiB - 1024, 2048, true), "LIMIT_INVALID");
  // precise windows that are not allowed without it.
  EXPECT_TRUE(same_bytes(file_of(at(kMiB + 2048, 3 * 4096, true)).bytes, data.substr(kMiB + 2048, 3 * 4096)));
  EXPECT_TRUE(same_bytes(file_of(at(2 * kMiB, 5 * 1024, true)).bytes, data.substr(2 * kMiB)));

  auto with = [&](auto change) {
    auto location = location_of(doc);
    change(location);
    return get_file(*c, location, 0, 4096);
  };
  expect_error(with([](auto& l) { l.id ^= 1; }), "FILE_ID_INVALID");
  expect_error(with([](auto& l) { l.access_hash ^= 1; }), "FILE_ID_INVALID");
  expect_error(with([](auto& l) { l.file_reference.clear(); }), "FILE_REFERENCE_EMPTY");
  expect_error(with([](auto& l) { l.file_reference.back() ^= 1; }), "FILE_REFERENCE_EXPIRED");
  expect_error(with([](auto& l) { l.thumb_size = "m"; }), "LOCATION_INVALID");
  expect_error(get_file(*c, api::inputPhotoFileLocation{.id = doc.id, .access_hash = doc.access_hash,
                                                        .file_reference = doc.file_reference, .thumb_size = "x"},
                        0, 4096),
               "LOCATION_INVALID");
  auto anonymous = client();
  expect_error(anonymous->query(init_wrapped(api::upload::getFile{.location = location_of(doc), .offset = 0, .limit = 4096})),
               "AUTH_KEY_UNREGISTERED", 401);
}

TEST_F(FilesTest, AnotherDcSendsTheClientToTheFilesDc) {
  auto c = bot();
  std::string data = content(5000, 5);
  int parts = upload(*c, 30, data, 4096, false);
  auto doc = send_document(*c, api::inputFile{.id = 30, .parts = parts, .name = "f", .md5_checksum = ""});
  EXPECT_EQ(doc.dc_id, 1);
  // Another account, at home on DC 2, holding the document's location.
  auto other = bot(kOtherBotToken, 2);
  expect_error(get_file(*other, location_of(doc), 0, 4096), "FILE_MIGRATE_1", 303);
  // Files are stored where they were uploaded: an upload on DC 2 is served from DC 2.
  int parts2 = upload(*other, 31, data, 4096, false);
  auto doc2 = send_document(*other, api::inputFile{.id = 31, .parts = parts2, .name = "f", .md5_checksum = ""});
  EXPECT_EQ(doc2.dc_id, 2);
  EXPECT_TRUE(same_bytes(download(*other, doc2, 4096), data));
}

TEST_F(FilesTest, SendMediaSendsAnExistingDocumentAgain) {
  auto c = bot();
  std::string data = content(9000, 6);
  int parts = upload(*c, 40, data, 4096, false);
  auto doc = send_document(*c, api::inputFile{.id = 40, .parts = parts, .name = "f", .md5_checksum = ""});
  auto again = [&](auto change) {
    api::inputDocument in{.id = doc.id, .access_hash = doc.access_hash, .file_reference = doc.file_reference};
    change(in);
    return send_media(*c, api::inputMediaDocument{.id = in});
  };
  expect_error(again([](auto& d) { d.access_hash ^= 1; }), "DOCUMENT_INVALID");
  expect_error(again([](auto& d) { d.file_reference.clear(); }), "FILE_REFERENCE_EMPTY");
  expect_error(again([](auto& d) { d.file_reference.back() ^= 1; }), "FILE_REFERENCE_EXPIRED");
  expect_error(send_media(*c, api::inputMediaDocument{.id = api::inputDocumentEmpty{}}), "MEDIA_EMPTY");

  auto r = again([](auto&) {});
  ASSERT_TRUE(r.result.has_value()) << error_of(r);
  auto resent = only_document(*tl::deserialize<api::Updates>(*r.result));
  ASSERT_TRUE(resent.is<api::document>());
  EXPECT_EQ(resent.as<api::document>().id, doc.id);
  EXPECT_TRUE(same_bytes(download(*c, resent.as<api::document>(), 8192), data));
}

TEST_F(FilesTest, TheRecipientDownloadsFromItsCopyOfTheMessage) {
  api::user sender, recipient;
  auto c = bot(kBotToken, 1, &sender);
  auto r = bot("4545:CCHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw3", 1, &recipient);
  std::string data = content(70000, 7);
  int parts = upload(*c, 50, data, 32 * kKiB, false);
  auto sent = send_media(*c, uploaded(api::inputFile{.id = 50, .parts = parts, .name = "f", .md5_checksum = crypto::md5_hex(as_bytes(data))}),
                         api::inputPeerUser{.user_id = recipient.id, .access_hash = recipient.access_hash.value_or(0)});
  ASSERT_TRUE(sent.result.has_value()) << error_of(sent);

  auto history = r->query(boxed(api::messages::getHistory{
      .peer = api::inputPeerUser{.user_id = sender.id, .access_hash = sender.access_hash.value_or(0)}, .limit = 10}));
  ASSERT_TRUE(history.result.has_value()) << error_of(history);
  auto answer = tl::deserialize<api::messages::Messages>(*history.result);
  ASSERT_TRUE(answer.ok());
  ASSERT_TRUE(answer->is<api::messages::messages>());
  const auto& list = answer->as<api::messages::messages>().messages;
  ASSERT_EQ(list.size(), 1u);
  const auto& m = list[0].as<api::message>();
  EXPECT_FALSE(m.out);
  EXPECT_EQ(m.message, "a caption");
  ASSERT_TRUE(m.media && m.media->is<api::messageMediaDocument>());
  const auto& doc = m.media->as<api::messageMediaDocument>().document->as<api::document>();
  EXPECT_TRUE(same_bytes(download(*r, doc, 64 * kKiB), data));
}

TEST(FileStore, CapsAndExpiryGiveClearErrors) {
  FileLimits limits;
  limits.upload_bytes_per_account = 10 * kKiB;
  limits.uploads_per_account = 2;
  limits.document_bytes = 6 * kKiB;
  limits.max_small_file = 8 * kKiB;
  limits.upload_ttl_seconds = 100;
  FileStore store(limits);
  std::string four_k(4 * kKiB, 'x');
  ASSERT_FALSE(store.save_part(1, 1, 0, std::nullopt, four_k, 1, 1000));
  ASSERT_FALSE(store.save_part(1, 2, 0, std::nullopt, four_k, 1, 1000));
  auto many = store.save_part(1, 3, 0, std::nullopt, "x", 1, 1000);
  ASSERT_TRUE(many);
  EXPECT_EQ(many->name.rfind("UPLOADS_TOO_MANY_FOR_TEST_SERVER", 0), 0u) << many->name;
  auto large = store.save_part(1, 2, 1, std::nullopt, four_k, 1, 1000);
  ASSERT_TRUE(large);
  EXPECT_EQ(large->name.rfind("UPLOAD_TOO_LARGE_FOR_TEST_SERVER", 0), 0u) << large->name;
  // Replacing a part counts only the difference; another account has its own allowance.
  EXPECT_FALSE(store.save_part(1, 2, 0, std::nullopt, four_k, 1, 1000));
  EXPECT_FALSE(store.save_part(2, 1, 0, std::nullopt, four_k, 1, 1000));
  EXPECT_EQ(store.upload_bytes(1), 8u * kKiB);

  // Small files over the small-file size have too many parts for saveFilePart.
  EXPECT_FALSE(store.save_part(2, 1, 1, std::nullopt, four_k, 1, 1000));
  EXPECT_FALSE(store.save_part(2, 1, 2, std::nullopt, "y", 1, 1000));
  auto too_big = store.assemble({.owner = 2, .file_id = 1, .parts = 3, .big = false});
  ASSERT_TRUE(std::holds_alternative<RpcErrorInfo>(too_big));
  EXPECT_EQ(std::get<RpcErrorInfo>(too_big).name, "FILE_PARTS_INVALID");

  // Untouched uploads expire after the TTL and make room.
  EXPECT_FALSE(store.save_part(1, 3, 0, std::nullopt, four_k, 1, 1101));
  EXPECT_EQ(store.upload_bytes(1), 4u * kKiB);
  auto expired = store.assemble({.owner = 1, .file_id = 1, .parts = 1, .big = false});
  EXPECT_EQ(std::get<RpcErrorInfo>(expired).name, "FILE_PART_0_MISSING");

  DocumentRecord doc;
  doc.bytes = four_k;
  auto first = store.add_document(doc);
  ASSERT_TRUE(std::holds_alternative<const DocumentRecord*>(first));
  const auto* stored = std::get<const DocumentRecord*>(first);
  EXPECT_EQ(store.document(stored->id), stored);
  EXPECT_FALSE(stored->file_reference.empty());
  auto full = store.add_document(doc);
  ASSERT_TRUE(std::holds_alternative<RpcErrorInfo>(full));
  EXPECT_EQ(std::get<RpcErrorInfo>(full).name.rfind("STORAGE_FULL_ON_TEST_SERVER", 0), 0u);
}

}  // namespace
}  // namespace telepp::server
