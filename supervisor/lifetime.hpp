// Whether an object is still there, for the handlers it queues on the event
// loop. Cancelling a wait does not recall a completion that is already
// queued: such a handler still runs, with success, and may run after its
// object was destroyed (a Supervisor closed from a callback, a loop that is
// run again after the supervisor went away). Each handler captures a
// Lifetime::Watch and returns at once when the watch says the object is gone.
//
// Not thread-safe; one event loop thread.
#pragma once

#include <memory>

namespace accel::supervisor {

class Lifetime {
 public:
  class Watch {
   public:
    bool ended() const { return token_.expired(); }

   private:
    friend class Lifetime;
    explicit Watch(std::weak_ptr<const char> token) : token_(std::move(token)) {}
    std::weak_ptr<const char> token_;
  };

  Lifetime() = default;
  Lifetime(const Lifetime&) = delete;
  Lifetime& operator=(const Lifetime&) = delete;

  Watch watch() const { return Watch(token_); }
  // Ends it before the destructor does: every watch says ended from now on.
  void end() { token_.reset(); }

 private:
  std::shared_ptr<const char> token_ = std::make_shared<const char>('\0');
};

}  // namespace accel::supervisor
