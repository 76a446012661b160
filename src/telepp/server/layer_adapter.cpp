// The layer adapter: every combinator of the source schema gets a Plan (its namesake in the target
// and, per target field, where the value comes from and how it converts), built once by the
// constructor; converting a value then only walks it and follows the plans.
#include "telepp/server/layer_adapter.hpp"

#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/reader.hpp"

namespace telepp::server {

namespace {

using tl::Combinator;
using tl::ObjectValue;
using tl::Param;
using tl::Type;
using tl::TypeKind;
using tl::Value;

constexpr std::size_t kInfinite = std::numeric_limits<std::size_t>::max() / 4;

std::string hex32(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", id);
  return buf;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_objectish(TypeKind k) {
  return k == TypeKind::boxed || k == TypeKind::bare || k == TypeKind::query || k == TypeKind::object;
}

bool is_text(TypeKind k) { return k == TypeKind::string || k == TypeKind::bytes; }
bool is_boolish(TypeKind k) { return k == TypeKind::boolean || k == TypeKind::true_flag; }
bool is_integer(TypeKind k) { return k == TypeKind::int32 || k == TypeKind::int64; }
bool is_vectorish(TypeKind k) { return k == TypeKind::vector || k == TypeKind::bare_vector; }

// Whether a field holds something: a `true` flag only when set.
bool present(const Param& p, const Value& v) {
  if (p.type.kind == TypeKind::true_flag) return v.kind() == Value::Kind::boolean && v.as_bool();
  return !v.is_null();
}

// How one value converts.
enum class Op : std::uint8_t { copy, widen, narrow, to_string, to_bytes, to_bool, object, vector, wrap, unwrap };
// What an object must become (Op::object).
enum class Expect : std::uint8_t { boxed, bare, function, any };

struct Conv {
  Op op = Op::copy;
  Expect expect = Expect::any;
  int type = -1;                       // Expect::boxed: the target type's id
  const Combinator* bare = nullptr;    // Expect::bare: the target constructor; wrap/unwrap: the wrapper
  const Conv* element = nullptr;       // vector: the element's conversion; wrap/unwrap: the scalar's
  int index = -1;                      // wrap/unwrap: the wrapper's one data field
  bool raw_ok = false;                 // an `Object` field: undecoded bytes pass through
};

bool is_scalar(TypeKind k) {
  switch (k) {
    case TypeKind::int32:
    case TypeKind::int64:
    case TypeKind::float64:
    case TypeKind::string:
    case TypeKind::bytes:
    case TypeKind::int128:
    case TypeKind::int256:
    case TypeKind::boolean: return true;
    default: return false;
  }
}

// A boxed type that only wraps one value: a single constructor whose params are flag words,
// `true` flags and exactly one other field (`recentStory flags:# live:flags.0?true max_id:flags.1?int`).
// Returns the constructor and that field's index, or {nullptr, -1}.
std::pair<const Combinator*, int> wrapper_of(const tl::Schema& s, std::string_view type) {
  auto ctors = s.constructors_of(type);
  if (ctors.size() != 1) return {nullptr, -1};
  int index = -1;
  for (std::size_t i = 0; i < ctors[0]->params.size(); ++i) {
    const auto& p = ctors[0]->params[i];
    if (p.is_flags_word() || p.type.kind == TypeKind::true_flag) continue;
    if (index >= 0 || !is_scalar(p.type.kind)) return {nullptr, -1};
    index = static_cast<int>(i);
  }
  return index < 0 ? std::pair<const Combinator*, int>{nullptr, -1} : std::pair{ctors[0], index};
}

// One target field: where its value comes from.
struct FieldPlan {
  int source = -1;              // index into the source params, or -1 when the source has no namesake
  const Conv* conv = nullptr;   // nullptr with source >= 0: the types are not compatible
  Value fill;                   // when the source gives nothing: null, false (true flag) or the default
  Value sibling_fill;           // when another field on this flag bit is present (see shared_bits)
  bool required = false;
  bool has_fill = true;         // false: required without a default (`!X`, `Object`)
  bool has_sibling_fill = true;
};

struct Plan {
  const Combinator* source = nullptr;
  const Combinator* target = nullptr;  // nullptr: no namesake of the same kind in the target
  int target_type = -1;                // constructors: the target's type id
  std::vector<FieldPlan> fields;       // aligned with target->params
  std::vector<int> lost;               // source params the target does not have
  std::vector<std::vector<int>> shared_bits;  // target params sharing a flag bit, when some may be absent
  std::unique_ptr<Plan> fallback;      // to the fallback constructor of the source's own type
};

// A conversion failure; `where` is the path below the root, built on the way back up.
struct Fail {
  TlErrc code;
  std::string where;
  std::string what;
};
using MaybeFail = std::optional<Fail>;

// Failures that make only the object unrepresentable (dropped in vectors and optional fields).
bool droppable(const Fail& f) { return f.code == TlErrc::unknown_id || f.code == TlErrc::missing_field; }

struct Ctx {
  std::vector<std::string>* dropped = nullptr;  // reporting is on when set
  std::string path;                              // maintained only when reporting
  int depth = 0;                                 // objects entered (values built by hand may nest without limit)

  void note(std::string_view suffix, const std::string& reason) {
    if (dropped) dropped->push_back(path + std::string(suffix) + ": " + reason);
  }
};

// Appends to the path while reporting; restores it on destruction.
class PathGuard {
 public:
  PathGuard(Ctx& ctx, std::string_view field) : ctx_(ctx), size_(ctx.path.size()) {
    if (ctx_.dropped) (ctx_.path += '.') += field;
  }
  PathGuard(Ctx& ctx, std::size_t index) : ctx_(ctx), size_(ctx.path.size()) {
    if (ctx_.dropped) ctx_.path += "[" + std::to_string(index) + "]";
  }
  ~PathGuard() { ctx_.path.resize(size_); }
  PathGuard(const PathGuard&) = delete;
  PathGuard& operator=(const PathGuard&) = delete;

 private:
  Ctx& ctx_;
  std::size_t size_;
};

}  // namespace

struct LayerAdapter::Impl {
  const tl::Schema* from;
  const tl::Schema* to;
  std::string to_label;  // "layer 198"

  std::map<std::string, int, std::less<>> type_ids;  // target boxed types
  std::vector<std::string> type_names;
  std::vector<const Combinator*> type_default_ctor;   // per type id: the constructor defaults use
  std::vector<const Combinator*> type_fallback;       // per type id: …Unsupported / …Empty, or nullptr
  std::vector<std::size_t> ctor_cost;                 // per target combinator (index in to->combinators())
  std::vector<std::optional<Value>> ctor_default;     // memo, per target combinator

  std::deque<Conv> convs;                             // stable addresses
  std::vector<Plan> plans;                            // per source combinator

  Impl(const tl::Schema& f, const tl::Schema& t) : from(&f), to(&t) {
    to_label = t.layer() ? "layer " + std::to_string(*t.layer()) : std::string("the target schema");
    index_target_types();
    compute_costs();
    choose_defaults_and_fallbacks();
    const auto& all = f.combinators();
    plans.resize(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto& c = all[i];
      const Combinator* target = t.find(c.name);
      if (target && target->is_function != c.is_function) target = nullptr;
      if (target) {
        build_plan(c, *target, plans[i]);
      } else {
        plans[i].source = &c;
      }
      // The fallback of the source's own type, for when the namesake is missing or of another type.
      if (!c.is_function && (!target || target->result.name != c.result.name)) {
        if (const Combinator* fb = fallback_for(c.result.name)) {
          plans[i].fallback = std::make_unique<Plan>();
          build_plan(c, *fb, *plans[i].fallback);
        }
      }
    }
  }

  // ---- target-side tables -------------------------------------------------------------------

  std::size_t index_in_to(const Combinator* c) const { return static_cast<std::size_t>(c - to->combinators().data()); }

  int type_id(std::string_view name) const {
    auto it = type_ids.find(name);
    return it == type_ids.end() ? -1 : it->second;
  }

  void index_target_types() {
    for (const auto* c : to->constructors()) {
      if (type_ids.count(c->result.name)) continue;
      type_ids.emplace(c->result.name, static_cast<int>(type_names.size()));
      type_names.push_back(c->result.name);
    }
  }

  std::size_t cost_of(const Type& t) const {
    switch (t.kind) {
      case TypeKind::boxed: {
        std::size_t best = kInfinite;
        for (const auto* c : to->constructors_of(t.name)) best = std::min(best, ctor_cost[index_in_to(c)]);
        return best;
      }
      case TypeKind::bare: {
        const auto* c = to->find(t.name);
        return c ? ctor_cost[index_in_to(c)] : kInfinite;
      }
      case TypeKind::query:
      case TypeKind::object:
      case TypeKind::type_param: return kInfinite;
      default: return 0;  // scalars, flags, and vectors (empty)
    }
  }

  // The number of objects the smallest default of each constructor needs: the fixpoint of
  // cost(c) = 1 + sum over required fields, cost(type) = min over its constructors.
  void compute_costs() {
    const auto& all = to->combinators();
    ctor_cost.assign(all.size(), kInfinite);
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t i = 0; i < all.size(); ++i) {
        std::size_t cost = 1;
        for (const auto& p : all[i].params) {
          if (p.is_conditional() || p.is_flags_word()) continue;
          cost += cost_of(p.type);
          if (cost >= kInfinite) break;
        }
        if (cost < ctor_cost[i]) {
          ctor_cost[i] = cost;
          changed = true;
        }
      }
    }
    ctor_default.resize(all.size());
  }

  void choose_defaults_and_fallbacks() {
    type_default_ctor.assign(type_names.size(), nullptr);
    type_fallback.assign(type_names.size(), nullptr);
    for (std::size_t id = 0; id < type_names.size(); ++id) {
      const Combinator* best = nullptr;
      const Combinator* unsupported = nullptr;
      const Combinator* empty = nullptr;
      for (const auto* c : to->constructors_of(type_names[id])) {
        auto cost = ctor_cost[index_in_to(c)];
        bool is_empty = ends_with(c->name, "Empty");
        if (cost < kInfinite) {
          auto best_cost = best ? ctor_cost[index_in_to(best)] : kInfinite;
          if (!best || cost < best_cost || (cost == best_cost && is_empty && !ends_with(best->name, "Empty"))) best = c;
        }
        if (ends_with(c->name, "Unsupported") && !unsupported) unsupported = c;
        // NOTE: never an input constructor: an `inputMessagesFilterEmpty` in place of an unknown
        // filter would change what a query asks for.
        if (is_empty && !empty && c->short_name().substr(0, 5) != "input") empty = c;
      }
      type_default_ctor[id] = best;
      type_fallback[id] = unsupported ? unsupported : empty;
    }
  }

  const Combinator* fallback_for(std::string_view type) const {
    int id = type_id(type);
    return id < 0 ? nullptr : type_fallback[static_cast<std::size_t>(id)];
  }

  // The default of a target type; nullopt when it has none.
  std::optional<Value> default_of(const Type& t) {
    switch (t.kind) {
      case TypeKind::int32: return Value::of_int32(0);
      case TypeKind::int64: return Value::of_int64(0);
      case TypeKind::float64: return Value::of_double(0);
      case TypeKind::string: return Value::of_string({});
      case TypeKind::bytes: return Value::of_bytes({});
      case TypeKind::int128: return Value::of_int128(Int128{});
      case TypeKind::int256: return Value::of_int256(Int256{});
      case TypeKind::boolean:
      case TypeKind::true_flag: return Value::of_bool(false);
      case TypeKind::flags: return Value{};
      case TypeKind::vector:
      case TypeKind::bare_vector: return Value::of_vector({});
      case TypeKind::boxed: {
        int id = type_id(t.name);
        if (id < 0 || !type_default_ctor[static_cast<std::size_t>(id)]) return std::nullopt;
        return default_object(*type_default_ctor[static_cast<std::size_t>(id)]);
      }
      case TypeKind::bare: {
        const auto* c = to->find(t.name);
        if (!c || ctor_cost[index_in_to(c)] >= kInfinite) return std::nullopt;
        return default_object(*c);
      }
      case TypeKind::query:
      case TypeKind::object:
      case TypeKind::type_param: break;
    }
    return std::nullopt;
  }

  // A constructor with its required fields defaulted and its optional ones absent. Terminates:
  // only constructors of finite cost get here, and each required field's default is cheaper.
  Value default_object(const Combinator& c) {
    auto& memo = ctor_default[index_in_to(&c)];
    if (memo) return *memo;
    ObjectValue o{&c, std::vector<Value>(c.params.size())};
    for (std::size_t i = 0; i < c.params.size(); ++i) {
      const auto& p = c.params[i];
      if (p.is_flags_word()) continue;
      if (p.type.kind == TypeKind::true_flag) {
        o.fields[i] = Value::of_bool(false);
      } else if (!p.is_conditional()) {
        o.fields[i] = *default_of(p.type);  // finite cost: every required field has a default
      }
    }
    memo = Value::of_object(std::move(o));
    return *memo;
  }

  // ---- plans ---------------------------------------------------------------------------------

  // How a value of `ft` (source) becomes one of `tt` (target); nullptr when it cannot.
  const Conv* build_conv(const Type& ft, const Type& tt, std::deque<Conv>& arena) const {
    Conv c;
    if (is_integer(ft.kind) && is_integer(tt.kind)) {
      c.op = ft.kind == tt.kind ? Op::copy : (tt.kind == TypeKind::int64 ? Op::widen : Op::narrow);
    } else if (ft.kind == tt.kind && (ft.kind == TypeKind::float64 || ft.kind == TypeKind::int128 ||
                                      ft.kind == TypeKind::int256)) {
      c.op = Op::copy;
    } else if (is_text(ft.kind) && is_text(tt.kind)) {
      c.op = tt.kind == TypeKind::string ? Op::to_string : Op::to_bytes;
    } else if (is_boolish(ft.kind) && is_boolish(tt.kind)) {
      c.op = Op::to_bool;
    } else if (is_vectorish(ft.kind) && is_vectorish(tt.kind)) {
      c.op = Op::vector;
      c.element = build_conv(*ft.element, *tt.element, arena);
      if (!c.element) return nullptr;
    } else if (is_objectish(ft.kind) && is_objectish(tt.kind)) {
      c.op = Op::object;
      // The type a source value of `ft` has, by name (a bare `%T` is a constructor of T).
      auto source_type = [&]() -> std::string {
        if (ft.kind == TypeKind::boxed) return ft.name;
        if (ft.kind == TypeKind::bare) {
          const auto* sc = from->find(ft.name);
          return sc ? sc->result.name : std::string();
        }
        return {};
      }();
      switch (tt.kind) {
        case TypeKind::boxed:
          if (source_type != tt.name || type_id(tt.name) < 0) return nullptr;
          c.expect = Expect::boxed;
          c.type = type_id(tt.name);
          break;
        case TypeKind::bare: {
          const auto* target = to->find(tt.name);
          if (!target || target->is_function || source_type != target->result.name) return nullptr;
          c.expect = Expect::bare;
          c.bare = target;
          break;
        }
        case TypeKind::query:
          if (ft.kind != TypeKind::query) return nullptr;
          c.expect = Expect::function;
          break;
        default:  // Object: anything goes, and undecoded bytes pass through
          c.expect = Expect::any;
          c.raw_ok = true;
          break;
      }
    } else if (is_scalar(ft.kind) && tt.kind == TypeKind::boxed) {
      // NOTE: a layer that replaces a scalar with an object holding it (`stories_max_id:int` became
      // `RecentStory` by layer 228): wrapped going up, unwrapped going down.
      auto [wrapper, index] = wrapper_of(*to, tt.name);
      if (!wrapper) return nullptr;
      c.element = build_conv(ft, wrapper->params[static_cast<std::size_t>(index)].type, arena);
      if (!c.element) return nullptr;
      c.op = Op::wrap;
      c.bare = wrapper;
      c.index = index;
    } else if (ft.kind == TypeKind::boxed && is_scalar(tt.kind)) {
      auto [wrapper, index] = wrapper_of(*from, ft.name);
      if (!wrapper) return nullptr;
      c.element = build_conv(wrapper->params[static_cast<std::size_t>(index)].type, tt, arena);
      if (!c.element) return nullptr;
      c.op = Op::unwrap;
      c.bare = wrapper;
      c.index = index;
    } else {
      return nullptr;
    }
    arena.push_back(c);
    return &arena.back();
  }

  void build_plan(const Combinator& src, const Combinator& dst, Plan& plan) {
    plan.source = &src;
    plan.target = &dst;
    plan.target_type = dst.is_function ? -1 : type_id(dst.result.name);
    plan.fields.resize(dst.params.size());
    auto find_source = [&](const std::string& name) -> int {
      for (std::size_t i = 0; i < src.params.size(); ++i) {
        if (src.params[i].name == name && !src.params[i].is_flags_word()) return static_cast<int>(i);
      }
      return -1;
    };
    std::map<std::pair<int, int>, std::vector<int>> bits;
    for (std::size_t j = 0; j < dst.params.size(); ++j) {
      const auto& tp = dst.params[j];
      auto& f = plan.fields[j];
      if (tp.is_flags_word()) continue;  // computed by the encoder
      f.required = !tp.is_conditional();
      f.source = find_source(tp.name);
      if (f.source >= 0) f.conv = build_conv(src.params[static_cast<std::size_t>(f.source)].type, tp.type, convs);
      if (tp.type.kind == TypeKind::true_flag) {
        f.fill = Value::of_bool(false);
      } else if (f.required) {
        auto d = default_of(tp.type);
        f.has_fill = d.has_value();
        if (d) f.fill = std::move(*d);
      }
      if (tp.is_conditional()) bits[{tp.flag_param, tp.flag_bit}].push_back(static_cast<int>(j));
    }
    // Fields on one bit: when one is present every non-`true` one must be (the encoder insists).
    for (auto& [bit, members] : bits) {
      if (members.size() < 2) continue;
      bool needs = false;
      for (int j : members) {
        const auto& tp = dst.params[static_cast<std::size_t>(j)];
        if (tp.type.kind == TypeKind::true_flag) continue;
        needs = true;
        auto d = default_of(tp.type);
        auto& f = plan.fields[static_cast<std::size_t>(j)];
        f.has_sibling_fill = d.has_value();
        if (d) f.sibling_fill = std::move(*d);
      }
      if (needs) plan.shared_bits.push_back(std::move(members));
    }
    for (std::size_t i = 0; i < src.params.size(); ++i) {
      const auto& sp = src.params[i];
      if (sp.is_flags_word()) continue;
      bool kept = false;
      for (const auto& tp : dst.params) kept = kept || (tp.name == sp.name && !tp.is_flags_word());
      if (!kept) plan.lost.push_back(static_cast<int>(i));
    }
  }

  // ---- conversion ----------------------------------------------------------------------------

  const Plan* plan_for(const Combinator* c) const {
    const auto& all = from->combinators();
    std::less<const Combinator*> before;
    if (!before(c, all.data()) && before(c, all.data() + all.size())) return &plans[static_cast<std::size_t>(c - all.data())];
    // A value made with another parse of the same schema: find its namesake.
    const Combinator* same = from->find(c->id);
    if (same && same->name == c->name) return &plans[static_cast<std::size_t>(same - all.data())];
    return nullptr;
  }

  MaybeFail value(const Value& in, const Conv& c, Value& out, Ctx& ctx) const {
    using K = Value::Kind;
    switch (c.op) {
      case Op::copy:
        out = in;
        return std::nullopt;
      case Op::widen:
        out = in.kind() == K::int32 ? Value::of_int64(in.as_int32()) : in;
        return std::nullopt;
      case Op::narrow:
        if (in.kind() == K::int64) {
          auto v = in.as_int64();
          if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max()) {
            return Fail{TlErrc::bad_value, {},
                        "the long " + std::to_string(v) + " does not fit in an int at " + to_label};
          }
          out = Value::of_int32(static_cast<std::int32_t>(v));
        } else {
          out = in;
        }
        return std::nullopt;
      case Op::to_string:
        out = in.kind() == K::bytes ? Value::of_string(in.as_text()) : in;
        return std::nullopt;
      case Op::to_bytes:
        out = in.kind() == K::string ? Value::of_bytes(in.as_text()) : in;
        return std::nullopt;
      case Op::to_bool:
        out = in.kind() == K::boolean ? in : Value::of_bool(false);
        return std::nullopt;
      case Op::object: return object(in, c, out, ctx);
      case Op::wrap: {
        ObjectValue o{c.bare, std::vector<Value>(c.bare->params.size())};
        for (std::size_t i = 0; i < o.fields.size(); ++i) {
          if (c.bare->params[i].type.kind == TypeKind::true_flag) o.fields[i] = Value::of_bool(false);
        }
        if (auto fail = value(in, *c.element, o.fields[static_cast<std::size_t>(c.index)], ctx)) return fail;
        out = Value::of_object(std::move(o));
        return std::nullopt;
      }
      case Op::unwrap: {
        if (in.kind() != K::object) return Fail{TlErrc::bad_value, {}, "expected an object"};
        const auto& o = in.as_object();
        const auto& field = c.bare->params[static_cast<std::size_t>(c.index)];
        if (o.combinator->name != c.bare->name || o.fields.size() != c.bare->params.size()) {
          return Fail{TlErrc::bad_value, {}, o.combinator->name + " is not a " + c.bare->result.name};
        }
        const auto& inner = o.fields[static_cast<std::size_t>(c.index)];
        if (inner.is_null()) {
          return Fail{TlErrc::missing_field, {}, c.bare->name + " without " + field.name + " has no counterpart at " + to_label};
        }
        for (std::size_t i = 0; i < o.fields.size(); ++i) {
          const auto& p = c.bare->params[i];
          if (p.type.kind == TypeKind::true_flag && present(p, o.fields[i])) {
            ctx.note("." + p.name, c.bare->name + " becomes its " + field.name + " at " + to_label);
          }
        }
        return value(inner, *c.element, out, ctx);
      }
      case Op::vector: {
        if (in.kind() != K::vector) return Fail{TlErrc::bad_value, {}, "expected a vector"};
        const auto& items = in.as_vector();
        Value::Vector result;
        result.reserve(items.size());
        for (std::size_t i = 0; i < items.size(); ++i) {
          PathGuard guard(ctx, i);
          Value converted;
          if (auto fail = value(items[i], *c.element, converted, ctx)) {
            if (droppable(*fail)) {
              ctx.note({}, fail->what);
              continue;
            }
            fail->where = "[" + std::to_string(i) + "]" + fail->where;
            return fail;
          }
          result.push_back(std::move(converted));
        }
        out = Value::of_vector(std::move(result));
        return std::nullopt;
      }
    }
    return Fail{TlErrc::bad_value, {}, "unknown conversion"};
  }

  bool fits(const Conv& c, const Plan& p) const {
    if (!p.target) return false;
    switch (c.expect) {
      case Expect::boxed: return !p.target->is_function && p.target_type == c.type;
      case Expect::bare: return p.target == c.bare;
      case Expect::function: return p.target->is_function;
      case Expect::any: return true;
    }
    return false;
  }

  MaybeFail object(const Value& in, const Conv& c, Value& out, Ctx& ctx) const {
    if (in.kind() == Value::Kind::bytes && c.raw_ok) {  // an undecoded Object: passed through
      out = in;
      return std::nullopt;
    }
    if (in.kind() != Value::Kind::object) return Fail{TlErrc::bad_value, {}, "expected an object"};
    if (ctx.depth >= tl::Reader::kMaxDepth) {
      return Fail{TlErrc::too_deep, {}, "nesting deeper than " + std::to_string(tl::Reader::kMaxDepth) + " objects"};
    }
    ++ctx.depth;
    auto result = object_at_depth(in, c, out, ctx);
    --ctx.depth;
    return result;
  }

  MaybeFail object_at_depth(const Value& in, const Conv& c, Value& out, Ctx& ctx) const {
    const auto& o = in.as_object();
    const Plan* plan = o.combinator ? plan_for(o.combinator) : nullptr;
    if (!plan) {
      return Fail{TlErrc::bad_value, {},
                  (o.combinator ? o.combinator->name : std::string("an object")) + " was not made with the source schema"};
    }
    if (fits(c, *plan)) return apply(*plan, o, out, ctx);

    // No namesake of the expected kind: the fallback of the object's type, if it is the type
    // expected here (for well-formed values it always is).
    if (const Plan* fb = plan->fallback.get(); fb && fits(c, *fb)) {
      ctx.note({}, plan->source->name + " replaced by " + fb->target->name);
      return apply(*fb, o, out, ctx);
    }
    return Fail{TlErrc::unknown_id, {}, no_counterpart(*plan, c)};
  }

  std::string no_counterpart(const Plan& plan, const Conv& c) const {
    const auto& s = *plan.source;
    std::string what = s.name + " (" + hex32(s.id) + ")";
    if (c.expect == Expect::function || s.is_function) {
      return what + (plan.target ? " is not a function at " + to_label : " is not a function of " + to_label);
    }
    std::string expected = c.expect == Expect::boxed ? type_names[static_cast<std::size_t>(c.type)]
                           : c.expect == Expect::bare ? c.bare->name
                                                      : s.result.name;
    if (plan.target && plan.target->is_function) return what + " is a function at " + to_label;
    if (plan.target) return what + " is a " + plan.target->result.name + " at " + to_label + ", not a " + expected;
    return what + " has no counterpart at " + to_label + ", and " + expected +
           " has no stand-in there (no …Unsupported constructor, nor a non-input …Empty one)";
  }

  MaybeFail apply(const Plan& plan, const ObjectValue& src, Value& out, Ctx& ctx) const {
    const auto& sp = plan.source->params;
    if (src.fields.size() != sp.size()) {
      return Fail{TlErrc::bad_value, {}, plan.source->name + ": expected " + std::to_string(sp.size()) + " fields"};
    }
    const auto& tp = plan.target->params;
    ObjectValue o{plan.target, std::vector<Value>(tp.size())};
    for (std::size_t j = 0; j < tp.size(); ++j) {
      const auto& f = plan.fields[j];
      if (f.source >= 0) {
        const auto& p = sp[static_cast<std::size_t>(f.source)];
        const auto& s = src.fields[static_cast<std::size_t>(f.source)];
        if (present(p, s)) {
          if (!f.conv) {  // the field's type changed beyond conversion
            std::string why = p.type.to_tl() + " cannot become " + tp[j].type.to_tl() + " at " + to_label;
            if (f.required) return Fail{TlErrc::missing_field, "." + tp[j].name, why};
            ctx.note("." + tp[j].name, why);
            continue;
          }
          PathGuard guard(ctx, tp[j].name);
          auto fail = value(s, *f.conv, o.fields[j], ctx);
          if (!fail) continue;
          if (!droppable(*fail) || f.required) {
            fail->where = "." + tp[j].name + fail->where;
            return fail;
          }
          ctx.note({}, fail->what);
          o.fields[j] = Value{};
          continue;
        }
      }
      if (f.required && !f.has_fill) {
        return Fail{TlErrc::missing_field, "." + tp[j].name,
                    "required at " + to_label + " (" + tp[j].type.to_tl() + "), which has no default"};
      }
      if (!f.fill.is_null()) o.fields[j] = f.fill;
    }
    for (const auto& members : plan.shared_bits) {
      bool any = false;
      for (int j : members) any = any || present(tp[static_cast<std::size_t>(j)], o.fields[static_cast<std::size_t>(j)]);
      if (!any) continue;
      for (int j : members) {
        auto uj = static_cast<std::size_t>(j);
        if (tp[uj].type.kind == TypeKind::true_flag || !o.fields[uj].is_null()) continue;
        if (!plan.fields[uj].has_sibling_fill) {
          return Fail{TlErrc::missing_field, "." + tp[uj].name,
                      "required at " + to_label + " by another field on its flag bit, and has no default"};
        }
        o.fields[uj] = plan.fields[uj].sibling_fill;
      }
    }
    if (ctx.dropped) {
      for (int i : plan.lost) {
        const auto& p = sp[static_cast<std::size_t>(i)];
        if (present(p, src.fields[static_cast<std::size_t>(i)])) {
          ctx.note("." + p.name, plan.target->name + " has no " + p.name + " at " + to_label);
        }
      }
    }
    out = Value::of_object(std::move(o));
    return std::nullopt;
  }

  // The entry point for every public conversion: `root` names the top of the path in errors.
  Result<Value> run(const Value& in, const Conv& c, const std::string& root, std::vector<std::string>* dropped) const {
    Ctx ctx{dropped, dropped ? root : std::string()};
    Value out;
    if (auto fail = value(in, c, out, ctx)) return telepp::fail(fail->code, root + fail->where + ": " + fail->what);
    return out;
  }
};

LayerAdapter::LayerAdapter(const tl::Schema& from, const tl::Schema& to) : impl_(std::make_unique<Impl>(from, to)) {}
LayerAdapter::~LayerAdapter() = default;
LayerAdapter::LayerAdapter(LayerAdapter&&) noexcept = default;
LayerAdapter& LayerAdapter::operator=(LayerAdapter&&) noexcept = default;

const tl::Schema& LayerAdapter::from() const { return *impl_->from; }
const tl::Schema& LayerAdapter::to() const { return *impl_->to; }

const LayerAdapter* LayerAdapter::shipped(int from_layer, int to_layer) {
  const auto* from = schemas::api(from_layer);
  const auto* to = schemas::api(to_layer);
  if (!from || !to) return nullptr;
  static std::mutex mutex;
  static std::map<std::pair<int, int>, std::unique_ptr<LayerAdapter>> cache;
  std::lock_guard lock(mutex);
  auto& slot = cache[{from_layer, to_layer}];
  if (!slot) slot = std::make_unique<LayerAdapter>(*from, *to);
  return slot.get();
}

Result<Value> LayerAdapter::convert(const Value& v, std::vector<std::string>* dropped) const {
  if (v.kind() != Value::Kind::object || !v.as_object().combinator) {
    return fail(TlErrc::bad_value, "LayerAdapter::convert: expected an object");
  }
  const auto& c = *v.as_object().combinator;
  Conv top;
  top.op = Op::object;
  if (c.is_function) {
    top.expect = Expect::function;
  } else if (int id = impl_->type_id(c.result.name); id >= 0) {
    top.expect = Expect::boxed;
    top.type = id;
  }
  return impl_->run(v, top, c.name, dropped);
}

Result<Value> LayerAdapter::convert_as(const Value& v, const Type& from_type, const Type& to_type,
                                       std::vector<std::string>* dropped) const {
  std::deque<Conv> arena;
  const Conv* c = impl_->build_conv(from_type, to_type, arena);
  if (!c) {
    return fail(TlErrc::missing_field, from_type.to_tl() + " cannot become " + to_type.to_tl() + " at " + impl_->to_label);
  }
  return impl_->run(v, *c, from_type.to_tl(), dropped);
}

Result<Bytes> LayerAdapter::convert_bytes(ByteView boxed, std::vector<std::string>* dropped) const {
  auto decoded = tl::decode_value(from(), boxed);
  TELEPP_TRY(decoded);
  auto converted = convert(*decoded, dropped);
  TELEPP_TRY(converted);
  return tl::encode_value(*converted);
}

Result<Bytes> LayerAdapter::convert_result_bytes(std::string_view function, ByteView result,
                                                 std::vector<std::string>* dropped) const {
  const auto* f = from().find(function);
  const auto* t = to().find(function);
  if (!f || !f->is_function || !t || !t->is_function) {
    return fail(TlErrc::unknown_id, "function " + std::string(function) + " is not in both layers");
  }
  if (f->result.kind == TypeKind::type_param || t->result.kind == TypeKind::type_param) {
    return fail(TlErrc::bad_value, std::string(function) + " is generic: convert the result of the query it wraps");
  }
  auto decoded = tl::decode_value_as(from(), f->result, result);
  TELEPP_TRY(decoded);
  auto converted = convert_as(*decoded, f->result, t->result, dropped);
  TELEPP_TRY(converted);
  return tl::encode_value_as(*converted, t->result);
}

std::vector<const Combinator*> LayerAdapter::unmatched() const {
  std::vector<const Combinator*> out;
  for (const auto& p : impl_->plans) {
    if (!p.target) out.push_back(p.source);
  }
  return out;
}

Result<Bytes> convert_bytes(const tl::Schema& from, const tl::Schema& to, ByteView boxed) {
  int from_layer = 0;
  int to_layer = 0;
  for (int layer : schemas::layers()) {
    if (schemas::api(layer) == &from) from_layer = layer;
    if (schemas::api(layer) == &to) to_layer = layer;
  }
  if (from_layer && to_layer) return LayerAdapter::shipped(from_layer, to_layer)->convert_bytes(boxed);
  return LayerAdapter(from, to).convert_bytes(boxed);
}

}  // namespace telepp::server
