// MockTransport's matching, and PolicyTransport's retry and rate-limit
// decisions, over the mock (the policy is the engine's; the network is
// tested against the real test server in tests/sql/js_*.sql).
#include "net/mock_transport.h"

#include <gtest/gtest.h>

#include "net/policy_transport.h"

namespace sluice {
namespace {

std::unique_ptr<MockTransport> Mock(const char* spec) {
  auto transport = MockTransport::FromSpec(Value::parse(spec));
  EXPECT_TRUE(transport.ok()) << transport.status().ToString();
  return transport.ok() ? std::move(transport).value() : nullptr;
}

// Runs one request to completion.
Result<HttpResponse> Fetch(HttpTransport& transport, const std::string& method, const std::string& url) {
  std::optional<Result<HttpResponse>> outcome;
  HttpRequest request;
  request.method = method;
  request.url = url;
  transport.Start(request, [&](Result<HttpResponse> result) { outcome = std::move(result); });
  for (int i = 0; i < 1000 && !outcome; ++i) transport.Poll(std::chrono::milliseconds(10));
  if (!outcome) return Status(ErrorKind::kTimeout, "no answer");
  return std::move(*outcome);
}

TEST(MockTransportTest, MatchesMethodPathQueryAndParams) {
  auto mock = Mock(R"({
    "GET /items": {"status": 200, "body": {"items": [1]}},
    "GET /items?page=2": {"status": 200, "body": "page two"},
    "DELETE /items/:id": {"status": 204},
    "POST /items": {"status": 201, "body": {"id": "9"}, "headers": {"X-Made": "yes"}}})");
  auto any_query = Fetch(*mock, "GET", "mock://items?page=1&limit=5");
  ASSERT_TRUE(any_query.ok());
  EXPECT_EQ(any_query->body, R"({"items":[1]})");
  EXPECT_EQ(any_query->Header("content-type"), "application/json");
  EXPECT_EQ(Fetch(*mock, "GET", "mock:///items?page=2")->body, "page two");
  EXPECT_EQ(Fetch(*mock, "DELETE", "mock://items/42")->status, 204);
  auto created = Fetch(*mock, "POST", "https://api.example.com/items");
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(created->Header("x-made"), "yes");
  ASSERT_EQ(mock->requests().size(), 4u);
  EXPECT_EQ(mock->requests()[0].path, "/items");
  EXPECT_EQ(mock->requests()[0].query, "page=1&limit=5");
}

TEST(MockTransportTest, AnUnmatchedRequestFailsNamingItAndTheEntries) {
  auto mock = Mock(R"({"GET /items": {"status": 200}})");
  auto result = Fetch(*mock, "GET", "mock://users?x=1");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "no MOCK_API entry matches GET /users?x=1 (entries: GET /items)");
  EXPECT_FALSE(mock->requests().back().matched);
  EXPECT_FALSE(Fetch(*mock, "POST", "mock://items").ok()) << "the method is part of the match";
}

TEST(MockTransportTest, AnArrayOfResponsesIsServedInOrderThenRepeatsTheLast) {
  auto mock = Mock(R"({"GET /page": [{"status": 200, "body": "1"}, {"status": 200, "body": "2"}]})");
  EXPECT_EQ(Fetch(*mock, "GET", "mock://page")->body, "1");
  EXPECT_EQ(Fetch(*mock, "GET", "mock://page")->body, "2");
  EXPECT_EQ(Fetch(*mock, "GET", "mock://page")->body, "2");
}

TEST(MockTransportTest, RejectsMalformedSpecs) {
  EXPECT_FALSE(MockTransport::FromSpec(Value::parse(R"({"items": {}})")).ok());
  EXPECT_FALSE(MockTransport::FromSpec(Value::parse(R"({"GET /x": {"stat": 200}})")).ok());
  EXPECT_FALSE(MockTransport::FromSpec(Value::parse(R"({"GET /x": []})")).ok());
  EXPECT_FALSE(MockTransport::FromSpec(Value::parse("[]")).ok());
}

TEST(MockApiTest, RecordsRequestsAsValuesWithDecodedQueries) {
  auto api = MockApi::FromSpec(Value::parse(R"({"POST /items": {"status": 201}})"));
  ASSERT_TRUE(api.ok());
  MockTransport transport(*api);
  HttpRequest request;
  request.method = "POST";
  request.url = "mock:///items?tag=a&tag=b%20c&q=x+y&flag";
  request.headers = {{"Authorization", "Bearer t"}};
  request.body = R"({"name": "n"})";
  std::optional<Result<HttpResponse>> outcome;
  transport.Start(request, [&](Result<HttpResponse> result) { outcome = std::move(result); });
  while (!outcome) transport.Poll(std::chrono::milliseconds(10));
  ASSERT_EQ((*api)->requests().size(), 1u);
  Value recorded = (*api)->requests()[0].ToValue();
  EXPECT_EQ(recorded["query"].dump(), R"({"tag":["a","b c"],"q":"x y","flag":""})");
  EXPECT_EQ(recorded["headers"]["authorization"], "Bearer t") << "header names lower-case";
  EXPECT_EQ(recorded["body"]["name"], "n") << "a JSON body reads as JSON";
  EXPECT_EQ(recorded["path"], "/items");
  EXPECT_TRUE(recorded["matched"].get<bool>());
  EXPECT_EQ((*api)->FirstUnmatched(), nullptr);
}

TEST(MockApiTest, TransportsOfOneApiShareItsRoutesAndLog) {
  auto api = MockApi::FromSpec(Value::parse(R"({"GET /n": [{"body": "1"}, {"body": "2"}]})"));
  ASSERT_TRUE(api.ok());
  MockTransport first(*api), second(*api);
  EXPECT_EQ(Fetch(first, "GET", "mock://n")->body, "1");
  EXPECT_EQ(Fetch(second, "GET", "mock://n")->body, "2") << "the order is the API's, not the transport's";
  EXPECT_FALSE(Fetch(second, "GET", "mock://other").ok());
  ASSERT_EQ((*api)->requests().size(), 3u);
  ASSERT_NE((*api)->FirstUnmatched(), nullptr);
  EXPECT_EQ((*api)->FirstUnmatched()->path, "/other");
  EXPECT_EQ((*api)->DescribeRoutes(), "GET /n");
}

TEST(MockApiTest, ADelayPastTheRequestTimeoutIsATimeout) {
  auto mock = Mock(R"({"GET /slow": {"status": 200, "delay_ms": 60000}, "GET /quick": {"delay_ms": 20}})");
  HttpRequest request;
  request.url = "mock://slow";
  request.timeout = std::chrono::milliseconds(30);
  std::optional<Result<HttpResponse>> outcome;
  auto start = std::chrono::steady_clock::now();
  mock->Start(request, [&](Result<HttpResponse> result) { outcome = std::move(result); });
  while (!outcome) mock->Poll(std::chrono::milliseconds(100));
  ASSERT_FALSE(outcome->ok());
  EXPECT_EQ(outcome->status().kind(), ErrorKind::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30)) << "answered at the timeout";
  auto quick = Fetch(*mock, "GET", "mock://quick");
  EXPECT_TRUE(quick.ok()) << "a delay within the timeout is only a delay";
}

HttpPolicy FastPolicy() {
  HttpPolicy policy;
  policy.backoff_base = std::chrono::milliseconds(1);
  policy.backoff_max = std::chrono::milliseconds(2);
  return policy;
}

TEST(PolicyTransportTest, Retries429And5xxThenSucceeds) {
  PolicyTransport transport(Mock(R"({"GET /flaky": [{"status": 429, "headers": {"Retry-After": "0"}},
                                                   {"status": 503}, {"status": 200, "body": "ok"}]})"),
                            FastPolicy());
  auto result = Fetch(transport, "GET", "mock://flaky");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->body, "ok");
  EXPECT_EQ(transport.stats().retries, 2u);
  EXPECT_EQ(transport.stats().requests, 3u);
}

TEST(PolicyTransportTest, GivesUpAfterRetryCountAndHandsBackTheResponse) {
  HttpPolicy policy = FastPolicy();
  policy.retry_count = 2;
  PolicyTransport transport(Mock(R"({"GET /down": {"status": 500}})"), policy);
  auto result = Fetch(transport, "GET", "mock://down");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 500);
  EXPECT_EQ(transport.stats().requests, 3u);
}

TEST(PolicyTransportTest, DoesNotRepeatAPostThatGotA500ButDoesAfterA429) {
  PolicyTransport post_500(Mock(R"({"POST /x": [{"status": 500}, {"status": 200}]})"), FastPolicy());
  EXPECT_EQ(Fetch(post_500, "POST", "mock://x")->status, 500);
  PolicyTransport post_429(Mock(R"({"POST /x": [{"status": 429}, {"status": 200}]})"), FastPolicy());
  EXPECT_EQ(Fetch(post_429, "POST", "mock://x")->status, 200);
}

TEST(PolicyTransportTest, ARetryAfterBeyondTheLimitIsNotWaitedFor) {
  HttpPolicy policy = FastPolicy();
  policy.max_retry_wait = std::chrono::milliseconds(500);
  PolicyTransport transport(Mock(R"({"GET /x": [{"status": 429, "headers": {"Retry-After": "3600"}},
                                               {"status": 200}]})"), policy);
  EXPECT_EQ(Fetch(transport, "GET", "mock://x")->status, 429);
  EXPECT_EQ(transport.stats().retries, 0u);
}

TEST(PolicyTransportTest, ParsesRetryAfter) {
  using std::chrono::milliseconds;
  EXPECT_EQ(PolicyTransport::ParseRetryAfter("120"), milliseconds(120'000));
  EXPECT_EQ(PolicyTransport::ParseRetryAfter(" 0 "), milliseconds(0));
  EXPECT_EQ(PolicyTransport::ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), milliseconds(0)) << "past dates: now";
  EXPECT_GT(PolicyTransport::ParseRetryAfter("Fri, 01 Jan 2100 00:00:00 GMT")->count(), 0);
  EXPECT_FALSE(PolicyTransport::ParseRetryAfter("soon").has_value());
  EXPECT_FALSE(PolicyTransport::ParseRetryAfter("-5").has_value());
  EXPECT_FALSE(PolicyTransport::ParseRetryAfter("").has_value());
}

TEST(PolicyTransportTest, RateLimitMakesRequestsPastTheBurstWait) {
  HttpPolicy policy = FastPolicy();
  policy.rate_limit = 1000;  // a token per millisecond: fast, but not free
  policy.rate_limit_burst = 2;
  PolicyTransport transport(Mock(R"({"GET /x": {"status": 200}})"), policy);
  int done = 0;
  for (int i = 0; i < 5; ++i) {
    HttpRequest request;
    request.url = "mock://x";
    transport.Start(request, [&](Result<HttpResponse>) { ++done; });
  }
  for (int i = 0; i < 1000 && done < 5; ++i) transport.Poll(std::chrono::milliseconds(5));
  EXPECT_EQ(done, 5);
  EXPECT_EQ(transport.stats().rate_limit_waits, 3u) << "two went at once; three waited for tokens";
}

// Keeps what reaches it and answers only when told to.
class RecordingTransport : public HttpTransport {
 public:
  uint64_t Start(HttpRequest request, Callback done) override {
    urls.push_back(request.url);
    waiting.push_back(std::move(done));
    return urls.size();
  }
  void Cancel(uint64_t) override {}
  size_t Pending() const override { return waiting.size(); }
  void Poll(std::chrono::milliseconds) override {
    std::vector<Callback> answer = std::move(waiting);
    waiting.clear();
    for (Callback& done : answer) {
      HttpResponse ok;
      ok.status = 200;
      done(std::move(ok));
    }
  }
  const HttpStats& stats() const override { return stats_; }

  std::vector<std::string> urls;
  std::vector<Callback> waiting;
  HttpStats stats_;
};

TEST(PolicyTransportTest, HandsARequestOnAtStartWhenNoRateLimitHoldsItBack) {
  auto inner = std::make_unique<RecordingTransport>();
  RecordingTransport& seen = *inner;
  PolicyTransport transport(std::move(inner), FastPolicy());
  int done = 0;
  for (const char* url : {"http://api.test/a", "http://api.test/b"}) {
    HttpRequest request;
    request.url = url;
    transport.Start(request, [&](Result<HttpResponse> result) {
      EXPECT_TRUE(result.ok());
      ++done;
    });
  }
  // A fan-out's requests must not wait for the event loop's next Poll.
  EXPECT_EQ(seen.urls, (std::vector<std::string>{"http://api.test/a", "http://api.test/b"}));
  EXPECT_EQ(done, 0) << "callbacks never run inside Start";
  transport.Poll(std::chrono::milliseconds(0));
  EXPECT_EQ(done, 2);
  EXPECT_EQ(transport.Pending(), 0u);
}

TEST(PolicyTransportTest, UnderARateLimitStartHandsOnOnlyWhatATokenAllows) {
  HttpPolicy policy = FastPolicy();
  policy.rate_limit = 0.001;  // no new token within the test
  policy.rate_limit_burst = 1;
  auto inner = std::make_unique<RecordingTransport>();
  RecordingTransport& seen = *inner;
  PolicyTransport transport(std::move(inner), policy);
  for (const char* url : {"http://api.test/first", "http://api.test/second"}) {
    HttpRequest request;
    request.url = url;
    transport.Start(request, [](Result<HttpResponse>) {});
  }
  EXPECT_EQ(seen.urls, std::vector<std::string>{"http://api.test/first"});
  EXPECT_EQ(transport.Pending(), 2u);
}

// Hands out the waits it is given, in order (then zero), or fails.
class FakeSharedRateLimit : public SharedRateLimit {
 public:
  Result<std::chrono::microseconds> Reserve() override {
    ++reservations;
    if (fail)
      return Status(ErrorKind::kConnection,
                    "shared rate limit 'x': PostgreSQL: server closed the connection");
    if (waits.empty()) return std::chrono::microseconds(0);
    std::chrono::microseconds wait = waits.front();
    waits.erase(waits.begin());
    return wait;
  }
  std::vector<std::chrono::microseconds> waits;
  bool fail = false;
  int reservations = 0;
};

TEST(PolicyTransportTest, ASharedReservationHoldsItsRequestBackUntilItsSlot) {
  auto shared = std::make_shared<FakeSharedRateLimit>();
  shared->waits = {std::chrono::microseconds(0), std::chrono::microseconds(20'000),
                   std::chrono::microseconds(0)};
  HttpPolicy policy = FastPolicy();
  policy.shared_rate_limit = shared;
  auto inner = std::make_unique<RecordingTransport>();
  RecordingTransport& seen = *inner;
  PolicyTransport transport(std::move(inner), policy);
  int done = 0;
  for (const char* url : {"http://api.test/a", "http://api.test/b", "http://api.test/c"}) {
    HttpRequest request;
    request.url = url;
    transport.Start(request, [&](Result<HttpResponse>) { ++done; });
  }
  EXPECT_EQ(seen.urls, (std::vector<std::string>{"http://api.test/a", "http://api.test/c"}))
      << "b waits for the slot it reserved";
  EXPECT_EQ(shared->reservations, 3);
  for (int i = 0; i < 1000 && done < 3; ++i) transport.Poll(std::chrono::milliseconds(5));
  EXPECT_EQ(done, 3);
  EXPECT_EQ(seen.urls.back(), "http://api.test/b");
  EXPECT_EQ(shared->reservations, 3) << "one reservation per attempt, not per poll";
  EXPECT_EQ(transport.stats().rate_limit_waits, 1u);
}

TEST(PolicyTransportTest, EachRetryReservesASlotOfItsOwn) {
  auto shared = std::make_shared<FakeSharedRateLimit>();
  HttpPolicy policy = FastPolicy();
  policy.shared_rate_limit = shared;
  PolicyTransport transport(
      Mock(R"({"GET /x": [{"status": 429, "headers": {"Retry-After": "0"}}, {"status": 503},
                                               {"status": 200}]})"),
      policy);
  EXPECT_EQ(Fetch(transport, "GET", "mock://x")->status, 200);
  EXPECT_EQ(shared->reservations, 3);
}

TEST(PolicyTransportTest, AFailingSharedLimitFallsBackToTheLocalBucketAndSaysSoOnce) {
  auto shared = std::make_shared<FakeSharedRateLimit>();
  shared->fail = true;
  HttpPolicy policy = FastPolicy();
  policy.rate_limit = 1000;
  policy.rate_limit_burst = 2;
  policy.shared_rate_limit = shared;
  PolicyTransport transport(Mock(R"({"GET /x": {"status": 200}})"), policy);
  ::testing::internal::CaptureStderr();
  int done = 0;
  for (int i = 0; i < 5; ++i) {
    HttpRequest request;
    request.url = "mock://x";
    transport.Start(request, [&](Result<HttpResponse> result) {
      EXPECT_TRUE(result.ok());
      ++done;
    });
  }
  for (int i = 0; i < 1000 && done < 5; ++i) transport.Poll(std::chrono::milliseconds(5));
  std::string said = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(done, 5);
  EXPECT_EQ(shared->reservations, 5);
  EXPECT_EQ(transport.stats().rate_limit_waits, 3u) << "the local bucket still holds the rate";
  size_t first = said.find("shared rate limit is unavailable");
  ASSERT_NE(first, std::string::npos) << said;
  EXPECT_EQ(said.find("shared rate limit is unavailable", first + 1), std::string::npos) << said;
  EXPECT_NE(said.find("server closed the connection"), std::string::npos) << said;
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// Errors name a URL without what may carry a secret (issue 13).
TEST(UrlForErrorsTest, DropsCredentialsQueryAndFragment) {
  EXPECT_EQ(UrlForErrors("https://user:pa%40ss@api.example.com:8443/v1/items?api_key=s3cret#frag"),
            "https://api.example.com:8443/v1/items");
  EXPECT_EQ(UrlForErrors("http://127.0.0.1:9/gzip-bomb?mib=1024"), "http://127.0.0.1:9/gzip-bomb");
  EXPECT_EQ(UrlForErrors("http://host?token=x"), "http://host");
  EXPECT_EQ(UrlForErrors("http://host/path@with-at?q=1"), "http://host/path@with-at");
}

}  // namespace
}  // namespace sluice
