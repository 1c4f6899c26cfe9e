#include "launch/endpoint.hpp"

#include <charconv>

namespace accel::launch {

bool split_endpoint(std::string_view text, std::string& host, std::optional<int>& port) {
  std::string_view host_part = text;
  std::string_view port_part;
  bool has_port = false;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    host_part = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return false;
      port_part = rest.substr(1);
      has_port = true;
    }
  } else if (const std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    // A bare IPv6 address has several colons and no port.
    if (text.find(':') == colon) {
      host_part = text.substr(0, colon);
      port_part = text.substr(colon + 1);
      has_port = true;
    }
  }
  if (host_part.empty()) return false;
  port.reset();
  if (has_port) {
    int value = -1;
    const auto [end, error] =
        std::from_chars(port_part.data(), port_part.data() + port_part.size(), value);
    if (port_part.empty() || error != std::errc{} || end != port_part.data() + port_part.size() ||
        value < 0 || value > 65535)
      return false;
    port = value;
  }
  host = std::string(host_part);
  return true;
}

}  // namespace accel::launch
