// The TCP group (runtime/tcp_group.hpp) with ranks as threads over a real
// store: every collective, type and size on 1 to 4 members, and the
// failures a user meets -- a peer that goes away mid-call, a stranger on
// the port, a rank that never comes.
#include <poll.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "runtime/group_factory.hpp"
#include "runtime/tcp_group.hpp"
#include "runtime/tcp_handshake.hpp"
#include "runtime/tcp_socket.hpp"
#include "tcp_group_checks.hpp"

using accel::DataType;
using accel::ReduceOp;
using accel::runtime_detail::make_tcp_group;
using namespace accel::testing::group_checks;
using accel::testing::StoreServerFixture;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> no_errors(int world) {
  return std::vector<std::string>(static_cast<std::size_t>(world));
}

}  // namespace

TEST_CASE("tcp group: every collective, type and size on 1 to 4 members", "[runtime][tcp]") {
  StoreServerFixture store;
  for (const int world : {1, 2, 3, 4}) {
    INFO("world size " << world);
    // 0, 1, odd, past the small-message path (the ring) in every type.
    const std::vector<std::size_t> counts{0, 1, 7, 40'001, 300'001};
    std::vector<int> roots{0, world - 1};
    if (world == 1) roots = {0};
    const auto errors = run_ranks(world, [&](int rank) {
      auto client = connect_store(store);
      const auto group =
          make_tcp_group(context_for(client, "sweep" + std::to_string(world) + "/", rank, world));
      if (group->rank() != rank || group->size() != world) throw std::logic_error("rank/size");
      check_every_collective(*group, counts, roots);
    });
    CHECK(errors == no_errors(world));
  }
}

TEST_CASE("tcp group: a few MiB go round the ring intact", "[runtime][tcp]") {
  StoreServerFixture store;
  constexpr std::size_t kCount = 1'500'007;  // 6 MiB of fp32, not divisible by 3 or 4
  for (const int world : {3, 4}) {
    const auto errors = run_ranks(world, [&](int rank) {
      auto client = connect_store(store);
      const auto group =
          make_tcp_group(context_for(client, "big" + std::to_string(world) + "/", rank, world));
      CallCounter calls;
      const auto mine = encoded(input_of(rank, kCount), DataType::kFloat32);
      std::vector<std::byte> out(mine.size());
      group->all_reduce(mine.data(), out.data(), kCount, DataType::kFloat32, ReduceOp::kSum,
                        calls.next("all_reduce"));
      expect_equal(out, encoded(reduced_of(world, kCount, ReduceOp::kSum), DataType::kFloat32),
                   "6 MiB all_reduce");
      std::vector<std::byte> all(mine.size() * static_cast<std::size_t>(world));
      group->all_gather(mine.data(), all.data(), kCount, DataType::kFloat32,
                        calls.next("all_gather"));
      expect_equal(all, encoded(gathered_of(world, kCount), DataType::kFloat32),
                   "6 MiB all_gather");
    });
    CHECK(errors == no_errors(world));
  }
}

TEST_CASE("tcp group: a peer that goes away mid-call fails the call, naming it", "[runtime][tcp]") {
  StoreServerFixture store;
  const auto started = std::chrono::steady_clock::now();
  const auto errors = run_ranks(2, [&](int rank) {
    auto client = connect_store(store);
    auto group = make_tcp_group(context_for(client, "gone/", rank, 2));
    CallCounter calls;
    group->barrier(calls.next("barrier"));
    if (rank == 1) {
      // Rank 0 is (or soon will be) waiting in all_reduce #2; leaving
      // closes this member's connections as a dying process's would.
      std::this_thread::sleep_for(100ms);
      group.reset();
      return;
    }
    std::vector<float> data(1000, 1.0F);
    group->all_reduce(data.data(), data.data(), data.size(), DataType::kFloat32, ReduceOp::kSum,
                      calls.next("all_reduce"));
  });
  CHECK_THAT(errors[0], Catch::StartsWith("rank 1 disconnected during all_reduce #2 on rank 0"));
  CHECK(errors[1].empty());
  CHECK(std::chrono::steady_clock::now() - started < 10s);
}

TEST_CASE("tcp group: a ring whose member disconnects fails everyone promptly", "[runtime][tcp]") {
  StoreServerFixture store;
  const auto started = std::chrono::steady_clock::now();
  const auto errors = run_ranks(3, [&](int rank) {
    auto client = connect_store(store);
    auto group = make_tcp_group(context_for(client, "ring-gone/", rank, 3));
    CallCounter calls(60s);
    group->barrier(calls.next("barrier"));
    if (rank == 2) {
      std::this_thread::sleep_for(100ms);
      group.reset();
      return;
    }
    std::vector<float> data(1 << 20, 1.0F);  // the ring path
    group->all_reduce(data.data(), data.data(), data.size(), DataType::kFloat32, ReduceOp::kSum,
                      calls.next("all_reduce"));
  });
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  for (const int rank : {0, 1}) {
    CHECK_THAT(errors[rank], Catch::Contains("disconnected during all_reduce #2 on rank " +
                                             std::to_string(rank)));
  }
  // Rank 1 sends to rank 2 and rank 0 receives from it: one of them sees it.
  CHECK((errors[0].rfind("rank 2 ", 0) == 0 || errors[1].rfind("rank 2 ", 0) == 0));
}

TEST_CASE("tcp group: a call that a member never makes times out naming it", "[runtime][tcp]") {
  StoreServerFixture store;
  std::promise<void> others_done;
  auto done = others_done.get_future().share();
  std::atomic<int> finished{0};
  const auto errors = run_ranks(3, [&](int rank) {
    auto client = connect_store(store);
    auto group = make_tcp_group(context_for(client, "late/", rank, 3, 1s));
    if (rank == 2) {
      done.wait();  // alive and connected, but not calling
      return;
    }
    CallCounter calls(1s);
    std::vector<std::int64_t> data(5, 1);
    try {
      group->all_reduce(data.data(), data.data(), data.size(), DataType::kInt64, ReduceOp::kSum,
                        calls.next("all_reduce"));
    } catch (...) {
      if (++finished == 2) others_done.set_value();
      throw;
    }
  });
  for (const int rank : {0, 1}) {
    CHECK(errors[rank] == "all_reduce #1 on rank " + std::to_string(rank) +
                              " timed out after 1 s: rank 2 did not arrive (no data moved); are "
                              "they still running, and calling the same collectives in the same "
                              "order? (the timeout is ACCEL_RUNTIME_TIMEOUT)");
  }
  CHECK(errors[2].empty());
}

TEST_CASE("tcp group: a ring that stalls says where the data stopped", "[runtime][tcp]") {
  StoreServerFixture store;
  std::promise<void> others_done;
  auto done = others_done.get_future().share();
  std::atomic<int> finished{0};
  const auto errors = run_ranks(3, [&](int rank) {
    auto client = connect_store(store);
    auto group = make_tcp_group(context_for(client, "ring-late/", rank, 3, 1s));
    if (rank == 2) {
      done.wait();
      return;
    }
    CallCounter calls(1s);
    std::vector<float> data(1 << 20, 1.0F);  // the ring path
    try {
      group->all_reduce(data.data(), data.data(), data.size(), DataType::kFloat32, ReduceOp::kSum,
                        calls.next("all_reduce"));
    } catch (...) {
      if (++finished == 2) others_done.set_value();
      throw;
    }
  });
  // Rank 0 receives from rank 2, the one that never came.
  CHECK_THAT(errors[0], Catch::StartsWith("all_reduce #1 on rank 0 timed out after 1 s: no data "
                                          "came round the ring from rank 2 (it did not arrive"));
  // Rank 1 times out too, or sees rank 0 close its connections first.
  CHECK_THAT(errors[1],
             Catch::Contains("all_reduce #1 on rank 1 timed out after 1 s") ||
                 Catch::StartsWith("rank 0 disconnected during all_reduce #1 on rank 1"));
}

TEST_CASE("tcp group: set-up names the member that never connects", "[runtime][tcp]") {
  StoreServerFixture store;
  auto client = connect_store(store);
  CHECK_THROWS_WITH(make_tcp_group(context_for(client, "alone/", 0, 2, 500ms)),
                    Catch::Contains("on rank 0: timed out after 500 ms: rank 1 did not connect"));
  auto other = connect_store(store);
  CHECK_THROWS_WITH(make_tcp_group(context_for(other, "alone2/", 1, 2, 500ms)),
                    Catch::Contains("on rank 1: timed out after 500 ms: rank 0 did not publish an "
                                    "address"));
}

namespace {

// A hello as a real member `member` of job-7's group "strangers/" would send
// it to the member that published `record`, but under `token`.
accel::runtime_detail::TcpHello hello_under(const std::string& token, const std::string& job,
                                            const std::string& prefix, int member, int global_rank,
                                            const accel::runtime_detail::AddressRecord& record) {
  accel::runtime_detail::TcpHello hello{job, prefix, member, global_rank};
  hello.challenge = std::string(accel::runtime_detail::kChallengeBytes, 'c');
  hello.proof = accel::runtime_detail::caller_proof(token, hello, record.nonce);
  return hello;
}

}  // namespace

TEST_CASE("tcp group: a stranger on the port is dropped, never taken for a rank",
          "[runtime][tcp]") {
  using namespace accel::runtime_detail;
  StoreServerFixture store;
  std::promise<void> stranger_done;
  auto done = stranger_done.get_future().share();
  std::string stranger_saw;
  std::thread stranger([&] {
    auto client = connect_store(store);
    const auto record = parse_address_record(client.wait("strangers/tcp/0", 20s));
    AddressRecord other_setup = *record;
    other_setup.nonce = std::string(kChallengeBytes, 'x');  // a hello seen in another set-up
    auto deadline = SocketClock::now() + 20s;
    for (const TcpHello& hello :
         {hello_under("secret", "other-job", "strangers/", 1, 1, *record),
          hello_under("secret", "job-7", "strangers/", 1, 7, *record),
          hello_under("secret", "job-7", "earlier-attempt/", 1, 1, *record),
          hello_under("not-the-token", "job-7", "strangers/", 1, 1, *record),
          hello_under("secret", "job-7", "strangers/", 1, 1, other_setup)}) {
      std::string error;
      auto fd = connect_before(record->endpoint, deadline, error);
      const std::string bytes = encode_hello(hello);
      send_before(fd.get(), bytes.data(), bytes.size(), deadline, error);
      // The member reads the hello and closes: end of stream, no answer.
      pollfd entry{fd.get(), POLLIN, 0};
      ::poll(&entry, 1, 20'000);
      char byte = 0;
      stranger_saw += std::to_string(::recv(fd.get(), &byte, 1, 0)) + " ";
    }
    stranger_done.set_value();
  });
  const auto errors = run_ranks(2, [&](int rank) {
    auto client = connect_store(store);
    if (rank == 1) done.wait();  // the real member comes after the strangers
    auto group = make_tcp_group(context_for(client, "strangers/", rank, 2));
    std::vector<std::int32_t> data{rank + 1};
    CallCounter calls;
    group->all_reduce(data.data(), data.data(), 1, DataType::kInt32, ReduceOp::kSum,
                      calls.next("all_reduce"));
    if (data[0] != 3) throw std::runtime_error("wrong sum");
  });
  stranger.join();
  CHECK(errors == no_errors(2));
  CHECK(stranger_saw == "0 0 0 0 0 ");
}

TEST_CASE("tcp group: a process on a member's port that cannot prove the token is refused",
          "[runtime][tcp]") {
  using namespace accel::runtime_detail;
  StoreServerFixture store;
  // An impostor publishes itself as member 0 and answers every hello with
  // member 0's fields, but without the token.
  Listener listener = listen_on("127.0.0.1", 4);
  auto impostor_store = connect_store(store);
  impostor_store.set("impostor/tcp/0",
                     encode_address_record({listener.endpoint, std::string(kChallengeBytes, 'n')}));
  std::thread impostor([&] {
    pollfd entry{listener.fd.get(), POLLIN, 0};
    ::poll(&entry, 1, 20'000);
    accel::base::UniqueFd fd = accept_pending(listener.fd.get());
    std::string received;
    char buffer[512];
    while (parse_hello(received).status == HelloParse::Status::kIncomplete) {
      pollfd readable{fd.get(), POLLIN, 0};
      ::poll(&readable, 1, 20'000);
      const ssize_t got = ::recv(fd.get(), buffer, sizeof buffer, 0);
      if (got <= 0) return;
      received.append(buffer, static_cast<std::size_t>(got));
    }
    TcpHello answer{"job-7", "impostor/", 0, 0};
    answer.proof = answer_proof("guessed", answer, parse_hello(received).hello.challenge);
    const std::string bytes = encode_hello(answer);
    std::string error;
    send_before(fd.get(), bytes.data(), bytes.size(), SocketClock::now() + 20s, error);
  });
  auto client = connect_store(store);
  CHECK_THROWS_WITH(make_tcp_group(context_for(client, "impostor/", 1, 2, 5s)),
                    Catch::Contains("the process listening at rank 0's address is not that rank "
                                    "of this job") &&
                        Catch::Contains("--rdzv_token"));
  impostor.join();
}

TEST_CASE("tcp group: hellos round-trip and garbage is refused early", "[runtime][tcp]") {
  using namespace accel::runtime_detail;
  TcpHello hello{"job-7", "accel/comm/attempt0/world/", 3, 11};
  hello.challenge = std::string(kChallengeBytes, '\x7f');
  hello.proof = caller_proof("secret", hello, std::string(kChallengeBytes, 'n'));
  const std::string bytes = encode_hello(hello);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    const HelloParse partial = parse_hello(std::string_view(bytes).substr(0, cut));
    REQUIRE(partial.status == HelloParse::Status::kIncomplete);
    CHECK(partial.missing > 0);
  }
  const HelloParse whole = parse_hello(bytes);
  REQUIRE(whole.status == HelloParse::Status::kComplete);
  CHECK(whole.hello == hello);
  CHECK(whole.length == bytes.size());
  CHECK(parse_hello("GET / HTTP/1.1\r\n").status == HelloParse::Status::kMalformed);
  CHECK(parse_hello("AC").status == HelloParse::Status::kIncomplete);
  CHECK(parse_hello("AX").status == HelloParse::Status::kMalformed);
}

TEST_CASE("tcp group: proofs bind the token, the fields, the nonce and the role",
          "[runtime][tcp]") {
  using namespace accel::runtime_detail;
  const std::string nonce(kChallengeBytes, 'n');
  TcpHello hello{"job-7", "world/", 1, 1};
  hello.challenge = std::string(kChallengeBytes, 'c');
  hello.proof = caller_proof("secret", hello, nonce);
  CHECK(has_caller_proof("secret", hello, nonce));
  CHECK_FALSE(has_caller_proof("other", hello, nonce));
  CHECK_FALSE(has_caller_proof("secret", hello, std::string(kChallengeBytes, 'm')));
  CHECK_FALSE(has_answer_proof("secret", hello, nonce));  // a hello is no answer
  TcpHello moved = hello;
  moved.global_rank = 2;
  CHECK_FALSE(has_caller_proof("secret", moved, nonce));
  // Without a token the fields and the nonce are still bound.
  hello.proof = caller_proof("", hello, nonce);
  CHECK(has_caller_proof("", hello, nonce));
  CHECK_FALSE(has_caller_proof("", hello, std::string(kChallengeBytes, 'm')));
}

TEST_CASE("tcp group: address records round-trip, garbage is refused", "[runtime][tcp]") {
  using namespace accel::runtime_detail;
  const AddressRecord record{
      {"fe80::1", 29500},
      std::string("\x00\x01\xfe\xff", 4) + std::string(kChallengeBytes - 4, 'a')};
  const std::string text = encode_address_record(record);
  CHECK(text == "[fe80::1]:29500 0001feff616161616161616161616161");
  const auto parsed = parse_address_record(text);
  REQUIRE(parsed);
  CHECK(parsed->endpoint.text() == "[fe80::1]:29500");
  CHECK(parsed->nonce == record.nonce);
  for (const std::string bad :
       {"10.0.0.1:80", "10.0.0.1:80 00", "nohost 0001feff616161616161616161616161",
        "10.0.0.1:80 0001feff61616161616161616161616g"}) {
    CHECK_FALSE(parse_address_record(bad));
  }
}

TEST_CASE("tcp group: endpoints print and parse, IPv6 in brackets", "[runtime][tcp]") {
  using namespace accel::runtime_detail;
  CHECK(Endpoint{"10.0.0.1", 29500}.text() == "10.0.0.1:29500");
  CHECK(Endpoint{"fe80::1", 80}.text() == "[fe80::1]:80");
  CHECK(parse_endpoint("[fe80::1]:80")->host == "fe80::1");
  CHECK(parse_endpoint("10.0.0.1:29500")->port == 29500);
  CHECK_FALSE(parse_endpoint("10.0.0.1"));
  CHECK_FALSE(parse_endpoint("10.0.0.1:0"));
  CHECK_FALSE(parse_endpoint("10.0.0.1:99999"));
  CHECK_FALSE(parse_endpoint(":80"));
}
