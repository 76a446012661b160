// msg_id generation and checking rules.
#include <gtest/gtest.h>

#include "telepp/mtproto/message_id.hpp"

namespace telepp::mtproto {
namespace {

using namespace std::chrono_literals;
const Time kNow = from_unix_seconds(1750000000) + 123456789ns;

TEST(MessageId, TimeBasedStrictlyIncreasingWithTheKindInTheLowBits) {
  for (auto kind : {MsgIdKind::client, MsgIdKind::server_answer, MsgIdKind::server_push}) {
    MessageIdGenerator ids(kind);
    std::int64_t last = 0;
    for (int i = 0; i < 100; ++i) {
      auto id = ids.next(kNow);  // the same instant: still increasing
      EXPECT_GT(id, last);
      EXPECT_EQ(id & 3, static_cast<int>(kind));
      EXPECT_EQ(msg_id_seconds(id), 1750000000);
      last = id;
    }
  }
}

TEST(MessageId, TheFractionOfASecondFillsTheLowWord) {
  MessageIdGenerator ids;
  auto a = ids.next(from_unix_seconds(1750000000));
  auto b = ids.next(from_unix_seconds(1750000000) + 500ms);
  EXPECT_NEAR(static_cast<double>(b - a), 2147483648.0, 8.0);
}

TEST(MessageId, AdoptingTheServersTimeMovesTheClock) {
  MessageIdGenerator ids;
  ids.adopt_server_time(std::int64_t{1750001000} << 32 | 1, kNow);
  EXPECT_EQ(msg_id_seconds(ids.next(kNow)), 1750001000);
}

TEST(MessageId, AfterAForwardJumpIsRefusedIdsGoBackAboveTheLastOneBeforeIt) {
  MessageIdGenerator ids;
  auto before = ids.next(kNow);
  auto jumped = ids.next(kNow + 1000s);  // our clock jumped; the server refuses this one (17)
  EXPECT_EQ(msg_id_seconds(jumped), 1750001000);
  ids.adopt_server_time(before | 1, kNow + 1000s);  // the server's clock says it is still kNow
  auto next = ids.next(kNow + 1000s);
  EXPECT_GT(next, before);                    // never reuses an id the server may have stored
  EXPECT_EQ(msg_id_seconds(next), 1750000000);  // and is back in the server's window
}

TEST(SeqNo, OddForContentRelatedEvenOtherwise) {
  SeqNoCounter seq;
  EXPECT_EQ(seq.next(false), 0);
  EXPECT_EQ(seq.next(true), 1);
  EXPECT_EQ(seq.next(true), 3);
  EXPECT_EQ(seq.next(false), 4);
  seq.adjust(-10);
  EXPECT_EQ(seq.next(true), 1);
}

TEST(ReceivedIds, ChecksParityWindowAndDuplicates) {
  ReceivedIds r(4);
  std::int64_t base = std::int64_t{1750000000} << 32;
  EXPECT_EQ(r.check(base | 1, kNow, false), MsgIdProblem::none);
  EXPECT_EQ(r.check(base | 3, kNow, false), MsgIdProblem::none);
  EXPECT_EQ(r.check(base, kNow, false), MsgIdProblem::bad_parity);
  EXPECT_EQ(r.check(base | 1, kNow, true), MsgIdProblem::bad_parity);
  EXPECT_EQ(r.check(base, kNow, true), MsgIdProblem::none);
  EXPECT_EQ(r.check((std::int64_t{1750000000 - 301} << 32) | 1, kNow, false), MsgIdProblem::too_low);
  EXPECT_EQ(r.check((std::int64_t{1750000000 + 31} << 32) | 1, kNow, false), MsgIdProblem::too_high);
  EXPECT_EQ(r.check((std::int64_t{1750000000 + 31} << 32) | 1, kNow, false, false), MsgIdProblem::none);
  r.insert(base | 1);
  EXPECT_EQ(r.check(base | 1, kNow, false), MsgIdProblem::duplicate);
  for (int i = 1; i <= 4; ++i) r.insert(base + 4 * i + 1);  // pushes base|1 out of the window
  EXPECT_EQ(r.check(base | 1, kNow, false), MsgIdProblem::too_old);
  EXPECT_EQ(r.check(base + 100 * 4 + 1, kNow, false), MsgIdProblem::none);
}

}  // namespace
}  // namespace telepp::mtproto
