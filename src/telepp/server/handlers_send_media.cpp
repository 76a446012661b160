// messages.sendMedia: a document, uploaded (inputMediaUploadedDocument) or sent again
// (inputMediaDocument), in a private message.
#include <algorithm>
#include <cctype>

#include "telepp/server/dispatcher.hpp"
#include "telepp/crypto/md5.hpp"
#include "telepp/server/private_chats.hpp"

namespace telepp::server {
namespace {

// Telegram's caption limit for accounts without Premium, in UTF-16 code units.
constexpr std::size_t kMaxCaptionLength = 1024;

using MediaOrReply = std::variant<api::MessageMedia, Reply>;

api::Document document_object(const DocumentRecord& d) {
  auto attributes = tl::deserialize<std::vector<api::DocumentAttribute>>(as_bytes(d.attributes));
  return api::document{.id = d.id, .access_hash = d.access_hash, .file_reference = d.file_reference, .date = d.date,
                       .mime_type = d.mime_type, .size = static_cast<std::int64_t>(d.bytes.size()), .dc_id = d.dc_id,
                       .attributes = attributes.ok() ? std::move(*attributes) : std::vector<api::DocumentAttribute>{}};
}

// messageMediaDocument with the flags clients read from the attributes (voice note, video, round video).
api::MessageMedia media_object(const DocumentRecord& d, bool spoiler) {
  api::messageMediaDocument media{.spoiler = spoiler, .document = document_object(d)};
  for (const auto& a : media.document->as<api::document>().attributes) {
    if (const auto* audio = a.get_if<api::documentAttributeAudio>()) media.voice = audio->voice;
    if (const auto* video = a.get_if<api::documentAttributeVideo>()) {
      media.round = video->round_message;
      media.video = !video->round_message;
    }
  }
  return media;
}

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A document from a finished upload: the parts assembled and checked, then stored.
MediaOrReply uploaded_document(Call& call, std::int64_t me, const api::inputMediaUploadedDocument& in) {
  InputFileRef ref{.owner = me};
  std::string md5;
  if (const auto* small = in.file.get_if<api::inputFile>()) {
    ref.file_id = small->id;
    ref.parts = small->parts;
    md5 = small->md5_checksum;
  } else if (const auto* big = in.file.get_if<api::inputFileBig>()) {
    ref.file_id = big->id;
    ref.parts = big->parts;
    ref.big = true;
  } else {
    return Reply::fail(400, "INPUT_FILE_INVALID");
  }
  auto assembled = call.state.files.assemble(ref);
  if (auto* error = std::get_if<RpcErrorInfo>(&assembled)) return Reply{{}, std::move(*error)};
  auto& [bytes, dc] = std::get<0>(assembled);
  // NOTE: the checksum is optional (clients may send ""); when given it must match.
  if (!md5.empty() && lowercase(md5) != crypto::md5_hex(as_bytes(bytes))) return Reply::fail(400, "MD5_CHECKSUM_INVALID");

  auto attributes = tl::to_bytes(in.attributes);
  if (!attributes) return Reply::fail(400, "MEDIA_INVALID");
  DocumentRecord doc{.dc_id = dc,
                     .mime_type = in.mime_type.empty() ? "application/octet-stream" : in.mime_type,
                     .attributes = std::string(attributes->begin(), attributes->end()),
                     .date = static_cast<std::int32_t>(unix_seconds(call.now)),
                     .uploader = me,
                     .bytes = std::move(bytes)};
  auto stored = call.state.files.add_document(std::move(doc));
  if (auto* error = std::get_if<RpcErrorInfo>(&stored)) return Reply{{}, std::move(*error)};
  call.state.files.drop_upload(me, ref.file_id);
  // NOTE: a thumbnail (in.thumb) is accepted and ignored: documents have no thumbs here.
  return media_object(*std::get<const DocumentRecord*>(stored), in.spoiler);
}

// An existing document, sent again: its id, access_hash and current file reference.
MediaOrReply existing_document(Call& call, const api::inputMediaDocument& in) {
  const auto* ref = in.id.get_if<api::inputDocument>();
  if (!ref) return Reply::fail(400, "MEDIA_EMPTY");  // inputDocumentEmpty
  const auto* doc = call.state.files.document(ref->id);
  if (!doc || doc->access_hash != ref->access_hash) return Reply::fail(400, "DOCUMENT_INVALID");
  if (ref->file_reference.empty()) return Reply::fail(400, "FILE_REFERENCE_EMPTY");
  if (ref->file_reference != doc->file_reference) return Reply::fail(400, "FILE_REFERENCE_EXPIRED");
  return media_object(*doc, in.spoiler);
}

MediaOrReply media_of(Call& call, std::int64_t me, const api::InputMedia& media) {
  if (const auto* up = media.get_if<api::inputMediaUploadedDocument>()) return uploaded_document(call, me, *up);
  if (const auto* doc = media.get_if<api::inputMediaDocument>()) return existing_document(call, *doc);
  if (media.is<api::inputMediaEmpty>()) return Reply::fail(400, "MEDIA_EMPTY");
  // NOTE: never a silent drop: the name says which media the test server does not implement.
  return Reply::fail(400, "MEDIA_NOT_SUPPORTED_BY_TEST_SERVER: " + std::string(media.name()));
}

Reply send_media(Call& call, const api::AnyFunction& q) {
  auto req = q.as<api::messages::sendMedia>();
  auto me = logged_in_user(call);
  if (!me) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  auto to = private_peer(call, *me, req.peer);
  if (!to) return Reply::fail(400, "PEER_ID_INVALID");
  if (utf16_length(req.message) > kMaxCaptionLength) return Reply::fail(400, "MEDIA_CAPTION_TOO_LONG");
  auto entities = req.entities.value_or(std::vector<api::MessageEntity>{});
  if (auto bad = check_entities(call, *me, req.message, entities)) return *bad;
  // NOTE: send_private_message checks the random_id too; checking it before the media is made
  // keeps a retried send from using up its upload (and answering FILE_PART_0_MISSING instead).
  if (req.random_id == 0) return Reply::fail(400, "RANDOM_ID_EMPTY");
  if (call.state.messages.random_id_used(*me, req.random_id)) return Reply::fail(500, "RANDOM_ID_DUPLICATE");
  auto media = media_of(call, *me, req.media);
  if (auto* reply = std::get_if<Reply>(&media)) return std::move(*reply);
  return send_private_message(call, *me, *to, std::move(req.message), std::move(entities),
                              std::move(std::get<api::MessageMedia>(media)), req.random_id);
}

}  // namespace

void add_send_media_handlers(Dispatcher& d) { d.add(api::messages::sendMedia::kId, send_media); }

}  // namespace telepp::server
