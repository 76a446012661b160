// Tests of the TL primitives: Writer (telepp/tl/writer.hpp) and Reader (telepp/tl/reader.hpp).

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "support/support.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/tl/reader.hpp"
#include "telepp/tl/writer.hpp"

namespace telepp::tl {
namespace {

using test::hex;

Bytes written(const Writer& w) { return Bytes(w.view().begin(), w.view().end()); }

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

Bytes encode_bytes(std::string_view v) {
  Writer w;
  w.bytes(v);
  EXPECT_TRUE(w.ok());
  return written(w);
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// ---------------------------------------------------------------------------------------------
// string / bytes

TEST(TlBytes, ShortFormExactBytes) {
  EXPECT_EQ(encode_bytes(""), hex("00 000000"));
  EXPECT_EQ(encode_bytes("a"), hex("01 61 0000"));
  EXPECT_EQ(encode_bytes("ab"), hex("02 6162 00"));
  EXPECT_EQ(encode_bytes("abc"), hex("03 616263"));
  EXPECT_EQ(encode_bytes("abcd"), hex("04 61626364 000000"));
}

TEST(TlBytes, LongestShortFormIs253) {
  auto s = pattern(253);
  auto b = encode_bytes(s);
  ASSERT_EQ(b.size(), 256u);  // 1 + 253, padded to 256
  EXPECT_EQ(b[0], 253);
  EXPECT_EQ(std::string(b.begin() + 1, b.begin() + 254), s);
  EXPECT_EQ(b[254], 0);
  EXPECT_EQ(b[255], 0);
}

TEST(TlBytes, LongFormExactPrefixAndPadding) {
  struct Case {
    std::size_t len;
    const char* prefix;
    std::size_t total;
  };
  for (auto [len, prefix, total] : {Case{254, "fefe0000", 260}, Case{255, "feff0000", 260},
                                    Case{256, "fe000100", 260}, Case{1000, "fee80300", 1004},
                                    Case{65536, "fe000001", 65540}, Case{(1u << 24) - 1, "feffffff", (1u << 24) + 4}}) {
    auto s = pattern(len);
    auto b = encode_bytes(s);
    ASSERT_EQ(b.size(), total) << len;
    EXPECT_EQ(to_hex(ByteView(b).first(4)), prefix) << len;
    EXPECT_TRUE(std::equal(s.begin(), s.end(), b.begin() + 4)) << len;
    for (std::size_t i = 4 + len; i < total; ++i) EXPECT_EQ(b[i], 0) << len << " padding byte " << i;
  }
}

TEST(TlBytes, RoundTripAllLengthForms) {
  for (std::size_t len : {0u, 1u, 2u, 3u, 4u, 5u, 252u, 253u, 254u, 255u, 256u, 257u, 1000u, 65536u, (1u << 24) - 1}) {
    auto s = pattern(len);
    Writer w;
    w.bytes(s);
    w.u32(0x11223344);  // something after, to check the reader stops at the right place
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w.size() % 4, 0u);
    Reader r(w.view());
    EXPECT_EQ(r.bytes(), s) << len;
    EXPECT_EQ(r.u32(), 0x11223344u) << len;
    EXPECT_TRUE(r.finish().ok()) << len;
  }
}

TEST(TlBytes, PaddingIsZeroEvenOverDirtyMemory) {
  Writer w;
  std::memset(w.buffer().append(600), 0xee, 600);
  w.buffer().clear();
  w.bytes("a");
  w.bytes(pattern(254));
  auto b = written(w);
  ASSERT_EQ(b.size(), 4u + 260u);
  EXPECT_EQ(b[2], 0);
  EXPECT_EQ(b[3], 0);
  EXPECT_EQ(b[4 + 258], 0);
  EXPECT_EQ(b[4 + 259], 0);
}

TEST(TlBytes, BinaryContentIsKeptAsIs) {
  std::string s("\0\xff\x01\xfe", 4);
  Writer w;
  w.bytes(s);
  Reader r(w.view());
  EXPECT_EQ(r.bytes(), s);
}

TEST(TlBytes, OverMaximumLengthFailsOnWrite) {
  Writer w;
  w.u32(1);
  w.bytes(std::string(Writer::kMaxBytesLength + 1, 'x'));
  EXPECT_FALSE(w.ok());
  auto st = w.status();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().is(TlErrc::bad_length));
  EXPECT_TRUE(contains(st.error().detail, "16777216")) << st.error().detail;
  EXPECT_TRUE(contains(st.error().detail, "at output offset 4")) << st.error().detail;
  EXPECT_EQ(w.size(), 4u);  // nothing of the refused value was written
}

TEST(TlBytes, ReaderRefusesPrefix255) {
  auto in = hex("ff000000 00000000");
  Reader r(in);
  EXPECT_EQ(r.bytes(), "");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(TlErrc::bad_length));
  EXPECT_TRUE(contains(r.error().detail, "0xff")) << r.error().detail;
}

TEST(TlBytes, ReaderReportsTruncatedBodies) {
  for (const char* text : {"", "05 6162", "05 61626364 00", "fe", "fe0001", "fe000100 6162"}) {
    auto in = hex(text);
    Reader r(in);
    (void)r.bytes_view();
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_TRUE(r.error().is(TlErrc::truncated)) << text << ": " << r.error().detail;
    EXPECT_TRUE(contains(r.error().detail, "at offset 0")) << r.error().detail;
  }
}

TEST(TlBytes, BytesIntoReplacesTheTarget) {
  Writer w;
  w.bytes("first");
  w.bytes("2nd");
  Reader r(w.view());
  std::string out = "something long that is already here";
  r.bytes_into(out);
  EXPECT_EQ(out, "first");
  r.bytes_into(out);
  EXPECT_EQ(out, "2nd");
}

// ---------------------------------------------------------------------------------------------
// numbers, Bool, int128/int256

TEST(TlNumbers, IntegersAreLittleEndian) {
  Writer w;
  w.u32(0x01020304);
  w.i32(-2);
  w.i64(0x0102030405060708);
  w.i64(-1);
  EXPECT_EQ(written(w), hex("04030201 feffffff 0807060504030201 ffffffffffffffff"));
  Reader r(w.view());
  EXPECT_EQ(r.u32(), 0x01020304u);
  EXPECT_EQ(r.i32(), -2);
  EXPECT_EQ(r.i64(), 0x0102030405060708);
  EXPECT_EQ(r.i64(), -1);
  EXPECT_TRUE(r.finish().ok());
}

TEST(TlNumbers, IntegerExtremes) {
  Writer w;
  w.i32(std::numeric_limits<std::int32_t>::min());
  w.i64(std::numeric_limits<std::int64_t>::min());
  w.i64(std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(written(w), hex("00000080 0000000000000080 ffffffffffffff7f"));
  Reader r(w.view());
  EXPECT_EQ(r.i32(), std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(r.i64(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(r.i64(), std::numeric_limits<std::int64_t>::max());
}

TEST(TlNumbers, DoubleIsIeee754LittleEndian) {
  Writer w;
  w.f64(1.5);
  w.f64(-0.0);
  w.f64(std::numeric_limits<double>::infinity());
  EXPECT_EQ(written(w), hex("000000000000f83f 0000000000000080 000000000000f07f"));
  Reader r(w.view());
  EXPECT_EQ(r.f64(), 1.5);
  double z = r.f64();
  EXPECT_EQ(z, 0.0);
  EXPECT_TRUE(std::signbit(z));
  EXPECT_TRUE(std::isinf(r.f64()));
}

TEST(TlNumbers, DoubleNanBitsSurvive) {
  auto in = hex("0100000000fff87f");
  Reader r(in);
  double d = r.f64();
  EXPECT_TRUE(std::isnan(d));
  Writer w;
  w.f64(d);
  EXPECT_EQ(written(w), in);
}

TEST(TlBool, TrueAndFalseConstructorIds) {
  Writer w;
  w.boolean(true);
  w.boolean(false);
  EXPECT_EQ(written(w), hex("b5757299 379779bc"));
  Reader r(w.view());
  EXPECT_TRUE(r.boolean());
  EXPECT_FALSE(r.boolean());
  EXPECT_TRUE(r.finish().ok());
}

TEST(TlBool, OtherIdIsBadValue) {
  auto in = hex("78563412");
  Reader r(in);
  EXPECT_FALSE(r.boolean());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(TlErrc::bad_value));
  EXPECT_TRUE(contains(r.error().detail, "expected Bool, got 0x12345678")) << r.error().detail;
  EXPECT_TRUE(contains(r.error().detail, "at offset 4")) << r.error().detail;
}

TEST(TlBool, TruncatedBoolIsTruncatedNotBadValue) {
  auto in = hex("b57572");
  Reader r(in);
  EXPECT_FALSE(r.boolean());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(TlErrc::truncated)) << r.error().detail;
}

TEST(TlFixed, Int128AndInt256AreRawBytesInOrder) {
  Int128 a;
  Int256 b;
  for (std::size_t i = 0; i < 16; ++i) a.bytes[i] = static_cast<Byte>(i);
  for (std::size_t i = 0; i < 32; ++i) b.bytes[i] = static_cast<Byte>(0xff - i);
  Writer w;
  w.int128(a);
  w.int256(b);
  auto out = written(w);
  ASSERT_EQ(out.size(), 48u);
  EXPECT_EQ(to_hex(ByteView(out).first(16)), "000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(out[16], 0xff);
  EXPECT_EQ(out[47], 0xe0);
  Reader r(out);
  EXPECT_EQ(r.int128(), a);
  EXPECT_EQ(r.int256(), b);
  EXPECT_TRUE(r.finish().ok());
}

TEST(TlFixed, TruncatedInt256) {
  Bytes in(31, 1);
  Reader r(in);
  EXPECT_EQ(r.int256(), Int256{});
  EXPECT_TRUE(r.error().is(TlErrc::truncated));
  EXPECT_TRUE(contains(r.error().detail, "need 32 bytes, 31 left")) << r.error().detail;
}

TEST(TlRaw, RawBytesWithoutPrefix) {
  Writer w;
  w.raw(hex("010203"));
  EXPECT_EQ(written(w), hex("010203"));
  Reader r(w.view());
  auto v = r.raw(2);
  EXPECT_EQ(Bytes(v.begin(), v.end()), hex("0102"));
  EXPECT_EQ(r.offset(), 2u);
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_TRUE(r.raw(2).empty());
  EXPECT_TRUE(r.error().is(TlErrc::truncated));
}

// ---------------------------------------------------------------------------------------------
// vectors

TEST(TlVector, HeaderRoundTrip) {
  Writer w;
  w.vector_header(2);
  w.i64(7);
  w.i64(8);
  w.bare_vector_count(1);
  w.i32(9);
  EXPECT_EQ(written(w), hex("15c4b51c 02000000 0700000000000000 0800000000000000 01000000 09000000"));
  Reader r(w.view());
  ASSERT_EQ(r.vector_header(8), 2u);
  EXPECT_EQ(r.i64(), 7);
  EXPECT_EQ(r.i64(), 8);
  ASSERT_EQ(r.bare_vector_count(4), 1u);
  EXPECT_EQ(r.i32(), 9);
  EXPECT_TRUE(r.finish().ok());
}

TEST(TlVector, EmptyVectorAtTheEndIsFine) {
  auto in = hex("15c4b51c 00000000");
  Reader r(in);
  EXPECT_EQ(r.vector_header(8), 0u);
  EXPECT_TRUE(r.finish().ok());
}

TEST(TlVector, CountLargerThanTheInputIsBadLength) {
  // 3 longs announced, 2 present.
  auto in = hex("15c4b51c 03000000 0100000000000000 0200000000000000");
  Reader r(in);
  EXPECT_EQ(r.vector_header(8), 0u);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(TlErrc::bad_length));
  EXPECT_EQ(r.error().detail, "at offset 8: vector count 3 exceeds what the remaining 16 bytes can hold");
}

TEST(TlVector, ExactFitIsAccepted) {
  auto in = hex("15c4b51c 02000000 0100000000000000 0200000000000000");
  Reader r(in);
  EXPECT_EQ(r.vector_header(8), 2u);
  EXPECT_TRUE(r.ok());
}

TEST(TlVector, HugeCountFailsWithoutAllocating) {
  auto in = hex("15c4b51c 00000080");  // 2^31
  Reader r(in);
  auto n = r.vector_header(4);
  EXPECT_EQ(n, 0u);  // a caller reserving n elements reserves nothing
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(TlErrc::bad_length));
  EXPECT_TRUE(contains(r.error().detail, "vector count 2147483648")) << r.error().detail;

  // Elements of unknown (zero) minimum size are still bounded by the input.
  Reader r0(in);
  EXPECT_EQ(r0.vector_header(0), 0u);
  EXPECT_TRUE(r0.error().is(TlErrc::bad_length));

  auto bare = hex("ffffffff");
  Reader rb(bare);
  EXPECT_EQ(rb.bare_vector_count(4), 0u);
  EXPECT_TRUE(rb.error().is(TlErrc::bad_length));
}

TEST(TlVector, WrongConstructorIsUnexpectedId) {
  auto in = hex("b5757299 00000000");
  Reader r(in);
  EXPECT_EQ(r.vector_header(4), 0u);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(TlErrc::unexpected_id));
  EXPECT_TRUE(contains(r.error().detail, "expected vector 0x1cb5c415, got 0x997275b5")) << r.error().detail;
}

// ---------------------------------------------------------------------------------------------
// errors: offsets, truncation, depth, finish, stickiness

// A message of several primitives; `parts` records where each read starts and ends.
struct Part {
  std::size_t begin, end;
  TlErrc code;  // the error a cut inside this part produces
};

struct Composed {
  Bytes bytes;
  std::vector<Part> parts;
};

Composed compose() {
  Writer w;
  std::vector<Part> parts;
  auto mark = [&](std::size_t begin, TlErrc code = TlErrc::truncated) { parts.push_back({begin, w.size(), code}); };
  std::size_t b = w.size();
  w.u32(0xc0ffee00);
  mark(b);
  b = w.size();
  w.i32(-5);
  mark(b);
  b = w.size();
  w.i64(1234567890123);
  mark(b);
  b = w.size();
  w.bytes("hello");
  mark(b);
  b = w.size();
  w.bytes(pattern(300));
  mark(b);
  b = w.size();
  w.u32(kVectorId);
  mark(b);
  b = w.size();
  w.u32(3);
  mark(b);
  b = w.size();
  for (int i = 0; i < 3; ++i) w.i64(i);
  mark(b, TlErrc::bad_length);  // the count is checked against what is left before any element
  b = w.size();
  w.int128(Int128{});
  mark(b);
  b = w.size();
  w.f64(2.5);
  mark(b);
  b = w.size();
  w.boolean(true);
  mark(b);
  EXPECT_TRUE(w.ok());
  return {written(w), parts};
}

// Reads the composed message; returns whether every value came back.
bool read_composed(Reader& r) {
  bool same = r.u32() == 0xc0ffee00;
  same &= r.i32() == -5;
  same &= r.i64() == 1234567890123;
  same &= r.bytes() == "hello";
  same &= r.bytes() == pattern(300);
  auto n = r.vector_header(8);
  same &= n == 3;
  for (std::uint32_t i = 0; i < n; ++i) same &= r.i64() == i;
  same &= r.int128() == Int128{};
  same &= r.f64() == 2.5;
  same &= r.boolean();
  return same;
}

TEST(TlReaderErrors, ComposedMessageReadsBack) {
  auto m = compose();
  Reader r(m.bytes);
  EXPECT_TRUE(read_composed(r));
  EXPECT_TRUE(r.finish().ok());
}

TEST(TlReaderErrors, EveryTruncationIsReportedAtTheOffsetOfTheCutValue) {
  auto m = compose();
  ASSERT_EQ(m.parts.back().end, m.bytes.size());
  for (std::size_t cut = 0; cut < m.bytes.size(); ++cut) {
    ByteView prefix(m.bytes.data(), cut);
    Reader r(prefix);
    EXPECT_FALSE(read_composed(r)) << cut;
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    const Part* part = nullptr;
    for (const auto& p : m.parts) {
      if (p.end > cut) {
        part = &p;
        break;
      }
    }
    ASSERT_NE(part, nullptr);
    EXPECT_TRUE(r.error().is(part->code)) << "cut at " << cut << ": " << r.error().detail;
    EXPECT_TRUE(contains(r.error().detail, "at offset " + std::to_string(part->begin) + ":"))
        << "cut at " << cut << ": " << r.error().detail;
    EXPECT_FALSE(r.finish().ok());
  }
}

TEST(TlReaderErrors, ErrorNamesTheConstructorBeingRead) {
  auto in = hex("01000000");
  Reader r(in);
  auto prev = r.enter(0xdeadbeef);
  EXPECT_EQ(r.context_id(), 0xdeadbeefu);
  (void)r.i64();
  r.leave(prev);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "at offset 0 in 0xdeadbeef: need 8 bytes, 4 left");
  EXPECT_EQ(r.error().to_string(), "tl error 1: at offset 0 in 0xdeadbeef: need 8 bytes, 4 left");
}

TEST(TlReaderErrors, UnknownIdMessages) {
  Bytes none;
  Reader r(none);
  r.fail_unknown_id(0x12345678, "InputPeer");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(TlErrc::unknown_id));
  EXPECT_TRUE(contains(r.error().detail, "constructor 0x12345678 is unknown (expected InputPeer)")) << r.error().detail;
}

TEST(TlReaderErrors, DepthLimit) {
  Bytes none;
  Reader r(none);
  std::vector<std::uint32_t> previous;
  for (int i = 1; i <= Reader::kMaxDepth; ++i) previous.push_back(r.enter(static_cast<std::uint32_t>(i)));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.context_id(), static_cast<std::uint32_t>(Reader::kMaxDepth));
  previous.push_back(r.enter(1000));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(TlErrc::too_deep));
  EXPECT_TRUE(contains(r.error().detail, "nesting deeper than 64")) << r.error().detail;
  // leave() restores the contexts in order.
  for (auto it = previous.rbegin(); it != previous.rend(); ++it) r.leave(*it);
  EXPECT_EQ(r.context_id(), 0u);
}

TEST(TlReaderErrors, BalancedEnterLeaveNeverHitsTheLimit) {
  Bytes none;
  Reader r(none);
  for (int i = 0; i < 10 * Reader::kMaxDepth; ++i) {
    auto a = r.enter(1);
    auto b = r.enter(2);
    r.leave(b);
    r.leave(a);
  }
  EXPECT_TRUE(r.ok());
}

TEST(TlReaderErrors, FinishRefusesTrailingBytes) {
  auto in = hex("01000000 0200");
  Reader r(in);
  EXPECT_EQ(r.u32(), 1u);
  auto st = r.finish();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().is(TlErrc::trailing_bytes));
  EXPECT_EQ(st.error().detail, "at offset 4: 2 bytes left after the value");
}

TEST(TlReaderErrors, FinishKeepsTheFirstError) {
  auto in = hex("78563412 00000000");
  Reader r(in);
  (void)r.boolean();
  auto st = r.finish();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().is(TlErrc::bad_value));
}

TEST(TlReaderErrors, StickyAfterFailure) {
  // A bad Bool with plenty of valid-looking data after it.
  auto in = hex("78563412 05000000 0600000000000000 03616263 15c4b51c 01000000 07000000");
  Reader r(in);
  (void)r.boolean();
  ASSERT_FALSE(r.ok());
  const std::string first = r.error().detail;
  EXPECT_EQ(r.u32(), 0u);
  EXPECT_EQ(r.i32(), 0);
  EXPECT_EQ(r.i64(), 0);
  EXPECT_EQ(r.f64(), 0.0);
  EXPECT_EQ(r.bytes(), "");
  EXPECT_EQ(r.int128(), Int128{});
  EXPECT_EQ(r.int256(), Int256{});
  EXPECT_FALSE(r.boolean());
  EXPECT_EQ(r.vector_header(4), 0u);
  EXPECT_EQ(r.bare_vector_count(4), 0u);
  EXPECT_TRUE(r.raw(4).empty());
  r.fail(TlErrc::json, "a later failure");
  EXPECT_TRUE(r.error().is(TlErrc::bad_value));
  EXPECT_EQ(r.error().detail, first);
  EXPECT_FALSE(r.status().ok());
}

TEST(TlReaderErrors, StatusIsOkUntilAFailure) {
  auto in = hex("01000000");
  Reader r(in);
  EXPECT_TRUE(r.status().ok());
  (void)r.u32();
  EXPECT_TRUE(r.status().ok());
  (void)r.u32();
  EXPECT_FALSE(r.status().ok());
}

TEST(TlWriterErrors, FirstFailureWins) {
  Writer w;
  EXPECT_TRUE(w.status().ok());
  w.fail(TlErrc::missing_field, "x.y is required");
  w.fail(TlErrc::bad_value, "later");
  ASSERT_FALSE(w.ok());
  EXPECT_TRUE(w.status().error().is(TlErrc::missing_field));
  EXPECT_EQ(w.status().error().detail, "at output offset 0: x.y is required");
}

// ---------------------------------------------------------------------------------------------
// Writer buffer

TEST(TlWriter, HeadroomIsKeptForHeaders) {
  Writer w(24);
  w.u32(1);
  EXPECT_EQ(w.buffer().headroom(), 24u);
  std::memset(w.buffer().prepend(8), 0xaa, 8);
  EXPECT_EQ(written(w), hex("aaaaaaaaaaaaaaaa 01000000"));
  Buffer b = w.take();
  EXPECT_EQ(b.to_bytes(), hex("aaaaaaaaaaaaaaaa 01000000"));
  EXPECT_EQ(b.headroom(), 16u);
}

// DISABLED: library bug. Writer::take() (writer.hpp, line 64) returns std::move(out_), and Buffer's
// defaulted move (buffer.hpp, lines 17-18) leaves the source with its old size/capacity but a null
// block. A Writer reused after take() reports the old size, and its next write goes through a
// null pointer. Fix in Buffer (reset the source's capacity_/begin_/end_ on move); alternatively
// take() could `std::exchange(out_, Buffer(out_.headroom()))`.
TEST(TlWriter, TakeLeavesAnEmptyReusableWriter) {
  Writer w;
  w.u32(1);
  Buffer first = w.take();
  EXPECT_EQ(first.to_bytes(), hex("01000000"));
  EXPECT_EQ(w.size(), 0u);
  if (w.size() == 0) {  // only write when the state is sane, so the failure is a report, not a crash
    w.u32(2);
    EXPECT_EQ(written(w), hex("02000000"));
  }
}

}  // namespace
}  // namespace telepp::tl
