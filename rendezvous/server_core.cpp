#include "rendezvous/server_core.hpp"

#include <utility>
#include <variant>

#include "rendezvous/frame.hpp"

namespace accel::rendezvous {

namespace {

std::shared_ptr<const std::string> frame_of(const Message& message) {
  return std::make_shared<const std::string>(encode_frame(encode(message)));
}

StoreReply reply_ok(std::vector<std::string> values = {}, int64_t number = 0) {
  StoreReply reply;
  reply.values = std::move(values);
  reply.number = number;
  return reply;
}

StoreReply reply_status(StoreStatus status, std::string message) {
  StoreReply reply;
  reply.status = status;
  reply.message = std::move(message);
  return reply;
}

std::string joined_keys(const std::vector<std::string>& keys) {
  std::string text;
  for (const std::string& key : keys) {
    if (!text.empty()) text += ", ";
    text += "'" + key + "'";
  }
  return text;
}

}  // namespace

ServerCore::ServerCore(CoreOptions options, Clock::time_point start)
    : options_(std::move(options)),
      token_mac_(options_.auth.token),
      round_(options_.round, start),
      member_connection_(static_cast<std::size_t>(std::max(options_.round.member_count, 0)), 0) {}

void ServerCore::connected(ConnectionId id, Clock::time_point now) {
  const auto [place, added] = connections_.try_emplace(id, options_.auth, token_mac_, now);
  if (added) place->second.last_sent = now;
}

void ServerCore::received(ConnectionId id, std::string_view bytes, Clock::time_point now) {
  const auto place = connections_.find(id);
  if (place == connections_.end()) return;
  Connection& connection = place->second;
  now_ = now;
  ConnectionOutput step;
  connection.protocol.receive(bytes, now, step);
  if (connection.member >= 0) round_.heard_from(connection.member, now);
  for (Message& reply : step.replies) send(id, reply);
  for (const Message& request : step.requests) {
    // A request may close the connection (a refused join): stop there.
    if (!connections_.contains(id)) return;
    if (is_store_request(request)) {
      handle_store_request(id, connection, request);
    } else {
      handle_member_request(id, connection, request);
    }
  }
  if (step.close_reason && connections_.contains(id)) close(id, connection, *step.close_reason);
}

void ServerCore::disconnected(ConnectionId id, Clock::time_point now) {
  now_ = now;
  const auto place = connections_.find(id);
  if (place == connections_.end()) return;
  forget(id, place->second);
}

// Unbinds the connection from the round and the store and drops it.
void ServerCore::forget(ConnectionId id, Connection& connection) {
  const int member = connection.member;
  if (connection.waiting) store_.cancel(id);
  connections_.erase(id);
  if (member >= 0) {
    member_connection_[static_cast<std::size_t>(member)] = 0;
    RoundActions actions;
    round_.disconnected(member, now_, actions);
    deliver(actions);
  }
}

void ServerCore::close(ConnectionId id, Connection& connection, const std::string& reason) {
  if (connection.protocol.state() != ConnectionState::kClosed) {
    ConnectionOutput step;
    connection.protocol.refuse(reason, step);
    for (Message& reply : step.replies) send(id, reply);
  }
  output_.closes.emplace_back(id, reason);
  forget(id, connection);
}

void ServerCore::handle_member_request(ConnectionId id, Connection& connection,
                                       const Message& request) {
  RoundActions actions;
  if (const auto* join = std::get_if<Join>(&request)) {
    if (connection.member >= 0) {
      close(id, connection, "this connection has joined already");
      return;
    }
    std::optional<std::string> refusal = round_.join(join->request, now_, actions);
    if (refusal) {
      close(id, connection, *refusal);
      return;
    }
    connection.member = join->request.member_index;
    member_connection_[static_cast<std::size_t>(connection.member)] = id;
  } else if (connection.member < 0) {
    close(id, connection, std::string("expected a join, got ") + message_name(request));
    return;
  } else if (const auto* report = std::get_if<ReachReport>(&request)) {
    round_.reach_report(connection.member, *report, actions);
  } else if (const auto* failure = std::get_if<FailureReport>(&request)) {
    round_.failure_report(connection.member, *failure, actions);
  } else if (const auto* ended = std::get_if<AttemptEnded>(&request)) {
    round_.attempt_ended(connection.member, *ended, actions);
  }
  // Heartbeat: heard_from() in received() was all it needed.
  deliver(actions);
}

void ServerCore::handle_store_request(ConnectionId id, Connection& connection,
                                      const Message& request) {
  // Until its join is accepted a member connection is not in the job (the
  // join may still be refused for disagreeing), so it gets nothing of the
  // job's, the store included; a client that wants only the store
  // authenticates as a store client.
  if (connection.protocol.role() == Role::kMember && connection.member < 0) {
    close(id, connection, std::string("expected a join, got ") + message_name(request));
    return;
  }
  if (connection.waiting) {
    close(id, connection,
          std::string("a ") + message_name(request) +
              " arrived while a wait was pending (one request at a time)");
    return;
  }
  std::vector<WaiterId> ready;
  StoreReply reply;
  try {
    if (const auto* set = std::get_if<StoreSet>(&request)) {
      store_.set(set->key, set->value, ready);
    } else if (const auto* get = std::get_if<StoreGet>(&request)) {
      std::optional<std::string> value = store_.get(get->key);
      reply = value ? reply_ok({std::move(*value)})
                    : reply_status(StoreStatus::kNotFound, "no key '" + get->key + "'");
    } else if (const auto* add = std::get_if<StoreAdd>(&request)) {
      reply = reply_ok({}, store_.add(add->key, add->delta, ready));
    } else if (const auto* swap = std::get_if<StoreCompareSet>(&request)) {
      reply = reply_ok({}, store_.compare_set(swap->key, swap->expected, swap->desired, ready));
    } else if (const auto* remove = std::get_if<StoreDelete>(&request)) {
      reply = reply_ok({}, store_.remove(remove->key) ? 1 : 0);
    } else if (const auto* wait = std::get_if<StoreWait>(&request)) {
      if (!store_.wait(id, wait->keys)) {
        connection.waiting = true;
        connection.wait_keys = wait->keys;
        const auto timeout = std::chrono::milliseconds(std::max<int64_t>(wait->timeout_ms, 0));
        connection.wait_deadline =
            timeout > std::chrono::hours(24 * 365) ? Clock::time_point::max() : now_ + timeout;
        wait_deadlines_.emplace(connection.wait_deadline, id);
        return;  // answered when the keys are there, or on the deadline
      }
      reply = reply_ok(store_.values(wait->keys));
    }
  } catch (const KvError& error) {
    reply = reply_status(StoreStatus::kError, error.what());
  }
  send(id, reply);
  answer_ready_waiters(ready);
}

void ServerCore::answer_ready_waiters(const std::vector<WaiterId>& ready) {
  for (const WaiterId waiter : ready) {
    const auto place = connections_.find(waiter);
    if (place == connections_.end() || !place->second.waiting) continue;
    Connection& connection = place->second;
    connection.waiting = false;
    send(waiter, reply_ok(store_.values(connection.wait_keys)));
    connection.wait_keys.clear();
  }
}

void ServerCore::tick(Clock::time_point now) {
  now_ = now;
  // The round first: a status it sends makes a heartbeat unnecessary.
  RoundActions actions;
  round_.tick(now, actions);
  deliver(actions);

  std::vector<std::pair<ConnectionId, std::string>> expired;
  std::shared_ptr<const std::string> heartbeat;
  for (auto& [id, connection] : connections_) {
    if (auto reason = connection.protocol.deadline_passed(now)) {
      expired.emplace_back(id, *reason);
    } else if (connection.member >= 0 &&
               now - connection.last_sent >= options_.heartbeat_interval) {
      if (!heartbeat) heartbeat = frame_of(Heartbeat{});
      connection.last_sent = now;
      output_.sends.push_back({id, heartbeat});
    }
  }
  for (const auto& [id, reason] : expired) {
    const auto place = connections_.find(id);
    if (place != connections_.end()) close(id, place->second, reason);
  }

  while (!wait_deadlines_.empty() && wait_deadlines_.begin()->first <= now) {
    const auto [deadline, id] = *wait_deadlines_.begin();
    wait_deadlines_.erase(wait_deadlines_.begin());
    const auto place = connections_.find(id);
    if (place == connections_.end()) continue;
    Connection& connection = place->second;
    if (!connection.waiting || connection.wait_deadline != deadline) continue;  // answered
    store_.cancel(id);
    connection.waiting = false;
    send(id, reply_status(StoreStatus::kTimeout,
                          "timed out waiting for store keys " +
                              joined_keys(store_.missing(connection.wait_keys))));
    connection.wait_keys.clear();
  }
}

void ServerCore::probe_port_opened(uint16_t port) {
  RoundActions actions;
  round_.probe_port_opened(port, actions);
  deliver(actions);
}

void ServerCore::probe_port_failed(const std::string& error) {
  RoundActions actions;
  round_.probe_port_failed(error, actions);
  deliver(actions);
}

void ServerCore::deliver(const RoundActions& actions) {
  for (const auto& [member, message] : actions.to_member) {
    const ConnectionId id = member_connection_[static_cast<std::size_t>(member)];
    if (id != 0) send(id, message);
  }
  for (const Message& message : actions.to_all) {
    const auto frame = frame_of(message);
    for (const ConnectionId id : member_connection_) {
      if (id != 0) send_frame(id, frame);
    }
  }
  for (const auto& [member, reason] : actions.drop) {
    const ConnectionId id = member_connection_[static_cast<std::size_t>(member)];
    const auto place = connections_.find(id);
    if (id == 0 || place == connections_.end()) continue;
    place->second.member = -1;  // the round has let it go already
    member_connection_[static_cast<std::size_t>(member)] = 0;
    close(id, place->second, reason);
  }
  if (actions.open_probe_port) output_.open_probe_port = true;
  if (actions.close_probe_port) output_.close_probe_port = true;
}

void ServerCore::send(ConnectionId id, const Message& message) {
  send_frame(id, frame_of(message));
}

void ServerCore::send_frame(ConnectionId id, std::shared_ptr<const std::string> frame) {
  const auto place = connections_.find(id);
  if (place != connections_.end()) place->second.last_sent = now_;
  output_.sends.push_back({id, std::move(frame)});
}

}  // namespace accel::rendezvous
