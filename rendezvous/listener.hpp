// Opening a listening TCP socket the way the rendezvous needs it: on one
// address, or on every interface (IPv6 dual-stack where the host has IPv6,
// else IPv4), with SO_REUSEADDR so a restarted launcher can bind again while
// old connections sit in TIME_WAIT. Errors are base::SystemError naming the
// address, the port and what the port is for.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

namespace accel::rendezvous {

// `purpose` goes into the error: "rendezvous port (--main_process_port)".
boost::asio::ip::tcp::acceptor listen_on(boost::asio::io_context& io,
                                         const std::string& bind_address, uint16_t port,
                                         const std::string& purpose);

}  // namespace accel::rendezvous
