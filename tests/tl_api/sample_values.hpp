#pragma once
// Schema-driven sample values: one object per combinator with every field filled, either with all
// optional fields present or all absent, so every type of a schema can be round-tripped without
// writing a test per type.

#include <cstdint>

#include "telepp/tl/schema.hpp"
#include "telepp/tl/value.hpp"

namespace telepp::test {

class SampleMaker {
 public:
  /// `optional_present`: fill conditional fields (down to `max_depth`; deeper objects use their
  /// cheapest constructor with optional fields absent, which keeps the sample finite).
  SampleMaker(const tl::Schema& schema, bool optional_present, int max_depth = 3);

  /// A sample of `c` (a constructor or a function), deterministic for a given seed.
  tl::Value object(const tl::Combinator& c, std::uint64_t seed = 1);

 private:
  tl::Value value(const tl::Type& t, int depth);
  tl::Value object_at(const tl::Combinator& c, int depth);
  const tl::Combinator* pick_constructor(const std::string& type, int depth);
  std::uint64_t next();
  void compute_costs();
  std::size_t cost_of(const tl::Type& t) const;

  const tl::Schema& schema_;
  bool optional_present_;
  int max_depth_;
  std::uint64_t state_ = 1;
  std::vector<std::size_t> ctor_cost_;  // indexed like schema.combinators()
};

}  // namespace telepp::test
