// Tests of the base layer: hex, base64, crc32, Buffer, little-endian helpers, Result/Status,
// RpcErrorInfo and Error.

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>

#include "support/support.hpp"
#include "telepp/base/base64.hpp"
#include "telepp/base/buffer.hpp"
#include "telepp/base/bytes.hpp"
#include "telepp/base/crc32.hpp"
#include "telepp/base/error.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"

namespace telepp {
namespace {

using test::hex;

std::string text_of(ByteView b) { return std::string(as_chars(b)); }

// ---------------------------------------------------------------------------------------------
// hex

TEST(Hex, EncodesLowercaseTwoDigitsPerByte) {
  EXPECT_EQ(to_hex(Bytes{}), "");
  EXPECT_EQ(to_hex(Bytes{0x00, 0x0f, 0xab, 0xff}), "000fabff");
}

TEST(Hex, RoundTripsEveryByteValue) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<Byte>(i);
  auto text = to_hex(all);
  ASSERT_EQ(text.size(), 512u);
  auto back = from_hex(text);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, all);
}

TEST(Hex, AcceptsUppercase) {
  auto r = from_hex("ABcdEF");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Bytes{0xab, 0xcd, 0xef}));
}

TEST(Hex, IgnoresAsciiWhitespace) {
  auto r = from_hex(" 01 02\n03\t04\r\n");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, (Bytes{1, 2, 3, 4}));
}

TEST(Hex, RejectsOddNumberOfDigits) {
  auto r = from_hex("abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().domain, ErrorDomain::base);
  EXPECT_NE(r.error().detail.find("odd"), std::string::npos) << r.error().detail;
  // Whitespace does not count as a digit.
  EXPECT_FALSE(from_hex("ab c").ok());
}

TEST(Hex, RejectsNonHexCharacterNamingItsPosition) {
  auto r = from_hex("00g0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().domain, ErrorDomain::base);
  EXPECT_NE(r.error().detail.find("'g'"), std::string::npos) << r.error().detail;
  EXPECT_NE(r.error().detail.find("position 2"), std::string::npos) << r.error().detail;
  EXPECT_FALSE(from_hex("0x00").ok());
  EXPECT_FALSE(from_hex("-1").ok());
}

// ---------------------------------------------------------------------------------------------
// base64

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(to_base64(as_bytes(plain)), encoded) << plain;
    auto back = from_base64(encoded);
    ASSERT_TRUE(back.ok()) << encoded << ": " << back.error().to_string();
    EXPECT_EQ(text_of(*back), plain);
  }
}

TEST(Base64, UsesTheStandardAlphabetNotUrlSafe) {
  EXPECT_EQ(to_base64(Bytes{0xfb, 0xff, 0xbf}), "+/+/");
  auto r = from_base64("+/+/");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Bytes{0xfb, 0xff, 0xbf}));
  EXPECT_FALSE(from_base64("-_-_").ok());
}

TEST(Base64, RoundTripsAllByteValuesAtEveryLengthModulo3) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<Byte>(255 - i);
  for (std::size_t len : {256u, 255u, 254u, 253u}) {
    Bytes data(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(len));
    auto text = to_base64(data);
    EXPECT_EQ(text.size() % 4, 0u);
    auto back = from_base64(text);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, data) << len;
  }
}

TEST(Base64, RejectsMissingPadding) {
  for (const char* s : {"Zg", "Zg=", "Zm8", "Zm9vYg", "Zm9vYmE"}) {
    auto r = from_base64(s);
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_EQ(r.error().domain, ErrorDomain::base);
    EXPECT_NE(r.error().detail.find("invalid base64"), std::string::npos);
  }
}

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
  for (const char* s : {"Zm9v YmFy", "Zm9v\nYmFy", "Zm9*", "Zm9vYmF\x80", "Zm=v", "Zg==Zg==", "====", "A==="}) {
    EXPECT_FALSE(from_base64(s).ok()) << s;
  }
  auto r = from_base64("Zm9*");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("position 3"), std::string::npos) << r.error().detail;
}

TEST(Base64, RejectsNonZeroBitsUnderThePadding) {
  // "Zg==" is the canonical "f"; "Zh==" decodes to the same byte with stray low bits.
  ASSERT_TRUE(from_base64("Zg==").ok());
  auto r = from_base64("Zh==");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("padding"), std::string::npos) << r.error().detail;
  EXPECT_FALSE(from_base64("Zm9=").ok());  // canonical is "Zm8="
  EXPECT_TRUE(from_base64("Zm8=").ok());
}

// ---------------------------------------------------------------------------------------------
// crc32

// Bitwise CRC-32 (reflected 0xEDB88320), independent of the table-driven implementation.
std::uint32_t reference_crc32(ByteView data) {
  std::uint32_t crc = 0xffffffffu;
  for (Byte b : data) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  return ~crc;
}

TEST(Crc32, CheckValue) {
  EXPECT_EQ(crc32(as_bytes("123456789")), 0xCBF43926u);
  EXPECT_EQ(crc32(ByteView{}), 0u);
  EXPECT_EQ(crc32(as_bytes("The quick brown fox jumps over the lazy dog")), 0x414FA339u);
}

TEST(Crc32, TlConstructorIdExample) {
  EXPECT_EQ(crc32(as_bytes("inputPeerUser user_id:long access_hash:long = InputPeer")), 0xdde8a54cu);
}

TEST(Crc32, IncrementalEqualsOneShotAtEverySplit) {
  const std::string text = "inputPeerUser user_id:long access_hash:long = InputPeer";
  auto whole = crc32(as_bytes(text));
  for (std::size_t split = 0; split <= text.size(); ++split) {
    auto first = crc32(as_bytes(std::string_view(text).substr(0, split)));
    EXPECT_EQ(crc32(as_bytes(std::string_view(text).substr(split)), first), whole) << split;
  }
}

TEST(Crc32, MatchesBitwiseReferenceAtAllLengthsAndAlignments) {
  Bytes data(300);
  std::uint32_t x = 12345;
  for (auto& b : data) {
    x = x * 1103515245u + 12345u;
    b = static_cast<Byte>(x >> 16);
  }
  for (std::size_t start = 0; start < 4; ++start) {
    for (std::size_t len = 0; len + start <= 70; ++len) {
      ByteView v(data.data() + start, len);
      ASSERT_EQ(crc32(v), reference_crc32(v)) << "start " << start << " len " << len;
    }
  }
  EXPECT_EQ(crc32(data), reference_crc32(data));
}

// ---------------------------------------------------------------------------------------------
// Buffer

TEST(Buffer, StartsEmptyWithTheRequestedHeadroom) {
  Buffer b(16);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.headroom(), 16u);
  EXPECT_TRUE(b.view().empty());
}

TEST(Buffer, AppendKeepsContentAcrossGrowth) {
  Buffer b(8, 4);
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    std::string piece = std::to_string(i) + ",";
    b.append(as_bytes(piece));
    expected += piece;
  }
  EXPECT_EQ(text_of(b.view()), expected);
  EXPECT_EQ(b.headroom(), 8u);  // growing the tail keeps the headroom
}

TEST(Buffer, AppendReturnsWritableRoomAtTheEnd) {
  Buffer b;
  b.append(as_bytes("ab"));
  Byte* p = b.append(3);
  std::memcpy(p, "cde", 3);
  EXPECT_EQ(text_of(b.view()), "abcde");
  b.append(ByteView{});
  EXPECT_EQ(b.size(), 5u);
}

TEST(Buffer, PrependWithinHeadroomIsInPlace) {
  Buffer b(16);
  b.append(as_bytes("payload"));
  const Byte* before = b.data();
  Byte* h = b.prepend(4);
  std::memcpy(h, "HEAD", 4);
  EXPECT_EQ(b.data(), before - 4);
  EXPECT_EQ(b.headroom(), 12u);
  EXPECT_EQ(text_of(b.view()), "HEADpayload");
}

TEST(Buffer, PrependBeyondHeadroomKeepsContent) {
  Buffer b(2);
  b.append(as_bytes("payload"));
  std::memcpy(b.prepend(8), "12345678", 8);
  EXPECT_EQ(text_of(b.view()), "12345678payload");
  std::memcpy(b.prepend(2), "ab", 2);
  EXPECT_EQ(text_of(b.view()), "ab12345678payload");
  std::memcpy(b.prepend(20), "xxxxxxxxxxxxxxxxxxxx", 20);
  EXPECT_EQ(text_of(b.view()), "xxxxxxxxxxxxxxxxxxxxab12345678payload");
  b.append(as_bytes("!"));
  EXPECT_EQ(text_of(b.view()), "xxxxxxxxxxxxxxxxxxxxab12345678payload!");
}

TEST(Buffer, PrependIntoAnEmptyBufferWithoutHeadroom) {
  Buffer b;
  std::memcpy(b.prepend(3), "abc", 3);
  EXPECT_EQ(text_of(b.view()), "abc");
  b.append(as_bytes("d"));
  EXPECT_EQ(text_of(b.view()), "abcd");
}

TEST(Buffer, ConsumeFrontTurnsBytesIntoHeadroom) {
  Buffer b(4);
  b.append(as_bytes("hello world"));
  b.consume_front(6);
  EXPECT_EQ(text_of(b.view()), "world");
  EXPECT_EQ(b.headroom(), 10u);
  // The freed room is usable for a prepend in place.
  const Byte* before = b.data();
  std::memcpy(b.prepend(3), "my ", 3);
  EXPECT_EQ(b.data(), before - 3);
  EXPECT_EQ(text_of(b.view()), "my world");
  b.consume_front(100);  // more than the size: empties, never underflows
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
}

TEST(Buffer, ResizeShrinksAndGrowsKeepingThePrefix) {
  Buffer b(4);
  b.append(as_bytes("abcdef"));
  b.resize(3);
  EXPECT_EQ(text_of(b.view()), "abc");
  b.resize(200);
  EXPECT_EQ(b.size(), 200u);
  EXPECT_EQ(text_of(b.view().first(3)), "abc");
  b.resize(0);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.headroom(), 4u);
}

TEST(Buffer, ClearKeepsHeadroom) {
  Buffer b(8);
  b.append(as_bytes("abc"));
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.headroom(), 8u);
}

TEST(Buffer, CopyIsDeepAndKeepsHeadroom) {
  Buffer a(12);
  a.append(as_bytes("original"));
  Buffer b(a);
  EXPECT_EQ(text_of(b.view()), "original");
  EXPECT_EQ(b.headroom(), 12u);
  EXPECT_NE(b.data(), a.data());
  b.mutable_view()[0] = 'O';
  EXPECT_EQ(text_of(a.view()), "original");

  Buffer c(0);
  c.append(as_bytes("zzz"));
  c = a;
  EXPECT_EQ(text_of(c.view()), "original");
  c.append(as_bytes("!"));
  EXPECT_EQ(text_of(a.view()), "original");
  Buffer& alias = c;
  c = alias;  // self-assignment leaves it intact
  EXPECT_EQ(text_of(c.view()), "original!");
}

TEST(Buffer, MoveTransfersContent) {
  Buffer a(6);
  a.append(as_bytes("data"));
  const Byte* p = a.data();
  Buffer b(std::move(a));
  EXPECT_EQ(b.data(), p);
  EXPECT_EQ(text_of(b.view()), "data");
  EXPECT_EQ(b.headroom(), 6u);
}

// DISABLED: library bug. Buffer's defaulted move constructor/assignment (buffer.hpp, lines 17-18)
// move `block_` but copy `capacity_`, `begin_` and `end_`, so the moved-from Buffer still reports
// the old size() with data() == nullptr + begin_, and append() into its "capacity" writes through
// a null pointer. Writer::take() (writer.hpp) leaves every Writer in that state. Fix: write the
// move operations to reset the source, e.g. `capacity_(std::exchange(o.capacity_, 0))` and the
// same for begin_/end_.
TEST(Buffer, MovedFromBufferIsEmptyAndReusable) {
  Buffer a(6, 32);
  a.append(as_bytes("data"));
  Buffer b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): testing the moved-from state
  EXPECT_TRUE(a.view().empty());
  if (a.size() == 0) {
    a.append(as_bytes("again"));
    EXPECT_EQ(text_of(a.view()), "again");
  }
  EXPECT_EQ(text_of(b.view()), "data");
}

TEST(Buffer, ToBytesCopiesTheContent) {
  Buffer b(3);
  b.append(Bytes{1, 2, 3});
  EXPECT_EQ(b.to_bytes(), (Bytes{1, 2, 3}));
}

// ---------------------------------------------------------------------------------------------
// little-endian helpers and byte views

TEST(LittleEndian, LoadsAndStores32) {
  Bytes b = hex("01020304");
  EXPECT_EQ(load_le32(b.data()), 0x04030201u);
  Byte out[4];
  store_le32(out, 0xdde8a54cu);
  EXPECT_EQ(Bytes(out, out + 4), hex("4ca5e8dd"));
}

TEST(LittleEndian, LoadsAndStores64) {
  Bytes b = hex("0102030405060708");
  EXPECT_EQ(load_le64(b.data()), 0x0807060504030201ull);
  Byte out[8];
  store_le64(out, 0xfffffffffffffffeull);
  EXPECT_EQ(Bytes(out, out + 8), hex("feffffffffffffff"));
}

TEST(LittleEndian, WorksAtUnalignedAddresses) {
  Bytes b(13, 0);
  store_le64(b.data() + 1, 0x1122334455667788ull);
  store_le32(b.data() + 9, 0xa1b2c3d4u);
  EXPECT_EQ(b, hex("00 8877665544332211 d4c3b2a1"));
  EXPECT_EQ(load_le64(b.data() + 1), 0x1122334455667788ull);
  EXPECT_EQ(load_le32(b.data() + 9), 0xa1b2c3d4u);
}

TEST(ByteViews, AsBytesAndAsCharsAreInverse) {
  std::string s("a\0b", 3);
  auto v = as_bytes(s);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[1], 0);
  EXPECT_EQ(as_chars(v), s);
}

TEST(FixedBytes, ComparesBytewiseInWireOrder) {
  Int128 a, b;
  EXPECT_EQ(a, b);
  b.bytes[15] = 1;
  EXPECT_LT(a, b);
  a.bytes[0] = 1;
  EXPECT_GT(a, b);  // the first byte decides
  EXPECT_EQ(Int256::size(), 32u);
  EXPECT_EQ(a.view().size(), 16u);
}

// ---------------------------------------------------------------------------------------------
// Result, Status, TELEPP_TRY

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return fail(TlErrc::bad_value, std::string("not a digit: ") + c);
  return c - '0';
}

Status check_even(int v) {
  if (v % 2) return fail(Error(ErrorDomain::crypto, 7, "odd"));
  return {};
}

Result<int> even_digit_plus_one(char c) {
  auto d = parse_digit(c);
  TELEPP_TRY(d);
  TELEPP_TRY(check_even(*d));
  return *d + 1;
}

int g_calls_after_try = 0;
Status stops_at_first_failure() {
  TELEPP_TRY(check_even(2));
  ++g_calls_after_try;
  TELEPP_TRY(check_even(3));
  ++g_calls_after_try;
  return {};
}

TEST(Result, HoldsAValue) {
  Result<int> r = parse_digit('7');
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(*r, 7);
  EXPECT_EQ(r.value(), 7);
}

TEST(Result, HoldsAnError) {
  Result<int> r = parse_digit('x');
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_TRUE(r.error().is(TlErrc::bad_value));
  EXPECT_FALSE(r.error().is(TlErrc::truncated));
  EXPECT_EQ(r.error().detail, "not a digit: x");
  Error taken = r.take_error();
  EXPECT_EQ(taken.code, static_cast<int>(TlErrc::bad_value));
}

TEST(Result, ConvertsFromConstructibleValuesAndMovesOut) {
  Result<std::string> r("text");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 4u);
  std::string moved = *std::move(r);
  EXPECT_EQ(moved, "text");
  Result<Bytes> b(Bytes{1, 2});
  EXPECT_EQ(b->size(), 2u);
}

TEST(Status, DefaultIsSuccess) {
  Status s;
  EXPECT_TRUE(s.ok());
  Status f = fail(TlErrc::json, "x");
  EXPECT_FALSE(f.ok());
  EXPECT_TRUE(f.error().is(TlErrc::json));
}

TEST(TeleppTry, PropagatesErrorsFromResultsAndStatuses) {
  auto ok = even_digit_plus_one('4');
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 5);

  auto from_result = even_digit_plus_one('z');
  ASSERT_FALSE(from_result.ok());
  EXPECT_TRUE(from_result.error().is(TlErrc::bad_value));

  auto from_status = even_digit_plus_one('3');
  ASSERT_FALSE(from_status.ok());
  EXPECT_EQ(from_status.error().domain, ErrorDomain::crypto);
  EXPECT_EQ(from_status.error().code, 7);
  EXPECT_EQ(from_status.error().detail, "odd");
}

TEST(TeleppTry, ReturnsAtTheFirstFailure) {
  g_calls_after_try = 0;
  auto s = stops_at_first_failure();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(g_calls_after_try, 1);
}

// ---------------------------------------------------------------------------------------------
// RpcErrorInfo and Error

TEST(RpcErrorInfo, SplitsTrailingNumericArgument) {
  auto e = RpcErrorInfo::parse(420, "FLOOD_WAIT_31");
  EXPECT_EQ(e.code, 420);
  EXPECT_EQ(e.name, "FLOOD_WAIT");
  ASSERT_TRUE(e.argument.has_value());
  EXPECT_EQ(*e.argument, 31);
  EXPECT_EQ(e.message(), "FLOOD_WAIT_31");

  auto m = RpcErrorInfo::parse(303, "PHONE_MIGRATE_2");
  EXPECT_EQ(m.name, "PHONE_MIGRATE");
  EXPECT_EQ(m.argument, 2);
}

TEST(RpcErrorInfo, NoArgumentWhenTheLastPartIsNotANumber) {
  auto e = RpcErrorInfo::parse(401, "USER_DEACTIVATED");
  EXPECT_EQ(e.name, "USER_DEACTIVATED");
  EXPECT_FALSE(e.argument.has_value());
  EXPECT_EQ(e.message(), "USER_DEACTIVATED");

  // Digits in the middle are part of the name.
  auto mid = RpcErrorInfo::parse(400, "FILE_PART_3_MISSING");
  EXPECT_EQ(mid.name, "FILE_PART_3_MISSING");
  EXPECT_FALSE(mid.argument.has_value());

  for (const char* s : {"FLOOD_WAIT_", "FLOOD_WAIT", "FLOOD_WAIT_3x", "NOUNDERSCORE"}) {
    auto x = RpcErrorInfo::parse(420, s);
    EXPECT_EQ(x.name, s);
    EXPECT_FALSE(x.argument.has_value()) << s;
  }
}

TEST(RpcErrorInfo, LeadingDigitsInTheNameAndZeroArgument) {
  auto e = RpcErrorInfo::parse(420, "2FA_CONFIRM_WAIT_0");
  EXPECT_EQ(e.name, "2FA_CONFIRM_WAIT");
  ASSERT_TRUE(e.argument.has_value());
  EXPECT_EQ(*e.argument, 0);
  EXPECT_EQ(e.message(), "2FA_CONFIRM_WAIT_0");
}

TEST(RpcErrorInfo, ArgumentTooLargeIsKeptInTheName) {
  auto e = RpcErrorInfo::parse(420, "FLOOD_WAIT_99999999999999999999999");
  EXPECT_EQ(e.name, "FLOOD_WAIT_99999999999999999999999");
  EXPECT_FALSE(e.argument.has_value());
}

// DISABLED: library bug. RpcErrorInfo::parse (error.cpp, line 28) uses std::from_chars on the
// text after the last '_', which also accepts a leading '-', so "FLOOD_WAIT_-5" yields the
// argument -5 although the contract (error.hpp) is a trailing `_<digits>`. A server (or anything
// in the middle) can thus hand the client a negative FLOOD_WAIT. Fix: require
// `digits[0] >= '0' && digits[0] <= '9'` before calling from_chars.
TEST(RpcErrorInfo, SignIsNotADigit) {
  auto e = RpcErrorInfo::parse(420, "FLOOD_WAIT_-5");
  EXPECT_EQ(e.name, "FLOOD_WAIT_-5");
  EXPECT_FALSE(e.argument.has_value());
}

TEST(Error, ToStringNamesDomainCodeAndDetail) {
  Error e(TlErrc::truncated, "at offset 12: need 4 bytes");
  EXPECT_EQ(e.domain, ErrorDomain::tl);
  EXPECT_EQ(e.to_string(), "tl error 1: at offset 12: need 4 bytes");

  Error bare(ErrorDomain::crypto, 3, "");
  EXPECT_EQ(bare.to_string(), "crypto error 3");
}

TEST(Error, ToStringOfAnRpcErrorShowsTheServerMessage) {
  Error e(ErrorDomain::rpc, 420, "while sending");
  e.rpc = RpcErrorInfo::parse(420, "FLOOD_WAIT_31");
  EXPECT_EQ(e.to_string(), "rpc error 420 FLOOD_WAIT_31: while sending");
}

TEST(Error, DomainNames) {
  EXPECT_EQ(to_string(ErrorDomain::base), "base");
  EXPECT_EQ(to_string(ErrorDomain::crypto), "crypto");
  EXPECT_EQ(to_string(ErrorDomain::tl), "tl");
  EXPECT_EQ(to_string(ErrorDomain::mtproto), "mtproto");
  EXPECT_EQ(to_string(ErrorDomain::storage), "storage");
  EXPECT_EQ(to_string(ErrorDomain::net), "net");
  EXPECT_EQ(to_string(ErrorDomain::client), "client");
  EXPECT_EQ(to_string(ErrorDomain::server), "server");
  EXPECT_EQ(to_string(ErrorDomain::rpc), "rpc");
}

}  // namespace
}  // namespace telepp
