// SHA-1/256/512 (FIPS 180 examples), HMAC-SHA256 (RFC 4231), PBKDF2-HMAC-SHA512.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "crypto_test_support.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/hash.hpp"
#include "telepp/crypto/hmac.hpp"

namespace telepp::crypto {
namespace {

using test::to_vec;

const std::string k448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string k896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

TEST(Sha1, FipsExamples) {
  EXPECT_EQ(to_hex(sha1(as_bytes("abc")).view()), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(to_hex(sha1(ByteView{}).view()), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(to_hex(sha1(as_bytes(k448)).view()), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  const std::string million(1000000, 'a');
  EXPECT_EQ(to_hex(sha1(as_bytes(million)).view()), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha256, FipsExamples) {
  EXPECT_EQ(to_hex(sha256(as_bytes("abc")).view()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256(ByteView{}).view()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256(as_bytes(k448)).view()), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1000000, 'a');
  EXPECT_EQ(to_hex(sha256(as_bytes(million)).view()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha512, FipsExamples) {
  EXPECT_EQ(to_hex(sha512(as_bytes("abc")).view()),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce8"
            "0e2a9ac94fa54ca49f");
  EXPECT_EQ(to_hex(sha512(ByteView{}).view()),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd4741"
            "7a81a538327af927da3e");
  EXPECT_EQ(to_hex(sha512(as_bytes(k896)).view()),
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd"
            "26545e96e55b874be909");
}

TEST(Hasher, IncrementalEqualsOneShotAndResetsAfterFinish) {
  const std::string million(1000000, 'a');
  Sha256 h;
  // Uneven pieces, crossing block boundaries.
  std::size_t pos = 0, step = 1;
  while (pos < million.size()) {
    const std::size_t n = std::min(step, million.size() - pos);
    h.update(as_bytes(std::string_view(million).substr(pos, n)));
    pos += n;
    step = step * 3 + 1;
  }
  EXPECT_EQ(h.finish(), sha256(as_bytes(million)));
  // finish() reset the hasher: the next message starts fresh.
  EXPECT_EQ(to_hex(h.update(as_bytes("abc")).finish().view()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  h.update(as_bytes("garbage"));
  h.reset();
  EXPECT_EQ(h.update(as_bytes("abc")).finish(), sha256(as_bytes("abc")));

  Sha1 s1;
  EXPECT_EQ(s1.update(as_bytes("ab")).update(as_bytes("c")).finish(), sha1(as_bytes("abc")));
  Sha512 s5;
  EXPECT_EQ(s5.update(as_bytes("a")).update(as_bytes("bc")).finish(), sha512(as_bytes("abc")));
  EXPECT_EQ(sha256({as_bytes("a"), as_bytes(""), as_bytes("bc")}), sha256(as_bytes("abc")));
}

TEST(Hasher, MovedHasherKeepsWorking) {
  Sha256 a;
  a.update(as_bytes("ab"));
  Sha256 b = std::move(a);
  b.update(as_bytes("c"));
  EXPECT_EQ(b.finish(), sha256(as_bytes("abc")));
  Sha256 c;
  c = std::move(b);
  EXPECT_EQ(c.update(as_bytes("abc")).finish(), sha256(as_bytes("abc")));
}

TEST(Hasher, OneShotIsThreadSafe) {
  const auto expected = sha256(as_bytes(k448));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (sha256(as_bytes(k448)) != expected) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(HmacSha256, Rfc4231) {
  struct Case {
    Bytes key;
    Bytes data;
    const char* mac;
  };
  const Bytes aa131(131, 0xaa);
  const Case cases[] = {
      {Bytes(20, 0x0b), Bytes(as_bytes("Hi There").begin(), as_bytes("Hi There").end()),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {test::hex("4a656665"), test::hex("7768617420646f2079612077616e7420666f72206e6f7468696e673f"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {Bytes(20, 0xaa), Bytes(50, 0xdd), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {aa131, Bytes(as_bytes("Test Using Larger Than Block-Size Key - Hash Key First").begin(),
                    as_bytes("Test Using Larger Than Block-Size Key - Hash Key First").end()),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
  };
  for (const auto& c : cases) EXPECT_EQ(to_hex(hmac_sha256(c.key, c.data).view()), c.mac);
  const std::string_view tc7 =
      "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be "
      "hashed before being used by the HMAC algorithm.";
  EXPECT_EQ(to_hex(hmac_sha256(aa131, as_bytes(tc7)).view()),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(Pbkdf2HmacSha512, PublishedVectors) {
  // The RFC 6070 inputs run with HMAC-SHA512 (the widely published SHA-512 counterparts).
  auto run = [](std::string_view p, std::string_view s, std::uint32_t c) {
    auto r = pbkdf2_hmac_sha512(as_bytes(p), as_bytes(s), c, 64);
    EXPECT_TRUE(r.ok());
    return r ? to_hex(*r) : std::string();
  };
  EXPECT_EQ(run("password", "salt", 1),
            "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe943c08f050235d7d68"
            "b1da55e63f73b60a57fce");
  EXPECT_EQ(run("password", "salt", 2),
            "e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53cf76cab2868a39b9f7840edce4fef5a82be67335c77a"
            "6068e04112754f27ccf4e");
  EXPECT_EQ(run("password", "salt", 4096),
            "d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5143f30602641b3d55cd335988cb36b84376060ecd53"
            "2e039b742a239434af2d5");
  EXPECT_EQ(run("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096),
            "8c0511f4c6e597c6ac6315d8f0362e225f3c501495ba23b868c005174dc4ee71115b59f9e60cd9532fa33e0f75aefe30225c583a186"
            "cd82bd4daea9724a3d3b8");
}

TEST(Pbkdf2HmacSha512, RejectsZeroIterationsAndLength) {
  auto r = pbkdf2_hmac_sha512(as_bytes("p"), as_bytes("s"), 0);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), CryptoErrc::bad_length));
  EXPECT_EQ(r.error().domain, ErrorDomain::crypto);
  auto r2 = pbkdf2_hmac_sha512(as_bytes("p"), as_bytes("s"), 1, 0);
  ASSERT_FALSE(r2.ok());
  EXPECT_TRUE(is(r2.error(), CryptoErrc::bad_length));
  // Empty password and salt are legal inputs.
  EXPECT_TRUE(pbkdf2_hmac_sha512({}, {}, 1).ok());
}

}  // namespace
}  // namespace telepp::crypto
