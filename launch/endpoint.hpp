// "HOST:PORT" as torchrun's --rdzv_endpoint and PET_RDZV_ENDPOINT spell
// machine 0's address: a name or IPv4 address with an optional port, or an
// IPv6 address in brackets ("[fd00::1]:29400"). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace accel::launch {

// False when `text` is not HOST or HOST:PORT (empty host, a port that is not
// 0-65535, an unclosed bracket). The brackets of an IPv6 host are dropped.
bool split_endpoint(std::string_view text, std::string& host, std::optional<int>& port);

}  // namespace accel::launch
