#include "telepp/mtproto/gzip.hpp"

#include <zlib.h>

#include "telepp/mtproto/errc.hpp"
#include "telepp/tl/writer.hpp"

namespace telepp::mtproto {

Bytes gzip_compress(ByteView data) {
  z_stream z{};
  // 15 + 16: a gzip header and trailer rather than zlib's.
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  Bytes out(deflateBound(&z, static_cast<uLong>(data.size())) + 32);
  z.next_in = const_cast<Byte*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Result<Bytes> gzip_decompress(ByteView data, std::size_t max_size) {
  z_stream z{};
  // 15 + 32: detect gzip or zlib headers automatically.
  if (inflateInit2(&z, 15 + 32) != Z_OK) return mtproto_fail(MtprotoErrc::decompression, "inflateInit failed");
  z.next_in = const_cast<Byte*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  Bytes out(std::min<std::size_t>(std::max<std::size_t>(data.size() * 4, 1024), max_size + 1));
  int rc = Z_OK;
  while (true) {
    z.next_out = out.data() + z.total_out;
    z.avail_out = static_cast<uInt>(out.size() - z.total_out);
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
    if (z.total_out > max_size) break;
    if (z.avail_out == 0) {
      if (out.size() > max_size) break;
      out.resize(std::min(out.size() * 2, max_size + 1));
    } else if (z.avail_in == 0) {
      rc = Z_DATA_ERROR;  // input ended before the stream did
      break;
    }
  }
  std::size_t produced = z.total_out;
  bool trailing = rc == Z_STREAM_END && z.avail_in != 0;
  inflateEnd(&z);
  if (produced > max_size) {
    return mtproto_fail(MtprotoErrc::decompression, "inflates beyond " + std::to_string(max_size) + " bytes");
  }
  if (rc != Z_STREAM_END) return mtproto_fail(MtprotoErrc::decompression, "corrupt or truncated gzip data");
  if (trailing) return mtproto_fail(MtprotoErrc::decompression, "bytes after the end of the gzip stream");
  out.resize(produced);
  return out;
}

std::optional<Bytes> maybe_gzip_packed(ByteView body) {
  auto packed = gzip_compress(body);
  if (packed.size() + 8 >= body.size()) return std::nullopt;
  tl::Writer w(0, packed.size() + 16);
  w.u32(kGzipPackedId);
  w.bytes(as_chars(packed));
  return w.buffer().to_bytes();
}

}  // namespace telepp::mtproto
