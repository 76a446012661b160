// The reference pages: content of real pages generated from the shipped schema and metadata,
// examples that compile and encode, index completeness, write-only-what-changed, descriptions,
// and bad input.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "telepp/api/help.hpp"
#include "telepp/api/messages.hpp"
#include "telepp/api/root.hpp"
#include "telepp/docs/docs.hpp"
#include "telepp/docs/examples.hpp"
#include "telepp/docs/markup.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/value.hpp"

namespace telepp::docs {
namespace {

namespace fs = std::filesystem;
namespace api = telepp::api;

// A fresh directory under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("telepp-docs-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Input shipped_input() {
  Input input;
  input.schema = schemas::api();
  input.meta_json = schemas::api_meta_json();
  return input;
}

// The text between the first `open` after `from` and the next `close`.
std::string between(const std::string& text, const std::string& open, const std::string& close) {
  auto start = text.find(open);
  if (start == std::string::npos) return {};
  start += open.size();
  auto end = text.find(close, start);
  return end == std::string::npos ? std::string() : text.substr(start, end - start);
}

// Whitespace removed and `,}` folded, so the broken-over-lines example and `#__VA_ARGS__` compare.
std::string squeeze(const std::string& code) {
  std::string out;
  for (char ch : code) {
    if (ch == ' ' || ch == '\n') continue;
    if (ch == '}' && !out.empty() && out.back() == ',') out.pop_back();
    out += ch;
  }
  return out;
}

// Compiles the expression (so the example is real C++ against the generated API) and gives its text.
#define COMPILED(...) (static_cast<void>(__VA_ARGS__), std::string(#__VA_ARGS__))

// One generation of the shipped schema for all tests that only read pages.
class DocsPages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto summary = generate(shipped_input(), dir_->str());
    ASSERT_TRUE(summary.ok()) << summary.error().to_string();
    summary_ = *summary;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string page(const std::string& relative) { return read(dir_->path() / relative); }
  static void expect_contains(const std::string& text, const std::string& needle) {
    EXPECT_NE(text.find(needle), std::string::npos) << "missing: " << needle;
  }

  static TempDir* dir_;
  static Summary summary_;
};

TempDir* DocsPages::dir_ = nullptr;
Summary DocsPages::summary_;

TEST_F(DocsPages, InitConnectionListsEveryFieldWithRequiredness) {
  auto text = page("methods/initConnection.md");
  ASSERT_FALSE(text.empty());
  EXPECT_TRUE(text.starts_with("---\ntitle: \"initConnection\"\n"));
  expect_contains(text, "\nparent: Methods\nlayer: 228\n---\n# Method: initConnection\n");
  expect_contains(text, "ID: `0xc1cd5ea9`");
  // In TL order, flags word left out (it is computed).
  const char* rows =
      "| Name | Type | Description | Required |\n"
      "| --- | --- | --- | --- |\n"
      "| api_id | int |  | Yes |\n"
      "| device_model | string |  | Yes |\n"
      "| system_version | string |  | Yes |\n"
      "| app_version | string |  | Yes |\n"
      "| system_lang_code | string |  | Yes |\n"
      "| lang_pack | string |  | Yes |\n"
      "| lang_code | string |  | Yes |\n"
      "| proxy | [InputClientProxy](../types/InputClientProxy.md) |  | Optional |\n"
      "| params | [JSONValue](../types/JSONValue.md) |  | Optional |\n"
      "| query | !X |  | Yes |\n";
  expect_contains(text, rows);
  EXPECT_EQ(text.find("| flags |"), std::string::npos);
  expect_contains(text, "\n## Return type: X\n");
  expect_contains(text, "### Can users use this method: YES\n");
  expect_contains(text, "### Can bots use this method: YES\n");
  // api-meta.json lists exactly one error for initConnection.
  expect_contains(text, "| Code | Type | Description |\n| --- | --- | --- |\n| 400 | CONNECTION_LAYER_INVALID |  |\n\n");
}

TEST_F(DocsPages, InitConnectionExamplesCompileAndEncode) {
  auto text = page("methods/initConnection.md");
  auto code = COMPILED(api::initConnection{
      .api_id = 12345,
      .device_model = "telepp",
      .system_version = "Debian 12",
      .app_version = "0.1.0",
      .system_lang_code = "en",
      .lang_pack = "",
      .lang_code = "en",
      .query = api::help::getConfig{},
  });
  EXPECT_EQ(squeeze(between(text, "client.invoke(", ");\n```")), squeeze(code));
  auto json = between(text, "telepp tl encode '", "'\n```");
  expect_contains(json, "\"query\": {\"_\": \"help.getConfig\"}");
  auto value = tl::value_from_json(*schemas::api(), json);
  ASSERT_TRUE(value.ok()) << value.error().to_string();
}

TEST_F(DocsPages, SendMessageRowsAvailabilityAndExample) {
  auto text = page("methods/messages.sendMessage.md");
  expect_contains(text, "# Method: messages.sendMessage\n");
  expect_contains(text, "| silent | true |  | Optional |\n");
  expect_contains(text, "| peer | [InputPeer](../types/InputPeer.md) |  | Yes |\n");
  expect_contains(text, "| message | string |  | Yes |\n");
  expect_contains(text, "| random_id | long |  | Yes |\n");
  expect_contains(text, "| entities | Array of [MessageEntity](../types/MessageEntity.md) |  | Optional |\n");
  expect_contains(text, "## Return type: [Updates](../types/Updates.md)\n");
  expect_contains(text, "### Can users use this method: YES\n");
  expect_contains(text, "### Can bots use this method: YES\n");
  expect_contains(text, "| 400 | MESSAGE_EMPTY |  |\n");
  expect_contains(text, "| 420 | SLOWMODE_WAIT\\_%d |  |\n");

  auto code = COMPILED(api::messages::sendMessage{.peer = api::inputPeerSelf{}, .message = "Hello", .random_id = 1234});
  EXPECT_EQ(squeeze(between(text, "client.invoke(", ");\n```")), squeeze(code));
  expect_contains(text, "\"_\": \"messages.sendMessage\",\n  \"peer\": {\"_\": \"inputPeerSelf\"},\n"
                        "  \"message\": \"Hello\",\n  \"random_id\": 1234\n}'");
}

TEST_F(DocsPages, UserOnlyMethodSaysBotsNo) {
  auto text = page("methods/account.acceptAuthorization.md");
  expect_contains(text, "### Can users use this method: YES\n");
  expect_contains(text, "### Can bots use this method: NO\n");
}

TEST_F(DocsPages, ConstructorPage) {
  auto text = page("constructors/inputPeerUser.md");
  EXPECT_TRUE(text.starts_with("---\ntitle: \"inputPeerUser\"\ndescription: \"inputPeerUser#dde8a54c"));
  expect_contains(text, "parent: Constructors\n");
  expect_contains(text, "# Constructor: inputPeerUser\n");
  expect_contains(text, "```tl\ninputPeerUser#dde8a54c user_id:long access_hash:long = InputPeer;\n```\n");
  expect_contains(text, "ID: `0xdde8a54c`");
  expect_contains(text, "Of type [InputPeer](../types/InputPeer.md).");
  expect_contains(text, "| user_id | long |  | Yes |\n| access_hash | long |  | Yes |\n");
  auto code = COMPILED(api::inputPeerUser{.user_id = 1234, .access_hash = 5678});
  EXPECT_EQ(squeeze(between(text, "auto value = ", ";\n```")), squeeze(code));
  expect_contains(text, "telepp tl encode '{\"_\": \"inputPeerUser\", \"user_id\": 1234, \"access_hash\": 5678}'");
}

TEST_F(DocsPages, CppNamesFollowTheGeneratedApi) {
  // `updates` would hide the `updates::` namespace; `true` is a keyword.
  auto updates = COMPILED(api::updates_{});
  auto true_ctor = COMPILED(api::true_{});
  expect_contains(page("constructors/updates.md"), "auto value = api::updates_{");
  EXPECT_EQ(squeeze(between(page("constructors/true.md"), "auto value = ", ";\n```")), squeeze(true_ctor));
  EXPECT_EQ(squeeze(updates), "api::updates_{}");
  EXPECT_EQ(CppNames::ident("default"), "default_");
  EXPECT_EQ(CppNames::ident("tl_info"), "tl_info_");
  EXPECT_EQ(CppNames::ident("peer"), "peer");
}

TEST_F(DocsPages, TypePageListsConstructorsAndMethods) {
  auto text = page("types/InputPeer.md");
  expect_contains(text, "# Type: InputPeer\n");
  expect_contains(text, "parent: Types\n");
  for (const auto* c : schemas::api()->constructors_of("InputPeer")) {
    expect_contains(text, "- [" + c->name + "](../constructors/" + c->name + ".md)\n");
  }
  auto user = page("types/User.md");
  expect_contains(user, "- [users.getUsers](../methods/users.getUsers.md) (returns Array of [User](../types/User.md))\n");
  expect_contains(user, "- [account.updateProfile](../methods/account.updateProfile.md)\n");
  expect_contains(text, "No method returns this type.");
}

TEST_F(DocsPages, IndexPagesLinkEveryPage) {
  const auto& schema = *schemas::api();
  auto methods = page("methods/index.md");
  auto constructors = page("constructors/index.md");
  auto types = page("types/index.md");
  for (const auto* fn : schema.functions()) {
    EXPECT_NE(methods.find("- [" + fn->name + "](" + fn->name + ".md)"), std::string::npos) << fn->name;
    EXPECT_TRUE(fs::exists(dir_->path() / "methods" / (fn->name + ".md"))) << fn->name;
  }
  for (const auto* c : schema.constructors()) {
    EXPECT_NE(constructors.find("- [" + c->name + "](" + c->name + ".md)"), std::string::npos) << c->name;
  }
  for (const auto& t : schema.type_names()) {
    EXPECT_NE(types.find("- [" + t + "](" + t + ".md)"), std::string::npos) << t;
  }
  // Grouped by namespace, the top level first.
  auto top = methods.find("\n## Top level\n");
  auto messages = methods.find("\n## messages\n");
  ASSERT_NE(top, std::string::npos);
  ASSERT_NE(messages, std::string::npos);
  EXPECT_LT(top, messages);
  EXPECT_LT(methods.find("- [initConnection]"), messages);
  EXPECT_GT(methods.find("- [messages.sendMessage]"), messages);
  auto root = page("index.md");
  for (const char* link : {"(methods/index.md)", "(constructors/index.md)", "(types/index.md)"}) expect_contains(root, link);

  EXPECT_EQ(summary_.methods, static_cast<int>(schema.functions().size()));
  EXPECT_EQ(summary_.constructors, static_cast<int>(schema.constructors().size()));
  EXPECT_EQ(summary_.types, static_cast<int>(schema.type_names().size()));
  EXPECT_EQ(summary_.index_pages, 4);
  EXPECT_EQ(summary_.files_written, summary_.methods + summary_.constructors + summary_.types + 4);
}

// Every JSON example is accepted by the dynamic form `telepp tl encode` uses.
TEST_F(DocsPages, EveryJsonExampleEncodes) {
  const auto& schema = *schemas::api();
  for (const auto& c : schema.combinators()) {
    auto text = page((c.is_function ? "methods/" : "constructors/") + c.name + ".md");
    auto json = between(text, "telepp tl encode '", "'\n```");
    auto value = tl::value_from_json(schema, json);
    ASSERT_TRUE(value.ok()) << c.name << ": " << value.error().to_string() << "\n" << json;
    auto bytes = tl::encode_value(*value);
    ASSERT_TRUE(bytes.ok()) << c.name << ": " << bytes.error().to_string();
  }
}

TEST(Docs, RegeneratingWritesOnlyChangedFiles) {
  TempDir dir;
  auto first = generate(shipped_input(), dir.str());
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  auto second = generate(shipped_input(), dir.str());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->files_written, 0);
  EXPECT_EQ(second->methods, first->methods);

  auto page_path = dir.path() / "methods" / "initConnection.md";
  auto original = read(page_path);
  std::ofstream(page_path, std::ios::binary | std::ios::trunc) << "edited by hand";
  auto third = generate(shipped_input(), dir.str());
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->files_written, 1);
  EXPECT_EQ(read(page_path), original);
}

TEST(Docs, DescriptionsShowUpOnPages) {
  // A small file in @mtcute/core's api-schema.json shape, with the HTML upstream uses.
  const std::string descriptions = R"json({
    "l": 228,
    "e": [
      {"kind": "method", "name": "initConnection", "id": 3251461801,
       "comment": "Initialize a <strong>connection</strong>. Call it once.",
       "arguments": [
         {"name": "flags", "type": "#", "comment": "Flags"},
         {"name": "api_id", "type": "int", "comment": "Application identifier (see. <a href=\"https://core.telegram.org/myapp\">App configuration</a>)"},
         {"name": "proxy", "type": "InputClientProxy", "comment": "Info about an <a href=\"https://core.telegram.org/constructor/inputClientProxy\">MTProto proxy</a>"},
         {"name": "lang_pack", "type": "string", "comment": "Platform identifier (i.e. <code>android</code>, <code>tdesktop</code>, etc).<br>Or empty | unknown"}
       ],
       "throws": [{"code": 400, "name": "CONNECTION_LAYER_INVALID", "comment": "Layer invalid &amp; unknown."}]},
      {"kind": "class", "name": "inputPeerUser", "id": 3723011404,
       "comment": "Defines a user.", "arguments": [{"name": "access_hash", "type": "long", "comment": "<strong>access_hash</strong> from {@link RawUser}"}]}
    ],
    "u": {"InputClientProxy": "Info about an <em>MTProto</em> proxy"}
  })json";
  TempDir dir;
  auto input = shipped_input();
  input.descriptions_json = descriptions;
  auto summary = generate(input, dir.str());
  ASSERT_TRUE(summary.ok()) << summary.error().to_string();

  auto init = read(dir.path() / "methods/initConnection.md");
  EXPECT_NE(init.find("description: \"Initialize a connection.\"\n"), std::string::npos) << init;
  EXPECT_NE(init.find("\nInitialize a **connection**. Call it once.\n"), std::string::npos);
  EXPECT_NE(init.find("| api_id | int | Application identifier (see. [App configuration](https://core.telegram.org/myapp)) | Yes |"),
            std::string::npos);
  EXPECT_NE(init.find("| proxy | [InputClientProxy](../types/InputClientProxy.md) | Info about an "
                      "[MTProto proxy](../constructors/inputClientProxy.md) | Optional |"),
            std::string::npos);
  EXPECT_NE(init.find("| lang_pack | string | Platform identifier (i.e. `android`, `tdesktop`, etc)."
                      "<br>Or empty \\| unknown | Yes |"),
            std::string::npos);
  EXPECT_NE(init.find("| 400 | CONNECTION_LAYER_INVALID | Layer invalid & unknown. |"), std::string::npos);
  // Entries the file does not describe still get a page, with empty descriptions.
  EXPECT_NE(init.find("| device_model | string |  | Yes |"), std::string::npos);

  auto ctor = read(dir.path() / "constructors/inputPeerUser.md");
  EXPECT_NE(ctor.find("| access_hash | long | **access_hash** from [user](../constructors/user.md) | Yes |"),
            std::string::npos)
      << ctor;
  auto type = read(dir.path() / "types/InputClientProxy.md");
  EXPECT_NE(type.find("description: \"Info about an MTProto proxy\""), std::string::npos);
  EXPECT_NE(type.find("\nInfo about an *MTProto* proxy\n"), std::string::npos);
  auto index = read(dir.path() / "methods/index.md");
  EXPECT_NE(index.find("- [initConnection](initConnection.md): Initialize a connection.\n"), std::string::npos);
}

TEST(Docs, BadMetadataIsAnErrorNotACrash) {
  TempDir dir;
  for (std::string_view bad : {std::string_view("{"), std::string_view("[]"), std::string_view(R"({"layer": 228})"),
                               std::string_view(R"({"methods": []})"),
                               std::string_view(R"({"methods": {"help.getConfig": {"users": "yes"}}})"),
                               std::string_view(R"({"methods": {"help.getConfig": {"errors": [{"code": "400", "name": "X"}]}}})"),
                               std::string_view(R"({"methods": {"help.getConfig": {"errors": [{"code": 400}]}}})")}) {
    auto input = shipped_input();
    input.meta_json = bad;
    auto summary = generate(input, dir.str());
    ASSERT_FALSE(summary.ok()) << bad;
    EXPECT_TRUE(summary.error().is(TlErrc::json)) << summary.error().to_string();
    EXPECT_NE(summary.error().detail.find("api-meta.json"), std::string::npos) << summary.error().detail;
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));  // nothing written before the inputs were checked
}

TEST(Docs, BadDescriptionsAreAnError) {
  TempDir dir;
  for (std::string_view bad : {std::string_view("not json"), std::string_view(R"({"e": {}})"),
                               std::string_view(R"({"e": [{"comment": "no name"}]})"),
                               std::string_view(R"({"e": [{"name": "x", "arguments": [{"name": 1}]}]})"),
                               std::string_view(R"({"e": [], "u": {"InputPeer": 5}})")}) {
    auto input = shipped_input();
    input.descriptions_json = bad;
    auto summary = generate(input, dir.str());
    ASSERT_FALSE(summary.ok()) << bad;
    EXPECT_TRUE(summary.error().is(TlErrc::json)) << summary.error().to_string();
  }
}

TEST(Docs, UnwritableOutputIsAnError) {
  TempDir dir;
  auto file = dir.path() / "a-file";
  std::ofstream(file) << "x";
  auto summary = generate(shipped_input(), file.string());
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.error().detail.find("a-file"), std::string::npos) << summary.error().detail;

  Input no_schema;
  no_schema.meta_json = schemas::api_meta_json();
  EXPECT_FALSE(generate(no_schema, dir.str()).ok());
}

TEST(Markup, HtmlBecomesMarkdown) {
  EXPECT_EQ(html_to_markdown("a <code>x|y</code> <strong> b </strong>", nullptr), "a `x|y`  **b**");
  EXPECT_EQ(html_to_markdown("must end in <code>\"_by_<bot_username>\"</code>. <code><bot_username></code> is", nullptr),
            "must end in `\"_by_<bot_username>\"`. `<bot_username>` is");
  EXPECT_EQ(html_to_markdown("see <a href=\"#\">above</a> and <a href=\"/api/x\">x</a>", nullptr),
            "see above and [x](https://core.telegram.org/api/x)");
  EXPECT_EQ(html_to_markdown("<del>old</del> 2*3 <dc_id>", nullptr), "~~old~~ 2\\*3 \\<dc_id\\>");
  EXPECT_EQ(html_to_markdown("one<br>two", nullptr), "one\n\ntwo");
  EXPECT_EQ(table_cell("one\n\ntwo | three"), "one<br>two \\| three");
  EXPECT_EQ(html_to_text("Peer <img class=\"emoji\" alt=\"\xf0\x9f\x8e\xb2\"> &amp; <a href=\"x\">link</a>"),
            "Peer \xf0\x9f\x8e\xb2 & link");
}

TEST(Markup, FirstSentenceAndYaml) {
  EXPECT_EQ(first_sentence("Application identifier (see. App configuration). More."),
            "Application identifier (see. App configuration).");
  EXPECT_EQ(first_sentence("Platform (i.e. android), e.g. this one. Next"), "Platform (i.e. android), e.g. this one.");
  EXPECT_EQ(first_sentence("Line one\nLine two."), "Line one");
  EXPECT_EQ(first_sentence("No end"), "No end");
  EXPECT_EQ(yaml_quote("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
}

}  // namespace
}  // namespace telepp::docs
