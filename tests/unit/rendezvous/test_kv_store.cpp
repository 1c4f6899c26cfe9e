// The store's semantics, waiters included, without a server.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "rendezvous/kv_store.hpp"

using namespace accel::rendezvous;

TEST_CASE("kv_store: set, get, overwrite, remove", "[rendezvous][kv]") {
  KvStore store;
  std::vector<WaiterId> ready;
  CHECK_FALSE(store.get("k"));
  store.set("k", "v1", ready);
  CHECK(store.get("k") == std::optional<std::string>("v1"));
  store.set("k", std::string("\0v2", 3), ready);
  CHECK(store.get("k") == std::optional<std::string>(std::string("\0v2", 3)));
  CHECK(store.remove("k"));
  CHECK_FALSE(store.remove("k"));
  CHECK_FALSE(store.get("k"));
  CHECK(ready.empty());
}

TEST_CASE("kv_store: add counts from zero as decimal text", "[rendezvous][kv]") {
  KvStore store;
  std::vector<WaiterId> ready;
  CHECK(store.add("n", 1, ready) == 1);
  CHECK(store.add("n", 5, ready) == 6);
  CHECK(store.add("n", -10, ready) == -4);
  CHECK(store.get("n") == std::optional<std::string>("-4"));
  store.set("text", "abc", ready);
  CHECK_THROWS_WITH(store.add("text", 1, ready),
                    Catch::Contains("'text' holds a value that is not an integer"));
  store.set("big", "9223372036854775807", ready);
  CHECK_THROWS_WITH(store.add("big", 1, ready), Catch::Contains("overflows"));
}

TEST_CASE("kv_store: compare_set as torch's TCPStore", "[rendezvous][kv]") {
  KvStore store;
  std::vector<WaiterId> ready;
  CHECK_FALSE(store.compare_set("k", "x", "y", ready));  // absent, expected not empty
  CHECK_FALSE(store.get("k"));
  CHECK(store.compare_set("k", "", "first", ready));  // absent and expected empty
  CHECK(store.compare_set("k", "first", "second", ready));
  CHECK_FALSE(store.compare_set("k", "first", "third", ready));
  CHECK(store.get("k") == std::optional<std::string>("second"));
}

TEST_CASE("kv_store: wait is answered now or when its last key appears", "[rendezvous][kv]") {
  KvStore store;
  std::vector<WaiterId> ready;
  store.set("a", "1", ready);
  CHECK(store.wait(1, {"a"}));
  CHECK_FALSE(store.wait(2, {"a", "b", "c", "b"}));
  CHECK(store.waiter_count() == 1);
  CHECK(store.missing({"a", "b", "c"}) == std::vector<std::string>{"b", "c"});
  store.set("b", "2", ready);
  CHECK(ready.empty());
  store.add("c", 3, ready);
  CHECK(ready == std::vector<WaiterId>{2});
  CHECK(store.values({"a", "b", "c", "b"}) == std::vector<std::string>{"1", "2", "3", "2"});
  CHECK(store.waiter_count() == 0);
}

TEST_CASE("kv_store: a barrier of many waiters on one key", "[rendezvous][kv]") {
  KvStore store;
  std::vector<WaiterId> ready;
  for (WaiterId id = 1; id <= 1000; ++id) CHECK_FALSE(store.wait(id, {"go"}));
  store.cancel(500);
  store.set("go", "now", ready);
  CHECK(ready.size() == 999);
  CHECK(store.waiter_count() == 0);
}

TEST_CASE("kv_store: a key removed again before the others appear is waited for again",
          "[rendezvous][kv]") {
  KvStore store;
  std::vector<WaiterId> ready;
  CHECK_FALSE(store.wait(7, {"a", "b"}));
  store.set("a", "1", ready);
  store.remove("a");
  store.set("b", "2", ready);
  CHECK(ready.empty());
  store.set("a", "again", ready);
  CHECK(ready == std::vector<WaiterId>{7});
}

TEST_CASE("kv_store: a cancelled waiter is never reported", "[rendezvous][kv]") {
  KvStore store;
  std::vector<WaiterId> ready;
  CHECK_FALSE(store.wait(3, {"k"}));
  store.cancel(3);
  store.set("k", "v", ready);
  CHECK(ready.empty());
}
