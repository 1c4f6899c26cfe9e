// Sharing NCCL's unique id through the job's store
// (runtime/nccl_bootstrap.hpp). ncclGetUniqueId needs no GPU, so the whole
// exchange runs here, with thread ranks.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "rendezvous/store_client.hpp"
#include "runtime/nccl_bootstrap.hpp"
#include "runtime/store_server_fixture.hpp"

namespace rt = accel::runtime_detail;

namespace {

rt::CallInfo first_call(std::chrono::milliseconds timeout) {
  rt::CallInfo call;
  call.name = "all_reduce";
  call.sequence = 1;
  call.deadline = rt::Clock::now() + timeout;
  return call;
}

accel::rendezvous::StoreClient connect(const accel::testing::StoreServerFixture& fixture) {
  const auto env = fixture.worker_env(0, 1);
  return accel::rendezvous::StoreClient::connect(
      "127.0.0.1", static_cast<uint16_t>(std::stoi(env.at("ACCEL_STORE_PORT"))), "secret",
      fixture.job_id(), std::chrono::seconds(10));
}

rt::GroupContext context_of(accel::rendezvous::StoreClient& store, int rank, int world,
                            std::chrono::milliseconds timeout) {
  rt::GroupContext context;
  context.store = &store;
  context.key_prefix = "accel/comm/attempt0/world/";
  context.rank = rank;
  context.global_ranks.resize(static_cast<std::size_t>(world));
  std::iota(context.global_ranks.begin(), context.global_ranks.end(), 0);
  context.timeout = timeout;
  return context;
}

}  // namespace

TEST_CASE("nccl bootstrap: the unique id survives the store's text", "[runtime][nccl]") {
  ncclUniqueId id{};
  for (std::size_t i = 0; i < sizeof(id.internal); ++i) id.internal[i] = static_cast<char>(i * 7);
  const std::string text = rt::encode_unique_id(id);
  CHECK(text.size() == 2 * sizeof(id.internal));
  const auto decoded = rt::decode_unique_id(text);
  REQUIRE(decoded);
  CHECK(std::memcmp(decoded->internal, id.internal, sizeof(id.internal)) == 0);
  CHECK_FALSE(rt::decode_unique_id("abc"));
  CHECK_FALSE(rt::decode_unique_id(std::string(text.size(), 'z')));
}

TEST_CASE("nccl bootstrap: every rank gets rank 0's id", "[runtime][nccl]") {
  const rt::NcclLibrary nccl(ACCEL_TEST_NCCL_LIBRARY);
  accel::testing::StoreServerFixture fixture;
  constexpr int kWorld = 3;
  std::vector<std::string> ids(kWorld);
  const auto errors = accel::testing::run_ranks(kWorld, [&](int rank) {
    auto store = connect(fixture);
    const auto context = context_of(store, rank, kWorld, std::chrono::seconds(20));
    ids[static_cast<std::size_t>(rank)] =
        rt::encode_unique_id(rt::share_unique_id(nccl, context, first_call(context.timeout)));
  });
  for (const auto& error : errors) CHECK(error == "");
  auto store = connect(fixture);
  CHECK(rt::ranks_not_joined(context_of(store, 0, kWorld, std::chrono::seconds(1))).empty());
  CHECK(ids[0] == ids[1]);
  CHECK(ids[0] == ids[2]);
}

TEST_CASE("nccl bootstrap: a rank 0 that never comes is named", "[runtime][nccl]") {
  const rt::NcclLibrary nccl(ACCEL_TEST_NCCL_LIBRARY);
  accel::testing::StoreServerFixture fixture;
  auto store = connect(fixture);
  const auto context = context_of(store, 1, 2, std::chrono::milliseconds(300));
  CHECK_THROWS_WITH(rt::share_unique_id(nccl, context, first_call(context.timeout)),
                    Catch::Contains("all_reduce #1 on rank 1 timed out after 300 ms waiting for "
                                    "rank 0 to publish NCCL's id"));
  CHECK(rt::ranks_not_joined(context) == std::vector<int>{0});
}
