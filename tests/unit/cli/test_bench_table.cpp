#include <catch2/catch.hpp>

#include <sstream>

#include "cli/bench_table.hpp"

using accel::DataType;
using accel::ReduceOp;
using namespace accel::cli;

TEST_CASE("sizes parse as nccl-tests parses them, in powers of 1024", "[bench_table]") {
  CHECK(parse_byte_size("8") == 8U);
  CHECK(parse_byte_size("1K") == 1024U);
  CHECK(parse_byte_size("64M") == 64U << 20);
  CHECK(parse_byte_size("1G") == 1U << 30);
  CHECK(parse_byte_size("256m") == 256U << 20);
  CHECK(parse_byte_size("4MiB") == 4U << 20);
  CHECK(parse_byte_size("4MB") == 4U << 20);
  CHECK(parse_byte_size("16B") == 16U);
}

TEST_CASE("a size that is not one is refused", "[bench_table]") {
  for (const char* bad :
       {"", "M", "-8", "1.5M", "8X", "8 M", "99999999999999999999", "99999999999999G"}) {
    INFO(bad);
    CHECK_FALSE(parse_byte_size(bad).has_value());
  }
}

TEST_CASE("sizes are written in their shortest exact form", "[bench_table]") {
  CHECK(format_byte_size(8) == "8");
  CHECK(format_byte_size(1536) == "1536");
  CHECK(format_byte_size(1024) == "1K");
  CHECK(format_byte_size(64U << 20) == "64M");
  CHECK(format_byte_size(2U << 30) == "2G");
}

TEST_CASE("the size series runs from -b to -e, multiplied by -f", "[bench_table]") {
  CHECK(byte_sizes(8, 64, 2) == std::vector<std::size_t>{8, 16, 32, 64});
  CHECK(byte_sizes(8, 100, 4) == std::vector<std::size_t>{8, 32});
  CHECK(byte_sizes(1024, 1024, 2) == std::vector<std::size_t>{1024});
  CHECK(byte_sizes(1, std::size_t{1} << 30, 2).size() == 31);
  CHECK_THROWS_WITH(byte_sizes(64, 8, 2), Catch::Contains("above the largest"));
  CHECK_THROWS_WITH(byte_sizes(8, 64, 1), Catch::Contains("at least 2"));
  CHECK_THROWS_AS(byte_sizes(0, 64, 2), std::invalid_argument);
}

TEST_CASE("the largest size does not overflow the series", "[bench_table]") {
  const std::size_t top = std::numeric_limits<std::size_t>::max();
  const auto sizes = byte_sizes(top / 2 + 1, top, 2);
  CHECK(sizes.size() == 1);
}

TEST_CASE("bus factors are nccl-tests'", "[bench_table]") {
  CHECK(bus_factor(Collective::kAllReduce, 4) == Approx(1.5));
  CHECK(bus_factor(Collective::kAllReduce, 2) == Approx(1.0));
  CHECK(bus_factor(Collective::kAllGather, 4) == Approx(0.75));
  CHECK(bus_factor(Collective::kReduceScatter, 8) == Approx(0.875));
  CHECK(bus_factor(Collective::kBroadcast, 8) == Approx(1.0));
  CHECK(bus_factor(Collective::kAllReduce, 1) == Approx(0.0));
}

TEST_CASE("a row's call: the gathers and scatters split the size over the ranks", "[bench_table]") {
  const BenchCall reduce = bench_call(Collective::kAllReduce, DataType::kFloat32, 1024, 4);
  CHECK(reduce.count == 256);
  CHECK(reduce.bytes == 1024);
  const BenchCall gather = bench_call(Collective::kAllGather, DataType::kFloat32, 1024, 4);
  CHECK(gather.count == 64);
  CHECK(gather.bytes == 1024);
  // 8 bytes over 3 ranks of fp32: not one whole element each.
  const BenchCall tiny = bench_call(Collective::kReduceScatter, DataType::kFloat32, 8, 3);
  CHECK(tiny.count == 0);
  CHECK(tiny.bytes == 0);
  const BenchCall odd = bench_call(Collective::kAllGather, DataType::kFloat64, 1000, 3);
  CHECK(odd.count == 41);
  CHECK(odd.bytes == 41 * 3 * 8);
}

TEST_CASE("algbw is bytes over time in GB/s", "[bench_table]") {
  CHECK(algorithm_bandwidth(1'000'000'000, 1'000'000) == Approx(1.0));
  CHECK(algorithm_bandwidth(1 << 20, 100) == Approx(10.48576));
  CHECK(algorithm_bandwidth(8, 0) == 0);
}

TEST_CASE("the table reads like nccl-tests'", "[bench_table]") {
  std::ostringstream out;
  write_bench_header(out);
  BenchRow row;
  row.bytes = 1 << 20;
  row.count = 1 << 18;
  row.type = DataType::kFloat32;
  row.op = ReduceOp::kSum;
  row.time_us = 100;
  row.wrong = 0;
  write_bench_row(out, row, Collective::kAllReduce, 4);
  row.op.reset();
  row.root = 0;
  row.wrong.reset();
  row.time_us = 12345.6;
  write_bench_row(out, row, Collective::kBroadcast, 4);
  const std::string text = out.str();
  CHECK(text.find("#       size         count      type   redop    root      time    algbw    "
                  "busbw  #wrong\n") != std::string::npos);
  // 1 MiB in 100 us: algbw 10.49 GB/s, busbw 1.5 times that.
  CHECK(text.find("     1048576        262144   float32     sum      -1     100.0    10.49    "
                  "15.73       0\n") != std::string::npos);
  CHECK(text.find("     1048576        262144   float32    none       0     12346     0.08     "
                  "0.08       -\n") != std::string::npos);
}

TEST_CASE("the footer averages busbw and counts rows with wrong values", "[bench_table]") {
  BenchRow good;
  good.bytes = 1000;
  good.time_us = 1;  // 1 GB/s, busbw 1 GB/s at n = 2
  good.wrong = 0;
  BenchRow bad = good;
  bad.time_us = 0.5;  // 2 GB/s
  bad.wrong = 3;
  std::ostringstream out;
  write_bench_footer(out, {good, bad}, Collective::kAllReduce, 2);
  CHECK(out.str() == "# Rows with wrong values: 1 FAILED\n# Avg bus bandwidth    : 1.500\n");
}
