#include "rendezvous/store_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <variant>

#include "rendezvous/frame.hpp"
#include "rendezvous/hmac.hpp"
#include "rendezvous/messages.hpp"
#include "rendezvous/token.hpp"

namespace accel::rendezvous {

namespace {

using boost::asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

std::string seconds_text(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0 || duration >= std::chrono::seconds(10)) {
    return std::to_string(duration.count() / 1000) + " s";
  }
  return std::to_string(duration.count()) + " ms";
}

std::string quoted_keys(const std::vector<std::string>& keys) {
  std::string text;
  for (const std::string& key : keys) {
    if (!text.empty()) text += ", ";
    text += "'" + key + "'";
  }
  return text;
}

}  // namespace

class StoreClient::Impl {
 public:
  Impl(const std::string& host, uint16_t port, std::chrono::milliseconds timeout)
      : socket_(io_), where_(host + ":" + std::to_string(port)), timeout_(timeout) {}

  void connect(const std::string& host, uint16_t port, const std::string& token,
               const std::string& job_id) {
    const auto deadline = Clock::now() + timeout_;
    tcp::resolver resolver(io_);
    error_code error;
    const auto endpoints = resolver.resolve(host, std::to_string(port), error);
    if (error) fail("cannot resolve " + host + ": " + error.message());
    bool done = false;
    boost::asio::async_connect(socket_, endpoints,
                               [&](const error_code& result, const tcp::endpoint&) {
                                 error = result;
                                 done = true;
                               });
    run_until(done, deadline, "connecting");
    if (error) fail("cannot connect: " + error.message());
    socket_.set_option(tcp::no_delay(true), error);

    const std::string client_nonce = random_bytes(kNonceBytes);
    write(Hello{kProtocolMagic, kProtocolVersion, job_id, Role::kStore, client_nonce}, deadline);
    const Message challenge_message = read(deadline, "the handshake");
    const auto* challenge = std::get_if<Challenge>(&challenge_message);
    if (challenge == nullptr) unexpected(challenge_message, "a challenge");
    const ProofInput input{token, challenge->server_nonce, client_nonce, job_id, Role::kStore};
    if (!equal_in_constant_time(challenge->server_proof, server_proof(input))) {
      fail("the store does not know this job's token (ACCEL_JOB_TOKEN): its proof did not match");
    }
    write(Proof{client_proof(input)}, deadline);
    const Message welcome = read(deadline, "the handshake");
    if (!std::holds_alternative<Welcome>(welcome)) unexpected(welcome, "a welcome");
  }

  // One request, one reply. `extra` lengthens the deadline for waits.
  StoreReply call(const Message& request, std::chrono::milliseconds extra,
                  const std::string& what) {
    if (broken_) fail("the connection broke in an earlier call; connect again");
    const auto deadline = Clock::now() + timeout_ + extra;
    write(request, deadline);
    Message reply_message = read(deadline, what);
    auto* reply = std::get_if<StoreReply>(&reply_message);
    if (reply == nullptr) unexpected(reply_message, "a store reply");
    if (reply->status == StoreStatus::kError) fail(reply->message);
    return std::move(*reply);
  }

  [[noreturn]] void fail(const std::string& message) {
    throw StoreError("store at " + where_ + ": " + message);
  }

  std::string local_address() const {
    error_code error;
    const tcp::endpoint local = socket_.local_endpoint(error);
    if (error) throw StoreError("store at " + where_ + ": no local address: " + error.message());
    // An IPv4 peer reached through a dual-stack socket shows as ::ffff:a.b.c.d.
    const auto address = local.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
      return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
          .to_string();
    }
    return address.to_string();
  }

 private:
  [[noreturn]] void unexpected(const Message& message, const char* wanted) {
    broken_ = true;
    if (const auto* refused = std::get_if<Refused>(&message)) {
      fail("refused this worker: " + refused->reason +
           (refused->reason == "wrong job token" ? " (ACCEL_JOB_TOKEN)" : ""));
    }
    fail(std::string("expected ") + wanted + ", got " + message_name(message));
  }

  // Runs the private loop until `done` or the deadline; on the deadline the
  // socket is closed (the operation completes with an error) and this throws.
  void run_until(bool& done, Clock::time_point deadline, const std::string& what) {
    io_.restart();
    while (!done) {
      if (io_.run_one_until(deadline) == 0 && !done) {
        broken_ = true;
        error_code ignored;
        socket_.close(ignored);
        io_.restart();
        io_.run();  // lets the cancelled operation finish before its state goes
        throw StoreError("store at " + where_ + ": timed out " + what);
      }
    }
  }

  void write(const Message& message, Clock::time_point deadline) {
    const std::string frame = encode_frame(encode(message));
    bool done = false;
    error_code error;
    boost::asio::async_write(socket_, boost::asio::buffer(frame),
                             [&](const error_code& result, std::size_t) {
                               error = result;
                               done = true;
                             });
    run_until(done, deadline, "sending a request");
    if (error) {
      broken_ = true;
      fail("lost the connection: " + error.message());
    }
  }

  Message read(Clock::time_point deadline, const std::string& what) {
    for (;;) {
      if (std::optional<std::string> payload = decoder_.next()) {
        try {
          return decode(*payload);
        } catch (const WireError& error) {
          broken_ = true;
          fail(std::string("sent a malformed reply: ") + error.what());
        }
      }
      if (decoder_.broken()) {
        broken_ = true;
        fail("broke the protocol: " + decoder_.error());
      }
      bool done = false;
      error_code error;
      std::size_t count = 0;
      socket_.async_read_some(boost::asio::buffer(buffer_),
                              [&](const error_code& result, std::size_t n) {
                                error = result;
                                count = n;
                                done = true;
                              });
      run_until(done, deadline, "waiting for " + what);
      if (error) {
        broken_ = true;
        fail("lost the connection: " + (error == boost::asio::error::eof
                                            ? std::string("the server closed it")
                                            : error.message()));
      }
      decoder_.append(std::string_view(buffer_, count));
    }
  }

  boost::asio::io_context io_;
  tcp::socket socket_;
  std::string where_;
  std::chrono::milliseconds timeout_;
  FrameDecoder decoder_;
  char buffer_[16 * 1024] = {};
  bool broken_ = false;
};

StoreClient StoreClient::connect(const std::string& host, uint16_t port, const std::string& token,
                                 const std::string& job_id, std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>(host, port, timeout);
  impl->connect(host, port, token, job_id);
  return StoreClient(std::move(impl));
}

StoreClient::StoreClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StoreClient::StoreClient(StoreClient&&) noexcept = default;
StoreClient& StoreClient::operator=(StoreClient&&) noexcept = default;
StoreClient::~StoreClient() = default;

void StoreClient::set(const std::string& key, const std::string& value) {
  impl_->call(StoreSet{key, value}, {}, "the reply to set");
}

std::optional<std::string> StoreClient::get(const std::string& key) {
  StoreReply reply = impl_->call(StoreGet{key}, {}, "the reply to get");
  if (reply.status == StoreStatus::kNotFound || reply.values.empty()) return std::nullopt;
  return std::move(reply.values.front());
}

std::string StoreClient::wait(const std::string& key, std::chrono::milliseconds timeout) {
  return std::move(wait(std::vector<std::string>{key}, timeout).front());
}

std::vector<std::string> StoreClient::wait(const std::vector<std::string>& keys,
                                           std::chrono::milliseconds timeout) {
  StoreReply reply =
      impl_->call(StoreWait{keys, timeout.count()}, timeout, "the keys " + quoted_keys(keys));
  if (reply.status == StoreStatus::kTimeout) {
    impl_->fail("timed out after " + seconds_text(timeout) + " waiting for key" +
                (keys.size() == 1 ? " " : "s ") + quoted_keys(keys) + " (" + reply.message + ")");
  }
  if (reply.values.size() != keys.size()) {
    impl_->fail("answered a wait for " + std::to_string(keys.size()) + " keys with " +
                std::to_string(reply.values.size()) + " values");
  }
  return std::move(reply.values);
}

int64_t StoreClient::add(const std::string& key, int64_t delta) {
  return impl_->call(StoreAdd{key, delta}, {}, "the reply to add").number;
}

bool StoreClient::compare_set(const std::string& key, const std::string& expected,
                              const std::string& desired) {
  return impl_->call(StoreCompareSet{key, expected, desired}, {}, "the reply to compare-set")
             .number != 0;
}

bool StoreClient::remove(const std::string& key) {
  return impl_->call(StoreDelete{key}, {}, "the reply to delete").number != 0;
}

std::string StoreClient::local_address() const {
  return impl_->local_address();
}

}  // namespace accel::rendezvous
