#include "cloudquery/plugin_write.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>

#include "cloudquery/proto/discovery.grpc.pb.h"
#include "cloudquery/proto/plugin.grpc.pb.h"
#include "core/interrupt.h"

namespace sluice::cq {
namespace {

namespace pb = ::cloudquery::plugin::v3;
namespace discovery = ::cloudquery::discovery::v1;

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

// "<label>: <what>: CODE: message", of the kind the code says.
Status FromGrpc(const grpc::Status& status, const std::string& label, const std::string& what) {
  ErrorKind kind = ErrorKind::kDestination;
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) kind = ErrorKind::kConnection;
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) kind = ErrorKind::kTimeout;
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) kind = ErrorKind::kNotImplemented;
  std::string message = status.error_message().empty() ? "(no message)" : status.error_message();
  return Status(kind, label + ": " + what + ": " + CodeName(status.error_code()) + ": " + message);
}

std::string TableOf(const ArrowSchema& schema) {
  std::string name = MetadataValue(schema.metadata, "cq:table_name");
  return name.empty() ? "(unnamed)" : name;
}

// What a record adds beyond its rows' estimates: the schema message, the
// batch's flatbuffer (a node and a few buffers per field), framing, and
// the protobuf field tag around the record.
size_t RecordOverhead(const ArrowSchema& schema, size_t schema_bytes) {
  size_t fields = 0;
  std::vector<const ArrowField*> pending;
  for (const ArrowField& field : schema.fields) pending.push_back(&field);
  while (!pending.empty()) {
    const ArrowField* field = pending.back();
    pending.pop_back();
    ++fields;
    for (const ArrowField& child : field->children) pending.push_back(&child);
  }
  return schema_bytes + 512 + fields * 96;
}

std::string Seconds(std::chrono::milliseconds duration) {
  auto count = duration.count();
  if (count % 1000 == 0) return std::to_string(count / 1000) + " s";
  return std::to_string(count) + " ms";
}

class GrpcWriteStream : public WriteStream {
 public:
  GrpcWriteStream(std::shared_ptr<grpc::Channel> channel, std::string label,
                  std::chrono::milliseconds timeout)
      : stub_(pb::Plugin::NewStub(channel)), label_(std::move(label)), timeout_(timeout) {
    // A plugin that stops reading, or never answers the stream's end,
    // would otherwise block Write() or Finish() forever.
    context_.set_deadline(std::chrono::system_clock::now() + timeout_);
    writer_ = stub_->Write(&context_, &response_);
    watch_ = std::make_unique<InterruptWatch>([this] { context_.TryCancel(); });
  }

  ~GrpcWriteStream() override {
    // Dropped without Finish(): the plugin sees the call cancelled, not a
    // clean end it could take for a complete write.
    if (!finished_ && writer_) {
      context_.TryCancel();
      (void)writer_->Finish();
    }
  }

  Status MigrateTable(const ArrowSchema& table, bool force) override {
    pb::Write_Request request;
    request.mutable_migrate_table()->set_table(EncodeSchema(table));
    request.mutable_migrate_table()->set_migrate_force(force);
    return Send(request, TableOf(table), "migrate_table");
  }

  Status Insert(const ArrowSchema& table, const std::vector<Row>& rows) override {
    std::string name = TableOf(table);
    Result<std::vector<std::string>> records = EncodeInserts(table, rows, kInsertBudgetBytes, name);
    if (!records.ok()) return records.TakeStatus().WithContext(label_);
    for (std::string& record : *records) {
      pb::Write_Request request;
      request.mutable_insert()->set_record(std::move(record));
      RETURN_IF_ERROR(Send(request, name, "insert"));
    }
    return Status::Ok();
  }

  Status DeleteStale(const std::string& table_name, const std::string& source_name,
                     std::chrono::system_clock::time_point sync_time) override {
    pb::Write_Request request;
    pb::Write_MessageDeleteStale* stale = request.mutable_delete_();
    stale->set_table_name(table_name);
    stale->set_source_name(source_name);
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(sync_time.time_since_epoch()).count();
    int64_t seconds = micros / 1'000'000;
    int64_t rest = micros % 1'000'000;
    if (rest < 0) {
      rest += 1'000'000;
      --seconds;
    }
    stale->mutable_sync_time()->set_seconds(seconds);
    stale->mutable_sync_time()->set_nanos(static_cast<int32_t>(rest * 1000));
    return Send(request, table_name, "delete-stale");
  }

  Status Finish() override {
    if (finished_) return ended_;
    finished_ = true;
    // WritesDone may fail when the plugin ended the call already; Finish
    // then says why.
    (void)writer_->WritesDone();
    grpc::Status status = writer_->Finish();
    if (!status.ok()) ended_ = Ended(status, last_table_, "Write (after " + last_message_ + ")");
    return ended_;
  }

 private:
  Status Send(const pb::Write_Request& request, const std::string& table, const char* what) {
    if (finished_) {
      return ended_.ok() ? Status(ErrorKind::kInternal, label_ + ": Write stream used after it finished") : ended_;
    }
    last_table_ = table;
    last_message_ = what;
    if (writer_->Write(request)) return Status::Ok();
    // The call is over (the plugin failed it, or died): its status says why.
    finished_ = true;
    grpc::Status status = writer_->Finish();
    ended_ =
        status.ok()
            ? Status(ErrorKind::kDestination,
                     label_ + ": table '" + table + "': the plugin ended the Write call at " + what)
            : Ended(status, table, std::string("Write ") + what);
    return ended_;
  }

  // The error a failed stream ends with; Ctrl-C and the deadline say so.
  Status Ended(const grpc::Status& status, const std::string& table, const std::string& what) {
    if (watch_->fired() && status.error_code() == grpc::StatusCode::CANCELLED) {
      return Status(ErrorKind::kTimeout,
                    label_ + ": table '" + table + "': " + what + " cancelled (Ctrl-C)");
    }
    Status error = FromGrpc(status, label_, "table '" + table + "': " + what);
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return Status(error.kind(),
                    error.message() +
                        " (the plugin did not take and acknowledge the batch within " +
                        Seconds(timeout_) + "; CONFIG write_timeout_seconds sets this)");
    }
    return error;
  }

  std::unique_ptr<pb::Plugin::Stub> stub_;
  std::string label_;
  std::chrono::milliseconds timeout_;
  grpc::ClientContext context_;
  pb::Write_Response response_;
  std::unique_ptr<grpc::ClientWriter<pb::Write_Request>> writer_;
  // After context_: stopped before the context goes.
  std::unique_ptr<InterruptWatch> watch_;
  bool finished_ = false;
  Status ended_;
  std::string last_table_ = "(none)";
  std::string last_message_ = "no message";
};

}  // namespace

std::unique_ptr<WriteStream> MakeWriteStream(std::shared_ptr<grpc::Channel> channel,
                                             std::string label, std::chrono::milliseconds timeout) {
  return std::make_unique<GrpcWriteStream>(std::move(channel), std::move(label), timeout);
}

InterruptWatch::InterruptWatch(std::function<void()> cancel) : cancel_(std::move(cancel)) {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (watching_) {
      if (InterruptRequested()) {
        fired_ = true;
        cancel_();
        return;
      }
      // Nothing wakes a wait on Ctrl-C: sliced to notice one soon.
      wakeup_.wait_for(lock, std::chrono::milliseconds(50));
    }
  });
}

InterruptWatch::~InterruptWatch() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    watching_ = false;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<std::vector<std::string>> EncodeInserts(const ArrowSchema& schema, const std::vector<Row>& rows,
                                               size_t budget, const std::string& table, size_t first_row) {
  std::vector<std::string> records;
  size_t overhead = RecordOverhead(schema, EncodeSchema(schema).size());
  // Room for the protobuf tag and length around the record.
  size_t limit = budget > 16 ? budget - 16 : 0;
  size_t start = 0;
  while (start < rows.size()) {
    size_t end = start;
    size_t estimate = overhead;
    while (end < rows.size()) {
      size_t row_bytes = EstimateRowBytes(schema, rows[end]);
      if (end > start && estimate + row_bytes > limit) break;
      estimate += row_bytes;
      ++end;
    }
    // The estimate is an upper bound, but check what was encoded: halve
    // the chunk until it fits.
    while (true) {
      std::vector<Row> chunk(rows.begin() + static_cast<std::ptrdiff_t>(start),
                             rows.begin() + static_cast<std::ptrdiff_t>(end));
      Result<std::string> record = EncodeRecord(schema, chunk);
      // Rows of bools or nulls alone are small on the wire but many cells,
      // more than a reader takes per record (the codec's cap): fewer rows.
      if (!record.ok() && end - start > 1 &&
          record.status().kind() == ErrorKind::kInvalidArgument &&
          record.status().message().find("more than a reader accepts") != std::string::npos) {
        end = start + (end - start) / 2;
        continue;
      }
      if (!record.ok()) {
        return record.TakeStatus().WithContext("table '" + table + "', rows " +
                                               std::to_string(first_row + start + 1) + ".." +
                                               std::to_string(first_row + end) + " of the batch");
      }
      if (record->size() <= limit) {
        records.push_back(std::move(record).value());
        break;
      }
      if (end - start == 1) {
        return Status(ErrorKind::kDestination,
                      "table '" + table + "': row " + std::to_string(first_row + start + 1) + " of the batch is " +
                          std::to_string(record->size()) + " bytes as an Arrow record, more than the " +
                          std::to_string(budget) + "-byte limit of one insert message; it cannot be sent");
      }
      end = start + (end - start) / 2;
    }
    start = end;
  }
  return records;
}

}  // namespace sluice::cq
