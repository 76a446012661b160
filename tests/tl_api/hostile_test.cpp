// Hostile bytes: truncations, corrupted lengths and counts, unknown IDs, deep nesting and random
// mutations of the vectors. Every case must end in a clean Result (never a crash, an out-of-bounds
// read or an unbounded allocation); run under ASan+UBSan by the sanitizer build.
#include <gtest/gtest.h>

#include <random>

#include "support/support.hpp"
#include "telepp/api.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/value.hpp"

namespace telepp {
namespace {

namespace api = telepp::api;

struct Vector {
  const char* file;
  bool (*typed)(ByteView);  // decodes with the typed API, returns ok()
};

template <class T>
bool typed_decode(ByteView b) {
  return tl::deserialize<T>(b).ok();
}

const Vector kVectors[] = {
    {"mtcute-L228/sendMessage.bin", typed_decode<api::AnyFunction>},
    {"mtcute-L228/messagesMessages.bin", typed_decode<api::messages::Messages>},
    {"mtcute-L228/uploadFile.bin", typed_decode<api::upload::File>},
};

// All prefixes of small inputs; for large ones the first and last 4 KiB and a stride between.
std::vector<std::size_t> cut_points(std::size_t size) {
  std::vector<std::size_t> cuts;
  for (std::size_t n = 0; n < size; ++n) {
    if (size < 32 * 1024 || n < 4096 || n > size - 4096 || n % 4099 == 0) cuts.push_back(n);
  }
  return cuts;
}

TEST(Hostile, EveryTruncationOfEveryVectorFailsCleanlyTyped) {
  for (const auto& v : kVectors) {
    auto bytes = test::vector_file(v.file);
    ASSERT_TRUE(v.typed(bytes)) << v.file;
    for (auto n : cut_points(bytes.size())) {
      ASSERT_FALSE(v.typed(ByteView(bytes.data(), n))) << v.file << " truncated to " << n << " bytes decoded";
    }
  }
}

TEST(Hostile, EveryTruncationFailsCleanlyThroughTheDynamicFormAtEveryLayer) {
  for (auto [dir, layer] : {std::pair{"gramjs-L198", 198}, std::pair{"mtcute-L227", 227}, std::pair{"mtcute-L228", 228}}) {
    const auto& schema = *schemas::api(layer);
    for (const char* name : {"sendMessage", "messagesMessages"}) {
      auto bytes = test::vector_file(std::string(dir) + "/" + name + ".bin");
      for (std::size_t n = 0; n < bytes.size(); n += (n < 512 ? 1 : 13)) {
        auto r = tl::decode_value(schema, ByteView(bytes.data(), n));
        ASSERT_FALSE(r.ok()) << dir << "/" << name << " truncated to " << n;
        EXPECT_TRUE(r.error().is(TlErrc::truncated) || r.error().is(TlErrc::bad_length)) << r.error().to_string();
      }
    }
  }
}

TEST(Hostile, TruncationErrorsNameTheOffsetAndTheConstructor) {
  auto bytes = test::vector_file("mtcute-L228/messagesMessages.bin");
  auto r = tl::deserialize<api::messages::Messages>(ByteView(bytes.data(), 1000));
  ASSERT_FALSE(r.ok());
  const auto& d = r.error().detail;
  EXPECT_NE(d.find("at offset "), std::string::npos) << d;
  EXPECT_NE(d.find("in 0x"), std::string::npos) << d;
  EXPECT_NE(d.find("(message"), std::string::npos) << d;  // the innermost constructor being read
}

TEST(Hostile, EveryWordSetToAHugeCountOrLengthFailsOrDecodesWithoutBlowingUp) {
  auto original = test::vector_file("mtcute-L228/messagesMessages.bin");
  for (std::uint32_t poison : {0x7fffffffu, 0x80000000u, 0xffffffffu, 0x00fffffeu}) {
    for (std::size_t at = 0; at + 4 <= original.size(); at += 4) {
      auto bytes = original;
      store_le32(bytes.data() + at, poison);
      auto r = tl::deserialize<api::messages::Messages>(bytes);
      if (!r.ok()) {
        EXPECT_FALSE(r.error().detail.empty());
      }
    }
  }
}

TEST(Hostile, AVectorClaiming2To31ElementsIsRefusedBeforeAllocating) {
  Bytes bytes(12);
  store_le32(bytes.data(), api::messages::messages::kId);
  store_le32(bytes.data() + 4, tl::kVectorId);
  store_le32(bytes.data() + 8, 0x80000000u);
  auto r = tl::deserialize<api::messages::Messages>(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(TlErrc::bad_length)) << r.error().to_string();
  auto d = tl::decode_value(*schemas::api(), bytes);
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.error().is(TlErrc::bad_length)) << d.error().to_string();
}

TEST(Hostile, AStringLengthBeyondTheInputIsTruncatedNotRead) {
  auto bytes = test::vector_file("mtcute-L228/sendMessage.bin");
  // The message text's length prefix follows the peer; make it claim 0xFE + 16 MiB - 1.
  Bytes bad(bytes.begin(), bytes.begin() + 32);
  bad.insert(bad.end(), {0xfe, 0xff, 0xff, 0xff});
  EXPECT_FALSE(tl::deserialize<api::AnyFunction>(bad).ok());
}

TEST(Hostile, UnknownConstructorIdsAreErrors) {
  auto bytes = test::vector_file("mtcute-L228/messagesMessages.bin");
  store_le32(bytes.data(), 0xdeadbeefu);
  auto r = tl::deserialize<api::messages::Messages>(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(TlErrc::unknown_id)) << r.error().to_string();
  EXPECT_NE(r.error().detail.find("0xdeadbeef"), std::string::npos);
  auto any = tl::deserialize<api::AnyFunction>(bytes);
  EXPECT_FALSE(any.ok());
  auto d = tl::decode_value(*schemas::api(), bytes);
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.error().is(TlErrc::unknown_id)) << d.error().to_string();
}

Bytes nested_rich_text(int depth) {
  Bytes bytes(static_cast<std::size_t>(depth + 1) * 4);
  for (int i = 0; i < depth; ++i) store_le32(bytes.data() + 4 * i, api::textBold::kId);
  store_le32(bytes.data() + 4 * depth, api::textEmpty::kId);
  return bytes;
}

TEST(Hostile, DeepNestingIsRefusedNotRecursedWithoutLimit) {
  auto shallow = tl::deserialize<api::RichText>(nested_rich_text(30));
  EXPECT_TRUE(shallow.ok()) << shallow.error().to_string();
  for (int depth : {tl::Reader::kMaxDepth + 1, 100000}) {
    auto deep = tl::deserialize<api::RichText>(nested_rich_text(depth));
    ASSERT_FALSE(deep.ok());
    EXPECT_TRUE(deep.error().is(TlErrc::too_deep)) << deep.error().to_string();
    auto dynamic = tl::decode_value(*schemas::api(), nested_rich_text(depth));
    ASSERT_FALSE(dynamic.ok());
    EXPECT_TRUE(dynamic.error().is(TlErrc::too_deep)) << dynamic.error().to_string();
  }
}

TEST(Hostile, RandomMutationsNeverCrashAndDecodedValuesReEncode) {
  std::mt19937_64 rng(20261122);
  const auto& schema = *schemas::api();
  for (const char* file : {"mtcute-L228/sendMessage.bin", "mtcute-L228/messagesMessages.bin"}) {
    auto original = test::vector_file(file);
    for (int round = 0; round < 1500; ++round) {
      auto bytes = original;
      int flips = 1 + static_cast<int>(rng() % 8);
      for (int k = 0; k < flips; ++k) bytes[rng() % bytes.size()] = static_cast<Byte>(rng());
      if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
      auto typed = tl::deserialize<api::AnyFunction>(bytes);
      auto typed_messages = tl::deserialize<api::messages::Messages>(bytes);
      if (typed_messages.ok()) {
        EXPECT_TRUE(tl::to_bytes(*typed_messages).ok());
      }
      if (typed.ok()) {
        EXPECT_TRUE(tl::to_bytes(*typed).ok());
      }
      auto dynamic = tl::decode_value(schema, bytes);
      if (dynamic.ok()) {
        EXPECT_TRUE(tl::encode_value(*dynamic).ok());
      }
    }
  }
}

}  // namespace
}  // namespace telepp
