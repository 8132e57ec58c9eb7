#include "sync/coordinator.h"

namespace sluice {

struct Coordinator::Connection {};

Coordinator::Coordinator(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}
Coordinator::~Coordinator() = default;

namespace {
Status NotYet() { return Status(ErrorKind::kNotImplemented, "distributed runs are not built yet"); }
}  // namespace

Result<std::unique_ptr<Coordinator>> Coordinator::Connect(const std::string&) { return NotYet(); }
Result<int64_t> Coordinator::CreateRun(const DistributedRunSpec&) { return NotYet(); }
Result<DistributedRunSpec> Coordinator::LoadRun(int64_t) { return NotYet(); }
Result<std::optional<UnitLease>> Coordinator::Claim(const std::string&) { return NotYet(); }
CommitFence Coordinator::Fence(const UnitLease&) const { return CommitFence{}; }
Result<bool> Coordinator::Renew(const UnitLease&) { return NotYet(); }
Result<bool> Coordinator::Complete(const UnitLease&, int64_t) { return NotYet(); }
Result<bool> Coordinator::Fail(const UnitLease&, const std::string&) { return NotYet(); }
Result<std::optional<RunStatus>> Coordinator::Finalize(int64_t) { return NotYet(); }
Result<RunStatus> Coordinator::Progress(int64_t) { return NotYet(); }
Result<bool> Coordinator::HasWork() { return NotYet(); }
SharedRateLimitFactory PostgresRateLimits(const std::string&) { return nullptr; }

}  // namespace sluice
