#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

#include "accel/collectives.hpp"

namespace accel {

namespace {

std::string lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

}  // namespace

std::size_t size_of(DataType type) {
  switch (type) {
    case DataType::kFloat32:
    case DataType::kInt32: return 4;
    case DataType::kFloat64:
    case DataType::kInt64: return 8;
    case DataType::kFloat16:
    case DataType::kBFloat16: return 2;
  }
  return 0;
}

std::string_view name_of(DataType type) {
  switch (type) {
    case DataType::kFloat32: return "float32";
    case DataType::kFloat64: return "float64";
    case DataType::kFloat16: return "float16";
    case DataType::kBFloat16: return "bfloat16";
    case DataType::kInt32: return "int32";
    case DataType::kInt64: return "int64";
  }
  return "?";
}

std::string_view name_of(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum: return "sum";
    case ReduceOp::kAvg: return "avg";
    case ReduceOp::kMin: return "min";
    case ReduceOp::kMax: return "max";
  }
  return "?";
}

std::optional<DataType> data_type_named(std::string_view name) {
  // torch's names and nccl-tests' short ones.
  static constexpr std::array<std::pair<std::string_view, DataType>, 16> kNames{{
      {"float32", DataType::kFloat32},
      {"fp32", DataType::kFloat32},
      {"float", DataType::kFloat32},
      {"float64", DataType::kFloat64},
      {"fp64", DataType::kFloat64},
      {"double", DataType::kFloat64},
      {"float16", DataType::kFloat16},
      {"fp16", DataType::kFloat16},
      {"half", DataType::kFloat16},
      {"bfloat16", DataType::kBFloat16},
      {"bf16", DataType::kBFloat16},
      {"int32", DataType::kInt32},
      {"int", DataType::kInt32},
      {"int64", DataType::kInt64},
      {"long", DataType::kInt64},
      {"int64_t", DataType::kInt64},
  }};
  const std::string lower = lowercase(name);
  for (const auto& [known, type] : kNames) {
    if (known == lower) return type;
  }
  return std::nullopt;
}

std::optional<ReduceOp> reduce_op_named(std::string_view name) {
  const std::string lower = lowercase(name);
  for (const ReduceOp op : {ReduceOp::kSum, ReduceOp::kAvg, ReduceOp::kMin, ReduceOp::kMax}) {
    if (name_of(op) == lower) return op;
  }
  if (lower == "mean") return ReduceOp::kAvg;
  return std::nullopt;
}

}  // namespace accel
