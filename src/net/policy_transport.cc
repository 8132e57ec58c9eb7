#include "net/policy_transport.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <iostream>

namespace sluice {

PolicyTransport::PolicyTransport(std::unique_ptr<HttpTransport> inner, HttpPolicy policy)
    : inner_(std::move(inner)),
      policy_(policy),
      tokens_(0),
      refilled_at_(Clock::now()),
      random_(std::random_device{}()) {
  if (policy_.rate_limit_burst <= 0) policy_.rate_limit_burst = std::max(1.0, policy_.rate_limit);
  tokens_ = policy_.rate_limit_burst;
}

const HttpStats& PolicyTransport::stats() const {
  const HttpStats& inner = inner_->stats();
  stats_.requests = inner.requests;
  stats_.bytes_received = inner.bytes_received;
  stats_.failures = inner.failures;
  return stats_;
}

std::optional<std::chrono::milliseconds> PolicyTransport::ParseRetryAfter(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::milliseconds(std::min<long long>(seconds, 86'400) * 1000);
  }
  // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm when{};
  std::string text(value);
  if (!strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &when)) return std::nullopt;
  std::time_t at = timegm(&when);
  std::time_t now = std::time(nullptr);
  return std::chrono::milliseconds(std::max<long long>(0, static_cast<long long>(at - now)) * 1000);
}

uint64_t PolicyTransport::Start(HttpRequest request, Callback done) {
  uint64_t id = next_id_++;
  Job job;
  job.request = std::move(request);
  job.done = std::move(done);
  Clock::time_point now = Clock::now();
  job.ready_at = now;
  auto it = jobs_.emplace(id, std::move(job)).first;
  // Hand it on now if the policy lets it go: waiting for the next Poll()
  // would hold it back until the work queued with it is done (a fan-out's
  // next requests behind the processing of the last responses). Under a
  // rate limit, jobs waiting for a token go first, so all are dispatched in
  // order. The inner Start() never calls back.
  if (policy_.rate_limit > 0 || policy_.shared_rate_limit) {
    Dispatch(now);
  } else {
    StartInner(id, it->second);
  }
  return id;
}

void PolicyTransport::Cancel(uint64_t id) {
  auto found = jobs_.find(id);
  if (found == jobs_.end()) return;
  if (found->second.inner_id != 0) {
    inner_->Cancel(found->second.inner_id);  // its callback reports the cancellation
    return;
  }
  cancelled_.emplace_back(id, Status(ErrorKind::kInvalidArgument, "request cancelled"));
}

bool PolicyTransport::TakeToken(Clock::time_point now) {
  if (policy_.rate_limit <= 0) return true;
  double elapsed = std::chrono::duration<double>(now - refilled_at_).count();
  tokens_ = std::min(policy_.rate_limit_burst, tokens_ + elapsed * policy_.rate_limit);
  refilled_at_ = now;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

PolicyTransport::Clock::time_point PolicyTransport::NextTokenAt() const {
  if (policy_.rate_limit <= 0) return refilled_at_;
  double missing = std::max(0.0, 1.0 - tokens_);
  return refilled_at_ + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(missing / policy_.rate_limit));
}

void PolicyTransport::Dispatch(Clock::time_point now) {
  for (auto& [id, job] : jobs_) {
    if (job.inner_id != 0 || job.ready_at > now) continue;
    if (policy_.shared_rate_limit && !job.reserved) {
      job.reserved = true;
      Result<std::chrono::microseconds> wait = policy_.shared_rate_limit->Reserve();
      if (!wait.ok()) {
        if (!shared_failed_) {
          shared_failed_ = true;
          std::cerr << "sluice: the shared rate limit is unavailable, so this process keeps to its "
                       "own rate_limit: "
                    << wait.status().ToString() << "\n";
        }
      } else if (wait->count() > 0) {
        job.ready_at = now + std::chrono::duration_cast<Clock::duration>(*wait);
        if (!job.counted_wait) {
          job.counted_wait = true;
          ++stats_.rate_limit_waits;
        }
        continue;
      }
    }
    if (!TakeToken(now)) {
      if (!job.counted_wait) {
        job.counted_wait = true;
        ++stats_.rate_limit_waits;
      }
      continue;
    }
    StartInner(id, job);
  }
}

void PolicyTransport::StartInner(uint64_t id, Job& job) {
  job.inner_id = inner_->Start(job.request, [this, id](Result<HttpResponse> result) {
    OnResponse(id, std::move(result));
  });
}

void PolicyTransport::OnResponse(uint64_t id, Result<HttpResponse> result) {
  auto found = jobs_.find(id);
  if (found == jobs_.end()) return;
  Job& job = found->second;
  job.inner_id = 0;
  if (result.ok() && job.attempt < policy_.retry_count) {
    long status = result->status;
    const std::string& method = job.request.method;
    bool idempotent = method == "GET" || method == "HEAD" || method == "PUT" ||
                      method == "DELETE" || method == "OPTIONS";
    if (status == 429 || (status >= 500 && idempotent)) {
      std::optional<std::chrono::milliseconds> wait = ParseRetryAfter(result->Header("retry-after"));
      if (!wait) {
        // Jitter: a random wait between half and all of the exponential
        // cap, so clients retrying at once spread out but never retry at 0.
        std::chrono::milliseconds grown = policy_.backoff_base * (1LL << std::min(job.attempt, 20));
        std::chrono::milliseconds cap = std::min(policy_.backoff_max, grown);
        std::uniform_int_distribution<long long> pick(cap.count() / 2, cap.count());
        wait = std::chrono::milliseconds(pick(random_));
      }
      if (*wait <= policy_.max_retry_wait) {
        ++job.attempt;
        ++stats_.retries;
        job.reserved = false;  // a retry is a request of its own
        job.ready_at = Clock::now() + *wait;
        return;
      }
    }
  }
  Callback done = std::move(job.done);
  jobs_.erase(found);
  done(std::move(result));
}

void PolicyTransport::Poll(std::chrono::milliseconds timeout) {
  while (!cancelled_.empty()) {
    auto [id, status] = std::move(cancelled_.front());
    cancelled_.pop_front();
    auto found = jobs_.find(id);
    if (found == jobs_.end()) continue;
    Callback done = std::move(found->second.done);
    jobs_.erase(found);
    done(std::move(status));
  }
  Clock::time_point now = Clock::now();
  Dispatch(now);
  // Wake for the earliest waiting job (backoff or token) if sooner.
  Clock::time_point wake = now + timeout;
  for (const auto& [id, job] : jobs_) {
    if (job.inner_id != 0) continue;
    Clock::time_point at = job.ready_at > now ? job.ready_at : NextTokenAt();
    wake = std::min(wake, at);
  }
  // Rounded up: a wait cut to 0 ms would spin until the job is due.
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - now);
  if (wait.count() < 0) wait = std::chrono::milliseconds(0);
  if (inner_->Pending() > 0) {
    inner_->Poll(wait);
  } else if (wait.count() > 0 && !jobs_.empty()) {
    // Nothing in flight: sleep until a waiting job is due.
    inner_->Poll(std::chrono::milliseconds(0));
    struct timespec pause{static_cast<time_t>(wait.count() / 1000), static_cast<long>(wait.count() % 1000) * 1'000'000};
    nanosleep(&pause, nullptr);
  }
  Dispatch(Clock::now());
}

}  // namespace sluice
