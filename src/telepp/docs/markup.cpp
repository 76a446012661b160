#include "telepp/docs/markup.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

namespace telepp::docs {
namespace {

// ---------------------------------------------------------------------------------------------
// Characters

bool is_ascii_alnum(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

// Letters outside ASCII count as word characters, as CommonMark's emphasis rules treat them.
bool is_word_char(char ch) { return is_ascii_alnum(ch) || static_cast<unsigned char>(ch) >= 0x80; }

bool is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

char to_lower(char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), to_lower);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// A numeric character reference body (`#39`, `#x27`), or nullopt.
std::optional<std::uint32_t> numeric_entity(std::string_view body) {
  if (body.size() < 2 || body[0] != '#') return std::nullopt;
  bool hex = body[1] == 'x' || body[1] == 'X';
  auto digits = body.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 6) return std::nullopt;
  std::uint32_t cp = 0;
  for (char ch : digits) {
    int d = ch >= '0' && ch <= '9' ? ch - '0' : hex && ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
          : hex && ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
    if (d < 0) return std::nullopt;
    cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
  }
  return cp;
}

// Decodes the character references HTML descriptions use; anything else stays as written.
std::string decode_entities(std::string_view s) {
  static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto semi = s[i] == '&' ? s.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    auto body = s.substr(i + 1, semi - i - 1);
    bool done = false;
    for (auto [name, text] : kNamed) {
      if (body == name) {
        out += text;
        done = true;
      }
    }
    if (auto cp = numeric_entity(body); !done && cp) {
      append_utf8(out, *cp);
      done = true;
    }
    if (done) i = semi;
    else out += s[i];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A small HTML tree: only the tags descriptions use are tags, everything else is text.

struct Node {
  bool is_text = true;
  std::string tag;   // element: lowercase name
  std::string text;  // text node, or the raw content of `code`/`pre` (entities decoded)
  std::string href;  // a
  std::string alt;   // img
  std::vector<Node> children;
};

bool is_known_tag(std::string_view name) {
  static constexpr std::string_view kTags[] = {"a",   "b",   "blockquote", "br", "code", "del", "em", "i",  "img",
                                               "li",  "ol",  "p",          "pre", "s",   "strong", "u", "ul"};
  return std::find(std::begin(kTags), std::end(kTags), name) != std::end(kTags);
}

bool is_void_tag(std::string_view name) { return name == "br" || name == "img"; }

struct Tag {
  std::string name;
  bool closing = false;
  std::string href;
  std::string alt;
  std::size_t end = 0;  // one past the `>`
};

// Reads `name="value"`, `name='value'`, `name=value` or `name` at `pos`; returns the position after.
std::size_t read_attribute(std::string_view html, std::size_t pos, Tag& tag) {
  std::size_t start = pos;
  while (pos < html.size() && !is_blank(html[pos]) && html[pos] != '=' && html[pos] != '>' && html[pos] != '/') ++pos;
  std::string name = lower(html.substr(start, pos - start));
  if (pos >= html.size() || html[pos] != '=') return pos == start ? pos + 1 : pos;
  ++pos;
  std::string value;
  if (pos < html.size() && (html[pos] == '"' || html[pos] == '\'')) {
    char quote = html[pos];
    auto close = html.find(quote, pos + 1);
    if (close == std::string_view::npos) return html.size();
    value = decode_entities(html.substr(pos + 1, close - pos - 1));
    pos = close + 1;
  } else {
    start = pos;
    while (pos < html.size() && !is_blank(html[pos]) && html[pos] != '>') ++pos;
    value = decode_entities(html.substr(start, pos - start));
  }
  if (name == "href") tag.href = std::move(value);
  else if (name == "alt") tag.alt = std::move(value);
  return pos;
}

// Parses a tag at `html[pos] == '<'`; nullopt when it is not one of the known tags (then the `<`
// is text, as in `<bot_username>`).
std::optional<Tag> parse_tag(std::string_view html, std::size_t pos) {
  Tag tag;
  ++pos;
  if (pos < html.size() && html[pos] == '/') {
    tag.closing = true;
    ++pos;
  }
  std::size_t start = pos;
  while (pos < html.size() && is_ascii_alnum(html[pos])) ++pos;
  tag.name = lower(html.substr(start, pos - start));
  if (!is_known_tag(tag.name) || pos >= html.size()) return std::nullopt;
  if (!is_blank(html[pos]) && html[pos] != '>' && html[pos] != '/') return std::nullopt;
  while (pos < html.size() && html[pos] != '>') {
    if (is_blank(html[pos]) || html[pos] == '/') ++pos;
    else pos = read_attribute(html, pos, tag);
  }
  if (pos >= html.size()) return std::nullopt;
  tag.end = pos + 1;
  return tag;
}

// Finds `</name>` from `pos`, case-insensitively.
std::size_t find_closing(std::string_view html, std::size_t pos, std::string_view name) {
  std::string needle = "</" + std::string(name) + ">";
  std::string hay = lower(html.substr(pos));
  auto at = hay.find(needle);
  return at == std::string::npos ? std::string_view::npos : pos + at;
}

class TreeBuilder {
 public:
  std::vector<Node> build(std::string_view html) {
    Node root;
    root.is_text = false;
    stack_ = {&root};
    std::size_t pos = 0;
    while (pos < html.size()) {
      auto lt = html.find('<', pos);
      if (lt == std::string_view::npos) lt = html.size();
      text_.append(html.substr(pos, lt - pos));
      if (lt == html.size()) break;
      auto tag = parse_tag(html, lt);
      if (!tag) {
        text_ += '<';
        pos = lt + 1;
        continue;
      }
      pos = handle(html, *tag);
    }
    flush_text();
    return std::move(root.children);
  }

 private:
  std::size_t handle(std::string_view html, const Tag& tag) {
    flush_text();
    if (tag.closing) {
      close(tag.name);
      return tag.end;
    }
    Node element;
    element.is_text = false;
    element.tag = tag.name;
    element.href = tag.href;
    element.alt = tag.alt;
    if (tag.name == "code" || tag.name == "pre") {
      // NOTE: code is literal: upstream writes `<code><pre></code>` meaning the text "<pre>".
      auto close_at = find_closing(html, tag.end, tag.name);
      auto raw_end = close_at == std::string_view::npos ? html.size() : close_at;
      element.text = decode_entities(html.substr(tag.end, raw_end - tag.end));
      stack_.back()->children.push_back(std::move(element));
      return close_at == std::string_view::npos ? html.size() : close_at + tag.name.size() + 3;
    }
    stack_.back()->children.push_back(std::move(element));
    if (!is_void_tag(tag.name)) stack_.push_back(&stack_.back()->children.back());
    return tag.end;
  }

  // Closes the innermost open `name` (and anything left open inside it); a stray close is ignored.
  void close(const std::string& name) {
    for (std::size_t i = stack_.size(); i-- > 1;) {
      if (stack_[i]->tag == name) {
        stack_.resize(i);
        return;
      }
    }
  }

  void flush_text() {
    if (text_.empty()) return;
    Node text;
    text.text = decode_entities(text_);
    stack_.back()->children.push_back(std::move(text));
    text_.clear();
  }

  // Open elements; only the innermost one gets children, so the pointers stay valid.
  std::vector<Node*> stack_;
  std::string text_;
};

// ---------------------------------------------------------------------------------------------
// Rendering

std::string code_span(std::string_view raw) {
  std::string text(raw);
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::size_t longest = 0, run = 0;
  for (char ch : text) {
    run = ch == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(longest + 1, '`');
  bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

// Wraps Markdown in an emphasis marker, keeping blanks outside it (`** x**` would not render).
std::string wrap(const std::string& inner, std::string_view marker) {
  auto core = trim(inner);
  if (core.empty()) return inner;
  auto lead = std::string_view(inner).substr(0, static_cast<std::size_t>(core.data() - inner.data()));
  auto tail = std::string_view(inner).substr(lead.size() + core.size());
  return std::string(lead) + std::string(marker) + std::string(core) + std::string(marker) + std::string(tail);
}

std::string percent_escape_url(std::string_view url) {
  std::string out;
  for (char ch : url) {
    switch (ch) {
      case ' ': out += "%20"; break;
      case '(': out += "%28"; break;
      case ')': out += "%29"; break;
      case '<': out += "%3C"; break;
      case '>': out += "%3E"; break;
      default: out += ch;
    }
  }
  return out;
}

// A core.telegram.org reference page that exists locally, as a path from a page one folder deep.
std::optional<std::string> local_page(std::string_view kind, std::string_view name, const tl::Schema& schema) {
  const auto* c = schema.find(name);
  if (kind == "method" && c && c->is_function) return "../methods/" + std::string(name) + ".md";
  if (kind == "constructor" && c && !c->is_function) return "../constructors/" + std::string(name) + ".md";
  if (kind == "type" && !schema.constructors_of(name).empty()) return "../types/" + std::string(name) + ".md";
  return std::nullopt;
}

// Where a link should point; empty for in-page anchors of the upstream page (meaningless here).
std::string resolve_href(std::string_view href, const tl::Schema* schema) {
  href = trim(href);
  if (href.empty() || href[0] == '#') return {};
  std::string url(href);
  if (url.starts_with("//")) url = "https:" + url;
  else if (url.starts_with("/")) url = "https://core.telegram.org" + url;
  constexpr std::string_view kCore = "https://core.telegram.org/";
  if (schema && url.starts_with(kCore)) {
    std::string_view rest = std::string_view(url).substr(kCore.size());
    auto slash = rest.find('/');
    if (slash != std::string_view::npos) {
      auto name = rest.substr(slash + 1);
      name = name.substr(0, std::min(name.find('#'), name.find('?')));
      if (auto local = local_page(rest.substr(0, slash), name, *schema)) return *local;
    }
  }
  return percent_escape_url(url);
}

// NOTE: @mtcute/core rewrites upstream links to reference pages as JSDoc: `{@link RawUser}` (the
// constructor `user`), `{@link messages.RawGetHistoryRequest}` (the method `messages.getHistory`),
// `{@link TypeInputPeer}` (the type). These are turned back into TL names and local pages.
struct TlLink {
  std::string name;  // the TL name to show
  std::string page;  // a path from a page one folder deep; empty when the schema lacks the name
};

std::string lower_first(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = to_lower(out[0]);
  return out;
}

TlLink resolve_jsdoc_link(std::string_view ref, const tl::Schema* schema) {
  auto dot = ref.rfind('.');
  std::string ns = dot == std::string_view::npos ? std::string() : std::string(ref.substr(0, dot + 1));
  std::string_view last = dot == std::string_view::npos ? ref : ref.substr(dot + 1);
  std::vector<std::pair<std::string_view, std::string>> candidates;  // (kind, TL name)
  if (last.starts_with("Raw") && last.ends_with("Request")) {
    candidates.emplace_back("method", ns + lower_first(last.substr(3, last.size() - 10)));
  }
  if (last.starts_with("Raw")) candidates.emplace_back("constructor", ns + lower_first(last.substr(3)));
  if (last.starts_with("Type")) candidates.emplace_back("type", ns + std::string(last.substr(4)));
  for (const auto& [kind, name] : candidates) {
    if (!schema) return TlLink{name, {}};
    if (auto page = local_page(kind, name, *schema)) return TlLink{name, *page};
  }
  return TlLink{candidates.empty() ? std::string(ref) : candidates.back().second, {}};
}

// Calls `text(segment)` for plain runs and `link(TlLink)` for each `{@link …}` in `s`.
template <class Text, class Link>
void split_jsdoc_links(std::string_view s, const tl::Schema* schema, Text text, Link link) {
  constexpr std::string_view kOpen = "{@link ";
  while (!s.empty()) {
    auto at = s.find(kOpen);
    auto end = at == std::string_view::npos ? at : s.find('}', at);
    if (end == std::string_view::npos) break;
    text(s.substr(0, at));
    link(resolve_jsdoc_link(trim(s.substr(at + kOpen.size(), end - at - kOpen.size())), schema));
    s.remove_prefix(end + 1);
  }
  text(s);
}

class MarkdownRenderer {
 public:
  explicit MarkdownRenderer(const tl::Schema* schema) : schema_(schema) {}

  std::string render(const std::vector<Node>& nodes) const {
    std::string out;
    for (const auto& n : nodes) out += render(n);
    return out;
  }

 private:
  std::string render(const Node& n) const {
    if (n.is_text) return text(n.text);
    const auto& t = n.tag;
    if (t == "code" || t == "pre") return code_span(n.text);
    if (t == "br") return "\n\n";
    if (t == "img") return md_escape(n.alt);
    std::string inner = render(n.children);
    if (t == "strong" || t == "b") return wrap(inner, "**");
    if (t == "em" || t == "i") return wrap(inner, "*");
    if (t == "del" || t == "s") return wrap(inner, "~~");
    if (t == "p") return inner + "\n\n";
    if (t == "li") return "\n- " + std::string(trim(inner));
    if (t == "ul" || t == "ol") return inner + "\n\n";
    if (t == "a") return link(n, inner);
    return inner;  // u, blockquote: no Markdown form worth the noise
  }

  std::string text(std::string_view s) const {
    std::string out;
    split_jsdoc_links(
        s, schema_, [&](std::string_view run) { out += md_escape(run); },
        [&](const TlLink& l) { out += l.page.empty() ? md_escape(l.name) : "[" + md_escape(l.name) + "](" + l.page + ")"; });
    return out;
  }

  std::string link(const Node& n, const std::string& inner) const {
    auto url = resolve_href(n.href, schema_);
    if (url.empty()) return inner;
    if (trim(inner).empty()) return "<" + url + ">";
    return "[" + inner + "](" + url + ")";
  }

  const tl::Schema* schema_;
};

std::string render_text(const std::vector<Node>& nodes, const tl::Schema* schema) {
  std::string out;
  for (const auto& n : nodes) {
    if (n.is_text) {
      split_jsdoc_links(
          n.text, schema, [&](std::string_view run) { out += run; }, [&](const TlLink& l) { out += l.name; });
    }
    else if (n.tag == "code" || n.tag == "pre") out += n.text;
    else if (n.tag == "br") out += '\n';
    else if (n.tag == "img") out += n.alt;
    else if (n.tag == "li") out += "\n" + render_text(n.children, schema);
    else if (n.tag == "p") out += render_text(n.children, schema) + "\n";
    else out += render_text(n.children, schema);
  }
  return out;
}

// Trims and keeps at most one blank line between paragraphs.
std::string tidy(std::string_view text) {
  text = trim(text);
  std::string out;
  std::size_t newlines = 0;
  for (char ch : text) {
    if (ch == '\r') continue;
    newlines = ch == '\n' ? newlines + 1 : 0;
    if (newlines <= 2) out += ch;
  }
  return out;
}

bool is_abbreviation(std::string_view word) {
  static constexpr std::string_view kShort[] = {"e.g.", "i.e.", "etc.", "vs.", "approx.", "see.", "no.", "cf."};
  auto w = lower(word);
  return std::find(std::begin(kShort), std::end(kShort), w) != std::end(kShort);
}

}  // namespace

std::string md_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    char prev = i > 0 ? text[i - 1] : ' ';
    char next = i + 1 < text.size() ? text[i + 1] : ' ';
    bool line_start = i == 0 || prev == '\n';
    switch (ch) {
      case '\\': case '`': case '*': case '[': case ']': case '<': case '>': case '~':
        out += '\\';
        break;
      case '_':
        // Inside a word (`random_id`) an underscore never starts emphasis; elsewhere it might.
        if (!is_word_char(prev) || !is_word_char(next)) out += '\\';
        break;
      case '&':
        if (is_ascii_alnum(next) || next == '#') out += '\\';
        break;
      case '#':
        if (line_start) out += '\\';
        break;
      default: break;
    }
    out += ch;
  }
  return out;
}

std::string table_cell(std::string_view markdown) {
  markdown = trim(markdown);
  std::string out;
  for (std::size_t i = 0; i < markdown.size(); ++i) {
    char ch = markdown[i];
    if (ch == '\r') continue;
    if (ch == '\n') {
      while (i + 1 < markdown.size() && (markdown[i + 1] == '\n' || markdown[i + 1] == '\r')) ++i;
      out += "<br>";
    } else if (ch == '|') {
      out += "\\|";
    } else {
      out += ch;
    }
  }
  return out;
}

std::string yaml_quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto ch = static_cast<unsigned char>(text[i]);
    auto rest = text.substr(i);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch < 0x20 || ch == 0x7f) {
      out += "\\x";
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    } else if (rest.starts_with("\xc2\x85")) {  // NEL, a line break to YAML
      out += "\\N";
      ++i;
    } else if (rest.starts_with("\xe2\x80\xa8") || rest.starts_with("\xe2\x80\xa9")) {  // LS, PS
      out += rest[2] == '\xa8' ? "\\L" : "\\P";
      i += 2;
    } else if (rest.starts_with("\xef\xbb\xbf")) {  // a BOM inside a scalar
      out += "\\uFEFF";
      i += 2;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

std::string html_to_markdown(std::string_view html, const tl::Schema* schema) {
  return tidy(MarkdownRenderer(schema).render(TreeBuilder().build(html)));
}

std::string html_to_text(std::string_view html, const tl::Schema* schema) {
  return tidy(render_text(TreeBuilder().build(html), schema));
}

std::string first_sentence(std::string_view text) {
  text = trim(text);
  int depth = 0;  // no sentence ends inside parentheses: "(see. App configuration)"
  std::size_t word_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '\n') return std::string(trim(text.substr(0, i)));
    if (is_blank(ch)) word_start = i + 1;
    if (ch == '(') ++depth;
    if (ch == ')' && depth > 0) --depth;
    bool at_end = i + 1 == text.size() || is_blank(text[i + 1]);
    if (depth == 0 && at_end && (ch == '.' || ch == '!' || ch == '?') &&
        !is_abbreviation(text.substr(word_start, i + 1 - word_start))) {
      return std::string(text.substr(0, i + 1));
    }
  }
  return std::string(text);
}

}  // namespace telepp::docs
