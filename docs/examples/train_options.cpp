#include "train_options.hpp"

#include <charconv>
#include <stdexcept>

namespace train_mlp {

namespace {

template <typename Number>
Number number_of(const std::string& flag, const std::string& text, Number lowest) {
  Number value{};
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end || value < lowest) {
    throw std::invalid_argument(flag + " '" + text + "' is not a number from " +
                                std::to_string(lowest) + " up");
  }
  return value;
}

}  // namespace

TrainOptions parse_train_options(const std::vector<std::string>& args) {
  TrainOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    if (const auto equals = flag.find('='); equals != std::string::npos) {
      value = flag.substr(equals + 1);
      flag.resize(equals);
    } else if (flag.starts_with("--") && i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw std::invalid_argument("'" + flag + "' is not a flag with a value");
    }
    if (flag == "--epochs") {
      options.epochs = number_of(flag, value, 1);
    } else if (flag == "--batch_size") {
      options.batch_size = number_of(flag, value, 1);
    } else if (flag == "--learning_rate") {
      options.learning_rate = number_of(flag, value, 0.0F);
    } else if (flag == "--seed") {
      options.seed = number_of<std::uint64_t>(flag, value, 0);
    } else if (flag == "--mixed_precision") {
      options.mixed_precision = accel::parse_mixed_precision(value);
    } else if (flag == "--gradient_accumulation_steps") {
      options.gradient_accumulation_steps = number_of(flag, value, 1);
    } else if (flag == "--device") {
      if (value != "cpu" && value != "cuda") {
        throw std::invalid_argument("--device '" + value + "' is not cpu or cuda");
      }
      options.device = value == "cuda" ? Device::kCuda : Device::kCpu;
    } else if (flag == "--corrupt_rank") {
      options.corrupt_rank = number_of(flag, value, 0);
    } else {
      throw std::invalid_argument("unknown flag '" + flag + "'");
    }
  }
  return options;
}

}  // namespace train_mlp
