// Fuzz target "mock_api": MOCK_API tables (connector tests) built from
// arbitrary JSON, then asked requests. Input: a first line "METHOD URL" for
// one request of the input's choosing, then the table as JSON.
//
// Properties: building the table ends in a table or an error; every route a
// table accepted answers a request for its own key (one that can never match
// should have been refused); any request is answered or refused with the
// kNotFound error that names it.
#include <string>
#include <string_view>

#include "fuzz_target.h"
#include "net/mock_transport.h"

namespace {

// "/users/:id/repos" → "/users/p/repos": a path that its route matches.
std::string Concrete(const std::string& path) {
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    bool segment_start = i == 0 || path[i - 1] == '/';
    if (segment_start && path[i] == ':') {
      out += 'p';
      while (i < path.size() && path[i] != '/') ++i;
      continue;
    }
    out += path[i++];
  }
  return out;
}

}  // namespace

SLUICE_FUZZ_TARGET("mock_api") {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view first_line = input.substr(0, newline);
  std::string_view json =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  sluice::Value spec = sluice::Value::parse(json, nullptr, false);
  if (spec.is_discarded()) return;
  auto api = sluice::MockApi::FromSpec(spec);
  if (!api.ok()) {
    SLUICE_FUZZ_CHECK(!api.status().message().empty(), "a refused table without a message");
    return;
  }

  for (const sluice::MockRoute& route : (*api)->routes()) {
    SLUICE_FUZZ_CHECK(!route.responses.empty(), "a route without a response: " + route.Key());
  }
  // Routes are copied first: answering records requests and counts serves.
  std::vector<sluice::MockRoute> routes = (*api)->routes();
  for (const sluice::MockRoute& route : routes) {
    sluice::HttpRequest request;
    request.method = route.method;
    request.url = "mock://" + Concrete(route.path) + (route.query ? "?" + *route.query : "");
    auto answer = (*api)->Answer(request);
    SLUICE_FUZZ_CHECK(answer.ok(), "route " + route.Key() + " does not answer " + request.method +
                                       " " + request.url + ": " + answer.status().ToString());
  }

  sluice::HttpRequest request;
  size_t space = first_line.find(' ');
  request.method = std::string(first_line.substr(0, space));
  request.url =
      space == std::string_view::npos ? "mock:///" : std::string(first_line.substr(space + 1));
  auto answer = (*api)->Answer(request);
  if (!answer.ok()) {
    SLUICE_FUZZ_CHECK(
        answer.status().kind() == sluice::ErrorKind::kNotFound &&
            answer.status().message().find("no MOCK_API entry matches") != std::string::npos,
        "an unexpected refusal: " + answer.status().ToString());
  }
  for (const sluice::RecordedRequest& recorded : (*api)->requests()) {
    sluice::Value value = recorded.ToValue();
    SLUICE_FUZZ_CHECK(value.is_object(), "a recorded request that is not an object");
  }
}
