// train_on_cuda in a build without the CUDA toolkit (ACCEL_HAVE_CUDA off).
#include "train_cuda.hpp"

namespace train_mlp {

int train_on_cuda(const TrainOptions& /*options*/) {
  throw NoCudaDevice(
      "--device cuda: this train_mlp was built without CUDA (its .cu files are built where CMake "
      "finds the CUDA toolkit, unless -DACCEL_CUDA=OFF); rebuild with the toolkit, or train on "
      "the CPU with --device cpu");
}

}  // namespace train_mlp
