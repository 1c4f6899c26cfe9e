#include "cli/bench_table.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <limits>
#include <stdexcept>

namespace accel::cli {

namespace {

struct Unit {
  std::string_view suffix;
  std::size_t multiplier;
};
// Longest suffixes first, so "64MiB" is not read as "64Mi" + "B".
constexpr std::array<Unit, 12> kUnits{{{"KiB", 1ULL << 10},
                                       {"MiB", 1ULL << 20},
                                       {"GiB", 1ULL << 30},
                                       {"KB", 1ULL << 10},
                                       {"MB", 1ULL << 20},
                                       {"GB", 1ULL << 30},
                                       {"K", 1ULL << 10},
                                       {"M", 1ULL << 20},
                                       {"G", 1ULL << 30},
                                       {"k", 1ULL << 10},
                                       {"m", 1ULL << 20},
                                       {"g", 1ULL << 30}}};

// nccl-tests' widths: a time keeps about four significant digits.
std::string format_time(double time_us) {
  if (time_us >= 10000.0) return fmt::format("{:8.0f}", time_us);
  if (time_us >= 100.0) return fmt::format("{:8.1f}", time_us);
  return fmt::format("{:8.2f}", time_us);
}

}  // namespace

std::optional<std::size_t> parse_byte_size(std::string_view text) {
  std::size_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  const std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (suffix.empty() || suffix == "B" || suffix == "b") return number;
  for (const Unit& unit : kUnits) {
    if (suffix != unit.suffix) continue;
    if (number > std::numeric_limits<std::size_t>::max() / unit.multiplier) return std::nullopt;
    return number * unit.multiplier;
  }
  return std::nullopt;
}

std::string format_byte_size(std::size_t bytes) {
  for (const auto& [suffix, multiplier] :
       {std::pair{"G", std::size_t{1} << 30}, std::pair{"M", std::size_t{1} << 20},
        std::pair{"K", std::size_t{1} << 10}}) {
    if (bytes != 0 && bytes % multiplier == 0) return std::to_string(bytes / multiplier) + suffix;
  }
  return std::to_string(bytes);
}

std::vector<std::size_t> byte_sizes(std::size_t min_bytes, std::size_t max_bytes, int factor) {
  if (min_bytes == 0) throw std::invalid_argument("the smallest size must be at least 1 byte");
  if (min_bytes > max_bytes) {
    throw std::invalid_argument("the smallest size (" + format_byte_size(min_bytes) +
                                ") is above the largest (" + format_byte_size(max_bytes) + ")");
  }
  if (factor < 2) {
    throw std::invalid_argument("the step factor must be at least 2, not " +
                                std::to_string(factor));
  }
  std::vector<std::size_t> sizes;
  for (std::size_t size = min_bytes; size <= max_bytes;) {
    sizes.push_back(size);
    if (size > max_bytes / static_cast<std::size_t>(factor)) break;
    size *= static_cast<std::size_t>(factor);
  }
  return sizes;
}

double bus_factor(Collective collective, int world_size) {
  const double n = world_size;
  switch (collective) {
    case Collective::kAllReduce: return 2.0 * (n - 1) / n;
    case Collective::kAllGather:
    case Collective::kGather:
    case Collective::kReduceScatter: return (n - 1) / n;
    case Collective::kBroadcast:
    case Collective::kReduce: return 1.0;
  }
  return 1.0;
}

BenchCall bench_call(Collective collective, DataType type, std::size_t size_bytes, int world_size) {
  const std::size_t element_size = size_of(type);
  const std::size_t elements = size_bytes / element_size;
  const auto n = static_cast<std::size_t>(world_size);
  switch (collective) {
    case Collective::kAllGather:
    case Collective::kGather:
    case Collective::kReduceScatter: {
      const std::size_t per_rank = elements / n;
      return {per_rank, per_rank * n * element_size};
    }
    case Collective::kAllReduce:
    case Collective::kReduce:
    case Collective::kBroadcast: return {elements, elements * element_size};
  }
  return {};
}

double algorithm_bandwidth(std::size_t bytes, double time_us) {
  if (time_us <= 0) return 0;
  return static_cast<double>(bytes) / (time_us * 1e3);  // bytes per us / 1e3 = GB/s
}

void write_bench_header(std::ostream& out) {
  out << fmt::format("#{:>11}  {:>12}  {:>8}  {:>6}  {:>6}  {:>8}  {:>7}  {:>7}  {:>6}\n", "size",
                     "count", "type", "redop", "root", "time", "algbw", "busbw", "#wrong")
      << fmt::format("#{:>11}  {:>12}  {:>8}  {:>6}  {:>6}  {:>8}  {:>7}  {:>7}  {:>6}\n", "(B)",
                     "(elements)", "", "", "", "(us)", "(GB/s)", "(GB/s)", "");
}

void write_bench_row(std::ostream& out, const BenchRow& row, Collective collective,
                     int world_size) {
  const double algbw = algorithm_bandwidth(row.bytes, row.time_us);
  const double busbw = algbw * bus_factor(collective, world_size);
  const std::string_view redop = row.op ? name_of(*row.op) : std::string_view("none");
  out << fmt::format("{:>12}  {:>12}  {:>8}  {:>6}  {:>6}  {}  {:7.2f}  {:7.2f}  {:>6}\n",
                     row.bytes, row.count, name_of(row.type), redop, row.root,
                     format_time(row.time_us), algbw, busbw,
                     row.wrong ? std::to_string(*row.wrong) : std::string("-"));
}

void write_bench_footer(std::ostream& out, const std::vector<BenchRow>& rows, Collective collective,
                        int world_size) {
  double busbw_sum = 0;
  std::size_t wrong_rows = 0;
  for (const BenchRow& row : rows) {
    busbw_sum += algorithm_bandwidth(row.bytes, row.time_us) * bus_factor(collective, world_size);
    if (row.wrong.value_or(0) != 0) ++wrong_rows;
  }
  const double average = rows.empty() ? 0 : busbw_sum / static_cast<double>(rows.size());
  out << fmt::format("# Rows with wrong values: {} {}\n", wrong_rows,
                     wrong_rows == 0 ? "OK" : "FAILED")
      << fmt::format("# Avg bus bandwidth    : {:.3f}\n", average);
}

}  // namespace accel::cli
