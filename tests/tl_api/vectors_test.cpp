// Byte vectors from other implementations (tests/vectors/): layer 228 through the typed API,
// layers 198 and 227 through the dynamic form, and what they decode to against payloads.json.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <nlohmann/json.hpp>

#include "support/support.hpp"
#include "telepp/api.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/value.hpp"

namespace telepp {
namespace {

namespace api = telepp::api;
using nlohmann::json;

const char* const kPayloads[] = {"sendMessage", "messagesMessages", "uploadFile"};

template <class T>
void expect_typed_round_trip(const std::string& file) {
  auto bytes = test::vector_file(file);
  auto value = tl::deserialize<T>(bytes);
  ASSERT_TRUE(value.ok()) << file << ": " << value.error().to_string();
  auto again = tl::to_bytes(*value);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_TRUE(*again == bytes) << file << " re-encodes differently";
}

TEST(Vectors, Layer228DecodesIntoTheTypedApiAndReEncodesIdentically) {
  expect_typed_round_trip<api::messages::sendMessage>("mtcute-L228/sendMessage.bin");
  expect_typed_round_trip<api::AnyFunction>("mtcute-L228/sendMessage.bin");
  expect_typed_round_trip<api::messages::Messages>("mtcute-L228/messagesMessages.bin");
  expect_typed_round_trip<api::upload::File>("mtcute-L228/uploadFile.bin");
}

TEST(Vectors, Layer228TypedFieldsHoldTheContent) {
  auto m = tl::deserialize<api::messages::Messages>(test::vector_file("mtcute-L228/messagesMessages.bin"));
  ASSERT_TRUE(m.ok());
  const auto& list = m->as<api::messages::messages>();
  ASSERT_EQ(list.messages.size(), 100u);
  ASSERT_EQ(list.users.size(), 20u);
  const auto& first = list.messages[0].as<api::message>();
  EXPECT_EQ(first.id, 100000);
  EXPECT_TRUE(first.out);
  EXPECT_EQ(first.from_id->as<api::peerUser>().user_id, 777000100);
  EXPECT_EQ(first.reply_to->as<api::messageReplyHeader>().reply_to_msg_id, 99999);
  EXPECT_TRUE(list.users[0].is<api::user>());
}

TEST(Vectors, Layers198And227RoundTripThroughTheDynamicForm) {
  for (auto [dir, layer] : {std::pair{"gramjs-L198", 198}, std::pair{"mtcute-L227", 227}, std::pair{"mtcute-L228", 228}}) {
    const auto* schema = schemas::api(layer);
    ASSERT_NE(schema, nullptr);
    for (const char* name : kPayloads) {
      auto file = std::string(dir) + "/" + name + ".bin";
      auto bytes = test::vector_file(file);
      auto value = tl::decode_value(*schema, bytes);
      ASSERT_TRUE(value.ok()) << file << ": " << value.error().to_string();
      auto again = tl::encode_value(*value);
      ASSERT_TRUE(again.ok()) << file;
      EXPECT_TRUE(*again == bytes) << file << " re-encodes differently";
      auto reparsed = tl::value_from_json(*schema, tl::value_to_json(*value));
      ASSERT_TRUE(reparsed.ok()) << file << ": " << reparsed.error().to_string();
      EXPECT_TRUE(*tl::encode_value(*reparsed) == bytes) << file << " changes through JSON";
    }
  }
}

// --- payloads.json: the library-neutral description of the same content ---

std::string str(const tl::Value* v) { return v ? v->as_text() : std::string(); }
std::int64_t num(const tl::Value* v) {
  if (!v) return 0;
  return v->kind() == tl::Value::Kind::int32 ? v->as_int32() : v->as_int64();
}

// `messageEntityBold` -> `bold`, `userStatusOnline` -> `online`
std::string kind_of(const tl::Value& v, std::string_view prefix) {
  std::string name = v.as_object().combinator->name.substr(prefix.size());
  name[0] = static_cast<char>(std::tolower(name[0]));
  return name;
}

json entities_of(const tl::Value* list) {
  json out = json::array();
  if (!list || list->is_null()) return out;
  for (const auto& e : list->as_vector()) {
    json j = {{"kind", kind_of(e, "messageEntity")}, {"offset", num(e.field("offset"))}, {"length", num(e.field("length"))}};
    if (const auto* url = e.field("url")) j["url"] = url->as_text();
    out.push_back(j);
  }
  return out;
}

json neutral_send_message(const tl::Value& v) {
  const auto* peer = v.field("peer");
  return {{"peer", {{"userId", num(peer->field("user_id"))}, {"accessHash", std::to_string(num(peer->field("access_hash")))}}},
          {"message", str(v.field("message"))},
          {"randomId", std::to_string(num(v.field("random_id")))},
          {"entities", entities_of(v.field("entities"))}};
}

json neutral_message(const tl::Value& m) {
  json j = {{"id", num(m.field("id"))},
            {"out", m.field("out")->as_bool()},
            {"fromId", num(m.field("from_id")->field("user_id"))},
            {"peerId", num(m.field("peer_id")->field("user_id"))},
            {"date", num(m.field("date"))},
            {"message", str(m.field("message"))},
            {"entities", entities_of(m.field("entities"))}};
  if (const auto* reply = m.field("reply_to"); reply && !reply->is_null()) j["replyToMsgId"] = num(reply->field("reply_to_msg_id"));
  if (const auto* edit = m.field("edit_date"); edit && !edit->is_null()) j["editDate"] = num(edit);
  return j;
}

json neutral_user(const tl::Value& u) {
  json j = {{"id", num(u.field("id"))},
            {"accessHash", std::to_string(num(u.field("access_hash")))},
            {"firstName", str(u.field("first_name"))},
            {"contact", u.field("contact")->as_bool()}};
  for (auto [tl_name, key] : {std::pair{"last_name", "lastName"}, std::pair{"username", "username"}, std::pair{"phone", "phone"}}) {
    if (const auto* f = u.field(tl_name); f && !f->is_null()) j[key] = f->as_text();
  }
  if (const auto* photo = u.field("photo"); photo && !photo->is_null()) {
    j["photo"] = {{"photoId", std::to_string(num(photo->field("photo_id")))}, {"dcId", num(photo->field("dc_id"))}};
  }
  const auto& status = *u.field("status");
  j["status"] = {{"kind", kind_of(status, "userStatus")}};
  if (const auto* expires = status.field("expires")) j["status"]["expires"] = num(expires);
  return j;
}

json neutral_messages(const tl::Value& v) {
  json out = {{"messages", json::array()}, {"users", json::array()}};
  for (const auto& m : v.field("messages")->as_vector()) out["messages"].push_back(neutral_message(m));
  for (const auto& u : v.field("users")->as_vector()) out["users"].push_back(neutral_user(u));
  return out;
}

json neutral_upload_file(const tl::Value& v) {
  const auto& data = v.field("bytes")->as_text();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return {{"mtime", num(v.field("mtime"))}, {"bytes_length", data.size()}, {"bytes_sha256", to_hex(ByteView(digest, sizeof digest))}};
}

// payloads.json spells 64-bit values as strings and some ints as numbers; compare as text.
json normalise(json j) {
  if (j.is_object() || j.is_array()) {
    for (auto& e : j) e = normalise(e);
    return j;
  }
  if (j.is_number_integer()) return std::to_string(j.get<std::int64_t>());
  return j;
}

TEST(Vectors, EveryLayerDecodesToWhatPayloadsJsonDescribes) {
  auto expected = json::parse(test::vector_text("payloads.json"));
  for (auto [dir, layer] : {std::pair{"gramjs-L198", 198}, std::pair{"mtcute-L227", 227}, std::pair{"mtcute-L228", 228}}) {
    const auto& schema = *schemas::api(layer);
    auto decode = [&](const char* name) {
      auto v = tl::decode_value(schema, test::vector_file(std::string(dir) + "/" + name + ".bin"));
      EXPECT_TRUE(v.ok());
      return v.ok() ? *v : tl::Value{};
    };
    EXPECT_EQ(normalise(neutral_send_message(decode("sendMessage"))), normalise(expected["sendMessage"])) << dir;
    EXPECT_EQ(normalise(neutral_messages(decode("messagesMessages"))), normalise(expected["messagesMessages"])) << dir;
    EXPECT_EQ(normalise(neutral_upload_file(decode("uploadFile"))), normalise(expected["uploadFile"])) << dir;
  }
}

}  // namespace
}  // namespace telepp
