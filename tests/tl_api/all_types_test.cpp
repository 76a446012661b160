// Every constructor and function of both schemas: a sample with all optional fields present and
// one with all absent goes dynamic -> bytes -> typed -> bytes (identical), typed copy -> bytes
// (identical), and bytes -> dynamic -> JSON -> dynamic -> bytes (identical).
#include <gtest/gtest.h>

#include "sample_values.hpp"
#include "telepp/api.hpp"
#include "telepp/mtp.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/type_info.hpp"
#include "telepp/tl/value.hpp"

namespace telepp {
namespace {

struct Counts {
  int checked = 0;
  int failures = 0;
};

// Returns an empty string when every path agrees, else what went wrong.
std::string check_one(const tl::Schema& schema, const tl::Combinator& c, const tl::Value& sample) {
  auto dynamic_bytes = tl::encode_value(sample);
  if (!dynamic_bytes) return "dynamic encode: " + dynamic_bytes.error().detail;

  // Typed: decode the body with the generated reader, write it back.
  const tl::TypeInfo* info = tl::find_type(c.id);
  if (!info) return "no generated type for this ID";
  if (std::string_view(info->name) != c.name) return "generated type has name " + std::string(info->name);
  ByteView body(dynamic_bytes->data() + 4, dynamic_bytes->size() - 4);
  tl::Reader r(body);
  void* obj = info->create();
  info->read(r, obj);
  auto status = r.finish();
  std::string problem;
  if (!status) {
    problem = "typed decode: " + status.error().detail;
  } else {
    tl::Writer w;
    w.u32(info->id);
    info->write(w, obj);
    if (!w.ok()) problem = "typed encode: " + w.status().error().detail;
    else if (!std::equal(w.view().begin(), w.view().end(), dynamic_bytes->begin(), dynamic_bytes->end()))
      problem = "typed bytes differ from dynamic bytes";
    void* copy = info->clone(obj);
    tl::Writer w2;
    w2.u32(info->id);
    info->write(w2, copy);
    if (problem.empty() && !std::equal(w2.view().begin(), w2.view().end(), dynamic_bytes->begin(), dynamic_bytes->end()))
      problem = "a copy of the typed value writes different bytes";
    info->destroy(copy);
  }
  info->destroy(obj);
  if (!problem.empty()) return problem;

  // Dynamic: bytes -> value -> JSON -> value -> bytes.
  auto decoded = tl::decode_value(schema, *dynamic_bytes);
  if (!decoded) return "dynamic decode: " + decoded.error().detail;
  auto json = tl::value_to_json(*decoded);
  auto reparsed = tl::value_from_json(schema, json);
  if (!reparsed) return "JSON parse: " + reparsed.error().detail + " in " + json.substr(0, 300);
  auto again = tl::encode_value(*reparsed);
  if (!again) return "re-encode: " + again.error().detail;
  if (*again != *dynamic_bytes) return "JSON round trip changed the bytes: " + json.substr(0, 300);
  return {};
}

Counts check_schema(const tl::Schema& schema, bool optional_present) {
  Counts counts;
  test::SampleMaker maker(schema, optional_present);
  for (const auto& c : schema.combinators()) {
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      auto problem = check_one(schema, c, maker.object(c, seed));
      ++counts.checked;
      if (!problem.empty()) {
        ++counts.failures;
        ADD_FAILURE() << c.name << " (optional fields " << (optional_present ? "present" : "absent") << ", seed "
                      << seed << "): " << problem;
      }
    }
  }
  return counts;
}

TEST(AllTypes, ApiLayer228WithAllOptionalFieldsPresent) {
  auto counts = check_schema(*schemas::api(), true);
  EXPECT_EQ(counts.checked, 2 * (1645 + 807));
}

TEST(AllTypes, ApiLayer228WithAllOptionalFieldsAbsent) {
  auto counts = check_schema(*schemas::api(), false);
  EXPECT_EQ(counts.checked, 2 * (1645 + 807));
}

TEST(AllTypes, MtprotoWithAllOptionalFieldsPresent) {
  auto counts = check_schema(schemas::mtproto(), true);
  EXPECT_EQ(counts.checked, 2 * (45 + 10));
}

TEST(AllTypes, MtprotoWithAllOptionalFieldsAbsent) { check_schema(schemas::mtproto(), false); }

TEST(AllTypes, EveryGeneratedTypeIsRegisteredUnderItsSchemaName) {
  for (const auto* schema : {schemas::api(), &schemas::mtproto()}) {
    for (const auto& c : schema->combinators()) {
      const auto* info = tl::find_type(c.id);
      ASSERT_NE(info, nullptr) << c.name;
      EXPECT_EQ(info->name, c.name);
      EXPECT_EQ(info->is_function, c.is_function) << c.name;
    }
  }
}

}  // namespace
}  // namespace telepp
