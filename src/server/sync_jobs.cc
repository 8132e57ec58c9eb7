#include "server/sync_jobs.h"

namespace sluice {

struct SyncJobs::Job {};

SyncJobs::SyncJobs(const ServeOptions& options) : options_(options) {}
SyncJobs::~SyncJobs() = default;

Result<int64_t> SyncJobs::Start(const SyncRequest&) { return Status(ErrorKind::kNotImplemented, "SyncJobs::Start"); }
Result<Value> SyncJobs::Get(int64_t) const { return Status(ErrorKind::kNotImplemented, "SyncJobs::Get"); }
Value SyncJobs::List() const { return Value::object(); }
Result<Value> SyncJobs::Wait(int64_t) { return Status(ErrorKind::kNotImplemented, "SyncJobs::Wait"); }

}  // namespace sluice
