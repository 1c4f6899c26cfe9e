// A world of one process: the result of every collective is the input.
#include <cstring>

#include "runtime/group_factory.hpp"

namespace accel::runtime_detail {

namespace {

void copy_elements(const void* send, void* recv, std::size_t count, DataType type) {
  if (count == 0 || send == recv) return;
  std::memcpy(recv, send, count * size_of(type));
}

class SelfGroup final : public Group {
 public:
  explicit SelfGroup(int global_rank) : global_rank_(global_rank) {}

  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string describe() const override {
    return "self (rank " + std::to_string(global_rank_) + " alone)";
  }

  void all_reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp,
                  const CallInfo&) override {
    copy_elements(send, recv, count, type);
  }
  void reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp, int,
              const CallInfo&) override {
    copy_elements(send, recv, count, type);
  }
  void broadcast(void*, std::size_t, DataType, int, const CallInfo&) override {}
  void all_gather(const void* send, void* recv, std::size_t count, DataType type,
                  const CallInfo&) override {
    copy_elements(send, recv, count, type);
  }
  void gather(const void* send, void* recv, std::size_t count, DataType type, int,
              const CallInfo&) override {
    copy_elements(send, recv, count, type);
  }
  void reduce_scatter(const void* send, void* recv, std::size_t recv_count, DataType type, ReduceOp,
                      const CallInfo&) override {
    copy_elements(send, recv, recv_count, type);
  }
  void barrier(const CallInfo&) override {}

 private:
  int global_rank_;
};

}  // namespace

std::unique_ptr<Group> make_self_group(int global_rank) {
  return std::make_unique<SelfGroup>(global_rank);
}

}  // namespace accel::runtime_detail
