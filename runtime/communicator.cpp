#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "accel/collectives.hpp"
#include "accel/cuda_stream.hpp"
#include "base/environment.hpp"
#include "runtime/group_factory.hpp"
#include "runtime/memory_location.hpp"
#include "runtime/nccl_group.hpp"
#include "runtime/reduce_kernels.hpp"
#include "runtime/store_settings.hpp"

namespace accel {

namespace {

using runtime_detail::CallInfo;
using runtime_detail::Clock;
using runtime_detail::DeviceGroup;

// Where rank `rank`'s block of `count` elements starts in `buffer`; null
// when the buffer is (non-roots may pass none).
const void* block_of(const void* buffer, int rank, std::size_t count, DataType type) {
  if (buffer == nullptr) return nullptr;
  return static_cast<const char*>(buffer) + static_cast<std::size_t>(rank) * count * size_of(type);
}

bool overlaps(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) {
  const auto a_begin = reinterpret_cast<std::uintptr_t>(a);
  const auto b_begin = reinterpret_cast<std::uintptr_t>(b);
  return a_bytes > 0 && b_bytes > 0 && a_begin < b_begin + b_bytes && b_begin < a_begin + a_bytes;
}

std::string element_text(std::size_t count, DataType type) {
  return std::to_string(count) + " " + std::string(name_of(type)) + " elements";
}

std::string place_text(const runtime_detail::MemoryLocation& location) {
  return location.on_device ? "device memory (cuda:" + std::to_string(location.device) + ")"
                            : "host memory";
}

}  // namespace

class Communicator::Impl {
 public:
  explicit Impl(CommunicatorOptions options)
      : env_(options.env ? std::move(options.env) : base::process_environment()),
        state_(process_state_from_env(env_)),
        timeout_(options.timeout ? *options.timeout
                                 : runtime_detail::runtime_timeout_from_env(env_)),
        device_choice_(device_choice_of(state_)) {
    const auto settings = runtime_detail::store_settings_from_env(env_, state_.world_size);
    context_.rank = 0;
    context_.global_ranks = {state_.rank};
    context_.timeout = timeout_;
    if (state_.world_size == 1 || !settings) {
      group_ = runtime_detail::make_self_group(state_.rank);
      return;
    }
    check_shape();
    try {
      store_.emplace(rendezvous::StoreClient::connect(settings->host, settings->port,
                                                      settings->token, settings->job_id, timeout_));
    } catch (const rendezvous::StoreError& error) {
      throw CollectiveError("rank " + std::to_string(state_.rank) +
                            " could not connect to the job's store to set up its communicator "
                            "(ACCEL_STORE_ADDR:ACCEL_STORE_PORT=" +
                            settings->address() + "): " + error.what() +
                            "; is the launcher still running?");
    }
    context_.store = &*store_;
    // Keys of a restarted attempt must not meet the previous attempt's.
    context_.key_prefix =
        "accel/comm/attempt" + std::to_string(state_.restart_count) + "/" + options.name + "/";
    context_.job_id = settings->job_id;
    context_.token = settings->token;
    context_.rank = state_.rank;
    context_.global_ranks.resize(static_cast<std::size_t>(state_.world_size));
    std::iota(context_.global_ranks.begin(), context_.global_ranks.end(), 0);
    claim_name(context_.key_prefix, options.name);
    const int per_machine = state_.local_world_size;
    if (per_machine == state_.world_size) {
      group_ = runtime_detail::make_shared_memory_group(context_);
    } else {
      group_ = runtime_detail::make_hierarchical_group(context_, per_machine);
    }
  }

  int rank() const { return state_.rank; }
  int size() const { return state_.world_size; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  std::string describe() const {
    if (!device_group_) return group_->describe();
    return group_->describe() + "; device buffers: " + device_group_->describe();
  }

  // Runs one host group call: numbers it, gives it its deadline, and marks
  // the communicator broken when it throws.
  template <typename Body>
  void run(const char* name, Body&& body) {
    run_call(name, ++sequence_, [&](const CallInfo& call) { body(*group_, call); });
  }

  // Runs one call on device buffers, setting NCCL up on the first.
  template <typename Body>
  void run_on_device(const char* name, int buffer_device, Body&& body) {
    const runtime_detail::DeviceChoice& choice = device_choice_;
    if (buffer_device != choice.device) {
      throw std::invalid_argument(
          std::string(name) + ": the buffers are on cuda:" + std::to_string(buffer_device) +
          ", but this process's GPU is cuda:" + std::to_string(choice.device) + " (" +
          choice.source + "); allocate them on cuda:" + std::to_string(choice.device));
    }
    run_call(name, ++sequence_, [&](const CallInfo& call) {
      if (!device_group_) device_group_ = runtime_detail::make_nccl_group(context_, choice, call);
      body(*device_group_, call);
    });
  }

  // Waits for the device collectives enqueued on `stream`; a no-op (and no
  // CUDA call) while no device collective ran. Not a collective: it takes
  // no sequence number, so ranks may call it different numbers of times.
  void synchronize(void* stream) {
    if (!device_group_) return;
    run_call("device collectives up to", sequence_,
             [&](const CallInfo& call) { device_group_->synchronize(stream, call); });
  }

  void device_barrier(void* stream) {
    run_on_device("device_barrier", device_choice_.device,
                  [&](runtime_detail::DeviceGroup& group, const CallInfo& call) {
                    group.barrier(stream, call);
                  });
  }

  // The device of a call's buffers, or nullopt for host buffers; null
  // buffers (a non-root's recv) take the other's place. Throws
  // std::invalid_argument when one is on the device and the other is not.
  std::optional<int> device_of(const char* name, const void* send, const void* recv) {
    // A training loop passes the same buffers call after call. Host memory
    // stays host memory (CUDA puts device and managed memory in address
    // ranges the driver reserves, never in the heap's), so the last host
    // pair needs no second look -- the CPU path then pays one comparison,
    // not the ~12 ns of the dynamic linker's counter.
    if (send == last_host_send_ && recv == last_host_recv_) return std::nullopt;
    auto [send_at, recv_at] = probe_.locate(send, recv);
    if (send == nullptr) send_at = recv_at;
    if (recv == nullptr) recv_at = send_at;
    if (send_at.on_device != recv_at.on_device || send_at.device != recv_at.device) {
      throw std::invalid_argument(std::string(name) + ": the send buffer is in " +
                                  place_text(send_at) + " but the receive buffer in " +
                                  place_text(recv_at) +
                                  "; both must be in the same place (copy one first)");
    }
    if (!send_at.on_device) {
      last_host_send_ = send;
      last_host_recv_ = recv;
      return std::nullopt;
    }
    if (!cuda::built_with_cuda()) {
      throw std::invalid_argument(std::string(name) +
                                  ": the buffers are in device memory, but libaccel was built "
                                  "without CUDA; rebuild it where the CUDA toolkit is found "
                                  "(-DACCEL_CUDA=ON), or pass host buffers");
    }
    return send_at.device;
  }

  void check_root(const char* name, int root) const {
    if (root < 0 || root >= state_.world_size) {
      throw std::invalid_argument(std::string(name) + ": root " + std::to_string(root) +
                                  " is not a rank of this job (0.." +
                                  std::to_string(state_.world_size - 1) + ")");
    }
  }

  // Buffers that cannot be right: null with elements, partial overlaps.
  static void check_buffers(const char* name, const void* send, std::size_t send_count,
                            const void* recv, std::size_t recv_count, DataType type,
                            const void* in_place_send) {
    const std::size_t size = size_of(type);
    if (send_count > std::numeric_limits<std::size_t>::max() / size ||
        recv_count > std::numeric_limits<std::size_t>::max() / size) {
      throw std::invalid_argument(std::string(name) + ": " + element_text(recv_count, type) +
                                  " do not fit in memory");
    }
    if ((send_count > 0 && send == nullptr) || (recv_count > 0 && recv == nullptr)) {
      throw std::invalid_argument(std::string(name) + ": a null buffer for " +
                                  element_text(std::max(send_count, recv_count), type));
    }
    if (send != in_place_send && overlaps(send, send_count * size, recv, recv_count * size)) {
      throw std::invalid_argument(
          std::string(name) +
          ": the send and receive buffers overlap without being in place; pass the same "
          "pointer (for all_gather and gather: recv + rank * count) or separate buffers");
    }
  }

  void average(void* recv, std::size_t count, DataType type) const {
    runtime_detail::divide_elements(recv, count, type, state_.world_size);
  }

  // Multiplication that would not fit a size_t: the caller's counts are wrong.
  std::size_t times_world(const char* name, std::size_t count) const {
    const auto world = static_cast<std::size_t>(state_.world_size);
    if (count > std::numeric_limits<std::size_t>::max() / world) {
      throw std::invalid_argument(std::string(name) + ": " + std::to_string(count) + " times " +
                                  std::to_string(world) + " processes does not fit in memory");
    }
    return count * world;
  }

 private:
  // The GPU of this process (nccl_group.hpp): the launcher's
  // ACCEL_LOCAL_DEVICE, else LOCAL_RANK.
  static runtime_detail::DeviceChoice device_choice_of(const ProcessState& state) {
    if (state.local_device) {
      return {*state.local_device, "ACCEL_LOCAL_DEVICE=" + std::to_string(*state.local_device)};
    }
    return {state.local_rank, "LOCAL_RANK=" + std::to_string(state.local_rank)};
  }

  template <typename Body>
  void run_call(const char* name, std::uint64_t sequence, Body&& body) {
    if (!broken_.empty()) {
      throw CollectiveError(std::string(name) + " on rank " + std::to_string(state_.rank) +
                            ": this communicator failed earlier (" + broken_ +
                            "); the job should exit");
    }
    CallInfo call;
    call.name = name;
    call.sequence = sequence;
    call.deadline = Clock::now() + timeout_;
    try {
      body(call);
    } catch (const CollectiveError& error) {
      broken_ = error.what();
      throw;
    }
  }

  void check_shape() const {
    if (state_.local_world_size < 1 || state_.world_size % state_.local_world_size != 0) {
      throw std::invalid_argument(
          "WORLD_SIZE=" + std::to_string(state_.world_size) +
          " is not a multiple of LOCAL_WORLD_SIZE=" + std::to_string(state_.local_world_size) +
          ": the collectives need the same number of processes on every machine");
    }
  }

  // Two communicators of one name in one process would take each other's keys.
  void claim_name(const std::string& prefix, const std::string& name) {
    try {
      if (store_->add(prefix + "claimed_by/" + std::to_string(state_.rank), 1) > 1) {
        throw std::invalid_argument("a communicator named '" + name + "' already exists in rank " +
                                    std::to_string(state_.rank) +
                                    "; give each communicator its own "
                                    "CommunicatorOptions::name");
      }
    } catch (const rendezvous::StoreError& error) {
      throw CollectiveError(
          "rank " + std::to_string(state_.rank) +
          " lost the job's store while setting up its communicator: " + error.what());
    }
  }

  EnvLookup env_;
  ProcessState state_;
  std::chrono::milliseconds timeout_;
  runtime_detail::DeviceChoice device_choice_;  // read once: it is on every device call's path
  std::optional<rendezvous::StoreClient> store_;
  runtime_detail::GroupContext context_;  // the members, kept for the device group
  std::unique_ptr<runtime_detail::Group> group_;
  runtime_detail::MemoryProbe probe_;
  // The buffers of the last call found in host memory (device_of).
  const void* last_host_send_ = nullptr;
  const void* last_host_recv_ = nullptr;
  // NCCL, made on the first call with device buffers (nccl_group.hpp);
  // destroyed before the store it may use (members die in reverse order).
  std::unique_ptr<runtime_detail::DeviceGroup> device_group_;
  std::uint64_t sequence_ = 0;
  std::string broken_;  // why a collective failed; empty while healthy
};

Communicator::Communicator(CommunicatorOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
Communicator::Communicator(Communicator&&) noexcept = default;
Communicator& Communicator::operator=(Communicator&&) noexcept = default;
Communicator::~Communicator() = default;

int Communicator::rank() const {
  return impl_->rank();
}
int Communicator::size() const {
  return impl_->size();
}
std::chrono::milliseconds Communicator::timeout() const {
  return impl_->timeout();
}
std::string Communicator::describe() const {
  return impl_->describe();
}

void Communicator::all_reduce(const void* send, void* recv, std::size_t count, DataType type,
                              ReduceOp op, void* stream) {
  Impl::check_buffers("all_reduce", send, count, recv, count, type, recv);
  if (const auto device = impl_->device_of("all_reduce", send, recv)) {
    impl_->run_on_device("all_reduce", *device, [&](DeviceGroup& group, const CallInfo& call) {
      group.all_reduce(send, recv, count, type, op, stream, call);
    });
    return;
  }
  const ReduceOp group_op = op == ReduceOp::kAvg ? ReduceOp::kSum : op;
  impl_->run("all_reduce", [&](runtime_detail::Group& group, const CallInfo& call) {
    group.all_reduce(send, recv, count, type, group_op, call);
  });
  if (op == ReduceOp::kAvg) impl_->average(recv, count, type);
}

void Communicator::reduce(const void* send, void* recv, std::size_t count, DataType type,
                          ReduceOp op, int root, void* stream) {
  impl_->check_root("reduce", root);
  const bool is_root = root == rank();
  Impl::check_buffers("reduce", send, count, recv, is_root ? count : 0, type, recv);
  if (const auto device = impl_->device_of("reduce", send, is_root ? recv : nullptr)) {
    impl_->run_on_device("reduce", *device, [&](DeviceGroup& group, const CallInfo& call) {
      group.reduce(send, recv, count, type, op, root, stream, call);
    });
    return;
  }
  const ReduceOp group_op = op == ReduceOp::kAvg ? ReduceOp::kSum : op;
  impl_->run("reduce", [&](runtime_detail::Group& group, const CallInfo& call) {
    group.reduce(send, recv, count, type, group_op, root, call);
  });
  if (op == ReduceOp::kAvg && is_root) impl_->average(recv, count, type);
}

void Communicator::broadcast(void* buffer, std::size_t count, DataType type, int root,
                             void* stream) {
  impl_->check_root("broadcast", root);
  Impl::check_buffers("broadcast", buffer, count, buffer, count, type, buffer);
  if (const auto device = impl_->device_of("broadcast", buffer, buffer)) {
    impl_->run_on_device("broadcast", *device, [&](DeviceGroup& group, const CallInfo& call) {
      group.broadcast(buffer, count, type, root, stream, call);
    });
    return;
  }
  impl_->run("broadcast", [&](runtime_detail::Group& group, const CallInfo& call) {
    group.broadcast(buffer, count, type, root, call);
  });
}

void Communicator::all_gather(const void* send, void* recv, std::size_t count, DataType type,
                              void* stream) {
  const std::size_t total = impl_->times_world("all_gather", count);
  Impl::check_buffers("all_gather", send, count, recv, total, type,
                      block_of(recv, rank(), count, type));
  if (const auto device = impl_->device_of("all_gather", send, recv)) {
    impl_->run_on_device("all_gather", *device, [&](DeviceGroup& group, const CallInfo& call) {
      group.all_gather(send, recv, count, type, stream, call);
    });
    return;
  }
  impl_->run("all_gather", [&](runtime_detail::Group& group, const CallInfo& call) {
    group.all_gather(send, recv, count, type, call);
  });
}

void Communicator::gather(const void* send, void* recv, std::size_t count, DataType type, int root,
                          void* stream) {
  impl_->check_root("gather", root);
  const bool is_root = root == rank();
  const std::size_t total = impl_->times_world("gather", count);
  Impl::check_buffers("gather", send, count, recv, is_root ? total : 0, type,
                      block_of(recv, rank(), count, type));
  if (const auto device = impl_->device_of("gather", send, is_root ? recv : nullptr)) {
    impl_->run_on_device("gather", *device, [&](DeviceGroup& group, const CallInfo& call) {
      group.gather(send, recv, count, type, root, stream, call);
    });
    return;
  }
  impl_->run("gather", [&](runtime_detail::Group& group, const CallInfo& call) {
    group.gather(send, recv, count, type, root, call);
  });
}

void Communicator::reduce_scatter(const void* send, void* recv, std::size_t recv_count,
                                  DataType type, ReduceOp op, void* stream) {
  const std::size_t total = impl_->times_world("reduce_scatter", recv_count);
  // In place (NCCL's convention): recv is this rank's block of send.
  const void* own_block = block_of(send, rank(), recv_count, type);
  Impl::check_buffers("reduce_scatter", send, total, recv, recv_count, type,
                      recv == own_block ? send : nullptr);
  if (const auto device = impl_->device_of("reduce_scatter", send, recv)) {
    impl_->run_on_device("reduce_scatter", *device, [&](DeviceGroup& group, const CallInfo& call) {
      group.reduce_scatter(send, recv, recv_count, type, op, stream, call);
    });
    return;
  }
  const ReduceOp group_op = op == ReduceOp::kAvg ? ReduceOp::kSum : op;
  impl_->run("reduce_scatter", [&](runtime_detail::Group& group, const CallInfo& call) {
    group.reduce_scatter(send, recv, recv_count, type, group_op, call);
  });
  if (op == ReduceOp::kAvg) impl_->average(recv, recv_count, type);
}

void Communicator::barrier() {
  impl_->run("barrier",
             [&](runtime_detail::Group& group, const CallInfo& call) { group.barrier(call); });
}

void Communicator::device_barrier(void* stream) {
  impl_->device_barrier(stream);
}

void Communicator::synchronize(void* stream) {
  impl_->synchronize(stream);
}

}  // namespace accel
