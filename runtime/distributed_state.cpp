#include "accel/distributed_state.hpp"

#include <exception>
#include <iostream>
#include <string>
#include <utility>

#include "base/environment.hpp"
#include "rendezvous/store_client.hpp"
#include "runtime/message_text.hpp"
#include "runtime/store_barrier.hpp"
#include "runtime/store_settings.hpp"

namespace accel {

class DistributedState::Impl {
 public:
  explicit Impl(DistributedStateOptions options)
      : env_(options.env ? std::move(options.env) : base::process_environment()),
        out_(options.out ? options.out : &std::cout),
        state_(process_state_from_env(env_)),
        timeout_(options.timeout ? *options.timeout
                                 : runtime_detail::runtime_timeout_from_env(env_)),
        settings_(runtime_detail::store_settings_from_env(env_, state_.world_size)) {
    // Keys of a restarted attempt must not meet the previous attempt's.
    place_.prefix = "accel/runtime/attempt" + std::to_string(state_.restart_count) + "/";
    place_.rank = state_.rank;
    place_.world_size = state_.world_size;
    if (settings_) store_ = connect("connect to");
  }

  void print(std::string_view line) const {
    if (!state_.is_main_process()) return;
    *out_ << line << '\n';
    out_->flush();
  }

  void wait_for_everyone() {
    if (!broken_.empty()) throw SyncError(broken_);
    if (!store_) return;  // a world of one
    try {
      runtime_detail::arrive_and_wait(*store_, place_, timeout_);
    } catch (const rendezvous::StoreError& error) {
      broken_ = barrier_failure(error);
      store_.reset();
      throw SyncError(broken_);
    }
    ++place_.generation;
  }

  const ProcessState& state() const { return state_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  std::optional<rendezvous::StoreClient> connect(const std::string& what) {
    try {
      return rendezvous::StoreClient::connect(settings_->host, settings_->port, settings_->token,
                                              settings_->job_id, timeout_);
    } catch (const rendezvous::StoreError& error) {
      throw SyncError(
          "rank " + std::to_string(state_.rank) + " could not " + what +
          " the job's store (ACCEL_STORE_ADDR:ACCEL_STORE_PORT=" + settings_->address() +
          "): " + error.what() + "; is the launcher still running?");
    }
  }

  // The message for a failed barrier; names the missing ranks when the
  // store, asked on a fresh connection, can tell.
  std::string barrier_failure(const rendezvous::StoreError& error) {
    std::string message = "wait_for_everyone #" + std::to_string(place_.generation + 1) +
                          " failed on rank " + std::to_string(state_.rank) + " after waiting " +
                          "up to " + runtime_detail::duration_text(timeout_) + ": ";
    try {
      auto fresh = connect("reconnect to");
      const std::vector<int> missing = runtime_detail::missing_ranks(*fresh, place_);
      if (missing.empty()) {
        return message + "every rank arrived but the barrier was not released (" + error.what() +
               ")";
      }
      return message + runtime_detail::ranks_text(missing) +
             " of WORLD_SIZE=" + std::to_string(state_.world_size) +
             " did not arrive; look at their output, or raise " +
             runtime_detail::kAccelRuntimeTimeout + " (seconds) if they are only slow";
    } catch (const std::exception& second) {
      return message + error.what() + " (the ranks missing are unknown: " + second.what() + ")";
    }
  }

  EnvLookup env_;
  std::ostream* out_;
  ProcessState state_;
  std::chrono::milliseconds timeout_;
  std::optional<runtime_detail::StoreSettings> settings_;
  std::optional<rendezvous::StoreClient> store_;
  runtime_detail::BarrierPlace place_;
  std::string broken_;  // why synchronisation failed; empty while healthy
};

DistributedState::DistributedState(DistributedStateOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
DistributedState::DistributedState(DistributedState&&) noexcept = default;
DistributedState& DistributedState::operator=(DistributedState&&) noexcept = default;
DistributedState::~DistributedState() = default;

int DistributedState::process_index() const {
  return impl_->state().rank;
}
int DistributedState::num_processes() const {
  return impl_->state().world_size;
}
int DistributedState::local_process_index() const {
  return impl_->state().local_rank;
}
int DistributedState::num_local_processes() const {
  return impl_->state().local_world_size;
}
bool DistributedState::is_main_process() const {
  return impl_->state().is_main_process();
}
bool DistributedState::is_local_main_process() const {
  return impl_->state().is_local_main_process();
}
const ProcessState& DistributedState::process_state() const {
  return impl_->state();
}
std::chrono::milliseconds DistributedState::timeout() const {
  return impl_->timeout();
}
void DistributedState::print(std::string_view line) const {
  impl_->print(line);
}
void DistributedState::wait_for_everyone() {
  impl_->wait_for_everyone();
}
MainProcessFirst DistributedState::main_process_first() {
  return MainProcessFirst(*this);
}

MainProcessFirst::MainProcessFirst(DistributedState& state)
    : state_(state), exceptions_at_entry_(std::uncaught_exceptions()) {
  if (!state_.is_main_process()) state_.wait_for_everyone();
}

MainProcessFirst::~MainProcessFirst() noexcept(false) {
  if (!state_.is_main_process()) return;
  if (std::uncaught_exceptions() > exceptions_at_entry_) return;  // unwinding
  state_.wait_for_everyone();
}

}  // namespace accel
