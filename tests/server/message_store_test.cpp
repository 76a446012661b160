// The message store directly: boxes, pts bookkeeping, the bounded update log, UTF-16 lengths.
#include <gtest/gtest.h>

#include "telepp/server/message_store.hpp"

namespace telepp::server {
namespace {

constexpr std::int64_t kA = 1;
constexpr std::int64_t kB = 2;
const Time kNow = from_unix_seconds(1'700'000'000);

TEST(MessageStoreTest, EachBoxNumbersItsOwnMessagesAndPts) {
  MessageStore store;
  auto first = store.add_private_message(kA, kA, "note to self", {}, std::nullopt, 1, kNow);
  EXPECT_FALSE(first.recipient);
  auto sent = store.add_private_message(kA, kB, "hi", {}, std::nullopt, 2, kNow);
  EXPECT_EQ(sent.sender_copy.id, 2);
  ASSERT_TRUE(sent.recipient_copy);
  EXPECT_EQ(sent.recipient_copy->id, 1);
  EXPECT_EQ(sent.sender_copy.peer_copy_id, 1);
  EXPECT_EQ(sent.recipient_copy->peer_copy_id, 2);
  EXPECT_EQ(sent.sender.logged.pts, MessageBox::kInitialPts + 2);
  EXPECT_EQ(sent.recipient->logged.pts, MessageBox::kInitialPts + 1);
  EXPECT_TRUE(store.random_id_used(kA, 2));
  EXPECT_FALSE(store.random_id_used(kB, 2));
  EXPECT_EQ(store.unread_count(kB), 1);
  EXPECT_EQ(store.unread_count(kA), 0);
  auto message = message_object(sent.sender_copy, kA).as<api::message>();
  EXPECT_TRUE(message.out);
  EXPECT_EQ(message.from_id->as<api::peerUser>().user_id, kA);
  EXPECT_EQ(message.peer_id.as<api::peerUser>().user_id, kB);
  EXPECT_FALSE(message_object(*sent.recipient_copy, kB).as<api::message>().from_id);
}

TEST(MessageStoreTest, ReadingMapsToThePeersIdsAndSurvivesDeletedCopies) {
  MessageStore store;
  store.add_private_message(kB, kB, "shifts B's ids", {}, std::nullopt, 1, kNow);
  for (int i = 0; i < 3; ++i) store.add_private_message(kA, kB, "m", {}, std::nullopt, 10 + i, kNow);
  // A's ids 1..3 are B's 2..4. A deletes its copy of 2 (not revoked): B reading still works.
  store.delete_messages(kA, {2}, false, kNow);
  auto read = store.read_history(kB, kA, 3, kNow);
  ASSERT_EQ(read.changes.size(), 2u);
  EXPECT_EQ(read.changes[0].logged.update.as<api::updateReadHistoryInbox>().max_id, 3);
  EXPECT_EQ(read.changes[0].logged.update.as<api::updateReadHistoryInbox>().still_unread_count, 1);
  EXPECT_EQ(read.changes[1].owner, kA);
  EXPECT_EQ(read.changes[1].logged.update.as<api::updateReadHistoryOutbox>().max_id, 2);
  // Editing a message whose copy is gone changes only the author's box.
  store.delete_messages(kB, {4}, false, kNow);
  EXPECT_EQ(store.edit_message(kA, 3, "edited", {}, kNow).size(), 1u);
  EXPECT_TRUE(store.edit_message(kA, 99, "x", {}, kNow).empty());
}

TEST(MessageStoreTest, DifferenceSlicesAndForgetsBeyondTheLog) {
  MessageStore store;
  for (int i = 0; i < 5; ++i) store.add_private_message(kA, kB, "m", {}, std::nullopt, i + 1, kNow);
  auto all = store.difference(kB, MessageBox::kInitialPts, 0);
  EXPECT_EQ(all.updates.size(), 5u);
  EXPECT_FALSE(all.slice);
  auto part = store.difference(kB, MessageBox::kInitialPts, 2);
  EXPECT_EQ(part.updates.size(), 2u);
  EXPECT_TRUE(part.slice);
  EXPECT_EQ(part.pts, MessageBox::kInitialPts + 2);
  EXPECT_EQ(store.difference(99, 1, 0).pts, MessageBox::kInitialPts);  // no box yet

  for (std::size_t i = 0; i < MessageBox::kMaxLogged; ++i) store.add_private_message(kA, kB, "m", {}, std::nullopt, 100 + i, kNow);
  EXPECT_EQ(store.find_box(kB)->log.size(), MessageBox::kMaxLogged);
  EXPECT_TRUE(store.difference(kB, MessageBox::kInitialPts, 0).too_long);
  auto recent = store.difference(kB, store.find_box(kB)->pts - 1, 0);
  EXPECT_FALSE(recent.too_long);
  EXPECT_EQ(recent.updates.size(), 1u);
}

TEST(MessageStoreTest, Utf16LengthCountsSurrogatePairsAndBadBytes) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("\xC3\xA9"), 1u);          // é
  EXPECT_EQ(utf16_length("\xE2\x82\xAC"), 1u);      // €
  EXPECT_EQ(utf16_length("\xF0\x9F\x98\x80"), 2u);  // 😀
  EXPECT_EQ(utf16_length("\xFF\xC3"), 2u);          // invalid: a unit per byte
}

}  // namespace
}  // namespace telepp::server
