#pragma once
/// \file `TrackedMap`: a std::map that remembers which keys were reached for writing, so the
/// SQLite store (persistence.hpp) writes only those records after a query. Reads through a const
/// reference mark nothing; anything that could change or erase a value marks its key.

#include <map>
#include <set>

namespace telepp::server {

template <class K, class V>
class TrackedMap {
 public:
  using Map = std::map<K, V>;
  using iterator = typename Map::iterator;
  using const_iterator = typename Map::const_iterator;

  V& operator[](const K& key) {
    touched_.insert(key);
    return map_[key];
  }
  /// NOTE: a mutable find marks the key even when the caller only reads (the store then
  /// rewrites one small row); use a const reference to read without marking.
  iterator find(const K& key) {
    touched_.insert(key);
    return map_.find(key);
  }
  const_iterator find(const K& key) const { return map_.find(key); }
  std::size_t erase(const K& key) {
    touched_.insert(key);
    return map_.erase(key);
  }
  std::size_t count(const K& key) const { return map_.count(key); }
  std::size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }
  iterator end() { return map_.end(); }
  const_iterator begin() const { return map_.begin(); }
  const_iterator end() const { return map_.end(); }

  /// The values, for reading.
  const Map& values() const { return map_; }
  /// Keys reached for writing since the last `clear_touched` (present: write; absent: delete).
  const std::set<K>& touched() const { return touched_; }
  void clear_touched() { touched_.clear(); }

 private:
  Map map_;
  std::set<K> touched_;
};

}  // namespace telepp::server
