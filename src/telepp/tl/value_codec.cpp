// The binary side of the dynamic form: Value <-> TL bytes, driven by the Schema.
#include <cstdio>

#include "telepp/tl/reader.hpp"
#include "telepp/tl/value.hpp"
#include "telepp/tl/writer.hpp"

namespace telepp::tl {

const Value* Value::field(std::string_view name) const {
  if (kind() != Kind::object) return nullptr;
  const auto& obj = as_object();
  for (std::size_t i = 0; i < obj.combinator->params.size(); ++i) {
    if (obj.combinator->params[i].name == name) return &obj.fields[i];
  }
  return nullptr;
}

namespace {

std::string hex32(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", id);
  return buf;
}

// True when the `bytes:int` at params[i] is the length of the `Object` right after it (MTProto's
// `message`), which the codec computes instead of taking from the value.
bool is_length_of_next(const Combinator& c, std::size_t i) {
  return i + 1 < c.params.size() && c.params[i].name == "bytes" && c.params[i].type.kind == TypeKind::int32 &&
         c.params[i + 1].type.kind == TypeKind::object;
}

bool is_present(const Param& p, const Value& v) {
  return p.type.kind == TypeKind::true_flag ? (v.kind() == Value::Kind::boolean && v.as_bool()) : !v.is_null();
}

class Encoder {
 public:
  explicit Encoder(Writer& w) : w_(w) {}

  void boxed(const Value& v) {
    if (v.kind() != Value::Kind::object) return mismatch("an object", v);
    w_.u32(v.as_object().combinator->id);
    body(v.as_object());
  }

  void body(const ObjectValue& o) {
    if (depth_ >= Reader::kMaxDepth) {
      return w_.fail(TlErrc::too_deep, "nesting deeper than " + std::to_string(Reader::kMaxDepth) + " objects");
    }
    ++depth_;
    body_fields(o);
    --depth_;
  }

  void body_fields(const ObjectValue& o) {
    const auto& c = *o.combinator;
    if (o.fields.size() != c.params.size()) {
      return w_.fail(TlErrc::bad_value, c.name + ": expected " + std::to_string(c.params.size()) + " fields");
    }
    std::vector<std::uint32_t> flags(c.params.size(), 0);
    for (std::size_t i = 0; i < c.params.size(); ++i) {
      const auto& p = c.params[i];
      if (p.is_conditional() && is_present(p, o.fields[i])) flags[static_cast<std::size_t>(p.flag_param)] |= 1u << p.flag_bit;
    }
    for (std::size_t i = 0; i < c.params.size() && w_.ok(); ++i) {
      const auto& p = c.params[i];
      const auto& f = o.fields[i];
      if (p.is_flags_word()) {
        w_.u32(flags[i]);
      } else if (p.type.kind == TypeKind::true_flag) {
        continue;
      } else if (is_length_of_next(c, i)) {
        length_prefixed(o.fields[i + 1]);
        ++i;
      } else if (p.is_conditional()) {
        if (!(flags[static_cast<std::size_t>(p.flag_param)] & (1u << p.flag_bit))) continue;
        if (f.is_null()) {
          return w_.fail(TlErrc::missing_field, c.name + "." + p.name + " must be set: another field on flags." +
                                                    std::to_string(p.flag_bit) + " is");
        }
        value(f, p.type);
      } else {
        if (f.is_null()) return w_.fail(TlErrc::missing_field, c.name + "." + p.name + " is required");
        value(f, p.type);
      }
    }
  }

 private:
  void mismatch(const char* expected, const Value& v) {
    w_.fail(TlErrc::bad_value, std::string("expected ") + expected + ", got a value of kind " +
                                   std::to_string(static_cast<int>(v.kind())));
  }

  void length_prefixed(const Value& body_value) {
    if (body_value.kind() == Value::Kind::bytes) {  // a body the schema does not know, kept raw
      w_.i32(static_cast<std::int32_t>(body_value.as_text().size()));
      w_.raw(as_bytes(body_value.as_text()));
      return;
    }
    Writer inner;
    Encoder nested(inner);
    nested.depth_ = depth_;
    nested.boxed(body_value);
    if (!inner.ok()) return w_.fail(TlErrc::bad_value, "in a message body: " + inner.status().error().detail);
    w_.i32(static_cast<std::int32_t>(inner.size()));
    w_.raw(inner.view());
  }

  friend Result<Bytes> telepp::tl::encode_value_as(const Value& v, const Type& type);

  void value(const Value& v, const Type& t) {
    using K = Value::Kind;
    switch (t.kind) {
      case TypeKind::int32:
        if (v.kind() != K::int32) return mismatch("int", v);
        return w_.i32(v.as_int32());
      case TypeKind::int64:
        if (v.kind() != K::int64) return mismatch("long", v);
        return w_.i64(v.as_int64());
      case TypeKind::float64:
        if (v.kind() != K::float64) return mismatch("double", v);
        return w_.f64(v.as_double());
      case TypeKind::string:
      case TypeKind::bytes:
        if (v.kind() != K::string && v.kind() != K::bytes) return mismatch("string or bytes", v);
        return w_.bytes(v.as_text());
      case TypeKind::int128:
        if (v.kind() != K::int128) return mismatch("int128", v);
        return w_.int128(v.as_int128());
      case TypeKind::int256:
        if (v.kind() != K::int256) return mismatch("int256", v);
        return w_.int256(v.as_int256());
      case TypeKind::boolean:
        if (v.kind() != K::boolean) return mismatch("Bool", v);
        return w_.boolean(v.as_bool());
      case TypeKind::boxed:
      case TypeKind::query:
        return boxed(v);
      case TypeKind::object:
        if (v.kind() == K::bytes) return w_.raw(as_bytes(v.as_text()));  // an undecoded object kept as bytes
        return boxed(v);
      case TypeKind::bare:
        if (v.kind() != K::object) return mismatch("an object", v);
        return body(v.as_object());
      case TypeKind::vector:
      case TypeKind::bare_vector:
        if (v.kind() != K::vector) return mismatch("a vector", v);
        if (t.kind == TypeKind::vector) w_.vector_header(v.as_vector().size());
        else w_.bare_vector_count(v.as_vector().size());
        for (const auto& e : v.as_vector()) value(e, *t.element);
        return;
      case TypeKind::true_flag:
      case TypeKind::flags:
      case TypeKind::type_param:
        return w_.fail(TlErrc::bad_value, "type " + t.to_tl() + " has no value of its own");
    }
  }

  Writer& w_;
  int depth_ = 0;
};

class Decoder {
 public:
  Decoder(const Schema& s, Reader& r) : s_(s), r_(r) {}

  // Any constructor or function (the top level, `!X` and `Object`).
  Value any_boxed(bool functions_only, bool keep_unknown_as_bytes) {
    auto id = r_.u32();
    if (!r_.ok()) return {};
    const Combinator* c = s_.find(id);
    if (!c || (functions_only && !c->is_function)) {
      if (keep_unknown_as_bytes && !c) {
        // NOTE: an Object whose type only the request knows (e.g. a Vector in rpc_result): kept raw.
        auto rest = r_.raw(r_.remaining());
        std::string raw(4, '\0');
        store_le32(reinterpret_cast<Byte*>(raw.data()), id);
        raw.append(reinterpret_cast<const char*>(rest.data()), rest.size());
        return Value::of_bytes(std::move(raw));
      }
      r_.fail(c ? TlErrc::unexpected_id : TlErrc::unknown_id,
              "constructor " + hex32(id) + (c ? " (" + c->name + ") is not a function" : " is unknown"));
      return {};
    }
    return body(*c);
  }

  Value body(const Combinator& c) {
    auto previous = r_.enter(c.id);
    ObjectValue o{&c, std::vector<Value>(c.params.size())};
    std::vector<std::uint32_t> flags(c.params.size(), 0);
    for (std::size_t i = 0; i < c.params.size() && r_.ok(); ++i) {
      const auto& p = c.params[i];
      if (p.is_flags_word()) {
        flags[i] = r_.u32();
      } else if (p.type.kind == TypeKind::true_flag) {
        o.fields[i] = Value::of_bool((flags[static_cast<std::size_t>(p.flag_param)] & (1u << p.flag_bit)) != 0);
      } else if (p.is_conditional() && !(flags[static_cast<std::size_t>(p.flag_param)] & (1u << p.flag_bit))) {
        continue;
      } else if (is_length_of_next(c, i)) {
        auto length = r_.i32();
        if (length < 0 || static_cast<std::size_t>(length) > r_.remaining()) {
          r_.fail(TlErrc::bad_length, "object length " + std::to_string(length) + " does not fit the input");
          break;
        }
        o.fields[i] = Value::of_int32(length);
        auto inner_bytes = r_.raw(static_cast<std::size_t>(length));
        Reader inner(inner_bytes);
        o.fields[i + 1] = Decoder(s_, inner).any_boxed(false, true);
        if (!inner.finish()) {
          r_.fail(TlErrc::bad_value, "in the body: " + inner.error().detail);
        }
        ++i;
      } else {
        o.fields[i] = value(p.type);
      }
    }
    r_.leave(previous);
    return Value::of_object(std::move(o));
  }

 private:
  friend Result<Value> telepp::tl::decode_value_as(const Schema& schema, const Type& type, ByteView data);

  Value value(const Type& t) {
    switch (t.kind) {
      case TypeKind::int32: return Value::of_int32(r_.i32());
      case TypeKind::int64: return Value::of_int64(r_.i64());
      case TypeKind::float64: return Value::of_double(r_.f64());
      case TypeKind::string: return Value::of_string(r_.bytes());
      case TypeKind::bytes: return Value::of_bytes(r_.bytes());
      case TypeKind::int128: return Value::of_int128(r_.int128());
      case TypeKind::int256: return Value::of_int256(r_.int256());
      case TypeKind::boolean: return Value::of_bool(r_.boolean());
      case TypeKind::boxed: return boxed_of(t.name);
      case TypeKind::query: return any_boxed(true, false);
      case TypeKind::object: return any_boxed(false, true);
      case TypeKind::bare: {
        const auto* c = s_.find(t.name);
        return c ? body(*c) : Value{};
      }
      case TypeKind::vector:
      case TypeKind::bare_vector: {
        std::size_t min = min_size(*t.element);
        auto n = t.kind == TypeKind::vector ? r_.vector_header(min) : r_.bare_vector_count(min);
        Value::Vector items;
        items.reserve(n);
        for (std::uint32_t i = 0; i < n && r_.ok(); ++i) items.push_back(value(*t.element));
        return Value::of_vector(std::move(items));
      }
      case TypeKind::true_flag:
      case TypeKind::flags:
      case TypeKind::type_param: break;
    }
    r_.fail(TlErrc::bad_value, "type " + t.to_tl() + " cannot be read on its own");
    return {};
  }

  Value boxed_of(const std::string& type) {
    auto id = r_.u32();
    if (!r_.ok()) return {};
    const Combinator* c = s_.find(id);
    if (!c) {
      r_.fail(TlErrc::unknown_id, "constructor " + hex32(id) + " is unknown (expected " + type + ")");
      return {};
    }
    if (c->is_function || c->result.name != type) {
      r_.fail(TlErrc::unexpected_id, "constructor " + hex32(id) + " (" + c->name + ") is not a " + type);
      return {};
    }
    return body(*c);
  }

  static std::size_t min_size(const Type& t) {
    switch (t.kind) {
      case TypeKind::int64:
      case TypeKind::float64: return 8;
      case TypeKind::int128: return 16;
      case TypeKind::int256: return 32;
      case TypeKind::bare: return 0;
      default: return 4;
    }
  }

  const Schema& s_;
  Reader& r_;
};

}  // namespace

Result<Bytes> encode_value(const Value& v) {
  Writer w;
  Encoder(w).boxed(v);
  TELEPP_TRY(w.status());
  return w.view().size() ? Bytes(w.view().begin(), w.view().end()) : Bytes{};
}

Result<Bytes> encode_value_as(const Value& v, const Type& type) {
  Writer w;
  Encoder(w).value(v, type);
  TELEPP_TRY(w.status());
  return Bytes(w.view().begin(), w.view().end());
}

Result<Value> decode_value_as(const Schema& schema, const Type& type, ByteView data) {
  Reader r(data);
  Value v = Decoder(schema, r).value(type);
  TELEPP_TRY(r.finish());
  return v;
}

Result<Value> decode_value(const Schema& schema, ByteView data) {
  Reader r(data);
  Value v = Decoder(schema, r).any_boxed(false, false);
  TELEPP_TRY(r.finish());
  return v;
}

}  // namespace telepp::tl
