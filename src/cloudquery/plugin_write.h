// The Write side of the plugin protocol (internal to cloudquery/): a
// client-streaming `Write` call on a destination plugin, and how rows are
// cut into inserts.
//
// One insert is one Arrow IPC stream holding the table's full schema (with
// its cq: metadata) and exactly one record batch — CloudQuery's readers
// take only the first batch — and at most kInsertBudgetBytes on the wire,
// the receive limit of a plugin built on the JavaScript SDK (grpc-js's
// default). A single row larger than that is an error naming the table and
// the row; nothing is dropped silently.
//
// Errors name the plugin (its label) and the table. A client-streaming
// call has no answer per message: a plugin that fails a message ends the
// call, and its status shows at the next message or at Finish().
//
// Thread-safety: one thread per stream.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cloudquery/plugin_client.h"

namespace grpc {
class Channel;
}

namespace sluice::cq {

// A Write stream opened on `channel` (the plugin's, made with 200 MiB
// limits both ways). PluginClient::Write() returns this. The whole stream
// (every message and the plugin's answer) must be over within `timeout`;
// Ctrl-C cancels it. Either ends it with an error naming the plugin and
// the table.
std::unique_ptr<WriteStream> MakeWriteStream(std::shared_ptr<grpc::Channel> channel,
                                             std::string label, std::chrono::milliseconds timeout);

// While it lives, Ctrl-C (core/interrupt.h) makes a thread of its own call
// `cancel` once — a blocked gRPC call (a unary call waiting for its answer,
// a stream's Write or Finish) is woken only by TryCancel on its context,
// never by the signal. Destroy it before what `cancel` touches.
class InterruptWatch {
 public:
  explicit InterruptWatch(std::function<void()> cancel);
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;
  // Whether `cancel` was called: a CANCELLED status then means Ctrl-C.
  bool fired() const { return fired_; }

 private:
  std::function<void()> cancel_;
  std::atomic<bool> fired_{false};
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool watching_ = true;
  std::thread thread_;
};

// `rows` of `schema` as insert records, each one IPC stream of at most
// `budget` bytes; the error for a row that alone exceeds it names `table`
// and the row's number (from 1, plus `first_row`).
Result<std::vector<std::string>> EncodeInserts(const ArrowSchema& schema, const std::vector<Row>& rows,
                                               size_t budget, const std::string& table, size_t first_row = 0);

}  // namespace sluice::cq
