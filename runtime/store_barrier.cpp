#include "runtime/store_barrier.hpp"

namespace accel::runtime_detail {

namespace {

std::string generation_prefix(const BarrierPlace& place, long long generation) {
  return place.prefix + "barrier/" + std::to_string(generation) + "/";
}

std::string arrival_key(const BarrierPlace& place, long long generation, int rank) {
  return generation_prefix(place, generation) + "rank/" + std::to_string(rank);
}

void remove_generation(rendezvous::StoreClient& store, const BarrierPlace& place,
                       long long generation) {
  const std::string prefix = generation_prefix(place, generation);
  store.remove(prefix + "count");
  store.remove(prefix + "released");
  for (int rank = 0; rank < place.world_size; ++rank) {
    store.remove(arrival_key(place, generation, rank));
  }
}

}  // namespace

void arrive_and_wait(rendezvous::StoreClient& store, const BarrierPlace& place,
                     std::chrono::milliseconds timeout) {
  const std::string prefix = generation_prefix(place, place.generation);
  store.set(arrival_key(place, place.generation, place.rank), "1");
  if (store.add(prefix + "count", 1) == place.world_size) {
    store.set(prefix + "released", "1");
    if (place.generation > 0) remove_generation(store, place, place.generation - 1);
    return;
  }
  store.wait(prefix + "released", timeout);
}

std::vector<int> missing_ranks(rendezvous::StoreClient& store, const BarrierPlace& place) {
  std::vector<int> missing;
  for (int rank = 0; rank < place.world_size; ++rank) {
    if (!store.get(arrival_key(place, place.generation, rank))) missing.push_back(rank);
  }
  return missing;
}

}  // namespace accel::runtime_detail
