#include "cli/collective_check.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <stdexcept>

#include "accel/reduced_float.hpp"

namespace accel::cli {

namespace {

// The inputs repeat every kPatternPeriod elements (a prime, so no power-of-
// two chunking of the backend lines up with it); values lie in -5..5.
constexpr std::size_t kPatternPeriod = 11;
// What outputs hold before the call: outside every sum of a small world, so
// a call that writes nothing is counted wrong.
constexpr double kPoison = 99;
// Elements copied or compared at a time: a tile of whole periods.
constexpr std::size_t kTileElements = kPatternPeriod * 256;

using Element = std::array<std::byte, 8>;  // one element of any type, encoded
using PeriodTable = std::array<Element, kPatternPeriod>;

int input_value(int rank, std::size_t index) {
  const auto residue =
      static_cast<int>((static_cast<std::size_t>(rank) * 3 + index * 5 + 1) % kPatternPeriod);
  return residue - 5;
}

template <typename T>
Element bytes_of(T value) {
  Element element{};
  std::memcpy(element.data(), &value, sizeof value);
  return element;
}

template <typename T>
T value_in(const std::byte* element) {
  T value;
  std::memcpy(&value, element, sizeof value);
  return value;
}

// `value` in `type`, rounded once as the runtime rounds (integers are exact).
Element encode(DataType type, double value) {
  switch (type) {
    case DataType::kFloat32: return bytes_of(static_cast<float>(value));
    case DataType::kFloat64: return bytes_of(value);
    case DataType::kFloat16: return bytes_of(float_to_fp16(static_cast<float>(value)));
    case DataType::kBFloat16: return bytes_of(float_to_bf16(static_cast<float>(value)));
    case DataType::kInt32: return bytes_of(static_cast<std::int32_t>(value));
    case DataType::kInt64: return bytes_of(static_cast<std::int64_t>(value));
  }
  return {};
}

double decode(DataType type, const std::byte* element) {
  switch (type) {
    case DataType::kFloat32: return static_cast<double>(value_in<float>(element));
    case DataType::kFloat64: return value_in<double>(element);
    case DataType::kFloat16:
      return static_cast<double>(fp16_to_float(value_in<std::uint16_t>(element)));
    case DataType::kBFloat16:
      return static_cast<double>(bf16_to_float(value_in<std::uint16_t>(element)));
    case DataType::kInt32: return value_in<std::int32_t>(element);
    case DataType::kInt64: return static_cast<double>(value_in<std::int64_t>(element));
  }
  return 0;
}

// The average as the runtime computes it: the sum rounded to the type, then
// divided (in fp32 for fp16/bf16, truncating for integers).
double average(DataType type, std::int64_t sum, int world_size) {
  switch (type) {
    case DataType::kInt32:
    case DataType::kInt64: return static_cast<double>(sum / world_size);
    case DataType::kFloat64: return static_cast<double>(sum) / world_size;
    case DataType::kFloat32:
      return static_cast<double>(static_cast<float>(sum) / static_cast<float>(world_size));
    case DataType::kFloat16:
    case DataType::kBFloat16: {
      const float rounded_sum =
          static_cast<float>(decode(type, encode(type, static_cast<double>(sum)).data()));
      return static_cast<double>(rounded_sum / static_cast<float>(world_size));
    }
  }
  return 0;
}

PeriodTable table_of_rank(DataType type, int rank) {
  PeriodTable table;
  for (std::size_t i = 0; i < kPatternPeriod; ++i) table[i] = encode(type, input_value(rank, i));
  return table;
}

PeriodTable filled_with(DataType type, double value) {
  PeriodTable table;
  table.fill(encode(type, value));
  return table;
}

// Every rank's inputs combined with `op`, element by element.
PeriodTable table_of_reduction(DataType type, ReduceOp op, int world_size) {
  PeriodTable table;
  for (std::size_t i = 0; i < kPatternPeriod; ++i) {
    std::int64_t sum = 0;
    int low = input_value(0, i);
    int high = low;
    for (int rank = 0; rank < world_size; ++rank) {
      const int value = input_value(rank, i);
      sum += value;
      low = std::min(low, value);
      high = std::max(high, value);
    }
    double result = 0;
    switch (op) {
      case ReduceOp::kSum: result = static_cast<double>(sum); break;
      case ReduceOp::kAvg: result = average(type, sum, world_size); break;
      case ReduceOp::kMin: result = low; break;
      case ReduceOp::kMax: result = high; break;
    }
    table[i] = encode(type, result);
  }
  return table;
}

// A run of elements whose content follows one table: element i of the run
// holds table[(first_index + i) % kPatternPeriod].
struct Segment {
  std::size_t offset = 0;  // in elements, from the buffer's start
  std::size_t length = 0;
  std::size_t first_index = 0;
  PeriodTable table;
};

// kTileElements elements of the segment's pattern starting at `first_index`.
std::vector<std::byte> tile_of(const PeriodTable& table, std::size_t first_index,
                               std::size_t element_size) {
  std::vector<std::byte> tile(kTileElements * element_size);
  for (std::size_t i = 0; i < kTileElements; ++i) {
    std::memcpy(tile.data() + i * element_size, table[(first_index + i) % kPatternPeriod].data(),
                element_size);
  }
  return tile;
}

void fill(std::span<std::byte> buffer, DataType type, const Segment& segment) {
  const std::size_t element_size = size_of(type);
  const std::vector<std::byte> tile = tile_of(segment.table, segment.first_index, element_size);
  // Tiles hold whole periods, so each one starts where the last left off.
  for (std::size_t done = 0; done < segment.length; done += kTileElements) {
    const std::size_t n = std::min(kTileElements, segment.length - done);
    std::memcpy(buffer.data() + (segment.offset + done) * element_size, tile.data(),
                n * element_size);
  }
}

void count_wrong(std::span<const std::byte> buffer, DataType type, const Segment& segment,
                 const char* buffer_name, CheckResult& result) {
  const std::size_t element_size = size_of(type);
  const std::vector<std::byte> tile = tile_of(segment.table, segment.first_index, element_size);
  for (std::size_t done = 0; done < segment.length; done += kTileElements) {
    const std::size_t n = std::min(kTileElements, segment.length - done);
    const std::byte* got = buffer.data() + (segment.offset + done) * element_size;
    if (std::memcmp(got, tile.data(), n * element_size) == 0) continue;
    for (std::size_t i = 0; i < n; ++i) {
      const std::byte* expected = tile.data() + i * element_size;
      if (std::memcmp(got + i * element_size, expected, element_size) == 0) continue;
      if (result.wrong++ == 0) {
        result.first = WrongElement{buffer_name, segment.offset + done + i,
                                    decode(type, got + i * element_size), decode(type, expected)};
      }
    }
  }
}

// Elements of the buffers one rank passes.
struct Layout {
  std::size_t input = 0;   // out of place only
  std::size_t output = 0;  // null (0) where the rank receives nothing
};

Layout layout_of(const CollectiveCase& c, int rank, int world_size) {
  const auto n = static_cast<std::size_t>(world_size);
  const bool is_root = rank == c.root;
  switch (c.collective) {
    case Collective::kAllReduce: return {c.in_place ? 0 : c.count, c.count};
    case Collective::kReduce:
      return {c.in_place ? 0 : c.count, c.in_place || is_root ? c.count : 0};
    case Collective::kBroadcast: return {0, c.count};
    case Collective::kAllGather: return {c.in_place ? 0 : c.count, n * c.count};
    case Collective::kGather:
      return {c.in_place ? 0 : c.count, c.in_place || is_root ? n * c.count : 0};
    case Collective::kReduceScatter:
      return {c.in_place ? 0 : n * c.count, c.in_place ? n * c.count : c.count};
  }
  return {};
}

}  // namespace

std::string_view name_of(Collective collective) {
  switch (collective) {
    case Collective::kAllReduce: return "all_reduce";
    case Collective::kReduce: return "reduce";
    case Collective::kBroadcast: return "broadcast";
    case Collective::kAllGather: return "all_gather";
    case Collective::kGather: return "gather";
    case Collective::kReduceScatter: return "reduce_scatter";
  }
  return "?";
}

std::optional<Collective> collective_named(std::string_view name) {
  for (Collective c : {Collective::kAllReduce, Collective::kReduce, Collective::kBroadcast,
                       Collective::kAllGather, Collective::kGather, Collective::kReduceScatter}) {
    if (name == name_of(c)) return c;
  }
  return std::nullopt;
}

bool reduces(Collective collective) {
  return collective == Collective::kAllReduce || collective == Collective::kReduce ||
         collective == Collective::kReduceScatter;
}

bool has_root(Collective collective) {
  return collective == Collective::kReduce || collective == Collective::kBroadcast ||
         collective == Collective::kGather;
}

std::string CollectiveCase::describe() const {
  std::string text = std::string(name_of(collective)) + " " + std::string(name_of(type));
  if (reduces(collective)) text += " " + std::string(name_of(op));
  text += ", " + std::to_string(count) + (count == 1 ? " element" : " elements");
  if (has_root(collective)) text += ", root " + std::to_string(root);
  if (collective != Collective::kBroadcast) text += in_place ? ", in place" : ", out of place";
  return text;
}

CollectiveCheck::CollectiveCheck(const CollectiveCase& what, int rank, int world_size,
                                 bool on_device)
    : case_(what), rank_(rank), world_size_(world_size) {
  if (what.collective == Collective::kBroadcast) case_.in_place = true;
  const Layout layout = layout_of(case_, rank, world_size);
  input_.resize(layout.input * size_of(case_.type));
  output_.resize(layout.output * size_of(case_.type));
  if (on_device) {
    device_input_.emplace(input_.size());
    device_output_.emplace(output_.size());
  }
}

void CollectiveCheck::prepare() {
  const DataType type = case_.type;
  const std::size_t count = case_.count;
  const auto n = static_cast<std::size_t>(world_size_);
  const PeriodTable mine = table_of_rank(type, rank_);
  const PeriodTable poison = filled_with(type, kPoison);
  const std::size_t output_length = output_.size() / size_of(type);
  fill(output_, type, {0, output_length, 0, poison});
  switch (case_.collective) {
    case Collective::kAllReduce:
    case Collective::kReduce:
      if (case_.in_place) {
        fill(output_, type, {0, count, 0, mine});
      } else {
        fill(input_, type, {0, count, 0, mine});
      }
      break;
    case Collective::kBroadcast:
      if (rank_ == case_.root) fill(output_, type, {0, count, 0, mine});
      break;
    case Collective::kAllGather:
    case Collective::kGather:
      if (case_.in_place) {
        fill(output_, type, {static_cast<std::size_t>(rank_) * count, count, 0, mine});
      } else {
        fill(input_, type, {0, count, 0, mine});
      }
      break;
    case Collective::kReduceScatter:
      fill(case_.in_place ? output_ : input_, type, {0, n * count, 0, mine});
      break;
  }
  if (device_output_) {
    device_input_->upload(input_.data(), input_.size());
    device_output_->upload(output_.data(), output_.size());
  }
}

void CollectiveCheck::finish(Communicator& communicator) {
  if (!device_output_) return;
  communicator.synchronize();
  device_output_->download(output_.data(), output_.size());
  device_input_->download(input_.data(), input_.size());
}

void CollectiveCheck::run(Communicator& communicator) {
  const CollectiveCase& c = case_;
  // The host buffers, or their device mirrors: the same layout either way.
  std::byte* output =
      device_output_ ? static_cast<std::byte*>(device_output_->data()) : output_.data();
  const std::byte* input =
      device_input_ ? static_cast<const std::byte*>(device_input_->data()) : input_.data();
  void* recv = output_.empty() ? nullptr : output;
  const void* send = c.in_place ? recv : static_cast<const void*>(input);
  if (!c.in_place && input_.empty()) send = nullptr;
  const std::size_t my_block = static_cast<std::size_t>(rank_) * c.count * size_of(c.type);
  switch (c.collective) {
    case Collective::kAllReduce: communicator.all_reduce(send, recv, c.count, c.type, c.op); break;
    case Collective::kReduce: communicator.reduce(send, recv, c.count, c.type, c.op, c.root); break;
    case Collective::kBroadcast: communicator.broadcast(recv, c.count, c.type, c.root); break;
    case Collective::kAllGather:
      if (c.in_place && recv != nullptr) send = output + my_block;
      communicator.all_gather(send, recv, c.count, c.type);
      break;
    case Collective::kGather:
      if (c.in_place && recv != nullptr) send = output + my_block;
      communicator.gather(send, recv, c.count, c.type, c.root);
      break;
    case Collective::kReduceScatter:
      if (c.in_place && recv != nullptr) {
        send = output;
        recv = output + my_block;
      }
      communicator.reduce_scatter(send, recv, c.count, c.type, c.op);
      break;
  }
}

CheckResult CollectiveCheck::check() const {
  const CollectiveCase& c = case_;
  const DataType type = c.type;
  const auto n = static_cast<std::size_t>(world_size_);
  const auto rank = static_cast<std::size_t>(rank_);
  const bool is_root = rank_ == c.root;
  CheckResult result;
  const auto expect_output = [&](const Segment& segment) {
    count_wrong(output_, type, segment, "output", result);
  };
  switch (c.collective) {
    case Collective::kAllReduce:
      expect_output({0, c.count, 0, table_of_reduction(type, c.op, world_size_)});
      break;
    case Collective::kReduce:
      if (is_root) expect_output({0, c.count, 0, table_of_reduction(type, c.op, world_size_)});
      break;
    case Collective::kBroadcast: expect_output({0, c.count, 0, table_of_rank(type, c.root)}); break;
    case Collective::kAllGather:
    case Collective::kGather:
      if (c.collective == Collective::kGather && !is_root) break;
      for (std::size_t block = 0; block < n; ++block) {
        expect_output({block * c.count, c.count, 0, table_of_rank(type, static_cast<int>(block))});
      }
      break;
    case Collective::kReduceScatter: {
      const std::size_t offset = c.in_place ? rank * c.count : 0;
      expect_output({offset, c.count, rank * c.count, table_of_reduction(type, c.op, world_size_)});
      break;
    }
  }
  if (!c.in_place && !input_.empty()) {
    count_wrong(input_, type, {0, input_.size() / size_of(type), 0, table_of_rank(type, rank_)},
                "input", result);
  }
  return result;
}

void CollectiveCheck::spoil_output() {
  if (output_.empty()) return;
  const Element poison = encode(case_.type, kPoison);
  std::memcpy(output_.data(), poison.data(), size_of(case_.type));
}

CheckResult run_check(Communicator& communicator, const CollectiveCase& what) {
  CollectiveCheck check(what, communicator.rank(), communicator.size());
  check.prepare();
  check.run(communicator);
  check.finish(communicator);
  return check.check();
}

}  // namespace accel::cli
