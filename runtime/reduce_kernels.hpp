// The element-wise arithmetic of the CPU collectives: combine the same
// elements of several buffers with sum, min or max, and divide for avg.
//
// fp16 and bf16 (uint16_t bit patterns) are widened to fp32, combined in
// fp32 across every source, and rounded once to nearest-even, so a
// reduction over n buffers rounds once, not n - 1 times. min and max
// propagate NaN (as torch does): a NaN in any source gives NaN. Integer sums
// wrap (two's complement), as torch's do.
//
// Aliasing: dst may be the same pointer as any source (each element is read
// from every source before it is written); partial overlaps are not allowed.
// Thread-safety: none needed; calls on distinct buffers may run in parallel.
#pragma once

#include <cstddef>
#include <span>

#include "accel/collectives.hpp"

namespace accel::runtime_detail {

// dst[i] = op(sources[0][i], ..., sources[k-1][i]) for i < count; op is
// kSum, kMin or kMax (kAvg: std::invalid_argument, see divide_elements).
// One source copies it. No source with count > 0: std::invalid_argument.
void reduce_elements(void* dst, std::span<const void* const> sources, std::size_t count,
                     DataType type, ReduceOp op);

// buffer[i] /= divisor: what turns a sum into an average. Integers divide
// truncating toward zero; fp16/bf16 divide in fp32 and round once.
void divide_elements(void* buffer, std::size_t count, DataType type, int divisor);

}  // namespace accel::runtime_detail
