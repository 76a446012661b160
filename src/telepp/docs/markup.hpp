#pragma once
/// \file Text helpers for the reference pages: the HTML found in upstream descriptions turned into
/// Markdown or plain text, Markdown and YAML escaping, and the first sentence of a description.
/// Internal to `telepp_docs`.

#include <string>
#include <string_view>

#include "telepp/tl/schema.hpp"

namespace telepp::docs {

/// Escapes `text` so Markdown shows it literally (`*`, `` ` ``, `[`, `]`, `<`, `>`, `\`, and `_`
/// where it could start or end emphasis). `|` is left alone: `table_cell` handles it.
std::string md_escape(std::string_view text);

/// Makes Markdown fit in one table cell: line breaks become `<br>`, `|` becomes `\|`.
std::string table_cell(std::string_view markdown);

/// A YAML double-quoted scalar holding `text` exactly (quotes, backslashes, control bytes escaped).
std::string yaml_quote(std::string_view text);

/// Converts a description (text with a few HTML tags: `a`, `code`, `strong`/`b`, `em`/`i`, `br`,
/// `del`/`s`, `u`, `img`, `pre`, `blockquote`, `p`, lists) to Markdown for a page one folder
/// below the output root. Links to core.telegram.org's `method/`, `constructor/` and `type/`
/// pages become links to the local pages when `schema` has that name. Anything that is not one of
/// those tags (such as `<bot_username>`) is text and is escaped. @mtcute/core's JSDoc links
/// (`{@link RawUser}`, `{@link messages.RawGetHistoryRequest}`) become links to the local pages of
/// the TL names they stand for (`user`, `messages.getHistory`).
std::string html_to_markdown(std::string_view html, const tl::Schema* schema);

/// The same description as plain text: tags dropped, entities decoded, `<br>` as a line break,
/// JSDoc links as TL names (resolved against `schema` when given).
std::string html_to_text(std::string_view html, const tl::Schema* schema = nullptr);

/// The first sentence of plain text (up to a `.`, `!` or `?` followed by a blank, or a line break,
/// not cut after `e.g.` and the like), trimmed. The whole text when there is no such end.
std::string first_sentence(std::string_view text);

}  // namespace telepp::docs
