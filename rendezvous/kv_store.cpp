#include "rendezvous/kv_store.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace accel::rendezvous {

void KvStore::set(const std::string& key, std::string value, std::vector<WaiterId>& ready) {
  const auto [place, created] = values_.insert_or_assign(key, std::move(value));
  if (created) key_created(key, ready);
}

int64_t KvStore::add(const std::string& key, int64_t delta, std::vector<WaiterId>& ready) {
  int64_t current = 0;
  const auto place = values_.find(key);
  if (place != values_.end()) {
    const std::string& text = place->second;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), current);
    if (error != std::errc() || end != text.data() + text.size()) {
      throw KvError("store key '" + key + "' holds a value that is not an integer, so add() " +
                    "cannot count with it");
    }
  }
  int64_t result = 0;
  if (__builtin_add_overflow(current, delta, &result)) {
    throw KvError("store key '" + key + "': adding " + std::to_string(delta) + " to " +
                  std::to_string(current) + " overflows a 64-bit integer");
  }
  set(key, std::to_string(result), ready);
  return result;
}

bool KvStore::compare_set(const std::string& key, const std::string& expected, std::string desired,
                          std::vector<WaiterId>& ready) {
  const auto place = values_.find(key);
  const bool matches = place == values_.end() ? expected.empty() : place->second == expected;
  if (matches) set(key, std::move(desired), ready);
  return matches;
}

bool KvStore::remove(const std::string& key) {
  return values_.erase(key) > 0;
}

std::optional<std::string> KvStore::get(const std::string& key) const {
  const auto place = values_.find(key);
  if (place == values_.end()) return std::nullopt;
  return place->second;
}

bool KvStore::wait(WaiterId waiter, const std::vector<std::string>& keys) {
  std::vector<std::string> absent = missing(keys);
  if (absent.empty()) return true;
  register_waiter(waiter, std::move(absent));
  waiters_.at(waiter).keys = keys;
  return false;
}

void KvStore::register_waiter(WaiterId id, std::vector<std::string> absent) {
  // A key named twice is waited for once.
  std::sort(absent.begin(), absent.end());
  absent.erase(std::unique(absent.begin(), absent.end()), absent.end());
  Waiter& waiter = waiters_[id];
  waiter.missing = absent.size();
  for (std::string& key : absent) waiting_on_[std::move(key)].push_back(id);
}

void KvStore::cancel(WaiterId waiter) {
  waiters_.erase(waiter);
}

void KvStore::key_created(const std::string& key, std::vector<WaiterId>& ready) {
  const auto place = waiting_on_.find(key);
  if (place == waiting_on_.end()) return;
  std::vector<WaiterId> ids = std::move(place->second);
  waiting_on_.erase(place);
  for (const WaiterId id : ids) {
    const auto waiter = waiters_.find(id);
    if (waiter == waiters_.end() || --waiter->second.missing > 0) continue;
    // A key counted as created may have been removed again since: wait on.
    std::vector<std::string> absent = missing(waiter->second.keys);
    if (absent.empty()) {
      waiters_.erase(waiter);
      ready.push_back(id);
    } else {
      std::vector<std::string> keys = std::move(waiter->second.keys);
      register_waiter(id, std::move(absent));
      waiters_.at(id).keys = std::move(keys);
    }
  }
}

std::vector<std::string> KvStore::values(const std::vector<std::string>& keys) const {
  std::vector<std::string> result;
  result.reserve(keys.size());
  for (const std::string& key : keys) result.push_back(values_.at(key));
  return result;
}

std::vector<std::string> KvStore::missing(const std::vector<std::string>& keys) const {
  std::vector<std::string> absent;
  for (const std::string& key : keys) {
    if (!values_.contains(key)) absent.push_back(key);
  }
  return absent;
}

}  // namespace accel::rendezvous
