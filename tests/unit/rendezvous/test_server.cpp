// The real thing on 127.0.0.1: a server, member clients on the same loop,
// store clients in threads (they block), and hostile raw sockets.
#include <sys/resource.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>
#include <thread>

#include "rendezvous/frame.hpp"
#include "rendezvous/hmac.hpp"
#include "rendezvous/store_client.hpp"
#include "rendezvous_fixture.hpp"
#include "skip.hpp"

using namespace accel::rendezvous;
using namespace accel::testing;
using boost::asio::ip::tcp;

namespace {

bool all_over(RendezvousFixture& f, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    if (!f.log(i).over()) return false;
  }
  return true;
}

// A store client on a raw socket, so a test can send requests back to back
// without reading, which the synchronous StoreClient never does.
class RawStoreClient {
 public:
  RawStoreClient(RendezvousFixture& f, uint16_t port) : f_(f), socket_(f.io()) {
    socket_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    const std::string client_nonce(kNonceBytes, 'c');
    write({Hello{kProtocolMagic, kProtocolVersion, "job-7", Role::kStore, client_nonce}});
    const auto challenge = std::get<Challenge>(receive(1).at(0));
    HmacSha256 token_mac("secret");
    const ProofInput input{challenge.server_nonce, client_nonce, "job-7", Role::kStore};
    write({Proof{client_proof(token_mac, input)}});
    REQUIRE(std::holds_alternative<Welcome>(receive(1).at(0)));
  }

  // All of `messages` in one write.
  void write(const std::vector<Message>& messages) {
    std::string bytes;
    for (const Message& message : messages) bytes += encode_frame(encode(message));
    boost::asio::write(socket_, boost::asio::buffer(bytes));
  }

  // The next `count` messages, running the loop meanwhile.
  std::vector<Message> receive(std::size_t count) {
    socket_.non_blocking(true);
    std::vector<Message> messages;
    const bool done = f_.run_until([&] {
      char bytes[64 * 1024];
      boost::system::error_code error;
      const std::size_t got = socket_.read_some(boost::asio::buffer(bytes), error);
      if (!error) decoder_.append(std::string_view(bytes, got));
      while (messages.size() < count) {
        std::optional<std::string> payload = decoder_.next();
        if (!payload) break;
        messages.push_back(decode(*payload));
      }
      return messages.size() == count;
    });
    socket_.non_blocking(false);
    REQUIRE(done);
    return messages;
  }

 private:
  RendezvousFixture& f_;
  tcp::socket socket_;
  FrameDecoder decoder_;
};

std::vector<std::string> values_of(const std::vector<Message>& replies) {
  std::vector<std::string> values;
  for (const Message& reply : replies) {
    const auto& store_reply = std::get<StoreReply>(reply);
    values.push_back(store_reply.values.empty()
                         ? "<" + std::to_string(static_cast<int>(store_reply.status)) + ">"
                         : store_reply.values.front());
  }
  return values;
}

}  // namespace

TEST_CASE("server: requests sent back to back are answered in order, batch after batch",
          "[rendezvous][server]") {
  RendezvousFixture f;
  Server& server = f.start_server(f.server_options(1));
  RawStoreClient client(f, server.port());
  for (int batch = 0; batch < 3; ++batch) {
    const std::string a = "a" + std::to_string(batch);
    const std::string b = std::string(100'000, static_cast<char>('0' + batch));
    client.write({StoreSet{"a", a}, StoreSet{"b", b}, StoreGet{"a"}, StoreGet{"b"},
                  StoreGet{"absent"}, StoreGet{"a"}});
    const std::vector<std::string> values = values_of(client.receive(6));
    const std::string not_found =
        "<" + std::to_string(static_cast<int>(StoreStatus::kNotFound)) + ">";
    const std::string ok = "<" + std::to_string(static_cast<int>(StoreStatus::kOk)) + ">";
    CHECK(values == std::vector<std::string>{ok, ok, a, b, not_found, a});
  }
}

TEST_CASE("server: a store client that does not read is dropped once 4 MiB wait for it",
          "[rendezvous][server]") {
  RendezvousFixture f;
  Server& server = f.start_server(f.server_options(1));
  RawStoreClient client(f, server.port());
  client.write({StoreSet{"big", std::string(900'000, 'x')}});
  client.receive(1);
  REQUIRE(server.connection_count() == 1);
  // Eight answers of 900 kB each: more than the 4 MiB the server queues for
  // one peer, whatever the socket buffers take.
  client.write(std::vector<Message>(8, StoreGet{"big"}));
  CHECK(f.run_until([&] { return server.connection_count() == 0; }, 10s));
}

TEST_CASE("server: three members join, reach MASTER_PORT, get ranks, and end together",
          "[rendezvous][server]") {
  RendezvousFixture f;
  Server& server = f.start_server(f.server_options(3));
  for (int i : {2, 0, 1}) f.add_member(f.member_options(i, 3));
  REQUIRE(f.run_until(
      [&] { return !f.log(0).gos.empty() && !f.log(1).gos.empty() && !f.log(2).gos.empty(); }));
  // Members were added as 2, 0, 1.
  CHECK(f.log(0).gos[0].first_rank == 4);
  CHECK(f.log(1).gos[0].first_rank == 0);
  CHECK(f.log(2).gos[0].first_rank == 2);
  const uint16_t master_port = f.log(0).gos[0].master_port;
  CHECK(master_port != 0);
  CHECK(master_port != server.port());
  CHECK(f.log(1).gos[0].master_addr == "127.0.0.1");
  CHECK(f.log(1).gos[0].world_size == 6);
  CHECK(server.phase() == Phase::kRunning);

  for (std::size_t i = 0; i < 3; ++i) f.member(i).report_attempt_end(AttemptOutcome::kSucceeded);
  REQUIRE(f.run_until([&] { return all_over(f, 3); }));
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(f.log(i).error.empty());
    CHECK(f.log(i).exit_code == 0);
  }
}

TEST_CASE("server: a failure stops everyone with the first record, then the job ends",
          "[rendezvous][server]") {
  RendezvousFixture f;
  f.start_server(f.server_options(2));
  f.add_member(f.member_options(0, 2));
  f.add_member(f.member_options(1, 2));
  REQUIRE(f.run_until([&] { return !f.log(0).gos.empty() && !f.log(1).gos.empty(); }));
  FailureRecord record;
  record.rank = 3;
  record.local_rank = 1;
  record.host = "localhost";
  record.exit_code = 5;
  record.stderr_tail = {"boom"};
  const auto reported = std::chrono::steady_clock::now();
  f.member(1).report_failure(record);
  REQUIRE(f.run_until([&] { return !f.log(0).stops.empty(); }));
  CHECK(std::chrono::steady_clock::now() - reported < 2s);
  CHECK(f.log(0).stops[0] == "rank 3 (local rank 1) on localhost exited with code 5");
  f.member(1).report_attempt_end(AttemptOutcome::kFailed);
  f.member(0).report_attempt_end(AttemptOutcome::kStopped);
  REQUIRE(f.run_until([&] { return all_over(f, 2); }));
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(f.log(i).exit_code == 5);
    REQUIRE(f.log(i).root_cause);
    CHECK(f.log(i).root_cause->stderr_tail == std::vector<std::string>{"boom"});
  }
}

TEST_CASE("server: the store serves workers in threads while the loop runs",
          "[rendezvous][server]") {
  RendezvousFixture f;
  Server& server = f.start_server(f.server_options(1));
  const uint16_t port = server.port();
  constexpr int kWorkers = 8;
  std::vector<std::string> seen(kWorkers);
  std::vector<std::string> errors(kWorkers);
  std::atomic<int> finished{0};
  std::vector<std::thread> workers;
  for (int rank = 0; rank < kWorkers; ++rank) {
    workers.emplace_back([&, rank] {
      try {
        StoreClient store = StoreClient::connect("127.0.0.1", port, "secret", "job-7", 5s);
        if (rank == 0) store.set("nccl_id", "abc");
        seen[rank] = store.wait("nccl_id", 10s);
        // A barrier: everyone adds, then waits for the last one's key.
        if (store.add("arrived", 1) == kWorkers) store.set("all_arrived", "1");
        store.wait("all_arrived", 10s);
        if (rank == 0) {
          CHECK(store.get("arrived") == std::optional<std::string>(std::to_string(kWorkers)));
          CHECK_FALSE(store.get("absent"));
          CHECK(store.compare_set("cas", "", "one"));
          CHECK_FALSE(store.compare_set("cas", "zero", "two"));
          CHECK(store.remove("cas"));
          CHECK_FALSE(store.remove("cas"));
          CHECK_THROWS_WITH(store.wait("never", 200ms),
                            Catch::Contains("timed out after 200 ms waiting for key 'never'"));
        }
      } catch (const std::exception& error) {
        errors[rank] = error.what();
      }
      ++finished;
    });
  }
  const bool done = f.run_until([&] { return finished == kWorkers; });
  for (std::thread& worker : workers) worker.join();
  REQUIRE(done);
  for (int rank = 0; rank < kWorkers; ++rank) {
    CHECK(errors[rank].empty());
    CHECK(seen[rank] == "abc");
  }
}

TEST_CASE("server: a wrong token is refused on the client, with the flag to fix it",
          "[rendezvous][server]") {
  RendezvousFixture f;
  f.start_server(f.server_options(2));
  MemberOptions options = f.member_options(1, 2);
  options.token = "guess";
  f.add_member(options);
  REQUIRE(f.run_until([&] { return f.log(0).over(); }));
  // The client checks the server's proof first, and it cannot match.
  CHECK_THAT(f.log(0).error, Catch::StartsWith("the rendezvous at 127.0.0.1:"));
  CHECK_THAT(f.log(0).error, Catch::EndsWith("wrong job token (--rdzv_token / ACCEL_RDZV_TOKEN)"));
}

TEST_CASE("server: a store client with a wrong token or job id never reaches the store",
          "[rendezvous][server]") {
  RendezvousFixture f;
  Server& server = f.start_server(f.server_options(1));
  const uint16_t port = server.port();
  std::string token_error, job_error;
  std::thread worker([&] {
    try {
      StoreClient::connect("127.0.0.1", port, "guess", "job-7", 5s);
    } catch (const StoreError& error) {
      token_error = error.what();
    }
    try {
      StoreClient::connect("127.0.0.1", port, "secret", "job-8", 5s);
    } catch (const StoreError& error) {
      job_error = error.what();
    }
  });
  f.run_until([&] { return !token_error.empty() && !job_error.empty(); }, 10s);
  worker.join();
  CHECK_THAT(token_error, Catch::Contains("does not know this job's token"));
  CHECK_THAT(job_error,
             Catch::Contains("refused this worker: this machine's job id is 'job-8', the "
                             "server's 'job-7'"));
}

TEST_CASE("server: the join timeout names the missing machines", "[rendezvous][server]") {
  RendezvousFixture f;
  ServerOptions options = f.server_options(3);
  options.join_timeout = 1500ms;
  f.start_server(options);
  f.add_member(f.member_options(0, 3));
  REQUIRE(f.run_until([&] { return f.log(0).over(); }));
  CHECK(f.log(0).exit_code == 1);
  CHECK(f.log(0).end_reason ==
        "timed out after 1500 ms waiting for machines 1, 2 of 3 to join the rendezvous");
  REQUIRE_FALSE(f.log(0).waiting.empty());
  CHECK(f.log(0).waiting.back().missing == std::vector<int>{1, 2});
  CHECK(f.log(0).waiting.back().missing_count == 2);
}

TEST_CASE("server: a disagreeing machine gets the error, the others go on",
          "[rendezvous][server]") {
  RendezvousFixture f;
  f.start_server(f.server_options(2));
  f.add_member(f.member_options(0, 2));
  REQUIRE(f.run_until([&] { return !f.log(0).waiting.empty(); }));
  MemberOptions other = f.member_options(1, 2);
  other.join.script = "other.py";
  f.add_member(other);
  REQUIRE(f.run_until([&] { return f.log(1).over(); }));
  CHECK_THAT(f.log(1).error,
             Catch::EndsWith("refused this machine: machine 1 says script='other.py' but "
                             "machine 0 says 'train.py'"));
  f.add_member(f.member_options(1, 2));
  REQUIRE(f.run_until([&] { return !f.log(2).gos.empty() && !f.log(0).gos.empty(); }));
  CHECK(f.log(0).error.empty());
}

TEST_CASE("server: a member that disconnects is lost and the others are stopped",
          "[rendezvous][server]") {
  RendezvousFixture f;
  f.start_server(f.server_options(3));
  for (int i = 0; i < 3; ++i) f.add_member(f.member_options(i, 3));
  REQUIRE(f.run_until(
      [&] { return !f.log(0).gos.empty() && !f.log(1).gos.empty() && !f.log(2).gos.empty(); }));
  f.member(2).close();
  REQUIRE(f.run_until([&] { return !f.log(0).stops.empty() && !f.log(1).stops.empty(); }));
  CHECK(f.log(0).stops[0] == "machine 2 (localhost) disconnected from the rendezvous");
  f.member(0).report_attempt_end(AttemptOutcome::kStopped);
  f.member(1).report_attempt_end(AttemptOutcome::kStopped);
  REQUIRE(f.run_until([&] { return f.log(0).over() && f.log(1).over(); }));
  CHECK(f.log(0).exit_code == 1);
}

TEST_CASE("server: a client hears nothing from a dead server and says so", "[rendezvous][server]") {
  RendezvousFixture f;
  Server& server = f.start_server(f.server_options(2));
  MemberOptions options = f.member_options(0, 2);
  options.heartbeat_timeout = 500ms;
  f.add_member(options);
  REQUIRE(f.run_until([&] { return !f.log(0).waiting.empty(); }));
  server.close();
  REQUIRE(f.run_until([&] { return f.log(0).over(); }));
  CHECK_THAT(f.log(0).error, Catch::StartsWith("lost the rendezvous server at 127.0.0.1:"));
}

TEST_CASE("server: members retry until the server is up", "[rendezvous][server]") {
  RendezvousFixture f;
  // Find a free port, then start the server on it only after the member tried.
  uint16_t port = 0;
  {
    tcp::acceptor probe(f.io(), tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  ServerOptions server_options = f.server_options(1);
  server_options.port = port;
  Server server(f.io(), server_options);
  MemberOptions options = f.member_options(0, 1);
  options.server_port = port;
  MemberEvents events;
  bool went = false;
  std::string error;
  events.on_go = [&](const Assignment&) { went = true; };
  events.on_error = [&](const std::string& message) { error = message; };
  MemberClient client(f.io(), options, events);
  client.start();
  f.run_until([] { return false; }, 300ms);  // a few refused attempts
  CHECK(error.empty());
  server.start();
  REQUIRE(f.run_until([&] { return went || !error.empty(); }));
  CHECK(error.empty());
}

TEST_CASE("server: the port in use is a clear error", "[rendezvous][server]") {
  RendezvousFixture f;
  Server& first = f.start_server(f.server_options(1));
  ServerOptions options = f.server_options(1);
  options.port = first.port();
  Server second(f.io(), options);
  CHECK_THROWS_WITH(second.start(),
                    Catch::StartsWith("bind 127.0.0.1:" + std::to_string(first.port()) +
                                      " (the rendezvous port, --main_process_port): Address "
                                      "already in use"));
}

TEST_CASE("server: garbage, oversized, trickling and idle clients do not stop a member",
          "[rendezvous][server]") {
  // Both ends of a thousand connections live in this process: more than the
  // soft limit of 1024 descriptors a normal user starts with.
  constexpr rlim_t kDescriptorsNeeded = 2 * 1000 + 64;
  rlimit files{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &files) == 0);
  if (files.rlim_cur < kDescriptorsNeeded) {
    if (files.rlim_max < kDescriptorsNeeded) {
      accel::testing::skip_test_case("needs " + std::to_string(kDescriptorsNeeded) +
                                     " open files, and the hard limit (ulimit -Hn) is " +
                                     std::to_string(files.rlim_max));
    }
    files.rlim_cur = kDescriptorsNeeded;
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &files) == 0);
  }
  RendezvousFixture f;
  ServerOptions options = f.server_options(1);
  options.hello_timeout = 500ms;
  options.io_timeout = 500ms;
  Server& server = f.start_server(options);
  const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port());

  auto connect = [&] {
    auto socket = std::make_shared<tcp::socket>(f.io());
    socket->connect(endpoint);
    return socket;
  };
  // Garbage: HTTP; an oversized length prefix; a frame cut off by a vanishing client.
  auto garbage = connect();
  boost::asio::write(*garbage, boost::asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")));
  auto oversized = connect();
  boost::asio::write(*oversized, boost::asio::buffer(std::string("\x7f\xff\xff\xff", 4)));
  {
    auto vanishing = connect();
    boost::asio::write(*vanishing, boost::asio::buffer(std::string("\0\0\0\x40partial", 11)));
  }
  // A thousand idle connections that never say hello.
  std::vector<std::shared_ptr<tcp::socket>> idle;
  for (int i = 0; i < 1000; ++i) idle.push_back(connect());
  // One that trickles a hello one byte at a time.
  auto trickler = connect();
  const std::string hello_bytes = encode_frame(std::string(60, '\x01'));

  f.add_member(f.member_options(0, 1));
  std::size_t trickled = 0;
  auto next_byte = std::chrono::steady_clock::now();
  REQUIRE(f.run_until([&] {
    if (trickled < hello_bytes.size() && std::chrono::steady_clock::now() >= next_byte) {
      boost::system::error_code ignored;
      boost::asio::write(*trickler, boost::asio::buffer(&hello_bytes[trickled], 1), ignored);
      ++trickled;
      next_byte += 100ms;
    }
    return !f.log(0).gos.empty();
  }));
  // Every hostile connection is closed by the server within its deadline.
  REQUIRE(f.run_until([&] { return server.connection_count() == 1; }, 10s));
  // The trickler gets a Refused frame, then the end of the stream.
  trickler->non_blocking(true);
  boost::system::error_code error;
  REQUIRE(f.run_until([&] {
    char bytes[256];
    do {
      trickler->read_some(boost::asio::buffer(bytes), error);
    } while (!error);
    return error != boost::asio::error::would_block;
  }));
  CHECK(error == boost::asio::error::eof);
  f.member(0).report_attempt_end(AttemptOutcome::kSucceeded);
  REQUIRE(f.run_until([&] { return f.log(0).over(); }));
  CHECK(f.log(0).exit_code == 0);
}
