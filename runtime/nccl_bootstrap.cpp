#include "runtime/nccl_bootstrap.hpp"

#include <cstring>
#include <thread>

#include "rendezvous/token.hpp"
#include "runtime/message_text.hpp"

namespace accel::runtime_detail {

namespace {

// Rank 0 usually has the id within milliseconds of the others asking.
constexpr std::chrono::milliseconds kPollInterval{5};

std::string unique_id_key(const GroupContext& context) {
  return context.key_prefix + "nccl/unique_id";
}

std::string joined_key(const GroupContext& context, int member) {
  return context.key_prefix + "nccl/joined/" + std::to_string(member);
}

}  // namespace

std::string encode_unique_id(const ncclUniqueId& id) {
  return rendezvous::to_hex(std::string_view(id.internal, sizeof(id.internal)));
}

std::optional<ncclUniqueId> decode_unique_id(const std::string& text) {
  const std::optional<std::string> bytes = rendezvous::from_hex(text);
  ncclUniqueId id{};
  if (!bytes || bytes->size() != sizeof(id.internal)) return std::nullopt;
  std::memcpy(id.internal, bytes->data(), sizeof(id.internal));
  return id;
}

ncclUniqueId share_unique_id(const NcclLibrary& nccl, const GroupContext& context,
                             const CallInfo& call) {
  const std::string who = call.label() + " on rank " + std::to_string(context.global_rank());
  ncclUniqueId id{};
  const auto create = [&] {
    const ncclResult_t result = nccl.api().get_unique_id(&id);
    if (result != ncclSuccess) {
      throw CollectiveError(
          who + ": ncclGetUniqueId failed setting up NCCL: " + nccl.error_text(result, nullptr) +
          " (run with NCCL_DEBUG=WARN for NCCL's view)");
    }
  };
  if (context.store == nullptr || context.size() == 1) {
    create();
    return id;
  }
  rendezvous::StoreClient& store = *context.store;
  try {
    store.set(joined_key(context, context.rank), "1");
    if (context.rank == 0) {
      create();
      store.set(unique_id_key(context), encode_unique_id(id));
      return id;
    }
    // get in a loop, not wait: a wait that times out leaves the client
    // unusable, and the message below needs it.
    for (;;) {
      if (const auto text = store.get(unique_id_key(context))) {
        const auto decoded = decode_unique_id(*text);
        if (!decoded) {
          throw CollectiveError(who + ": the NCCL id in the job's store is malformed ('" + *text +
                                "'); was the store's key prefix reused by another program?");
        }
        return *decoded;
      }
      if (Clock::now() >= call.deadline) break;
      std::this_thread::sleep_for(kPollInterval);
    }
  } catch (const rendezvous::StoreError& error) {
    throw CollectiveError(who + " lost the job's store while setting up NCCL: " + error.what() +
                          "; is the launcher still running?");
  }
  throw CollectiveError(who + " timed out after " + duration_text(context.timeout) +
                        " waiting for rank " + std::to_string(context.global_ranks.front()) +
                        " to publish NCCL's id: it has not made its first device collective call "
                        "(every process must call the same collectives in the same order; if it "
                        "is only slow, raise ACCEL_RUNTIME_TIMEOUT)");
}

std::vector<int> ranks_not_joined(const GroupContext& context) {
  std::vector<int> missing;
  if (context.store == nullptr) return missing;
  for (int member = 0; member < context.size(); ++member) {
    if (!context.store->get(joined_key(context, member))) {
      missing.push_back(context.global_ranks.at(static_cast<std::size_t>(member)));
    }
  }
  return missing;
}

}  // namespace accel::runtime_detail
