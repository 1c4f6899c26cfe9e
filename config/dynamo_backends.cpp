#include "config/dynamo_backends.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace accel::config {

namespace {

constexpr auto kBackends = std::to_array<std::string_view>({
    "NO",
    "EAGER",
    "AOT_EAGER",
    "INDUCTOR",
    "AOT_TS_NVFUSER",
    "NVPRIMS_NVFUSER",
    "CUDAGRAPHS",
    "OFI",
    "FX2TRT",
    "ONNXRT",
    "TENSORRT",
    "AOT_TORCHXLA_TRACE_ONCE",
    "TORCHXLA_TRACE_ONCE",
    "TVM",
    "HPU_BACKEND",
    "NEURON",
});
constexpr std::size_t kMenuFirst = 1;  // EAGER
constexpr std::size_t kMenuEnd = 14;   // after TVM

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::toupper(static_cast<unsigned char>(x)) ==
           std::toupper(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::span<const std::string_view> dynamo_backends() {
  return kBackends;
}

std::span<const std::string_view> dynamo_backend_menu() {
  return std::span<const std::string_view>(kBackends).subspan(kMenuFirst, kMenuEnd - kMenuFirst);
}

std::optional<std::string_view> find_dynamo_backend(std::string_view name) {
  for (std::string_view backend : kBackends) {
    if (same_ignoring_case(backend, name)) return backend;
  }
  return std::nullopt;
}

}  // namespace accel::config
