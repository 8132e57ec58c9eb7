#include "source/scan_request.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(ScanRequestTest, EmptyRequestGivesEmptyOptions) {
  EXPECT_EQ(HandlerOptions(ScanRequest()).dump(), "{}");
}

TEST(ScanRequestTest, FromSqlInTheOrderHandlersGetIt) {
  ScanRequest request;
  request.fields = std::vector<std::string>{"id", "state"};
  request.conditions = Value::array({{{"field", "state"}, {"op", "="}, {"value", "open"}}});
  request.order_by = {{"id", true}};
  request.limit = 5;
  request.offset = 2;  // SQLite's to apply: never sent
  EXPECT_EQ(HandlerOptions(request).dump(),
            R"({"fields":["id","state"],"conditions":[{"field":"state","op":"=","value":"open"}],)"
            R"("order_by":[{"field":"id","desc":true}],"limit":5})");
}

TEST(ScanRequestTest, SyncCursorComesBeforeItsOrder) {
  ScanRequest request;
  request.fields = std::vector<std::string>{"id"};
  request.conditions = Value::array();
  request.cursor = ScanRequest::Cursor{"updated", "2024-01-01"};
  request.order_by = {{"updated", false}};
  EXPECT_EQ(HandlerOptions(request).dump(),
            R"({"fields":["id"],"conditions":[],"cursor":{"field":"updated","value":"2024-01-01"},)"
            R"("order_by":[{"field":"updated","desc":false}]})");
}

TEST(ScanRequestTest, SyncWithoutCursorYetIsJustItsOrder) {
  ScanRequest request;
  request.order_by = {{"updated", false}};
  request.use_cache = false;  // not an option: the registry's business
  EXPECT_EQ(HandlerOptions(request).dump(), R"({"order_by":[{"field":"updated","desc":false}]})");
}

}  // namespace
}  // namespace sluice
