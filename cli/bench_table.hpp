// The numbers and the table of `accel bench`, in nccl-tests' conventions so
// the two read alike: sizes written as nccl-tests parses them (8, 1K, 64M,
// 1G: powers of 1024), a size series from -b to -e multiplied by -f, and for
// each size the time, the algorithm bandwidth (bytes / time) and the bus
// bandwidth (algbw times the collective's bus factor, which makes the
// collectives and world sizes comparable with the hardware's peak: see
// docs/bench.md).
//
// Pure formatting and arithmetic; no I/O but the stream it is given.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "accel/collectives.hpp"
#include "cli/collective_check.hpp"

namespace accel::cli {

// "8" -> 8, "1K" -> 1024, "64M", "1G" (also "64m", "64MB", "64MiB");
// nullopt for anything else (empty, negative, a fraction, an overflow).
std::optional<std::size_t> parse_byte_size(std::string_view text);
// 1048576 -> "1M", 1536 -> "1536": the shortest exact nccl-tests spelling.
std::string format_byte_size(std::size_t bytes);

// min_bytes, min_bytes * factor, ... up to max_bytes (inclusive). A factor
// below 2 would never grow: std::invalid_argument, as for min > max or a
// zero minimum.
std::vector<std::size_t> byte_sizes(std::size_t min_bytes, std::size_t max_bytes, int factor);

// nccl-tests' bus factors: all_reduce 2(n-1)/n, all_gather, gather and
// reduce_scatter (n-1)/n, broadcast and reduce 1. A world of one moves no
// data between processes: 0 where the factor has (n-1) in it.
double bus_factor(Collective collective, int world_size);

// The call a benchmark row of `size_bytes` makes: nccl-tests' size is the
// larger of the send and receive buffers, so all_gather and reduce_scatter
// move size / n bytes per rank (rounded down to whole elements).
struct BenchCall {
  std::size_t count = 0;  // the call's count argument (per rank for the gathers/scatters)
  std::size_t bytes = 0;  // the size the row reports: whole elements only
};
BenchCall bench_call(Collective collective, DataType type, std::size_t size_bytes, int world_size);

struct BenchRow {
  std::size_t bytes = 0;
  std::size_t count = 0;
  DataType type = DataType::kFloat32;
  std::optional<ReduceOp> op;  // none where the collective does not reduce
  int root = -1;               // -1 where it has no root
  double time_us = 0;          // max over ranks of the mean per-iteration time
  // Wrong elements over every rank (0 = correct); none when not checked.
  std::optional<std::size_t> wrong;
};

// bytes / time in GB/s (10^9 bytes per second); 0 for a zero time.
double algorithm_bandwidth(std::size_t bytes, double time_us);

// The column header (three comment lines, nccl-tests style).
void write_bench_header(std::ostream& out);
// One line of the table, ending in '\n'.
void write_bench_row(std::ostream& out, const BenchRow& row, Collective collective, int world_size);
// "# Avg bus bandwidth    : 1.234" over the rows (nccl-tests' summary) and
// the count of rows with wrong elements.
void write_bench_footer(std::ostream& out, const std::vector<BenchRow>& rows, Collective collective,
                        int world_size);

}  // namespace accel::cli
