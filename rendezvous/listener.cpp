#include "rendezvous/listener.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/system/error_code.hpp>

#include "base/system_error.hpp"

namespace accel::rendezvous {

namespace {

using boost::asio::ip::tcp;

[[noreturn]] void fail(const std::string& step, const std::string& address, uint16_t port,
                       const std::string& purpose, const boost::system::error_code& error) {
  throw base::SystemError(step + " " + address + ":" + std::to_string(port) + " (" + purpose + ")",
                          error.value(), ACCEL_HERE);
}

}  // namespace

tcp::acceptor listen_on(boost::asio::io_context& io, const std::string& bind_address, uint16_t port,
                        const std::string& purpose) {
  tcp::acceptor acceptor(io);
  boost::system::error_code error;
  tcp::endpoint endpoint;
  std::string shown_address = bind_address;
  if (bind_address.empty()) {
    // Every interface: dual-stack IPv6 accepts IPv4 too; hosts without IPv6
    // refuse to open the socket, and get the IPv4 wildcard instead.
    endpoint = tcp::endpoint(tcp::v6(), port);
    shown_address = "[::]";
    acceptor.open(tcp::v6(), error);
    if (!error) acceptor.set_option(boost::asio::ip::v6_only(false), error);
    if (error) {
      error.clear();
      if (acceptor.is_open()) acceptor.close(error);
      endpoint = tcp::endpoint(tcp::v4(), port);
      shown_address = "0.0.0.0";
      acceptor.open(tcp::v4(), error);
    }
  } else {
    const auto address = boost::asio::ip::make_address(bind_address, error);
    if (error) fail("parse the bind address", bind_address, port, purpose, error);
    endpoint = tcp::endpoint(address, port);
    acceptor.open(endpoint.protocol(), error);
  }
  if (error) fail("open a socket for", shown_address, port, purpose, error);
  acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (error) fail("set SO_REUSEADDR for", shown_address, port, purpose, error);
  acceptor.bind(endpoint, error);
  if (error) fail("bind", shown_address, port, purpose, error);
  acceptor.listen(boost::asio::socket_base::max_listen_connections, error);
  if (error) fail("listen on", shown_address, port, purpose, error);
  return acceptor;
}

}  // namespace accel::rendezvous
