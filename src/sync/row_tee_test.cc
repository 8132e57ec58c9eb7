// RowTee: one scan read by several readers, each row pulled once, held only
// until the slowest reader still reading has it, and failures and the end
// seen by every reader.
#include "sync/row_tee.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

class CountingRows : public RowSource {
 public:
  CountingRows(int rows, bool fail, int* pulled) : rows_(rows), fail_(fail), pulled_(pulled) {}
  Result<std::optional<Value>> Next() override {
    if (next_ == rows_) {
      if (fail_) return Status(ErrorKind::kConnector, "the scan broke");
      return std::optional<Value>();
    }
    ++*pulled_;
    return std::optional<Value>(Value{{"n", next_++}});
  }
  Value Parent() const override { return Value{{"parent_of", next_ - 1}}; }

 private:
  int rows_, next_ = 0;
  bool fail_;
  int* pulled_;
};

TEST(RowTeeTest, EveryReaderSeesEveryRowScannedOnce) {
  int pulled = 0;
  auto tee = std::make_shared<RowTee>();
  size_t child = tee->Add();
  tee->SetSource(std::make_unique<CountingRows>(3, false, &pulled));
  RowTee::Reader parent(tee, 0), reader(tee, child);
  for (int n = 0; n < 3; ++n) EXPECT_EQ((*parent.Next())->at("n"), n);
  EXPECT_EQ(tee->Lead(0), 3u);
  EXPECT_EQ(tee->Lead(child), 0u);
  for (int n = 0; n < 3; ++n) {
    EXPECT_EQ((*reader.Next())->at("n"), n);
    EXPECT_EQ(reader.Parent().at("parent_of"), n);
  }
  EXPECT_FALSE(parent.Next()->has_value());
  EXPECT_FALSE(reader.Next()->has_value());
  EXPECT_EQ(pulled, 3);
}

TEST(RowTeeTest, DroppedReaderHoldsNoRows) {
  int pulled = 0;
  auto tee = std::make_shared<RowTee>();
  size_t child = tee->Add();
  tee->SetSource(std::make_unique<CountingRows>(5, false, &pulled));
  ASSERT_TRUE(tee->Next(0).ok());
  ASSERT_TRUE(tee->Next(0).ok());
  EXPECT_EQ(tee->Lead(0), 2u);
  tee->Drop(child);
  EXPECT_EQ(tee->Lead(0), 0u);
}

TEST(RowTeeTest, FailureReachesEveryReader) {
  int pulled = 0;
  auto tee = std::make_shared<RowTee>();
  size_t child = tee->Add();
  tee->SetSource(std::make_unique<CountingRows>(1, true, &pulled));
  ASSERT_TRUE(tee->Next(0).ok());
  EXPECT_EQ(tee->Next(0).status().message(), "the scan broke");
  ASSERT_TRUE(tee->Next(child).ok());
  EXPECT_EQ(tee->Next(child).status().message(), "the scan broke");
}

TEST(RowTeeTest, NoSourceYet) {
  RowTee tee;
  Result<std::optional<std::pair<Value, Value>>> next = tee.Next(0);
  EXPECT_EQ(next.status().kind(), ErrorKind::kConnector);
  EXPECT_EQ(next.status().message(), "the parent entity's sync did not start");
}

}  // namespace
}  // namespace sluice
