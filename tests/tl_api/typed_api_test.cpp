// The typed API as users write it: designated initialisers, computed flags, holders, generics.
#include <gtest/gtest.h>

#include "support/support.hpp"
#include "telepp/api.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/mtp.hpp"

namespace telepp {
namespace {

namespace api = telepp::api;
namespace mtp = telepp::mtp;

auto seed_call(bool with_optional) {
  auto init = api::initConnection{
      .api_id = 1,
      .device_model = "pc",
      .system_version = "linux",
      .app_version = "1.0",
      .system_lang_code = "en",
      .lang_pack = "",
      .lang_code = "en",
      .query = api::help::getConfig{},
  };
  if (with_optional) {
    init.proxy = api::inputClientProxy{.address = "10.0.0.1", .port = 443};
    init.params = api::jsonObject{.value = {api::jsonObjectValue{.key = "tz_offset", .value = api::jsonNumber{.value = -18000}}}};
  }
  return api::invokeWithLayer{.layer = api::kLayer, .query = init};
}

std::uint32_t u32_at(const Bytes& b, std::size_t offset) { return load_le32(b.data() + offset); }

TEST(TypedApi, SeedCallHasTheWrappedQuerysResultType) {
  using Call = decltype(seed_call(true));
  static_assert(std::is_same_v<Call::Result, api::Config>);
  static_assert(std::is_same_v<api::users::getUsers::Result, std::vector<api::User>>);
  static_assert(std::is_same_v<api::messages::sendMessage::Result, api::Updates>);
  static_assert(std::is_same_v<api::invokeWithLayer<>::Result, tl::RawObject>);
}

TEST(TypedApi, SeedCallBytesComputeTheFlagWord) {
  auto bytes = tl::to_bytes(seed_call(false));
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(u32_at(*bytes, 0), api::invokeWithLayer<>::kId);
  EXPECT_EQ(u32_at(*bytes, 4), 228u);
  EXPECT_EQ(u32_at(*bytes, 8), 0xc1cd5ea9u);  // initConnection
  EXPECT_EQ(u32_at(*bytes, 12), 0u);          // no proxy, no params
  EXPECT_EQ(u32_at(*bytes, bytes->size() - 4), 0xc4f9186bu);  // help.getConfig last

  auto with = tl::to_bytes(seed_call(true));
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(u32_at(*with, 12), 3u);  // flags.0 proxy, flags.1 params
}

TEST(TypedApi, SeedCallRoundTripsTypedAndThroughAnyFunction) {
  auto call = seed_call(true);
  auto bytes = tl::to_bytes(call);
  ASSERT_TRUE(bytes.ok());

  auto same = tl::deserialize<decltype(call)>(*bytes);
  ASSERT_TRUE(same.ok()) << same.error().to_string();
  EXPECT_EQ(*same, call);

  // The server's view: the wrapped query's type is not known statically.
  auto generic = tl::deserialize<api::invokeWithLayer<>>(*bytes);
  ASSERT_TRUE(generic.ok()) << generic.error().to_string();
  const auto* init = generic->query.get_if<api::initConnection<>>();
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->device_model, "pc");
  EXPECT_TRUE(init->query.is<api::help::getConfig>());
  ASSERT_TRUE(init->proxy.has_value());
  EXPECT_EQ(init->proxy->as<api::inputClientProxy>().port, 443);
  auto again = tl::to_bytes(*generic);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);
}

TEST(TypedApi, TrueFlagsAndOptionalFieldsSetTheirBits) {
  api::messages::sendMessage m{.silent = true, .peer = api::inputPeerSelf{}, .message = "hi", .random_id = 7};
  auto bytes = tl::to_bytes(m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(u32_at(*bytes, 4), 1u << 5);
  m.entities = std::vector<api::MessageEntity>{api::messageEntityBold{.offset = 0, .length = 2}};
  bytes = tl::to_bytes(m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(u32_at(*bytes, 4), (1u << 5) | (1u << 3));
  auto back = tl::deserialize<api::messages::sendMessage>(*bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->silent);
  EXPECT_FALSE(back->background);
  ASSERT_TRUE(back->entities.has_value());
  EXPECT_EQ(back->entities->at(0).as<api::messageEntityBold>().length, 2);
}

TEST(TypedApi, AnEmptyRequiredHolderIsAnErrorNotACrash) {
  api::messages::sendMessage m{.message = "no peer", .random_id = 1};
  auto bytes = tl::to_bytes(m);
  ASSERT_FALSE(bytes.ok());
  EXPECT_TRUE(bytes.error().is(TlErrc::missing_field)) << bytes.error().to_string();
}

TEST(TypedApi, FieldsSharingAFlagBitMustBeSetTogether) {
  // inputMediaUploadedPhoto: live_photo:flags.3?true and video:flags.3?InputDocument.
  api::inputMediaUploadedPhoto photo{.live_photo = true, .file = api::inputFile{.id = 1, .parts = 1, .name = "a.jpg"}};
  EXPECT_FALSE(tl::to_bytes(photo).ok());
  photo.video = api::inputDocument{.id = 2, .access_hash = 3, .file_reference = "ref"};
  auto bytes = tl::to_bytes(photo);
  ASSERT_TRUE(bytes.ok());
  photo.live_photo = false;  // the bit is still set by `video`, so it reads back true
  auto back = tl::deserialize<api::inputMediaUploadedPhoto>(*bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->live_photo);
}

TEST(TypedApi, HoldersCopyDeeplyAndMoveCheaply) {
  api::InputPeer a = api::inputPeerUser{.user_id = 5, .access_hash = 6};
  api::InputPeer b = a;
  b.as<api::inputPeerUser>().user_id = 9;
  EXPECT_EQ(a.as<api::inputPeerUser>().user_id, 5);
  EXPECT_NE(a, b);
  api::InputPeer c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is part of the contract
  EXPECT_EQ(c.as<api::inputPeerUser>().user_id, 9);
  EXPECT_EQ(c.name(), "inputPeerUser");
  EXPECT_EQ(c.id(), api::inputPeerUser::kId);
  EXPECT_EQ(c.get_if<api::inputPeerChat>(), nullptr);
  c = api::inputPeerSelf{};
  EXPECT_TRUE(c.is<api::inputPeerSelf>());
}

TEST(TypedApi, KeywordAndNamespaceClashesGetATrailingUnderscore) {
  api::wallPaperNoFile w{.id = 1, .default_ = true};
  auto bytes = tl::to_bytes(w);
  ASSERT_TRUE(bytes.ok());
  EXPECT_TRUE(tl::deserialize<api::wallPaperNoFile>(*bytes)->default_);
  api::Updates u = api::updates_{.date = 1, .seq = 2};
  EXPECT_EQ(u.name(), "updates");
  api::True t = api::true_{};
  EXPECT_EQ(t.id(), 0x3fedd339u);
}

TEST(TypedApi, VectorResultsDecodeAsVectors) {
  api::User u = api::userEmpty{.id = 77};
  auto bytes = tl::to_bytes(std::vector<api::User>{u, u});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(u32_at(*bytes, 0), tl::kVectorId);
  EXPECT_EQ(u32_at(*bytes, 4), 2u);
  auto back = tl::deserialize<api::users::getUsers::Result>(*bytes);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ(back->at(1).as<api::userEmpty>().id, 77);
}

TEST(TypedApi, WrongConstructorIsAnErrorNamingBoth) {
  auto bytes = tl::to_bytes(api::inputPeerSelf{});
  ASSERT_TRUE(bytes.ok());
  auto wrong = tl::deserialize<api::inputUserSelf>(*bytes);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().detail.find("inputPeerSelf"), std::string::npos) << wrong.error().detail;
  auto as_user = tl::deserialize<api::InputUser>(*bytes);
  ASSERT_FALSE(as_user.ok());
  EXPECT_TRUE(as_user.error().is(TlErrc::unexpected_id)) << as_user.error().to_string();
}

TEST(TypedApi, SerializeLeavesHeadroomForHeaders) {
  auto buffer = tl::serialize(api::help::getConfig{}, 64);
  ASSERT_TRUE(buffer.ok());
  EXPECT_EQ(buffer->headroom(), 64u);
  EXPECT_EQ(buffer->size(), 4u);
}

TEST(TypedApi, MtprotoMessageLengthIsComputedFromItsBody) {
  auto pong = tl::to_bytes(mtp::pong{.msg_id = 1, .ping_id = 2});
  ASSERT_TRUE(pong.ok());
  mtp::msg_container box{.messages = {mtp::message{.msg_id = 10, .seqno = 1,
                                                   .body = tl::RawObject{std::string(pong->begin(), pong->end())}}}};
  auto bytes = tl::to_bytes(box);
  ASSERT_TRUE(bytes.ok());
  // container id, count, then msg_id(8) seqno(4) bytes(4) body
  EXPECT_EQ(u32_at(*bytes, 4), 1u);
  EXPECT_EQ(u32_at(*bytes, 8 + 12), pong->size());
  auto back = tl::deserialize<mtp::msg_container>(*bytes);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->messages.at(0).bytes, static_cast<std::int32_t>(pong->size()));
  EXPECT_EQ(back->messages.at(0).body.data, std::string(pong->begin(), pong->end()));
}

}  // namespace
}  // namespace telepp
