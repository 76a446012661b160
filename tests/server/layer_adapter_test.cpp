// The layer adapter: third-party vectors across layers 198/227/228, the query and result paths the
// server uses, every shared constructor of 198 and 228 round-tripped, and each rule of
// layer_adapter.hpp (defaults, fallbacks, drops, narrowing, shared flag bits, Object) on its own.
#include "telepp/server/layer_adapter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include <telepp/api.hpp>

#include "support/support.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/codec.hpp"

namespace telepp::server {
namespace {

using tl::Combinator;
using tl::Type;
using tl::TypeKind;
using tl::Value;

const tl::Schema& layer(int n) { return *schemas::api(n); }
const LayerAdapter& adapter(int from, int to) { return *LayerAdapter::shipped(from, to); }

Value json(int schema_layer, std::string_view text) {
  auto v = tl::value_from_json(layer(schema_layer), text);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().to_string());
  return v.ok() ? *v : Value{};
}

Bytes encode(const Value& v) {
  auto b = tl::encode_value(v);
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().to_string());
  return b.ok() ? *b : Bytes{};
}

bool mentions(const std::vector<std::string>& lines, std::string_view needle) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

// ---- the third-party vectors ------------------------------------------------------------------

constexpr const char* kPayloads[] = {"sendMessage.bin", "messagesMessages.bin", "uploadFile.bin"};

struct Folder {
  int layer;
  const char* dir;
};
constexpr Folder kFolders[] = {{198, "gramjs-L198"}, {227, "mtcute-L227"}, {228, "mtcute-L228"}};

// Every ordered pair of the three layers: the converted bytes are those the other library wrote
// for the same content (228 and 227 add the empty `topics` vector to messages.messages, which is
// defaulted going up and dropped going down, so every direction is exact).
TEST(LayerAdapterVectors, EveryPairOfLayersGivesTheOtherLibrarysBytes) {
  for (const auto& from : kFolders) {
    for (const auto& to : kFolders) {
      for (const char* payload : kPayloads) {
        SCOPED_TRACE(std::string(from.dir) + " -> " + to.dir + " " + payload);
        auto input = test::vector_file(std::string(from.dir) + "/" + payload);
        auto expected = test::vector_file(std::string(to.dir) + "/" + payload);
        auto out = convert_bytes(layer(from.layer), layer(to.layer), input);
        ASSERT_TRUE(out.ok()) << out.error().to_string();
        EXPECT_EQ(*out, expected);
      }
    }
  }
}

TEST(LayerAdapterVectors, WhatGoingDownDropsIsReported) {
  auto input = test::vector_file("mtcute-L228/messagesMessages.bin");
  std::vector<std::string> dropped;
  auto out = adapter(228, 198).convert_bytes(input, &dropped);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  // The only thing 198 cannot carry is the (empty) topics vector.
  ASSERT_EQ(dropped.size(), 1u) << join(dropped);
  EXPECT_EQ(dropped[0], "messages.messages.topics: messages.messages has no topics at layer 198");

  dropped.clear();
  auto up = adapter(198, 228).convert_bytes(test::vector_file("gramjs-L198/messagesMessages.bin"), &dropped);
  ASSERT_TRUE(up.ok());
  EXPECT_TRUE(dropped.empty()) << join(dropped);
}

// ---- user: fields 198 lacks, and a field whose type changed -----------------------------------

TEST(LayerAdapterUser, DownDropsWhat198Lacks) {
  auto user228 = json(228, R"({"_": "user", "premium": true, "bot_forum_view": true, "id": 5, "access_hash": 77,
      "first_name": "Ann", "stories_max_id": {"_": "recentStory", "max_id": 3}, "send_paid_messages_stars": 10,
      "linked_community_id": 7, "color": {"_": "peerColor", "color": 2}})");
  std::vector<std::string> dropped;
  auto down = adapter(228, 198).convert(user228, &dropped);
  ASSERT_TRUE(down.ok()) << down.error().to_string();
  EXPECT_EQ(down->as_object().combinator, layer(198).find("user"));
  EXPECT_EQ(down->as_object().combinator->id, 0x4b46c37eu);
  EXPECT_TRUE(down->field("premium")->as_bool());
  EXPECT_EQ(down->field("id")->as_int64(), 5);
  EXPECT_EQ(down->field("access_hash")->as_int64(), 77);
  EXPECT_EQ(down->field("first_name")->as_text(), "Ann");
  EXPECT_EQ(down->field("color")->field("color")->as_int32(), 2);
  EXPECT_EQ(down->field("bot_forum_view"), nullptr);
  EXPECT_EQ(down->field("linked_community_id"), nullptr);
  EXPECT_EQ(down->field("stories_max_id")->as_int32(), 3);  // recentStory{max_id} unwrapped
  EXPECT_EQ(dropped, (std::vector<std::string>{
                         "user.bot_forum_view: user has no bot_forum_view at layer 198",
                         "user.send_paid_messages_stars: user has no send_paid_messages_stars at layer 198",
                         "user.linked_community_id: user has no linked_community_id at layer 198"}));

  auto bytes = encode(*down);
  auto back = tl::decode_value(layer(198), bytes);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(tl::value_to_json(*back), tl::value_to_json(*down));
}

TEST(LayerAdapterUser, UpLeavesNewOptionalsAbsent) {
  auto user198 = json(198, R"({"_": "user", "contact": true, "id": 9, "first_name": "Bo", "username": "bo",
      "stories_max_id": 12, "status": {"_": "userStatusOnline", "expires": 100}})");
  std::vector<std::string> dropped;
  auto up = adapter(198, 228).convert(user198, &dropped);
  ASSERT_TRUE(up.ok()) << up.error().to_string();
  EXPECT_EQ(up->as_object().combinator->id, 0xb1b8cc83u);
  EXPECT_FALSE(up->field("bot_forum_view")->as_bool());
  EXPECT_TRUE(up->field("linked_community_id")->is_null());
  EXPECT_TRUE(up->field("send_paid_messages_stars")->is_null());
  EXPECT_EQ(up->field("stories_max_id")->field("max_id")->as_int32(), 12);  // wrapped in recentStory
  EXPECT_FALSE(up->field("stories_max_id")->field("live")->as_bool());
  EXPECT_TRUE(dropped.empty()) << join(dropped);

  // The typed API of layer 228 reads it.
  auto typed = tl::deserialize<api::User>(encode(*up));
  ASSERT_TRUE(typed.ok()) << typed.error().to_string();
  ASSERT_TRUE(typed->is<api::user>());
  const auto& u = typed->as<api::user>();
  EXPECT_TRUE(u.contact);
  EXPECT_EQ(u.id, 9);
  EXPECT_EQ(u.first_name, "Bo");
  EXPECT_EQ(u.username, "bo");
  ASSERT_TRUE(u.stories_max_id.has_value());
  EXPECT_EQ(u.stories_max_id->as<api::recentStory>().max_id, 12);
  EXPECT_FALSE(u.linked_community_id.has_value());
  ASSERT_TRUE(u.status.has_value());
  EXPECT_EQ(u.status->as<api::userStatusOnline>().expires, 100);
}

TEST(LayerAdapterUser, RecentStoryUnwrapping) {
  // `live` has no place in an int: reported. Without max_id there is nothing to unwrap: the
  // optional field is dropped.
  auto live = json(228, R"({"_": "user", "id": 1, "stories_max_id": {"_": "recentStory", "live": true, "max_id": 4}})");
  std::vector<std::string> dropped;
  auto down = adapter(228, 198).convert(live, &dropped);
  ASSERT_TRUE(down.ok()) << down.error().to_string();
  EXPECT_EQ(down->field("stories_max_id")->as_int32(), 4);
  EXPECT_EQ(dropped, std::vector<std::string>{"user.stories_max_id.live: recentStory becomes its max_id at layer 198"});

  auto empty = json(228, R"({"_": "user", "id": 1, "stories_max_id": {"_": "recentStory", "live": true}})");
  dropped.clear();
  auto gone = adapter(228, 198).convert(empty, &dropped);
  ASSERT_TRUE(gone.ok()) << gone.error().to_string();
  EXPECT_TRUE(gone->field("stories_max_id")->is_null());
  EXPECT_EQ(dropped, std::vector<std::string>{"user.stories_max_id: recentStory without max_id has no counterpart at layer 198"});

  // stories.getPeerMaxIDs answers Vector<RecentStory> at 228 and Vector<int> at 198.
  std::vector<api::RecentStory> ids{api::recentStory{.max_id = 7}, api::recentStory{.live = true, .max_id = 9}};
  auto bytes = tl::to_bytes(ids);
  ASSERT_TRUE(bytes.ok());
  auto old = adapter(228, 198).convert_result_bytes("stories.getPeerMaxIDs", *bytes);
  ASSERT_TRUE(old.ok()) << old.error().to_string();
  EXPECT_EQ(*old, test::hex("15c4b51c 02000000 07000000 09000000"));
  auto up = adapter(198, 228).convert_result_bytes("stories.getPeerMaxIDs", *old);
  ASSERT_TRUE(up.ok()) << up.error().to_string();
  auto typed = tl::deserialize<std::vector<api::RecentStory>>(*up);
  ASSERT_TRUE(typed.ok()) << typed.error().to_string();
  ASSERT_EQ(typed->size(), 2u);
  EXPECT_EQ((*typed)[1].as<api::recentStory>().max_id, 9);
  EXPECT_FALSE((*typed)[1].as<api::recentStory>().live);
}

// ---- queries up, results down: what the server does ---------------------------------------------

Value object(const tl::Schema& s, std::string_view name, std::vector<std::pair<std::string, Value>> fields) {
  const Combinator* c = s.find(name);
  EXPECT_NE(c, nullptr) << name;
  tl::ObjectValue o{c, std::vector<Value>(c->params.size())};
  for (std::size_t i = 0; i < c->params.size(); ++i) {
    if (c->params[i].type.kind == TypeKind::true_flag) o.fields[i] = Value::of_bool(false);
    for (auto& [n, v] : fields) {
      if (n == c->params[i].name) o.fields[i] = v;
    }
  }
  return Value::of_object(std::move(o));
}

// invokeWithLayer(198, initConnection(..., query)) as a layer-198 client sends it.
Value client_query(Value query) {
  const auto& s = layer(198);
  auto init = object(s, "initConnection",
                     {{"api_id", Value::of_int32(4)}, {"device_model", Value::of_string("pc")},
                      {"system_version", Value::of_string("linux")}, {"app_version", Value::of_string("2.26.22")},
                      {"system_lang_code", Value::of_string("en")}, {"lang_pack", Value::of_string("")},
                      {"lang_code", Value::of_string("en")}, {"query", std::move(query)}});
  return object(s, "invokeWithLayer", {{"layer", Value::of_int32(198)}, {"query", init}});
}

TEST(LayerAdapterQueries, InitConnectionGetConfigUpTo228) {
  auto wire198 = encode(client_query(object(layer(198), "help.getConfig", {})));
  auto wire228 = convert_bytes(layer(198), layer(228), wire198);
  ASSERT_TRUE(wire228.ok()) << wire228.error().to_string();

  auto typed = tl::deserialize<api::invokeWithLayer<>>(*wire228);
  ASSERT_TRUE(typed.ok()) << typed.error().to_string();
  EXPECT_EQ(typed->layer, 198);  // the client's layer is data: kept
  ASSERT_TRUE(typed->query.is<api::initConnection<>>()) << typed->query.name();
  const auto& init = typed->query.as<api::initConnection<>>();
  EXPECT_EQ(init.api_id, 4);
  EXPECT_EQ(init.app_version, "2.26.22");
  EXPECT_FALSE(init.proxy.has_value());
  EXPECT_TRUE(init.query.is<api::help::getConfig>()) << init.query.name();
}

TEST(LayerAdapterQueries, SendMessageWhoseIdChangedUpTo228) {
  // gramjs's layer-198 sendMessage (its constructor ID differs at 228), wrapped as a client sends it.
  auto send198 = tl::decode_value(layer(198), test::vector_file("gramjs-L198/sendMessage.bin"));
  ASSERT_TRUE(send198.ok());
  auto wire228 = convert_bytes(layer(198), layer(228), encode(client_query(*send198)));
  ASSERT_TRUE(wire228.ok()) << wire228.error().to_string();

  auto typed = tl::deserialize<api::invokeWithLayer<>>(*wire228);
  ASSERT_TRUE(typed.ok()) << typed.error().to_string();
  const auto& init = typed->query.as<api::initConnection<>>();
  ASSERT_TRUE(init.query.is<api::messages::sendMessage>()) << init.query.name();
  const auto& send = init.query.as<api::messages::sendMessage>();
  EXPECT_EQ(send.message, send198->field("message")->as_text());
  ASSERT_TRUE(send.entities.has_value());
  EXPECT_EQ(send.entities->size(), 3u);
  // The inner query is exactly what mtcute writes at 228.
  auto inner = tl::to_bytes(send);
  ASSERT_TRUE(inner.ok());
  EXPECT_EQ(*inner, test::vector_file("mtcute-L228/sendMessage.bin"));
}

TEST(LayerAdapterResults, ConfigDownTo198) {
  api::config config{.force_try_ipv6 = true, .date = 1700000000, .expires = 1700003600, .this_dc = 2,
                     .dc_options = {api::dcOption{.ipv6 = false, .id = 2, .ip_address = "127.0.0.1", .port = 4430}},
                     .dc_txt_domain_name = "localhost", .chat_size_max = 200, .megagroup_size_max = 200000,
                     .me_url_prefix = "https://t.me/", .suggested_lang_code = "en", .lang_pack_version = 1,
                     .base_lang_pack_version = 1};
  auto bytes228 = tl::to_bytes(api::Config(config));
  ASSERT_TRUE(bytes228.ok()) << bytes228.error().to_string();
  auto bytes198 = adapter(228, 198).convert_result_bytes("help.getConfig", *bytes228);
  ASSERT_TRUE(bytes198.ok()) << bytes198.error().to_string();
  auto decoded = tl::decode_value(layer(198), *bytes198);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded->as_object().combinator->name, "config");
  EXPECT_EQ(decoded->field("this_dc")->as_int32(), 2);
  EXPECT_TRUE(decoded->field("force_try_ipv6")->as_bool());
  EXPECT_EQ(decoded->field("dc_options")->as_vector()[0].field("ip_address")->as_text(), "127.0.0.1");
  EXPECT_EQ(*bytes198, *bytes228);  // config is the same at both layers
}

TEST(LayerAdapterResults, VectorOfUsersDownTo198) {
  std::vector<api::User> users{api::user{.premium = true, .bot_forum_view = true, .id = 1, .first_name = "A"},
                               api::userEmpty{.id = 2},
                               api::user{.id = 3, .stories_max_id = api::recentStory{.max_id = 8}}};
  auto bytes228 = tl::to_bytes(users);
  ASSERT_TRUE(bytes228.ok()) << bytes228.error().to_string();
  std::vector<std::string> dropped;
  auto bytes198 = adapter(228, 198).convert_result_bytes("users.getUsers", *bytes228, &dropped);
  ASSERT_TRUE(bytes198.ok()) << bytes198.error().to_string();
  const auto* user_vector = layer(198).find("users.getUsers");
  auto decoded = tl::decode_value_as(layer(198), user_vector->result, *bytes198);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  const auto& items = decoded->as_vector();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].as_object().combinator->id, 0x4b46c37eu);
  EXPECT_TRUE(items[0].field("premium")->as_bool());
  EXPECT_EQ(items[1].as_object().combinator->name, "userEmpty");
  EXPECT_EQ(items[2].field("stories_max_id")->as_int32(), 8);
  EXPECT_EQ(dropped, std::vector<std::string>{"Vector<User>[0].bot_forum_view: user has no bot_forum_view at layer 198"});

  // A generic function's result cannot be converted without the wrapped query.
  auto generic = adapter(228, 198).convert_result_bytes("invokeWithLayer", *bytes228);
  ASSERT_FALSE(generic.ok());
  EXPECT_TRUE(generic.error().is(TlErrc::bad_value));
  auto unknown = adapter(228, 198).convert_result_bytes("communities.create", *bytes228);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.error().is(TlErrc::unknown_id));
}

// ---- every shared constructor of 198 and 228 --------------------------------------------------

// Deterministic sample values: every field filled (optional ones too, down to a depth), vectors of
// two, boxed types picked at random among their constructors (cheapest ones past the depth).
class Samples {
 public:
  Samples(const tl::Schema& s, bool optional_present) : s_(s), optional_(optional_present) { costs(); }

  Value object(const Combinator& c, std::uint64_t seed) {
    state_ = seed;
    return object_at(c, 0);
  }

 private:
  static constexpr std::size_t kInf = std::numeric_limits<std::size_t>::max() / 4;
  static constexpr int kMaxDepth = 3;

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::size_t index(const Combinator* c) const { return static_cast<std::size_t>(c - s_.combinators().data()); }
  std::size_t cost(const Type& t) const {
    if (t.kind == TypeKind::boxed) {
      std::size_t best = kInf;
      for (const auto* c : s_.constructors_of(t.name)) best = std::min(best, cost_[index(c)]);
      return best;
    }
    if (t.kind == TypeKind::bare) return cost_[index(s_.find(t.name))];
    return (t.kind == TypeKind::query || t.kind == TypeKind::object) ? 1 : 0;
  }
  void costs() {
    cost_.assign(s_.combinators().size(), kInf);
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& c : s_.combinators()) {
        std::size_t sum = 1;
        for (const auto& p : c.params) {
          if (!p.is_conditional() && !p.is_flags_word()) sum = std::min(kInf, sum + cost(p.type));
        }
        if (sum < cost_[index(&c)]) {
          cost_[index(&c)] = sum;
          changed = true;
        }
      }
    }
  }
  Value object_at(const Combinator& c, int depth) {
    tl::ObjectValue o{&c, std::vector<Value>(c.params.size())};
    bool fill = optional_ && depth < kMaxDepth;
    for (std::size_t i = 0; i < c.params.size(); ++i) {
      const auto& p = c.params[i];
      if (p.is_flags_word()) continue;
      if (p.type.kind == TypeKind::true_flag) {
        o.fields[i] = Value::of_bool(fill);
      } else if (!p.is_conditional() || fill) {
        o.fields[i] = value(p.type, depth + 1);
      }
    }
    return Value::of_object(std::move(o));
  }
  Value value(const Type& t, int depth) {
    switch (t.kind) {
      case TypeKind::int32: return Value::of_int32(static_cast<std::int32_t>(next()));
      case TypeKind::int64: return Value::of_int64(static_cast<std::int64_t>(next()));
      case TypeKind::float64: return Value::of_double(static_cast<double>(next() % 1000) / 4);
      case TypeKind::string: return Value::of_string("s" + std::to_string(next() % 1000));
      case TypeKind::bytes: return Value::of_bytes(std::string(next() % 7, 'b'));
      case TypeKind::int128: return Value::of_int128(Int128{{static_cast<Byte>(next())}});
      case TypeKind::int256: return Value::of_int256(Int256{{static_cast<Byte>(next())}});
      case TypeKind::boolean: return Value::of_bool(next() & 1);
      case TypeKind::boxed: {
        auto ctors = s_.constructors_of(t.name);
        const Combinator* pick = ctors[next() % ctors.size()];
        if (depth >= kMaxDepth) {
          for (const auto* c : ctors) {
            if (cost_[index(c)] < cost_[index(pick)]) pick = c;
          }
        }
        return object_at(*pick, depth);
      }
      case TypeKind::bare: return object_at(*s_.find(t.name), depth);
      case TypeKind::query: return object_at(*s_.find("help.getConfig"), depth);
      case TypeKind::vector:
      case TypeKind::bare_vector: {
        Value::Vector items;
        if (depth < kMaxDepth) {
          items.push_back(value(*t.element, depth + 1));
          items.push_back(value(*t.element, depth + 1));
        }
        return Value::of_vector(std::move(items));
      }
      default: return {};
    }
  }

  const tl::Schema& s_;
  bool optional_;
  std::uint64_t state_ = 1;
  std::vector<std::size_t> cost_;
};

struct SweepStats {
  int shared = 0;
  int exact = 0;       // nothing dropped, and the bytes came back
  int defaulted = 0;   // nothing dropped, but an absent optional field was required at the target
  int lossy = 0;       // something was dropped (reported), converted fine
  int refused = 0;     // unrepresentable at the target (unknown_id / missing_field)
  std::vector<std::string> refused_names;
};

// True when `v` holds an absent optional field that layer `b` requires: converted to
// `b` it is defaulted, and comes back present (e.g. urlAuthResultAccepted.url, optional since 198).
bool has_optional_required_at(const Value& v, int b) {
  if (v.kind() == Value::Kind::vector) {
    for (const auto& e : v.as_vector()) {
      if (has_optional_required_at(e, b)) return true;
    }
    return false;
  }
  if (v.kind() != Value::Kind::object) return false;
  const auto& o = v.as_object();
  const auto* other = layer(b).find(o.combinator->name);
  for (std::size_t i = 0; i < o.fields.size(); ++i) {
    const auto& p = o.combinator->params[i];
    if (p.is_conditional() && p.type.kind != TypeKind::true_flag && o.fields[i].is_null() && other) {
      for (const auto& q : other->params) {
        if (q.name == p.name && !q.is_conditional() && !q.is_flags_word()) return true;
      }
    }
    if (has_optional_required_at(o.fields[i], b)) return true;
  }
  return false;
}

// `from` → `to` for one sample of every shared combinator; the result must encode with `to`,
// decode with `to`, and (when nothing was dropped) come back to the same bytes.
SweepStats sweep(int from, int to, bool optional_present) {
  SweepStats stats;
  Samples samples(layer(from), optional_present);
  const auto& up = adapter(from, to);
  const auto& down = adapter(to, from);
  for (const auto& c : layer(from).combinators()) {
    const auto* other = layer(to).find(c.name);
    if (!other || other->is_function != c.is_function || c.name == "vector") continue;
    ++stats.shared;
    SCOPED_TRACE(c.name);
    Value sample = samples.object(c, 1 + static_cast<std::uint64_t>(stats.shared));
    auto original = tl::encode_value(sample);
    if (!original.ok()) {
      ADD_FAILURE() << "sample does not encode: " << original.error().to_string();
      continue;
    }
    std::vector<std::string> dropped;
    auto converted = up.convert(sample, &dropped);
    if (!converted.ok()) {
      const auto& e = converted.error();
      EXPECT_TRUE(e.is(TlErrc::unknown_id) || e.is(TlErrc::missing_field)) << e.to_string();
      ++stats.refused;
      stats.refused_names.push_back(e.detail);
      continue;
    }
    auto bytes = tl::encode_value(*converted);
    if (!bytes.ok()) {
      ADD_FAILURE() << bytes.error().to_string();
      continue;
    }
    auto decoded = tl::decode_value(layer(to), *bytes);
    if (!decoded.ok()) {
      ADD_FAILURE() << decoded.error().to_string();
      continue;
    }
    auto back = down.convert(*decoded);
    if (!back.ok()) {
      ADD_FAILURE() << back.error().to_string();
      continue;
    }
    auto back_bytes = tl::encode_value(*back);
    if (!back_bytes.ok()) {
      ADD_FAILURE() << back_bytes.error().to_string();
      continue;
    }
    if (dropped.empty()) {
      if (*back_bytes == *original) {
        ++stats.exact;
      } else {
        EXPECT_TRUE(has_optional_required_at(sample, to)) << "nothing was dropped, yet the bytes changed";
        ++stats.defaulted;
      }
    } else {
      ++stats.lossy;
    }
  }
  return stats;
}

void print(const char* label, const SweepStats& s) {
  std::printf("[ layers   ] %s: %d shared combinators: %d round trip exactly, %d come back with a defaulted field, "
              "%d lossy (reported), %d refused\n",
              label, s.shared, s.exact, s.defaulted, s.lossy, s.refused);
  constexpr std::size_t kShown = 6;
  for (std::size_t i = 0; i < s.refused_names.size() && i < kShown; ++i) {
    std::printf("[ refused  ]   %s\n", s.refused_names[i].c_str());
  }
  if (s.refused_names.size() > kShown) std::printf("[ refused  ]   ... and %zu more\n", s.refused_names.size() - kShown);
}

TEST(LayerAdapterSweep, CountsOfCombinatorsOnlyInOneLayer) {
  auto count = [](int a, int b, bool functions) {
    int n = 0;
    for (const auto& c : layer(a).combinators()) {
      const auto* o = layer(b).find(c.name);
      n += c.is_function == functions && (!o || o->is_function != c.is_function);
    }
    return n;
  };
  std::printf("[ layers   ] only in 198: %d constructors, %d functions; only in 228: %d constructors, %d functions\n",
              count(198, 228, false), count(198, 228, true), count(228, 198, false), count(228, 198, true));
  EXPECT_EQ(adapter(198, 228).unmatched().size(), static_cast<std::size_t>(count(198, 228, false) + count(198, 228, true)));
  EXPECT_EQ(adapter(228, 198).unmatched().size(), static_cast<std::size_t>(count(228, 198, false) + count(228, 198, true)));
  EXPECT_EQ(count(198, 228, false) + count(198, 228, true), 25);
  EXPECT_EQ(count(228, 198, false) + count(228, 198, true), 387);
}

TEST(LayerAdapterSweep, Every198CombinatorUpTo228AndBack) {
  auto full = sweep(198, 228, true);
  print("198 -> 228 -> 198, optional fields present", full);
  auto bare = sweep(198, 228, false);
  print("198 -> 228 -> 198, required fields only", bare);
  // 198 has no optional field that 228 requires: whatever nothing was dropped from comes back exactly.
  EXPECT_EQ(full.defaulted + bare.defaulted, 0);
  EXPECT_GT(full.exact, full.shared * 9 / 10);
  EXPECT_GT(bare.exact, bare.shared * 9 / 10);
}

TEST(LayerAdapterSweep, Every228CombinatorDownTo198AndBack) {
  auto full = sweep(228, 198, true);
  print("228 -> 198 -> 228, optional fields present", full);
  auto bare = sweep(228, 198, false);
  print("228 -> 198 -> 228, required fields only", bare);
  EXPECT_GT(full.exact, full.shared * 3 / 4);
  EXPECT_GT(bare.exact, bare.shared * 9 / 10);
}

// ---- fallbacks, drops, errors -----------------------------------------------------------------

TEST(LayerAdapterErrors, ConstructorWithoutCounterpartOrFallback) {
  auto update = json(228, R"({"_": "updateNewEphemeralMessage", "message": {"_": "ephemeralMessage", "id": 1,
      "from_id": {"_": "peerUser", "user_id": 1}, "peer_id": {"_": "peerUser", "user_id": 2}, "receiver_id": 2,
      "date": 5, "message": "hi"}})");
  auto top = adapter(228, 198).convert(update);
  ASSERT_FALSE(top.ok());
  EXPECT_TRUE(top.error().is(TlErrc::unknown_id));
  EXPECT_EQ(top.error().detail,
            "updateNewEphemeralMessage: updateNewEphemeralMessage (0x20bcbba1) has no counterpart at layer 198, and "
            "Update has no stand-in there (no …Unsupported constructor, nor a non-input …Empty one)");

  // In a required field: the error names the path.
  auto short_update = object(layer(228), "updateShort", {{"update", update}, {"date", Value::of_int32(9)}});
  auto nested = adapter(228, 198).convert(short_update);
  ASSERT_FALSE(nested.ok());
  EXPECT_TRUE(nested.error().is(TlErrc::unknown_id));
  EXPECT_EQ(nested.error().detail.rfind("updateShort.update: updateNewEphemeralMessage (0x20bcbba1) has no counterpart", 0), 0u)
      << nested.error().detail;

  // In a vector: dropped (and reported), the rest kept.
  auto typing = json(228, R"({"_": "updateUserTyping", "user_id": 3, "action": {"_": "sendMessageTypingAction"}})");
  auto updates = object(layer(228), "updates",
                        {{"updates", Value::of_vector({update, typing})}, {"users", Value::of_vector({})},
                         {"chats", Value::of_vector({})}, {"date", Value::of_int32(1)}, {"seq", Value::of_int32(0)}});
  std::vector<std::string> dropped;
  auto kept = adapter(228, 198).convert(updates, &dropped);
  ASSERT_TRUE(kept.ok()) << kept.error().to_string();
  ASSERT_EQ(kept->field("updates")->as_vector().size(), 1u);
  EXPECT_EQ(kept->field("updates")->as_vector()[0].as_object().combinator->name, "updateUserTyping");
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].rfind("updates.updates[0]: updateNewEphemeralMessage (0x20bcbba1) has no counterpart", 0), 0u)
      << dropped[0];

  // A function the target lacks.
  auto topic = json(198, R"({"_": "channels.createForumTopic", "channel": {"_": "inputChannelEmpty"}, "title": "t",
      "random_id": 1})");
  auto fn = adapter(198, 228).convert(topic);
  ASSERT_FALSE(fn.ok());
  EXPECT_TRUE(fn.error().is(TlErrc::unknown_id));
  EXPECT_NE(fn.error().detail.find("channels.createForumTopic (0xf40c0224) is not a function of layer 228"), std::string::npos)
      << fn.error().detail;
}

TEST(LayerAdapterErrors, RequiredFieldWhoseTypeChanged) {
  auto update = json(228, R"({"_": "updatePaidReactionPrivacy", "private": {"_": "paidReactionPrivacyAnonymous"}})");
  auto out = adapter(228, 198).convert(update);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.error().is(TlErrc::missing_field));
  EXPECT_EQ(out.error().detail,
            "updatePaidReactionPrivacy.private: PaidReactionPrivacy cannot become Bool at layer 198");
}

TEST(LayerAdapterErrors, BadValues) {
  auto user228 = json(228, R"({"_": "user", "id": 1})");
  auto out = adapter(198, 228).convert(user228);  // a 228 user given to the 198 -> 228 adapter
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.error().is(TlErrc::bad_value));
  EXPECT_NE(out.error().detail.find("not made with the source schema"), std::string::npos);
  auto not_object = adapter(198, 228).convert(Value::of_int32(1));
  ASSERT_FALSE(not_object.ok());
  EXPECT_TRUE(not_object.error().is(TlErrc::bad_value));

  // Nesting beyond the codec's limit (only a hand-built value can): an error, not a deep recursion.
  Value text = json(198, R"({"_": "textPlain", "text": "x"})");
  for (int i = 0; i < 100; ++i) text = object(layer(198), "textBold", {{"text", text}});
  auto deep = adapter(198, 228).convert(text);
  ASSERT_FALSE(deep.ok());
  EXPECT_TRUE(deep.error().is(TlErrc::too_deep)) << deep.error().to_string();
}

TEST(LayerAdapterFallbacks, UnsupportedAndEmptyStandIns) {
  // messageMediaToDo (228) becomes messageMediaUnsupported at 198; community becomes chatEmpty{id}.
  auto message = json(228, R"({"_": "message", "out": true, "id": 10, "peer_id": {"_": "peerUser", "user_id": 1},
      "date": 3, "message": "todo", "media": {"_": "messageMediaToDo", "todo": {"_": "todoList",
      "title": {"_": "textWithEntities", "text": "t", "entities": []}, "list": []}}})");
  auto community = json(228, R"({"_": "community", "id": 77, "title": "c", "photo": {"_": "chatPhotoEmpty"},
      "date": 1})");
  auto result = object(layer(228), "messages.messages",
                       {{"messages", Value::of_vector({message})}, {"topics", Value::of_vector({})},
                        {"chats", Value::of_vector({community})}, {"users", Value::of_vector({})}});
  std::vector<std::string> dropped;
  auto down = adapter(228, 198).convert(result, &dropped);
  ASSERT_TRUE(down.ok()) << down.error().to_string();
  const auto& m = down->field("messages")->as_vector()[0];
  EXPECT_EQ(m.as_object().combinator->id, 0x96fdbbe9u);
  EXPECT_EQ(m.field("media")->as_object().combinator->name, "messageMediaUnsupported");
  EXPECT_TRUE(m.field("out")->as_bool());
  const auto& chat = down->field("chats")->as_vector()[0];
  EXPECT_EQ(chat.as_object().combinator->name, "chatEmpty");
  EXPECT_EQ(chat.field("id")->as_int64(), 77);
  EXPECT_TRUE(mentions(dropped, "messages.messages.messages[0].media: messageMediaToDo replaced by messageMediaUnsupported"))
      << join(dropped);
  EXPECT_TRUE(mentions(dropped, "messages.messages.chats[0]: community replaced by chatEmpty")) << join(dropped);
  EXPECT_TRUE(mentions(dropped, "messages.messages.chats[0].title: chatEmpty has no title at layer 198")) << join(dropped);
  auto decoded = tl::decode_value(layer(198), encode(*down));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
}

TEST(LayerAdapterFallbacks, OptionalFieldWithoutFallbackIsDropped) {
  // user.color is optional; peerColorCollectible is 228-only and PeerColor has no stand-in at 198.
  auto user = json(228, R"({"_": "user", "id": 1, "color": {"_": "peerColorCollectible", "collectible_id": 1,
      "gift_emoji_id": 2, "background_emoji_id": 3, "accent_color": 4, "colors": [5]},
      "profile_color": {"_": "peerColor", "color": 6}})");
  std::vector<std::string> dropped;
  auto down = adapter(228, 198).convert(user, &dropped);
  ASSERT_TRUE(down.ok()) << down.error().to_string();
  EXPECT_TRUE(down->field("color")->is_null());
  EXPECT_EQ(down->field("profile_color")->field("color")->as_int32(), 6);
  ASSERT_EQ(dropped.size(), 1u) << join(dropped);
  EXPECT_EQ(dropped[0].rfind("user.color: peerColorCollectible (0xb9c0639a) has no counterpart at layer 198", 0), 0u)
      << dropped[0];

  // A field 198 does not have at all.
  auto message = json(228, R"({"_": "message", "id": 1, "peer_id": {"_": "peerUser", "user_id": 1}, "date": 1,
      "message": "m", "summary_from_language": "en"})");
  dropped.clear();
  auto m = adapter(228, 198).convert(message, &dropped);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->field("summary_from_language"), nullptr);
  EXPECT_EQ(dropped, std::vector<std::string>{"message.summary_from_language: message has no summary_from_language at layer 198"});
}

// ---- the rules on small schemas ---------------------------------------------------------------

tl::Schema parse(std::string_view text) {
  auto s = tl::Schema::parse(text, tl::IdCheck::lenient);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().to_string());
  return s.ok() ? std::move(*s) : tl::Schema{};
}

constexpr std::string_view kOld = R"(
true#3fedd339 = True;
boolFalse#bc799737 = Bool;
boolTrue#997275b5 = Bool;
peerUser#59511722 user_id:long = Peer;
wrap#00000001 flags:# flag:flags.0?true x:long small:int name:string blob:bytes yes:Bool gone:int = Wrap;
list#00000002 items:Vector<long> = List;
box#00000003 body:Object = Box;
pair#00000004 flags:# a:flags.0?int = Pair;
---functions---
getWrap#00000005 w:Wrap = Wrap;
)";

constexpr std::string_view kNew = R"(
true#3fedd339 = True;
boolFalse#bc799737 = Bool;
boolTrue#997275b5 = Bool;
peerUser#59511722 user_id:long = Peer;
peerChat#36c6019a chat_id:long = Peer;
photoEmpty#2331b22d id:long = Photo;
photo#fb197a65 id:long access_hash:long peer:Peer = Photo;
wrap#00000011 flags:# flag:flags.0?Bool x:int small:long name:bytes blob:string yes:flags.1?true peer:Peer photo:Photo ids:Vector<int> h:int128 k:int256 d:double opt:flags.2?Peer = Wrap;
list#00000012 items:Vector<int> = List;
box#00000013 body:Object = Box;
pair#00000014 flags:# a:flags.0?int b:flags.0?string c:flags.0?Peer = Pair;
needs#00000015 q:Object = Needs;
---functions---
getWrap#00000016 w:Wrap = Wrap;
)";

TEST(LayerAdapterRules, TypeChangesDefaultsAndFlags) {
  auto old_schema = parse(kOld);
  auto new_schema = parse(kNew);
  LayerAdapter up(old_schema, new_schema);
  auto wrap = tl::value_from_json(old_schema, R"({"_": "wrap", "flag": true, "x": 5, "small": -7, "name": "n",
      "blob": "YmxvYg==", "yes": true, "gone": 1})");
  ASSERT_TRUE(wrap.ok()) << wrap.error().to_string();
  std::vector<std::string> dropped;
  auto out = up.convert(*wrap, &dropped);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(out->field("flag")->as_bool(), true);  // true flag -> optional Bool
  EXPECT_EQ(out->field("x")->kind(), Value::Kind::int32);
  EXPECT_EQ(out->field("x")->as_int32(), 5);
  EXPECT_EQ(out->field("small")->as_int64(), -7);
  EXPECT_EQ(out->field("name")->kind(), Value::Kind::bytes);
  EXPECT_EQ(out->field("blob")->kind(), Value::Kind::string);
  EXPECT_EQ(out->field("blob")->as_text(), "blob");
  EXPECT_TRUE(out->field("yes")->as_bool());  // Bool -> true flag
  // Defaults: the cheapest constructor, `…Empty` on a tie, schema order after that.
  EXPECT_EQ(out->field("peer")->as_object().combinator->name, "peerUser");
  EXPECT_EQ(out->field("peer")->field("user_id")->as_int64(), 0);
  EXPECT_EQ(out->field("photo")->as_object().combinator->name, "photoEmpty");
  EXPECT_TRUE(out->field("ids")->as_vector().empty());
  EXPECT_EQ(out->field("h")->as_int128(), Int128{});
  EXPECT_EQ(out->field("k")->as_int256(), Int256{});
  EXPECT_EQ(out->field("d")->as_double(), 0.0);
  EXPECT_TRUE(out->field("opt")->is_null());
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0], "wrap.gone: wrap has no gone at the target schema");
  auto bytes = tl::encode_value(*out);
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();

  // An unset true flag becomes an absent optional Bool, not `false`.
  auto unset = tl::value_from_json(old_schema, R"({"_": "wrap", "x": 1, "small": 1, "name": "", "blob": "",
      "yes": false, "gone": 1})");
  auto unset_out = up.convert(*unset);
  ASSERT_TRUE(unset_out.ok());
  EXPECT_TRUE(unset_out->field("flag")->is_null());
  EXPECT_FALSE(unset_out->field("yes")->as_bool());

  // And back: the long that fits narrows, the Bool becomes the true flag again.
  LayerAdapter down(new_schema, old_schema);
  auto back = down.convert(*out);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(back->field("flag")->as_bool());
  EXPECT_EQ(back->field("small")->as_int32(), -7);
  EXPECT_EQ(back->field("gone")->as_int32(), 0);  // required again: defaulted
}

TEST(LayerAdapterRules, NarrowingOverflowIsAnErrorEvenInVectors) {
  auto old_schema = parse(kOld);
  auto new_schema = parse(kNew);
  LayerAdapter down(new_schema, old_schema);
  auto fine = LayerAdapter(old_schema, new_schema).convert(*tl::value_from_json(old_schema, R"({"_": "list",
      "items": [1, -2147483648, 2147483647]})"));
  ASSERT_TRUE(fine.ok()) << fine.error().to_string();
  EXPECT_EQ(fine->field("items")->as_vector()[2].as_int32(), 2147483647);

  auto big = tl::value_from_json(old_schema, R"({"_": "list", "items": [1, 2147483648]})");
  auto overflow = LayerAdapter(old_schema, new_schema).convert(*big);
  ASSERT_FALSE(overflow.ok());
  EXPECT_TRUE(overflow.error().is(TlErrc::bad_value));
  EXPECT_EQ(overflow.error().detail, "list.items[1]: the long 2147483648 does not fit in an int at the target schema");

  auto wrap = tl::value_from_json(new_schema, R"({"_": "wrap", "x": 1, "small": -5000000000, "name": "", "blob": "",
      "peer": {"_": "peerChat", "chat_id": 1}, "photo": {"_": "photoEmpty", "id": 1}, "ids": [], "h": "00000000000000000000000000000000",
      "k": "0000000000000000000000000000000000000000000000000000000000000000", "d": 1.5})");
  ASSERT_TRUE(wrap.ok()) << wrap.error().to_string();
  auto narrowed = down.convert(*wrap);
  ASSERT_FALSE(narrowed.ok());
  EXPECT_EQ(narrowed.error().detail, "wrap.small: the long -5000000000 does not fit in an int at the target schema");
}

TEST(LayerAdapterRules, FieldsSharingAFlagBitAreCompletedAndObjectPassesThrough) {
  auto old_schema = parse(kOld);
  auto new_schema = parse(kNew);
  LayerAdapter up(old_schema, new_schema);
  auto pair = up.convert(*tl::value_from_json(old_schema, R"({"_": "pair", "a": 3})"));
  ASSERT_TRUE(pair.ok()) << pair.error().to_string();
  EXPECT_EQ(pair->field("b")->as_text(), "");
  EXPECT_EQ(pair->field("c")->as_object().combinator->name, "peerUser");
  ASSERT_TRUE(tl::encode_value(*pair).ok());
  auto none = up.convert(*tl::value_from_json(old_schema, R"({"_": "pair"})"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->field("b")->is_null());

  // Object: undecoded bytes pass through; a decoded object is converted.
  const Combinator* box = old_schema.find("box");
  auto raw = Value::of_object({box, {Value::of_bytes("\x01\x02\x03\x04")}});
  auto raw_out = up.convert(raw);
  ASSERT_TRUE(raw_out.ok());
  EXPECT_EQ(raw_out->field("body")->as_text(), "\x01\x02\x03\x04");
  auto inner = *tl::value_from_json(old_schema, R"({"_": "peerUser", "user_id": 8})");
  auto obj_out = up.convert(Value::of_object({box, {inner}}));
  ASSERT_TRUE(obj_out.ok());
  EXPECT_EQ(obj_out->field("body")->as_object().combinator, new_schema.find("peerUser"));

  // A function converts to the function; `needs` (Object, no default) is never reached here.
  auto fn = up.convert(*tl::value_from_json(old_schema, R"({"_": "getWrap", "w": {"_": "wrap", "x": 1, "small": 1,
      "name": "", "blob": "", "yes": true, "gone": 0}})"));
  ASSERT_TRUE(fn.ok()) << fn.error().to_string();
  EXPECT_EQ(fn->as_object().combinator, new_schema.find("getWrap"));
}

TEST(LayerAdapterRules, ConvertAsVectorsOfAnyType) {
  auto old_schema = parse(kOld);
  auto new_schema = parse(kNew);
  LayerAdapter up(old_schema, new_schema);
  Type longs{TypeKind::vector, "", std::make_shared<Type>(Type{TypeKind::int64, "", nullptr, ""}), ""};
  Type ints{TypeKind::vector, "", std::make_shared<Type>(Type{TypeKind::int32, "", nullptr, ""}), ""};
  auto v = up.convert_as(Value::of_vector({Value::of_int64(4)}), longs, ints);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->as_vector()[0].as_int32(), 4);
  Type peer{TypeKind::boxed, "Peer", nullptr, ""};
  auto bad = up.convert_as(Value::of_int64(1), longs, peer);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.error().is(TlErrc::missing_field));
}

// ---- speed ------------------------------------------------------------------------------------

TEST(LayerAdapterTiming, MessagesMessages228To198) {
  using Clock = std::chrono::steady_clock;
  auto us = [](Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); };

  (void)layer(228);  // parsed on first use: not part of the adapter's cost
  (void)layer(198);
  auto t0 = Clock::now();
  LayerAdapter fresh(layer(228), layer(198));
  double build = us(Clock::now() - t0);

  auto input = test::vector_file("mtcute-L228/messagesMessages.bin");
  auto value = tl::decode_value(layer(228), input);
  ASSERT_TRUE(value.ok());
  constexpr int kRounds = 300;
  std::size_t sink = 0;
  t0 = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    auto out = fresh.convert(*value);
    ASSERT_TRUE(out.ok());
    sink += out->field("messages")->as_vector().size();
  }
  double convert = us(Clock::now() - t0) / kRounds;
  t0 = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    auto out = fresh.convert_bytes(input);
    ASSERT_TRUE(out.ok());
    sink += out->size();
  }
  double bytes = us(Clock::now() - t0) / kRounds;
  t0 = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    auto decoded = tl::decode_value(layer(228), input);
    auto encoded = tl::encode_value(*decoded);
    sink += encoded->size();
  }
  double codec = us(Clock::now() - t0) / kRounds;
  std::printf("[ timing   ] LayerAdapter(228 -> 198) built in %.0f us; messages.messages (100 messages, 20 users, "
              "20,188 B): convert %.1f us, bytes -> bytes %.1f us (decode + encode alone %.1f us)\n",
              build, convert, bytes, codec);
  EXPECT_GT(sink, 0u);
}

}  // namespace
}  // namespace telepp::server
