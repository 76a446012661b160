// Tests of the TL schema parser (telepp/tl/schema.hpp) and of the schemas telepp ships.

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "telepp/base/crc32.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/schema.hpp"

namespace telepp::tl {
namespace {

std::uint32_t crc(std::string_view s) { return crc32(as_bytes(s)); }

Schema parse_ok(std::string_view text, IdCheck check = IdCheck::strict) {
  auto r = Schema::parse(text, check);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  if (!r.ok()) return Schema{};
  return std::move(r).value();
}

// Expects a schema error whose text contains `where` ("line L, column C") and `what`.
void expect_schema_error(std::string_view text, std::string_view where, std::string_view what,
                         IdCheck check = IdCheck::strict) {
  auto r = Schema::parse(text, check);
  ASSERT_FALSE(r.ok()) << "parsed:\n" << text;
  EXPECT_TRUE(r.error().is(TlErrc::schema)) << r.error().to_string();
  EXPECT_NE(r.error().detail.find(where), std::string::npos) << r.error().detail;
  EXPECT_NE(r.error().detail.find(what), std::string::npos) << r.error().detail;
}

const Param& param(const Combinator& c, std::string_view name) {
  for (const auto& p : c.params) {
    if (p.name == name) return p;
  }
  ADD_FAILURE() << c.name << " has no parameter " << name;
  static const Param none;
  return none;
}

// ---------------------------------------------------------------------------------------------
// grammar

TEST(SchemaParse, ConstructorsAndFunctionsInSections) {
  auto s = parse_ok(
      "boolFalse#bc799737 = Bool;\n"
      "boolTrue#997275b5 = Bool;\n"
      "inputPeerEmpty#7f3b18ea = InputPeer;\n"
      "inputPeerUser#dde8a54c user_id:long access_hash:long = InputPeer;\n"
      "---functions---\n"
      "users.isThere user:InputPeer = Bool;\n"
      "---types---\n"
      "peerUser#59511722 user_id:long = Peer;\n");
  EXPECT_EQ(s.combinators().size(), 6u);
  EXPECT_EQ(s.constructors().size(), 5u);
  ASSERT_EQ(s.functions().size(), 1u);
  EXPECT_EQ(s.functions()[0]->name, "users.isThere");
  EXPECT_TRUE(s.functions()[0]->is_function);
  EXPECT_FALSE(s.find("peerUser")->is_function);  // ---types--- switches back

  const auto* ipu = s.find(0xdde8a54cu);
  ASSERT_NE(ipu, nullptr);
  EXPECT_EQ(ipu->name, "inputPeerUser");
  EXPECT_EQ(ipu->line, 4);
  EXPECT_TRUE(ipu->id_explicit);
  ASSERT_EQ(ipu->params.size(), 2u);
  EXPECT_EQ(ipu->params[0].name, "user_id");
  EXPECT_EQ(ipu->params[0].type.kind, TypeKind::int64);
  EXPECT_FALSE(ipu->params[0].is_conditional());
  EXPECT_EQ(ipu->result.kind, TypeKind::boxed);
  EXPECT_EQ(ipu->result.name, "InputPeer");

  auto peers = s.constructors_of("InputPeer");
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers[0]->name, "inputPeerEmpty");  // schema order
  EXPECT_EQ(peers[1]->name, "inputPeerUser");
  EXPECT_TRUE(s.constructors_of("Nope").empty());
  EXPECT_EQ(s.type_names(), (std::vector<std::string>{"Bool", "InputPeer", "Peer"}));
  EXPECT_EQ(s.find("nope"), nullptr);
  EXPECT_EQ(s.find(0x12345678u), nullptr);
  EXPECT_TRUE(s.id_mismatches().empty());
}

TEST(SchemaParse, NamespaceAndShortName) {
  auto s = parse_ok("x = X;\n---functions---\nmessages.sendIt x:X = X;");
  const auto* f = s.find("messages.sendIt");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->ns(), "messages");
  EXPECT_EQ(f->short_name(), "sendIt");
  EXPECT_EQ(s.find("x")->ns(), "");
  EXPECT_EQ(s.find("x")->short_name(), "x");
}

TEST(SchemaParse, AllBuiltinTypes) {
  auto s = parse_ok(
      "boolFalse#bc799737 = Bool;\nboolTrue#997275b5 = Bool;\n"
      "all a:int b:long c:double d:string e:bytes f:int128 g:int256 h:Bool i:Object = All;");
  const auto* c = s.find("all");
  ASSERT_NE(c, nullptr);
  const TypeKind expected[] = {TypeKind::int32,  TypeKind::int64,  TypeKind::float64,
                               TypeKind::string, TypeKind::bytes,  TypeKind::int128,
                               TypeKind::int256, TypeKind::boolean, TypeKind::object};
  ASSERT_EQ(c->params.size(), std::size(expected));
  for (std::size_t i = 0; i < c->params.size(); ++i) EXPECT_EQ(c->params[i].type.kind, expected[i]) << i;
  EXPECT_EQ(c->id, crc("all a:int b:long c:double d:string e:string f:int128 g:int256 h:Bool i:Object = All"));
}

TEST(SchemaParse, FlagsConditionalFieldsAndTrueFlags) {
  auto s = parse_ok(
      "a flags:# on:flags.0?true n:flags.1?int flags2:# late:flags2.3?string top:flags.31?true "
      "both:flags.1?long = A;");
  const auto* c = s.find("a");
  ASSERT_NE(c, nullptr);
  const auto& flags = param(*c, "flags");
  EXPECT_TRUE(flags.is_flags_word());
  EXPECT_EQ(flags.type.kind, TypeKind::flags);
  EXPECT_FALSE(flags.is_conditional());

  const auto& on = param(*c, "on");
  EXPECT_EQ(on.type.kind, TypeKind::true_flag);
  EXPECT_EQ(on.flag_param, 0);
  EXPECT_EQ(on.flag_bit, 0);

  const auto& n = param(*c, "n");
  EXPECT_TRUE(n.is_conditional());
  EXPECT_EQ(n.type.kind, TypeKind::int32);
  EXPECT_EQ(n.flag_bit, 1);

  const auto& late = param(*c, "late");
  EXPECT_EQ(late.flag_param, 3);  // index of flags2
  EXPECT_EQ(c->params[3].name, "flags2");
  EXPECT_EQ(late.flag_bit, 3);

  EXPECT_EQ(param(*c, "top").flag_bit, 31);
  EXPECT_EQ(param(*c, "both").flag_bit, 1);  // two fields may share a bit

  // True flags are not part of the CRC input; the other conditional fields keep their prefix.
  EXPECT_EQ(c->normalized(), "a flags:# n:flags.1?int flags2:# late:flags2.3?string both:flags.1?long = A");
  EXPECT_EQ(c->id, crc(c->normalized()));
  EXPECT_FALSE(c->id_explicit);
}

TEST(SchemaParse, RealLineWithTrueFlagsAndSharedBitVerifiesStrictly) {
  auto s = parse_ok(
      "boolFalse#bc799737 = Bool;\nboolTrue#997275b5 = Bool;\n"
      "codeSettings#ad253d78 flags:# allow_flashcall:flags.0?true current_number:flags.1?true "
      "allow_app_hash:flags.4?true allow_missed_call:flags.5?true allow_firebase:flags.7?true "
      "unknown_number:flags.9?true logout_tokens:flags.6?Vector<bytes> token:flags.8?string "
      "app_sandbox:flags.8?Bool = CodeSettings;");
  const auto* c = s.find(0xad253d78u);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->normalized(),
            "codeSettings flags:# logout_tokens:flags.6?Vector bytes token:flags.8?string "
            "app_sandbox:flags.8?Bool = CodeSettings");
}

TEST(SchemaParse, VectorsBoxedAndBare) {
  auto s = parse_ok(
      "item = Item;\n"
      "bag xs:Vector<long> ys:vector<item> zs:Vector<Vector<Item>> = Bag;");
  const auto* c = s.find("bag");
  ASSERT_NE(c, nullptr);
  const auto& xs = param(*c, "xs").type;
  EXPECT_EQ(xs.kind, TypeKind::vector);
  ASSERT_TRUE(xs.element);
  EXPECT_EQ(xs.element->kind, TypeKind::int64);
  const auto& ys = param(*c, "ys").type;
  EXPECT_EQ(ys.kind, TypeKind::bare_vector);
  EXPECT_EQ(ys.element->kind, TypeKind::bare);
  EXPECT_EQ(ys.element->name, "item");
  const auto& zs = param(*c, "zs").type;
  EXPECT_EQ(zs.element->kind, TypeKind::vector);
  EXPECT_EQ(zs.element->element->kind, TypeKind::boxed);
  EXPECT_EQ(zs.to_tl(), "Vector<Vector<Item>>");
  EXPECT_EQ(c->normalized(), "bag xs:Vector long ys:vector item zs:Vector Vector Item = Bag");
}

TEST(SchemaParse, PlainBytesHashesAsStringButVectorOfBytesKeepsBytes) {
  // Real upstream lines: the first only verifies with bytes -> string, the second only with
  // Vector<bytes> kept as is.
  auto s = parse_ok(
      "messages.dhConfigNotModified#c0e24635 random:bytes = messages.DhConfig;\n"
      "secureValueTypeEmail = SecureValueType;\n"
      "secureValueErrorFiles#666220e9 type:SecureValueType file_hash:Vector<bytes> text:string = "
      "SecureValueError;\n");
  EXPECT_EQ(s.find(0xc0e24635u)->normalized(), "messages.dhConfigNotModified random:string = messages.DhConfig");
  EXPECT_EQ(s.find(0x666220e9u)->normalized(),
            "secureValueErrorFiles type:SecureValueType file_hash:Vector bytes text:string = SecureValueError");
  // The parsed type stays bytes; only the CRC spelling changes.
  EXPECT_EQ(s.find(0xc0e24635u)->params[0].type.kind, TypeKind::bytes);
  EXPECT_EQ(crc("messages.dhConfigNotModified random:string = messages.DhConfig"), 0xc0e24635u);
}

TEST(SchemaParse, PercentTypeCountsAsItsConstructorName) {
  auto s = parse_ok(
      "message#5bb8e511 msg_id:long seqno:int bytes:int body:Object = Message;\n"
      "msg_container#73f1f8dc messages:vector<%Message> = MessageContainer;\n"
      "msg_copy#e06046b2 orig_message:Message = MessageCopy;\n");
  const auto* c = s.find("msg_container");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->id, 0x73f1f8dcu);
  const auto& t = c->params[0].type;
  ASSERT_EQ(t.kind, TypeKind::bare_vector);
  EXPECT_EQ(t.element->kind, TypeKind::bare);
  EXPECT_EQ(t.element->name, "message");
  EXPECT_EQ(t.element->percent_of, "Message");
  EXPECT_EQ(t.to_tl(), "vector<%Message>");
  EXPECT_EQ(c->normalized(), "msg_container messages:vector message = MessageContainer");
  EXPECT_EQ(c->to_tl(), "msg_container#73f1f8dc messages:vector<%Message> = MessageContainer");
}

TEST(SchemaParse, TypeParametersAndQueries) {
  auto s = parse_ok(
      "---functions---\n"
      "invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;\n");
  const auto* f = s.find(0xda9b0d0du);
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->is_function);
  EXPECT_EQ(f->type_params, std::vector<std::string>{"X"});
  EXPECT_EQ(param(*f, "query").type.kind, TypeKind::query);
  EXPECT_EQ(param(*f, "query").type.name, "X");
  EXPECT_EQ(f->result.kind, TypeKind::type_param);
  EXPECT_EQ(f->normalized(), "invokeWithLayer X:Type layer:int query:!X = X");
  EXPECT_EQ(f->to_tl(), "invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X");
}

TEST(SchemaParse, FunctionResultsMayBeVectorsOrBareOrPrimitive) {
  auto s = parse_ok(
      "boolFalse#bc799737 = Bool;\nboolTrue#997275b5 = Bool;\n"
      "future_salt valid_since:int = FutureSalt;\n"
      "---functions---\n"
      "f1 = Vector<long>;\nf2 = Bool;\nf3 = future_salt;\n");
  EXPECT_EQ(s.find("f1")->result.kind, TypeKind::vector);
  EXPECT_EQ(s.find("f2")->result.kind, TypeKind::boolean);
  EXPECT_EQ(s.find("f3")->result.kind, TypeKind::bare);
  EXPECT_EQ(s.find("f1")->normalized(), "f1 = Vector long");
}

TEST(SchemaParse, IdsAreComputedWhenAbsent) {
  auto s = parse_ok("inputPeerUser user_id:long access_hash:long = InputPeer;");
  const auto* c = s.find("inputPeerUser");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->id_explicit);
  EXPECT_EQ(c->id, 0xdde8a54cu);
  EXPECT_EQ(s.find(0xdde8a54cu), c);
}

TEST(SchemaParse, WrongExplicitIdIsAnErrorNamingLineAndColumn) {
  expect_schema_error("a = A;\n  inputPeerUser#dde8a54d user_id:long access_hash:long = InputPeer;",
                      "line 2, column 3",
                      "'inputPeerUser' has ID #dde8a54d but its line hashes to #dde8a54c");
}

TEST(SchemaParse, WrongExplicitIdIsRecordedInLenientMode) {
  auto s = parse_ok("inputPeerUser#dde8a54d user_id:long access_hash:long = InputPeer;", IdCheck::lenient);
  ASSERT_EQ(s.id_mismatches().size(), 1u);
  EXPECT_NE(s.id_mismatches()[0].find("inputPeerUser"), std::string::npos) << s.id_mismatches()[0];
  EXPECT_NE(s.id_mismatches()[0].find("dde8a54c"), std::string::npos) << s.id_mismatches()[0];
  // The published ID is kept.
  EXPECT_EQ(s.find("inputPeerUser")->id, 0xdde8a54du);
  EXPECT_NE(s.find(0xdde8a54du), nullptr);
}

TEST(SchemaParse, KnownIrregularIdsAreAcceptedOnlyWithTheirPublishedValue) {
  const std::string line = "ipPortSecret#37982646 ipv4:int port:int secret:bytes = IpPort;";
  parse_ok(line);
  expect_schema_error("ipPortSecret#37982647 ipv4:int port:int secret:bytes = IpPort;", "line 1, column 1",
                      "'ipPortSecret' has ID #37982647");
}

TEST(SchemaParse, BuiltinDeclarationsAreSkipped) {
  auto s = parse_ok(
      "int ? = Int;\nlong ? = Long;\nstring ? = String;\n"
      "vector#1cb5c415 {t:Type} # [ t ] = Vector t;\n"
      "int128 4*[ int ] = Int128;\n"
      "x = X;\n");
  ASSERT_EQ(s.combinators().size(), 1u);
  EXPECT_EQ(s.combinators()[0].name, "x");
  EXPECT_EQ(s.find(0x1cb5c415u), nullptr);
  EXPECT_EQ(s.find("vector"), nullptr);
}

TEST(SchemaParse, LayerComment) {
  EXPECT_EQ(parse_ok("// source: test\nx = X;\n// LAYER 123\n").layer(), 123);
  EXPECT_EQ(parse_ok("x = X; // LAYER 7").layer(), 7);
  EXPECT_FALSE(parse_ok("// nothing here\nx = X;").layer().has_value());
  EXPECT_FALSE(parse_ok("").layer().has_value());
}

TEST(SchemaParse, CommentsAndBlankLinesBetweenStatements) {
  auto s = parse_ok("\n\n// a comment ; with a semicolon\r\n  x = X;\t// trailing\n\n\ny\n  a:int\n  = Y;\n");
  EXPECT_EQ(s.combinators().size(), 2u);
  EXPECT_EQ(s.find("y")->line, 7);
  EXPECT_EQ(s.find("y")->normalized(), "y a:int = Y");
}

TEST(SchemaParse, EmptyTextIsAnEmptySchema) {
  auto s = parse_ok("");
  EXPECT_TRUE(s.combinators().empty());
  EXPECT_TRUE(s.type_names().empty());
}

// ---------------------------------------------------------------------------------------------
// errors

TEST(SchemaErrors, MissingSemicolonAtTheEnd) {
  expect_schema_error("a = A;\nb = B", "line 2, column 1", "without a closing ';'");
}

TEST(SchemaErrors, MissingSemicolonBeforeAnotherStatement) {
  // The two lines run together; the error points at the first one.
  expect_schema_error("a = A\nb = B;\n", "line 1, column 3", "expected '= ResultType;' at the end of 'a'");
}

TEST(SchemaErrors, FlagBitOutOfRange) {
  expect_schema_error("a flags:# x:flags.32?int = A;", "line 1, column 11", "flag bit must be 0..31");
  expect_schema_error("a flags:# x:flags.-1?int = A;", "line 1, column 11", "flag bit must be 0..31");
  expect_schema_error("a flags:# x:flags.z?int = A;", "line 1, column 11", "flag bit must be 0..31");
  expect_schema_error("a flags:# x:flags?int = A;", "line 1, column 11", "expected 'flags.N?Type'");
}

TEST(SchemaErrors, FlagsMustNameAnEarlierHashParameter) {
  expect_schema_error("a n:int x:n.0?int = A;", "line 1, column 9", "'n' is not an earlier '#' parameter");
  expect_schema_error("a x:flags.0?int flags:# = A;", "line 1, column 3", "'flags' is not an earlier '#' parameter");
  expect_schema_error("a flags:# x:flogs.0?int = A;", "line 1, column 11", "'flogs' is not an earlier '#' parameter");
}

TEST(SchemaErrors, QueryWithoutTypeParameter) {
  expect_schema_error("---functions---\nf {X:Type} q:!Y = X;", "line 2, column 12", "'!Y' names no {Y:Type} parameter");
  expect_schema_error("---functions---\nf q:!X = X;", "line 2, column 3", "'!X' names no {X:Type} parameter");
}

TEST(SchemaErrors, MalformedTypeParameter) {
  expect_schema_error("---functions---\nf {X:Typ} q:!X = X;", "line 2, column 3", "expected '{X:Type}'");
}

TEST(SchemaErrors, UnknownBareType) {
  expect_schema_error("b = B;\n a x:foo = A;", "line 2, column 2", "unknown constructor 'foo'");
}

TEST(SchemaErrors, BareTypeNamingAFunction) {
  expect_schema_error("a x:f = A;\n---functions---\nf = A;", "line 1, column 1", "unknown constructor 'f'");
}

TEST(SchemaErrors, UnknownBoxedType) {
  expect_schema_error("a x:Foo = A;", "line 1, column 1", "type 'Foo' has no constructors");
  expect_schema_error("a x:Vector<Foo> = A;", "line 1, column 1", "type 'Foo' has no constructors");
  expect_schema_error("a = A;\n---functions---\nf = Foo;", "line 3, column 1", "type 'Foo' has no constructors");
}

TEST(SchemaErrors, PercentOfTypeWithTwoConstructors) {
  expect_schema_error("b1 = B;\nb2 = B;\nc x:%B = C;", "line 3, column 1",
                      "'%B' needs a type with exactly one constructor, it has 2");
  expect_schema_error("c x:%Nope = C;", "line 1, column 1", "it has 0");
}

TEST(SchemaErrors, DuplicateNames) {
  expect_schema_error("a = A;\na x:int = A;", "line 2, column 1", "duplicate name 'a'");
  expect_schema_error("a = A;\n---functions---\na = A;", "line 3, column 1", "duplicate name 'a'");
}

TEST(SchemaErrors, DuplicateIds) {
  // Two different lines cannot hash to the same ID, so this needs explicit (wrong) IDs.
  expect_schema_error("a#00000001 = A;\nb#00000001 = A;", "line 2, column 1", "duplicate ID of 'b'", IdCheck::lenient);
}

TEST(SchemaErrors, DuplicateParameter) {
  expect_schema_error("a x:int x:long = A;", "line 1, column 9", "duplicate parameter 'x'");
}

TEST(SchemaErrors, UnknownSectionMarker) {
  expect_schema_error("a = A;\n---fns---\nb = B;", "line 2, column 1", "unknown section '---fns---'");
  expect_schema_error("a = A;\n---functions", "line 2, column 1", "unterminated section marker");
}

TEST(SchemaErrors, TrueOutsideAFlag) {
  expect_schema_error("a x:true = A;", "line 1, column 3", "'true' is only valid as a conditional field");
}

TEST(SchemaErrors, BadConstructorId) {
  expect_schema_error("a#xyz = A;", "line 1, column 2", "bad constructor ID 'xyz'");
  expect_schema_error("a# = A;", "line 1, column 2", "bad constructor ID");
  expect_schema_error("a#123456789 = A;", "line 1, column 2", "bad constructor ID");
}

TEST(SchemaErrors, ConstructorOfABareType) {
  expect_schema_error("a = a;", "line 1, column 5", "must be a boxed type name");
}

TEST(SchemaErrors, BadNamesAndShapes) {
  expect_schema_error("9a = A;", "line 1, column 1", "bad combinator name");
  expect_schema_error("a x = A;", "line 1, column 3", "expected 'name:type'");
  expect_schema_error("a x: = A;", "line 1, column 3", "missing type");
  expect_schema_error("a x:Vector<#> = A;", "line 1, column 3", "is not a valid vector");
  expect_schema_error("a x:in-t = A;", "line 1, column 3", "bad type");
  expect_schema_error("a = A B;", "line 1, column 3", "expected '= ResultType;'");
  expect_schema_error("a x:int;", "line 1, column 3", "expected '= ResultType;'");
  expect_schema_error("a = A;;", "line 1, column 7", "empty statement");
}

TEST(SchemaErrors, CommentInsideAStatement) {
  expect_schema_error("a x:int // oops\n = A;", "line 1, column 9", "comment inside a statement");
}

// ---------------------------------------------------------------------------------------------
// the shipped schemas

struct ShippedCounts {
  int layer;
  std::size_t constructors;
  std::size_t functions;
};

class ShippedApi : public ::testing::TestWithParam<ShippedCounts> {};

TEST_P(ShippedApi, ParsesStrictlyWithTheExpectedCounts) {
  auto [layer, constructors, functions] = GetParam();
  auto text = schemas::api_text(layer);
  ASSERT_FALSE(text.empty());
  auto parsed = Schema::parse(text, IdCheck::strict);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->constructors().size(), constructors);
  EXPECT_EQ(parsed->functions().size(), functions);
  EXPECT_EQ(parsed->layer(), layer);
  EXPECT_TRUE(parsed->id_mismatches().empty());

  const auto* embedded = schemas::api(layer);
  ASSERT_NE(embedded, nullptr);
  EXPECT_EQ(embedded->constructors().size(), constructors);
  EXPECT_EQ(embedded->functions().size(), functions);
}

// Every line of the file is what the combinator prints back (the files are canonical).
TEST_P(ShippedApi, ToTlReproducesEveryLine) {
  const int layer = GetParam().layer;
  const auto* s = schemas::api(layer);
  ASSERT_NE(s, nullptr);
  std::istringstream in{std::string(schemas::api_text(layer))};
  std::string line;
  std::size_t checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line.starts_with("//") || line.starts_with("---") || line.starts_with("vector#")) continue;
    ASSERT_TRUE(line.ends_with(";")) << line;
    auto name = line.substr(0, line.find('#'));
    const auto* c = s->find(name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_EQ(c->to_tl() + ";", line);
    ++checked;
  }
  EXPECT_EQ(checked, s->combinators().size());
}

INSTANTIATE_TEST_SUITE_P(Layers, ShippedApi,
                         ::testing::Values(ShippedCounts{228, 1645, 807}, ShippedCounts{227, 1623, 798},
                                           ShippedCounts{198, 1401, 689}),
                         [](const auto& p) { return "L" + std::to_string(p.param.layer); });

TEST(ShippedSchemas, MtprotoParsesStrictly) {
  auto parsed = Schema::parse(schemas::mtproto_text(), IdCheck::strict);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->constructors().size(), 45u);
  EXPECT_EQ(parsed->functions().size(), 10u);
  EXPECT_FALSE(parsed->layer().has_value());
  const auto& s = schemas::mtproto();
  EXPECT_EQ(s.constructors().size(), 45u);
  EXPECT_EQ(s.functions().size(), 10u);
  ASSERT_NE(s.find("msg_container"), nullptr);
  EXPECT_EQ(s.find("msg_container")->id, 0x73f1f8dcu);
}

TEST(ShippedSchemas, LayersListAndUnknownLayer) {
  auto layers = schemas::layers();
  EXPECT_EQ(std::vector<int>(layers.begin(), layers.end()), (std::vector<int>{198, 227, 228}));
  EXPECT_EQ(schemas::api(1), nullptr);
  EXPECT_TRUE(schemas::api_text(1).empty());
  EXPECT_EQ(schemas::api(), schemas::api(schemas::kLatestLayer));
}

// Re-parses the whole schema from to_tl() (strict): every combinator comes back with the same ID
// and the same normalised text.
void expect_to_tl_reparses(const Schema& s) {
  std::string text;
  for (const auto* c : s.constructors()) text += c->to_tl() + ";\n";
  text += "---functions---\n";
  for (const auto* c : s.functions()) text += c->to_tl() + ";\n";
  auto again = Schema::parse(text, IdCheck::strict);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  ASSERT_EQ(again->combinators().size(), s.combinators().size());
  for (const auto& c : s.combinators()) {
    const auto* d = again->find(c.name);
    ASSERT_NE(d, nullptr) << c.name;
    EXPECT_EQ(d->id, c.id) << c.name;
    EXPECT_EQ(d->is_function, c.is_function) << c.name;
    EXPECT_EQ(d->normalized(), c.normalized()) << c.name;
  }
}

TEST(ShippedSchemas, EveryCombinatorToTlReparsesToTheSameId) {
  for (int layer : {198, 227, 228}) {
    SCOPED_TRACE(layer);
    expect_to_tl_reparses(*schemas::api(layer));
  }
  SCOPED_TRACE("mtproto");
  expect_to_tl_reparses(schemas::mtproto());
}

// The IDs are the CRC32 of the normalised line except for the few listed upstream irregularities.
TEST(ShippedSchemas, IdsAreTheCrcOfTheNormalisedLineExceptKnownIrregulars) {
  const std::set<std::string> irregular = {"inputPeerPhotoFileLocationLegacy", "inputStickerSetThumbLegacy",
                                           "ipPortSecret", "accessPointRule", "help.configSimple"};
  for (const Schema* s : {schemas::api(198), schemas::api(227), schemas::api(228), &schemas::mtproto()}) {
    for (const auto& c : s->combinators()) {
      if (crc(c.normalized()) != c.id) {
        EXPECT_TRUE(irregular.count(c.name)) << c.name << ": " << c.normalized();
      }
    }
  }
}

TEST(ShippedSchemas, UserConstructorDiffersBetweenLayers) {
  EXPECT_EQ(schemas::api(228)->find("user")->id, 0xb1b8cc83u);
  EXPECT_EQ(schemas::api(227)->find("user")->id, 0x31774388u);
  EXPECT_EQ(schemas::api(198)->find("user")->id, 0x4b46c37eu);
  // flags2 fields hang on the second flag word.
  const auto* user = schemas::api(228)->find("user");
  const auto& close_friend = param(*user, "close_friend");
  ASSERT_TRUE(close_friend.is_conditional());
  EXPECT_EQ(user->params[static_cast<std::size_t>(close_friend.flag_param)].name, "flags2");
  EXPECT_EQ(close_friend.flag_bit, 2);
}

}  // namespace
}  // namespace telepp::tl
