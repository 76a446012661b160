#include "sample_values.hpp"

#include <cstdio>
#include <cstdlib>
#include <limits>

namespace telepp::test {

using tl::Combinator;
using tl::Type;
using tl::TypeKind;
using tl::Value;

namespace {
constexpr std::size_t kInfinite = std::numeric_limits<std::size_t>::max() / 4;
}

SampleMaker::SampleMaker(const tl::Schema& schema, bool optional_present, int max_depth)
    : schema_(schema), optional_present_(optional_present), max_depth_(max_depth) {
  compute_costs();
}

std::uint64_t SampleMaker::next() {
  // splitmix64: deterministic and well spread.
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The number of objects the smallest sample of a type needs (required fields only): the fixpoint
// of cost(constructor) = 1 + sum(cost of required fields), cost(type) = min over its constructors.
void SampleMaker::compute_costs() {
  const auto& all = schema_.combinators();
  ctor_cost_.assign(all.size(), kInfinite);
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < all.size(); ++i) {
      std::size_t cost = 1;
      for (const auto& p : all[i].params) {
        if (p.is_conditional() || p.is_flags_word()) continue;
        cost += cost_of(p.type);
        if (cost >= kInfinite) break;
      }
      if (cost < ctor_cost_[i]) {
        ctor_cost_[i] = cost;
        changed = true;
      }
    }
  }
}

std::size_t SampleMaker::cost_of(const Type& t) const {
  const auto& all = schema_.combinators();
  auto index_of = [&](const Combinator* c) { return static_cast<std::size_t>(c - all.data()); };
  switch (t.kind) {
    case TypeKind::boxed: {
      std::size_t best = kInfinite;
      for (const auto* c : schema_.constructors_of(t.name)) best = std::min(best, ctor_cost_[index_of(c)]);
      return best;
    }
    case TypeKind::bare: return ctor_cost_[index_of(schema_.find(t.name))];
    case TypeKind::query:
    case TypeKind::object: return 1;
    default: return 0;  // primitives, and vectors (which may be empty)
  }
}

const Combinator* SampleMaker::pick_constructor(const std::string& type, int depth) {
  auto ctors = schema_.constructors_of(type);
  const auto& all = schema_.combinators();
  if (depth >= max_depth_) {
    const Combinator* best = ctors[0];
    for (const auto* c : ctors) {
      if (ctor_cost_[static_cast<std::size_t>(c - all.data())] < ctor_cost_[static_cast<std::size_t>(best - all.data())]) best = c;
    }
    return best;
  }
  return ctors[next() % ctors.size()];
}

Value SampleMaker::object(const Combinator& c, std::uint64_t seed) {
  state_ = seed;
  return object_at(c, 0);
}

Value SampleMaker::object_at(const Combinator& c, int depth) {
  if (depth > 64) {
    std::fprintf(stderr, "sample of %s does not terminate: a type without a finite constructor\n", c.name.c_str());
    std::abort();
  }
  tl::ObjectValue o{&c, std::vector<Value>(c.params.size())};
  bool fill_optional = optional_present_ && depth < max_depth_;
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    const auto& p = c.params[i];
    if (p.is_flags_word()) continue;
    if (p.type.kind == TypeKind::true_flag) {
      o.fields[i] = Value::of_bool(fill_optional);
      continue;
    }
    if (p.is_conditional() && !fill_optional) continue;
    o.fields[i] = value(p.type, depth + 1);
  }
  return Value::of_object(std::move(o));
}

Value SampleMaker::value(const Type& t, int depth) {
  switch (t.kind) {
    case TypeKind::int32: return Value::of_int32(static_cast<std::int32_t>(next()));
    case TypeKind::int64: {
      // Alternate small and large magnitudes: the JSON form differs across 2^53.
      auto v = static_cast<std::int64_t>(next());
      return Value::of_int64((v & 1) ? v : v % 100000);
    }
    case TypeKind::float64: return Value::of_double(static_cast<double>(next() % 1000000) / 8.0);
    case TypeKind::string: return Value::of_string("s" + std::to_string(next() % 100000) + " ünïcødé");
    case TypeKind::bytes: {
      // Sometimes long enough for the 4-byte length form.
      std::size_t n = (next() % 5 == 0) ? 300 : next() % 9;
      std::string b(n, '\0');
      for (auto& ch : b) ch = static_cast<char>(next());
      return Value::of_bytes(std::move(b));
    }
    case TypeKind::int128: {
      Int128 x;
      for (auto& byte : x.bytes) byte = static_cast<Byte>(next());
      return Value::of_int128(x);
    }
    case TypeKind::int256: {
      Int256 x;
      for (auto& byte : x.bytes) byte = static_cast<Byte>(next());
      return Value::of_int256(x);
    }
    case TypeKind::boolean: return Value::of_bool(next() & 1);
    case TypeKind::boxed: return object_at(*pick_constructor(t.name, depth), depth);
    case TypeKind::bare: return object_at(*schema_.find(t.name), depth);
    case TypeKind::query: {
      const auto* fn = schema_.find("help.getConfig");
      if (!fn) fn = schema_.find("ping");
      return object_at(*fn, depth);
    }
    case TypeKind::object: {
      const auto* c = schema_.find("pong");
      if (!c) c = schema_.find("true");
      return object_at(*c, depth);
    }
    case TypeKind::vector:
    case TypeKind::bare_vector: {
      Value::Vector items;
      if (depth < max_depth_) {
        items.push_back(value(*t.element, depth + 1));
        items.push_back(value(*t.element, depth + 1));
      }
      return Value::of_vector(std::move(items));
    }
    case TypeKind::true_flag:
    case TypeKind::flags:
    case TypeKind::type_param: break;
  }
  return {};
}

}  // namespace telepp::test
