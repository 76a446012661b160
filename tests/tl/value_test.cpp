// Tests of the dynamic TL form (telepp/tl/value.hpp): JSON <-> Value <-> bytes, driven by the
// embedded schemas.

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "support/support.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/reader.hpp"
#include "telepp/tl/value.hpp"

namespace telepp::tl {
namespace {

using test::hex;

const Schema& api() { return *schemas::api(228); }
const Schema& mtp() { return schemas::mtproto(); }

Value parse(const Schema& s, std::string_view json) {
  auto v = value_from_json(s, json);
  EXPECT_TRUE(v.ok()) << json << "\n" << (v.ok() ? "" : v.error().to_string());
  return v.ok() ? *v : Value{};
}

Bytes encode(const Value& v) {
  auto b = encode_value(v);
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().to_string());
  return b.ok() ? *b : Bytes{};
}

Bytes json_to_bytes(const Schema& s, std::string_view json) { return encode(parse(s, json)); }

std::string bytes_to_json(const Schema& s, ByteView bytes) {
  auto v = decode_value(s, bytes);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().to_string());
  return v.ok() ? value_to_json(*v) : std::string{};
}

// JSON -> bytes (checked against `expected_hex` when given) -> JSON, which must be `json` again.
void expect_round_trip(const Schema& s, std::string_view json, std::string_view expected_hex = {}) {
  auto bytes = json_to_bytes(s, json);
  if (!expected_hex.empty()) {
    EXPECT_EQ(to_hex(bytes), to_hex(hex(expected_hex))) << json;
  }
  EXPECT_EQ(bytes_to_json(s, bytes), json);
}

// value_from_json fails with TlErrc::json and a message containing `message` (which starts with
// the field path).
void expect_json_error(const Schema& s, std::string_view json, std::string_view message) {
  auto v = value_from_json(s, json);
  ASSERT_FALSE(v.ok()) << "accepted: " << json;
  EXPECT_TRUE(v.error().is(TlErrc::json)) << v.error().to_string();
  EXPECT_NE(v.error().detail.find(message), std::string::npos) << "got: " << v.error().detail;
}

void expect_decode_error(const Schema& s, std::string_view bytes_hex, TlErrc code, std::string_view message) {
  auto bytes = hex(bytes_hex);
  auto v = decode_value(s, bytes);
  ASSERT_FALSE(v.ok()) << bytes_hex;
  EXPECT_TRUE(v.error().is(code)) << v.error().to_string();
  EXPECT_NE(v.error().detail.find(message), std::string::npos) << "got: " << v.error().detail;
  EXPECT_NE(v.error().detail.find("at offset"), std::string::npos) << v.error().detail;
}

constexpr std::string_view kInitConnection =
    R"({"_":"initConnection","api_id":1,"device_model":"pc","system_version":"linux","app_version":"1.0",)"
    R"("system_lang_code":"en","lang_pack":"","lang_code":"en","query":{"_":"help.getConfig"}})";
constexpr std::string_view kInitConnectionHex =
    "a95ecdc1 00000000 01000000 02706300 056c696e75780000 03312e30 02656e00 00000000 02656e00 6b18f9c4";

// ---------------------------------------------------------------------------------------------
// round trips and exact bytes

TEST(ValueJson, HelpGetConfigBytes) {
  EXPECT_EQ(json_to_bytes(api(), R"({"_":"help.getConfig"})"), hex("6b18f9c4"));
  EXPECT_EQ(bytes_to_json(api(), hex("6b18f9c4")), R"({"_":"help.getConfig"})");
}

TEST(ValueJson, InitConnectionRoundTrip) { expect_round_trip(api(), kInitConnection, kInitConnectionHex); }

TEST(ValueJson, InitConnectionWithOptionalFieldsSetsTheirFlags) {
  const std::string json =
      R"({"_":"initConnection","api_id":1,"device_model":"pc","system_version":"linux","app_version":"1.0",)"
      R"("system_lang_code":"en","lang_pack":"","lang_code":"en",)"
      R"("proxy":{"_":"inputClientProxy","address":"1.2.3.4","port":443},)"
      R"("params":{"_":"jsonObject","value":[{"_":"jsonObjectValue","key":"k","value":{"_":"jsonString","value":"v"}}]},)"
      R"("query":{"_":"help.getConfig"}})";
  auto bytes = json_to_bytes(api(), json);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(to_hex(ByteView(bytes).subspan(4, 4)), "03000000");  // flags.0 (proxy) | flags.1 (params)
  EXPECT_EQ(bytes_to_json(api(), bytes), json);
}

TEST(ValueJson, InvokeWithLayerWrapsAFunction) {
  const std::string json = R"({"_":"invokeWithLayer","layer":228,"query":)" + std::string(kInitConnection) + "}";
  expect_round_trip(api(), json, "0d0d9bda e4000000" + std::string(kInitConnectionHex));
}

TEST(ValueJson, IndentedOutputParsesBack) {
  auto v = parse(api(), kInitConnection);
  auto pretty = value_to_json(v, 2);
  EXPECT_NE(pretty.find("\n  \"api_id\": 1"), std::string::npos) << pretty;
  EXPECT_EQ(json_to_bytes(api(), pretty), hex(kInitConnectionHex));
}

TEST(ValueJson, FieldAccessByName) {
  auto v = parse(api(), kInitConnection);
  ASSERT_NE(v.field("api_id"), nullptr);
  EXPECT_EQ(v.field("api_id")->as_int32(), 1);
  EXPECT_EQ(v.field("device_model")->as_text(), "pc");
  EXPECT_TRUE(v.field("proxy")->is_null());
  EXPECT_TRUE(v.field("flags")->is_null());
  EXPECT_EQ(v.field("query")->as_object().combinator->name, "help.getConfig");
  EXPECT_EQ(v.field("nope"), nullptr);
  EXPECT_EQ(v.field("query")->field("nope"), nullptr);
}

// ---------------------------------------------------------------------------------------------
// long

TEST(ValueLong, NumberUpTo2Pow53) {
  expect_round_trip(api(), R"({"_":"inputPeerUser","user_id":9007199254740992,"access_hash":-9007199254740992})",
                    "4ca5e8dd 0000000000002000 000000000000e0ff");
}

TEST(ValueLong, DecimalStringBeyond2Pow53) {
  expect_round_trip(api(), R"({"_":"inputPeerUser","user_id":"9007199254740993","access_hash":"-9007199254740993"})",
                    "4ca5e8dd 0100000000002000 ffffffffffffdfff");
}

TEST(ValueLong, Extremes) {
  expect_round_trip(api(),
                    R"({"_":"inputPeerUser","user_id":"-9223372036854775808","access_hash":"9223372036854775807"})",
                    "4ca5e8dd 0000000000000080 ffffffffffffff7f");
}

TEST(ValueLong, InputAcceptsBothForms) {
  // A small value as a string and a big one as a number: the output uses the canonical forms.
  auto json = R"({"_":"inputPeerUser","user_id":"5","access_hash":9007199254740993})";
  auto bytes = json_to_bytes(api(), json);
  EXPECT_EQ(bytes, hex("4ca5e8dd 0500000000000000 0100000000002000"));
  EXPECT_EQ(bytes_to_json(api(), bytes), R"({"_":"inputPeerUser","user_id":5,"access_hash":"9007199254740993"})");
  EXPECT_EQ(json_to_bytes(api(), R"({"_":"inputPeerUser","user_id":-9223372036854775808,"access_hash":0})"),
            hex("4ca5e8dd 0000000000000080 0000000000000000"));
}

TEST(ValueLong, RejectsWhatIsNotALong) {
  const char* bad[] = {R"("12a")", R"("")", R"(" 1")", R"("+1")", R"("0x10")", "1.5", "true", "[1]",
                       R"("9223372036854775808")", "9223372036854775808", "18446744073709551615", "1e30"};
  for (const char* value : bad) {
    expect_json_error(api(), std::string(R"({"_":"inputPeerUser","user_id":)") + value + R"(,"access_hash":0})",
                      "inputPeerUser.user_id: ");
  }
}

// ---------------------------------------------------------------------------------------------
// bytes, int128/int256, Bool, double, strings, vectors

TEST(ValueBytes, StandardBase64) {
  expect_round_trip(api(), R"({"_":"messages.dhConfigNotModified","random":"AAEC/w=="})",
                    "3546e2c0 04000102ff000000");
  expect_round_trip(api(), R"({"_":"messages.dhConfigNotModified","random":""})", "3546e2c0 00000000");
}

TEST(ValueBytes, RejectsBadBase64) {
  for (const char* value : {R"("AAEC/w")", R"("AAEC_w==")", R"("AAEC/x==")", R"("AA EC/w==")", "5", "null"}) {
    expect_json_error(api(), std::string(R"({"_":"messages.dhConfigNotModified","random":)") + value + "}",
                      "messages.dhConfigNotModified.random: ");
  }
}

TEST(ValueBytes, BinaryContentRoundTrips) {
  Bytes raw(300);
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<Byte>(i * 7);
  Bytes wire = hex("3546e2c0 fe2c0100");
  wire.insert(wire.end(), raw.begin(), raw.end());
  // 4 + 300 = 304: already a multiple of 4, no padding.
  auto json = bytes_to_json(api(), wire);
  EXPECT_EQ(json_to_bytes(api(), json), wire);
}

TEST(ValueFixed, Int128AsLowercaseHex) {
  expect_round_trip(mtp(), R"({"_":"req_pq_multi","nonce":"000102030405060708090a0b0c0d0e0f"})",
                    "f18e7ebe 000102030405060708090a0b0c0d0e0f");
}

TEST(ValueFixed, Int256AsLowercaseHex) {
  const std::string n128 = "00112233445566778899aabbccddeeff";
  const std::string n256 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  const std::string json = R"({"_":"p_q_inner_data","pq":"a","p":"b","q":"c","nonce":")" + n128 +
                           R"(","server_nonce":")" + n128 + R"(","new_nonce":")" + n256 + R"("})";
  expect_round_trip(mtp(), json,
                    "ec5ac983 01610000 01620000 01630000" + n128 + n128 + n256);
}

TEST(ValueFixed, RejectsUppercaseWrongLengthAndNonHex) {
  for (const char* value : {R"("000102030405060708090A0B0C0D0E0F")", R"("000102030405060708090a0b0c0d0e")",
                            R"("000102030405060708090a0b0c0d0e0f00")", R"("000102030405060708090a0b0c0d0e0g")",
                            R"("0x0102030405060708090a0b0c0d0e0f")", "1", "[0]"}) {
    expect_json_error(mtp(), std::string(R"({"_":"req_pq_multi","nonce":)") + value + "}", "req_pq_multi.nonce: ");
  }
  expect_json_error(mtp(), R"({"_":"req_pq_multi","nonce":"000102030405060708090A0B0C0D0E0F"})", "lowercase");
}

TEST(ValueBool, JsonBooleans) {
  expect_round_trip(api(), R"({"_":"account.updateStatus","offline":true})", "2c562866 b5757299");
  expect_round_trip(api(), R"({"_":"account.updateStatus","offline":false})", "2c562866 379779bc");
  for (const char* value : {"1", "0", R"("true")", "null"}) {
    expect_json_error(api(), std::string(R"({"_":"account.updateStatus","offline":)") + value + "}",
                      "account.updateStatus.offline: ");
  }
}

TEST(ValueDouble, Numbers) {
  expect_round_trip(api(), R"({"_":"inputGeoPoint","lat":51.5,"long":-0.25})",
                    "af2f2248 00000000 0000000000c04940 000000000000d0bf");
  // An integer is a valid double; it comes back as a double.
  EXPECT_EQ(bytes_to_json(api(), json_to_bytes(api(), R"({"_":"inputGeoPoint","lat":1,"long":2})")),
            R"({"_":"inputGeoPoint","lat":1.0,"long":2.0})");
  expect_json_error(api(), R"({"_":"inputGeoPoint","lat":"1","long":2})", "inputGeoPoint.lat: expected a double");
}

TEST(ValueString, Utf8TextRoundTrips) {
  expect_round_trip(api(), R"({"_":"jsonString","value":"Привет, мир 👋 \"quoted\" \\ \n"})");
}

TEST(ValueVector, BoxedVectorOfObjects) {
  expect_round_trip(api(), R"({"_":"users.getUsers","id":[{"_":"inputUserSelf"},{"_":"inputUserSelf"}]})",
                    "48a5910d 15c4b51c 02000000 3fb1c1f7 3fb1c1f7");
  expect_round_trip(api(), R"({"_":"users.getUsers","id":[]})", "48a5910d 15c4b51c 00000000");
  expect_json_error(api(), R"({"_":"users.getUsers","id":{"_":"inputUserSelf"}})",
                    "users.getUsers.id: expected an array");
  expect_json_error(api(), R"({"_":"users.getUsers","id":[{"_":"inputUserSelf"},{"_":"inputPeerSelf"}]})",
                    "users.getUsers.id[1]: 'inputPeerSelf' is not a InputUser");
}

TEST(ValueVector, ErrorPathThroughNestedVectorsAndObjects) {
  expect_json_error(api(),
                    R"({"_":"messages.sendMessage","peer":{"_":"inputPeerSelf"},"message":"m","random_id":1,)"
                    R"("entities":[{"_":"messageEntityBold","offset":0,"length":1},{"_":"messageEntityBold","offset":0}]})",
                    "messages.sendMessage.entities[1].length: required field is missing");
}

// ---------------------------------------------------------------------------------------------
// flags

constexpr std::string_view kSendSilent =
    R"({"_":"messages.sendMessage","silent":true,"peer":{"_":"inputPeerSelf"},"message":"hi","random_id":1})";

TEST(ValueFlags, TrueFlagsOnlyWhenSetAndFlagWordsNever) {
  expect_round_trip(api(), kSendSilent, "628ff4fe 20000000 c97ea07d 02686900 0100000000000000");
}

TEST(ValueFlags, FalseTrueFlagIsOmitted) {
  auto bytes = json_to_bytes(
      api(),
      R"({"_":"messages.sendMessage","no_webpage":false,"silent":true,"peer":{"_":"inputPeerSelf"},"message":"hi","random_id":1})");
  EXPECT_EQ(bytes, hex("628ff4fe 20000000 c97ea07d 02686900 0100000000000000"));
  EXPECT_EQ(bytes_to_json(api(), bytes), kSendSilent);
}

TEST(ValueFlags, AbsentOptionalIsOmittedAndNullMeansAbsent) {
  auto bytes = json_to_bytes(
      api(),
      R"({"_":"messages.sendMessage","silent":true,"peer":{"_":"inputPeerSelf"},"reply_to":null,"message":"hi","random_id":1})");
  EXPECT_EQ(bytes_to_json(api(), bytes), kSendSilent);
}

TEST(ValueFlags, OptionalFieldSetsItsBit) {
  auto bytes = json_to_bytes(
      api(),
      R"({"_":"messages.sendMessage","peer":{"_":"inputPeerSelf"},"message":"hi","random_id":1,"schedule_date":7})");
  // flags.10 (schedule_date); the int comes after random_id, in TL order.
  EXPECT_EQ(bytes, hex("628ff4fe 00040000 c97ea07d 02686900 0100000000000000 07000000"));
}

TEST(ValueFlags, FlagWordIsNotAField) {
  expect_json_error(
      api(),
      R"({"_":"messages.sendMessage","flags":32,"peer":{"_":"inputPeerSelf"},"message":"hi","random_id":1})",
      "messages.sendMessage.flags: 'messages.sendMessage' has no field 'flags'");
}

TEST(ValueFlags, TrueFlagMustBeABoolean) {
  expect_json_error(api(),
                    R"({"_":"messages.sendMessage","silent":1,"peer":{"_":"inputPeerSelf"},"message":"hi","random_id":1})",
                    "messages.sendMessage.silent: expected true or false");
}

TEST(ValueFlags, SecondFlagWord) {
  // user.close_friend is flags2.2; first_name is flags.1.
  auto bytes = json_to_bytes(api(), R"({"_":"user","close_friend":true,"id":1,"first_name":"A"})");
  EXPECT_EQ(bytes, hex("83ccb8b1 02000000 04000000 0100000000000000 01410000"));
  EXPECT_EQ(bytes_to_json(api(), bytes), R"({"_":"user","close_friend":true,"id":1,"first_name":"A"})");
}

TEST(ValueFlags, FieldsSharingABitMustBeSetTogether) {
  // codeSettings: token:flags.8?string app_sandbox:flags.8?Bool
  auto v = parse(api(), R"({"_":"codeSettings","token":"t"})");
  auto bytes = encode_value(v);
  ASSERT_FALSE(bytes.ok());
  EXPECT_TRUE(bytes.error().is(TlErrc::missing_field));
  EXPECT_NE(bytes.error().detail.find("codeSettings.app_sandbox must be set"), std::string::npos)
      << bytes.error().detail;
  expect_round_trip(api(), R"({"_":"codeSettings","token":"t","app_sandbox":false})",
                    "783d25ad 00010000 01740000 379779bc");
}

// ---------------------------------------------------------------------------------------------
// JSON errors name the field path

TEST(ValueJsonErrors, UnknownField) {
  expect_json_error(api(), R"({"_":"help.getConfig","x":1})", "help.getConfig.x: 'help.getConfig' has no field 'x'");
  expect_json_error(api(), R"({"_":"invokeWithLayer","layer":1,"query":{"_":"help.getConfig","x":1}})",
                    "invokeWithLayer.query.x: 'help.getConfig' has no field 'x'");
}

TEST(ValueJsonErrors, MissingRequiredField) {
  expect_json_error(api(), R"({"_":"inputPeerUser","user_id":1})", "inputPeerUser.access_hash: required field is missing");
  expect_json_error(api(), R"({"_":"inputPeerUser","user_id":1,"access_hash":null})",
                    "inputPeerUser.access_hash: required field is missing");
  expect_json_error(api(), R"({"_":"invokeWithLayer","layer":1})", "invokeWithLayer.query: required field is missing");
}

TEST(ValueJsonErrors, WrongJsonType) {
  std::string json(kInitConnection);
  json.replace(json.find(R"("api_id":1)"), 10, R"("api_id":"1")");
  expect_json_error(api(), json, R"(initConnection.api_id: expected an int, got string "1")");
  expect_json_error(api(), R"({"_":"inputPeerUser","user_id":true,"access_hash":0})",
                    "inputPeerUser.user_id: expected a long, got boolean true");
  expect_json_error(api(), R"({"_":"messages.sendMessage","peer":5,"message":"m","random_id":1})",
                    "messages.sendMessage.peer: expected an object");
  expect_json_error(api(), R"({"_":"jsonString","value":5})", "jsonString.value: expected a string");
}

TEST(ValueJsonErrors, IntOutOfRange) {
  for (const char* value : {"2147483648", "-2147483649", "4294967296", "9223372036854775807", "18446744073709551615"}) {
    expect_json_error(api(), std::string(R"({"_":"inputClientProxy","address":"a","port":)") + value + "}",
                      "inputClientProxy.port: int out of 32-bit range");
  }
  expect_json_error(api(), R"({"_":"inputClientProxy","address":"a","port":1.0})", "inputClientProxy.port: expected an int");
  expect_round_trip(api(), R"({"_":"inputClientProxy","address":"a","port":2147483647})");
  expect_round_trip(api(), R"({"_":"inputClientProxy","address":"a","port":-2147483648})");
}

TEST(ValueJsonErrors, UnknownConstructor) {
  expect_json_error(api(), R"({"_":"nope"})", "(top level): unknown constructor or function 'nope'");
  expect_json_error(api(), R"({"_":"invokeWithLayer","layer":1,"query":{"_":"nope"}})",
                    "invokeWithLayer.query: unknown constructor or function 'nope'");
}

TEST(ValueJsonErrors, ConstructorOfTheWrongType) {
  expect_json_error(api(),
                    R"({"_":"messages.sendMessage","peer":{"_":"user","id":1},"message":"m","random_id":1})",
                    "messages.sendMessage.peer: 'user' is not a InputPeer");
  expect_json_error(api(),
                    R"({"_":"messages.sendMessage","peer":{"_":"help.getConfig"},"message":"m","random_id":1})",
                    "messages.sendMessage.peer: 'help.getConfig' is not a InputPeer");
}

TEST(ValueJsonErrors, ConstructorWhereAFunctionIsNeeded) {
  expect_json_error(api(), R"({"_":"invokeWithLayer","layer":1,"query":{"_":"inputPeerSelf"}})",
                    "invokeWithLayer.query: 'inputPeerSelf' is not a !X");
}

TEST(ValueJsonErrors, MissingOrBadConstructorName) {
  expect_json_error(api(), R"({"api_id":1})", "(top level): missing \"_\"");
  expect_json_error(api(), R"({"_":5})", "(top level): missing \"_\"");
  expect_json_error(api(), R"({"_":"invokeWithLayer","layer":1,"query":{}})", "invokeWithLayer.query: missing \"_\"");
  expect_json_error(api(), R"([{"_":"help.getConfig"}])", "(top level): expected an object");
  expect_json_error(api(), R"("help.getConfig")", "(top level): expected an object");
}

TEST(ValueJsonErrors, InvalidJsonText) {
  for (const char* text : {"", "{", R"({"_":"help.getConfig"} x)", R"({"_":"help.getConfig",})", R"({'_':'x'})"}) {
    expect_json_error(api(), text, "invalid JSON");
  }
}

// ---------------------------------------------------------------------------------------------
// decode_value errors

TEST(ValueDecode, UnknownConstructorId) {
  expect_decode_error(api(), "ffffffff", TlErrc::unknown_id, "constructor 0xffffffff is unknown");
}

TEST(ValueDecode, EmptyInput) { expect_decode_error(api(), "", TlErrc::truncated, "need 4 bytes"); }

TEST(ValueDecode, EveryTruncationFails) {
  auto full = hex(kInitConnectionHex);
  for (std::size_t cut = 0; cut < full.size(); ++cut) {
    auto v = decode_value(api(), ByteView(full.data(), cut));
    ASSERT_FALSE(v.ok()) << cut;
    EXPECT_TRUE(v.error().is(TlErrc::truncated)) << cut << ": " << v.error().detail;
    EXPECT_NE(v.error().detail.find("at offset"), std::string::npos) << v.error().detail;
  }
  EXPECT_TRUE(decode_value(api(), full).ok());
}

TEST(ValueDecode, TrailingBytes) {
  expect_decode_error(api(), "6b18f9c4 00000000", TlErrc::trailing_bytes, "4 bytes left");
}

TEST(ValueDecode, ConstructorOfTheWrongTypeInAField) {
  // messages.sendMessage with an InputUser where the InputPeer goes.
  expect_decode_error(api(), "628ff4fe 00000000 3fb1c1f7 02686900 0100000000000000", TlErrc::unexpected_id,
                      "(inputUserSelf) is not a InputPeer");
}

TEST(ValueDecode, ConstructorWhereAFunctionIsNeeded) {
  expect_decode_error(api(), "0d0d9bda e4000000 c97ea07d", TlErrc::unexpected_id, "(inputPeerSelf) is not a function");
}

TEST(ValueDecode, BadBool) {
  expect_decode_error(api(), "2c562866 01000000", TlErrc::bad_value, "expected Bool, got 0x00000001");
}

TEST(ValueDecode, HostileVectorCount) {
  expect_decode_error(api(), "48a5910d 15c4b51c 00000080 3fb1c1f7", TlErrc::bad_length, "vector count 2147483648");
}

TEST(ValueDecode, ErrorNamesTheConstructorBeingRead) {
  auto bytes = hex("4ca5e8dd 0100000000000000 0200");  // inputPeerUser cut inside access_hash
  auto v = decode_value(api(), bytes);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().detail.find("at offset 12 in 0xdde8a54c"), std::string::npos) << v.error().detail;
}

std::string nested_invoke_json(int depth) {
  std::string json;
  for (int i = 0; i < depth; ++i) json += R"({"_":"invokeWithLayer","layer":1,"query":)";
  json += R"({"_":"help.getConfig"})";
  json += std::string(static_cast<std::size_t>(depth), '}');
  return json;
}

Bytes nested_invoke_bytes(int depth) {
  Bytes out;
  for (int i = 0; i < depth; ++i) {
    auto layer = hex("0d0d9bda 01000000");
    out.insert(out.end(), layer.begin(), layer.end());
  }
  auto tail = hex("6b18f9c4");
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

TEST(ValueDecode, NestingWithinTheLimit) {
  auto bytes = nested_invoke_bytes(30);
  EXPECT_EQ(json_to_bytes(api(), nested_invoke_json(30)), bytes);
  EXPECT_EQ(bytes_to_json(api(), bytes), nested_invoke_json(30));
}

TEST(ValueDecode, NestingBeyondTheLimitIsRefused) {
  auto bytes = nested_invoke_bytes(Reader::kMaxDepth + 10);
  auto v = decode_value(api(), bytes);
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.error().is(TlErrc::too_deep)) << v.error().detail;
}

// DISABLED: library bug. value_from_json has no nesting limit: FromJson::object and
// FromJson::value (value_json.cpp) recurse once per JSON level, so about 10,000 nested
// invokeWithLayer objects (a 450 KB JSON text) overflow the stack and crash the process
// (segfault, reproduced with GCC 12 -O2 and an 8 MiB stack), and a depth the decoder refuses
// (> Reader::kMaxDepth) is accepted and encoded, producing bytes decode_value rejects. Fix: count
// the depth in FromJson::object (and Encoder::body) and fail with TlErrc::too_deep beyond
// Reader::kMaxDepth, as Reader::enter does. This test uses a small depth so it fails without
// crashing.
TEST(ValueJsonErrors, NestingBeyondTheDecoderLimitIsRefused) {
  auto v = value_from_json(api(), nested_invoke_json(Reader::kMaxDepth + 10));
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.error().is(TlErrc::too_deep) || v.error().is(TlErrc::json)) << v.error().to_string();
}

// ---------------------------------------------------------------------------------------------
// other layers

TEST(ValueLayers, UserEncodesWithEachLayersId) {
  const char* json = R"({"_":"user","id":1,"first_name":"A"})";
  auto b198 = json_to_bytes(*schemas::api(198), json);
  auto b227 = json_to_bytes(*schemas::api(227), json);
  auto b228 = json_to_bytes(*schemas::api(228), json);
  ASSERT_EQ(b198.size(), 24u);
  EXPECT_EQ(to_hex(ByteView(b198).first(4)), "7ec3464b");
  EXPECT_EQ(to_hex(ByteView(b227).first(4)), "88437731");
  EXPECT_EQ(to_hex(ByteView(b228).first(4)), "83ccb8b1");
  // The rest is the same: flags (first_name), flags2, id, first_name.
  auto rest = hex("02000000 00000000 0100000000000000 01410000");
  EXPECT_EQ(Bytes(b198.begin() + 4, b198.end()), rest);
  EXPECT_EQ(Bytes(b227.begin() + 4, b227.end()), rest);
  EXPECT_EQ(Bytes(b228.begin() + 4, b228.end()), rest);
  // Each layer decodes its own bytes and not another layer's.
  EXPECT_EQ(bytes_to_json(*schemas::api(198), b198), json);
  EXPECT_FALSE(decode_value(*schemas::api(198), b228).ok());
}

TEST(ValueLayers, FieldsOfANewerLayerAreUnknownToAnOlderOne) {
  const char* json = R"({"_":"user","id":1,"send_paid_messages_stars":5})";
  expect_json_error(*schemas::api(198), json, "user.send_paid_messages_stars: 'user' has no field");
  expect_round_trip(*schemas::api(227), json);
}

// Bytes recorded from gramjs (layer 198) and mtcute (layers 227, 228): decode, re-encode, and go
// through JSON and back, always to the same bytes.
struct RecordedVector {
  const char* path;
  int layer;
};

class ValueRecorded : public ::testing::TestWithParam<RecordedVector> {};

TEST_P(ValueRecorded, DecodesAndReencodesIdentically) {
  auto [path, layer] = GetParam();
  const Schema& s = *schemas::api(layer);
  auto bytes = test::vector_file(path);
  auto v = decode_value(s, bytes);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(encode(*v), bytes);
  auto again = value_from_json(s, value_to_json(*v));
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(encode(*again), bytes);
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, ValueRecorded,
    ::testing::Values(RecordedVector{"gramjs-L198/sendMessage.bin", 198}, RecordedVector{"gramjs-L198/messagesMessages.bin", 198},
                      RecordedVector{"gramjs-L198/uploadFile.bin", 198}, RecordedVector{"mtcute-L227/sendMessage.bin", 227},
                      RecordedVector{"mtcute-L227/messagesMessages.bin", 227}, RecordedVector{"mtcute-L227/uploadFile.bin", 227},
                      RecordedVector{"mtcute-L228/sendMessage.bin", 228}, RecordedVector{"mtcute-L228/messagesMessages.bin", 228},
                      RecordedVector{"mtcute-L228/uploadFile.bin", 228}),
    [](const auto& p) {
      std::string name = p.param.path;
      for (auto& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(ValueRecordedContent, SendMessageFieldsMatchThePayloadDescription) {
  auto bytes = test::vector_file("mtcute-L228/sendMessage.bin");
  auto v = decode_value(api(), bytes);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->as_object().combinator->name, "messages.sendMessage");
  const auto* peer = v->field("peer");
  ASSERT_NE(peer, nullptr);
  EXPECT_EQ(peer->as_object().combinator->name, "inputPeerUser");
  EXPECT_EQ(peer->field("user_id")->as_int64(), 777000123);
  EXPECT_EQ(peer->field("access_hash")->as_int64(), -6785427936514862393);
  EXPECT_EQ(v->field("random_id")->as_int64(), 7310262537512398151);
  EXPECT_EQ(v->field("entities")->as_vector().size(), 3u);
  auto json = value_to_json(*v);
  EXPECT_NE(json.find(R"("access_hash":"-6785427936514862393")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("user_id":777000123)"), std::string::npos) << json;
}

// ---------------------------------------------------------------------------------------------
// the MTProto schema

constexpr std::string_view kContainerWithPong =
    R"({"_":"msg_container","messages":[{"_":"message","msg_id":"7123456789012345678","seqno":1,"bytes":20,)"
    R"("body":{"_":"pong","msg_id":"7123456789012345000","ping_id":42}}]})";
constexpr std::string_view kContainerWithPongHex =
    "dcf8f173 01000000 4ef3ec39359adb62 01000000 14000000 c5737734 a8f0ec39359adb62 2a00000000000000";

TEST(ValueMtproto, MsgContainerWithAPong) { expect_round_trip(mtp(), kContainerWithPong, kContainerWithPongHex); }

TEST(ValueMtproto, MessageLengthIsComputed) {
  // Left out, or wrong, the body length is computed from the body.
  EXPECT_EQ(json_to_bytes(mtp(), R"({"_":"msg_container","messages":[{"_":"message","msg_id":"7123456789012345678",)"
                                 R"("seqno":1,"body":{"_":"pong","msg_id":"7123456789012345000","ping_id":42}}]})"),
            hex(kContainerWithPongHex));
  EXPECT_EQ(json_to_bytes(mtp(), R"({"_":"msg_container","messages":[{"_":"message","msg_id":"7123456789012345678",)"
                                 R"("seqno":1,"bytes":3,"body":{"_":"pong","msg_id":"7123456789012345000","ping_id":42}}]})"),
            hex(kContainerWithPongHex));
}

TEST(ValueMtproto, MsgContainerWithSeveralMessages) {
  const std::string json =
      R"({"_":"msg_container","messages":[)"
      R"({"_":"message","msg_id":"7123456789012345678","seqno":1,"bytes":20,"body":{"_":"pong","msg_id":1,"ping_id":2}},)"
      R"({"_":"message","msg_id":"7123456789012345679","seqno":3,"bytes":20,"body":{"_":"msgs_ack","msg_ids":[1]}}]})";
  expect_round_trip(mtp(), json);
}

TEST(ValueMtproto, RpcResultWithAnRpcError) {
  expect_round_trip(
      mtp(),
      R"({"_":"rpc_result","req_msg_id":"7123456789012345678","result":{"_":"rpc_error","error_code":420,"error_message":"FLOOD_WAIT_31"}})",
      "016d5cf3 4ef3ec39359adb62 19ca4421 a4010000 0d464c4f4f445f574149545f33310000");
}

TEST(ValueMtproto, RpcResultOfATypeTheSchemaDoesNotKnowIsKeptAsBytes) {
  // The result is a Vector<long>, whose type only the request knows.
  auto bytes = hex("016d5cf3 4ef3ec39359adb62 15c4b51c 01000000 0500000000000000");
  auto v = decode_value(mtp(), bytes);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  const auto* result = v->field("result");
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->kind(), Value::Kind::bytes);
  EXPECT_EQ(to_hex(as_bytes(result->as_text())), "15c4b51c010000000500000000000000");
  EXPECT_EQ(encode(*v), bytes);
}

TEST(ValueMtproto, MessageLengthBeyondTheInputIsBadLength) {
  expect_decode_error(mtp(), "dcf8f173 01000000 4ef3ec39359adb62 01000000 e7030000 c5737734 a8f0ec39359adb62 2a00000000000000",
                      TlErrc::bad_length, "object length 999 does not fit");
  expect_decode_error(mtp(), "dcf8f173 01000000 4ef3ec39359adb62 01000000 ffffffff c5737734 a8f0ec39359adb62 2a00000000000000",
                      TlErrc::bad_length, "object length -1");
}

TEST(ValueMtproto, MessageBodyShorterThanItsLengthIsAnError) {
  // bytes = 24 but the pong is 20 bytes long: 4 bytes of the body are left over.
  expect_decode_error(mtp(),
                      "dcf8f173 01000000 4ef3ec39359adb62 01000000 18000000 c5737734 a8f0ec39359adb62 2a00000000000000 00000000",
                      TlErrc::bad_value, "in the body");
}

TEST(ValueMtproto, MtprotoTypesAreUnknownToTheApiSchema) {
  auto v = value_from_json(api(), kContainerWithPong);
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.error().is(TlErrc::json));
}

// DISABLED: library bug. A message body (`body:Object`) may be a function (that is how a client
// sends requests in a container), and decode_value accepts it, but value_from_json refuses it:
// value_json.cpp, FromJson::check_fits, `case TypeKind::object: ok = !c.is_function;` (line 116).
// So value_to_json output of such a container cannot be read back. Fix: `ok = true` for
// TypeKind::object (any boxed constructor or function), as the decoder does.
TEST(ValueMtproto, MessageBodyMayBeAFunction) {
  const std::string json =
      R"({"_":"msg_container","messages":[{"_":"message","msg_id":"7123456789012345678","seqno":1,"bytes":12,)"
      R"("body":{"_":"ping","ping_id":42}}]})";
  const auto bytes = hex("dcf8f173 01000000 4ef3ec39359adb62 01000000 0c000000 ec77be7a 2a00000000000000");
  EXPECT_EQ(bytes_to_json(mtp(), bytes), json);  // decoding works
  auto v = value_from_json(mtp(), json);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(encode(*v), bytes);
}

// DISABLED: library bug. decode_value keeps a message body whose constructor the schema does not
// know as raw bytes (Decoder::any_boxed with keep_unknown_as_bytes), but encode_value cannot write
// such a Value back: value_codec.cpp, Encoder::length_prefixed (line 90) calls
// `Encoder(inner).boxed(body_value)`, which fails with "expected an object" for a bytes Value,
// instead of going through value(body_value, <Object type>) like a plain Object field does
// (which writes raw bytes). Fix: in length_prefixed, write `inner.raw(...)` when
// body_value.kind() == Value::Kind::bytes.
TEST(ValueMtproto, UnknownMessageBodyReencodes) {
  // A container carrying help.getConfig, an API function the MTProto schema does not know.
  const auto bytes = hex("dcf8f173 01000000 4ef3ec39359adb62 01000000 04000000 6b18f9c4");
  auto v = decode_value(mtp(), bytes);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->field("messages")->as_vector()[0].field("body")->kind(), Value::Kind::bytes);
  auto again = encode_value(*v);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(*again, bytes);
}

// DISABLED: library limitation (asymmetry). An Object kept as raw bytes is written by
// value_to_json as a base64 string (value_json.cpp, to_json, `case K::bytes`), but value_from_json
// only accepts a JSON object for an `Object` field (FromJson::value -> object(), line 156), so
// `telepp tl decode | telepp tl encode` fails for any rpc_result whose result type the MTProto
// schema cannot name (e.g. a Vector<long>). Suggested fix: for TypeKind::object, accept a JSON
// string as base64 raw boxed bytes (at least 4 bytes), producing Value::of_bytes.
TEST(ValueMtproto, RawObjectSurvivesJson) {
  auto bytes = hex("016d5cf3 4ef3ec39359adb62 15c4b51c 01000000 0500000000000000");
  auto json = bytes_to_json(mtp(), bytes);
  auto v = value_from_json(mtp(), json);
  ASSERT_TRUE(v.ok()) << json << "\n" << v.error().to_string();
  EXPECT_EQ(encode(*v), bytes);
}

}  // namespace
}  // namespace telepp::tl
