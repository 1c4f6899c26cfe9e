// fp32 <-> bf16 / fp16, one value at a time. These are the reference the bulk
// converters (accel/reduced_float_buffers.hpp) are tested against, written
// rule by rule so each case of the contract below is visible in the code.
//
// Storage: a bf16 or fp16 value travels as its raw bits in a std::uint16_t,
// the way torch tensors, NCCL and files hold them. A wrapper struct would add
// a reinterpret_cast at every such boundary; the function names say which
// format the bits are in instead.
//
// The rounding contract, the same for every converter of libaccel:
//  * fp32 -> bf16 / fp16 rounds the exact fp32 value to nearest, ties to
//    even (IEEE 754 roundTiesToEven). It does not depend on the FPU's
//    rounding mode or on FTZ/DAZ.
//  * Finite values too large become +-Inf exactly where IEEE puts the
//    boundary, halfway past the largest finite value (a tie whose even
//    neighbour is Inf): fp16 from 65520 up (65519.996 -> 65504, the largest
//    fp16), bf16 from 0x1.FFp127 up (so fp32's largest value becomes Inf).
//  * Values too small for a normal number become denormals or a zero of the
//    same sign: fp16's smallest denormal is 2^-24; 2^-25 is a tie and goes to
//    +0 (even). bf16 has fp32's exponent range, so fp32 denormals round to
//    bf16 denormals.
//  * +-Inf stays +-Inf. NaN stays NaN (never Inf), keeps its sign, and comes
//    out quiet: the quiet bit is set, and the payload bits that fit are kept,
//    the top ones: fp32 mantissa bits 21..16 become bf16 bits 5..0, fp32
//    bits 21..13 become fp16 bits 8..0. A signalling NaN whose payload lives
//    only in the dropped low bits becomes the plain quiet NaN of its sign.
//  * bf16 / fp16 -> fp32 is exact for every value that is not NaN (fp32
//    holds all of them). A NaN keeps its sign and payload (moved to the top
//    of the fp32 mantissa) and comes out quiet, as x86's vcvtph2ps does.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

namespace accel {

std::uint16_t float_to_bf16(float value);
std::uint16_t float_to_fp16(float value);
float bf16_to_float(std::uint16_t bits);
float fp16_to_float(std::uint16_t bits);

}  // namespace accel
