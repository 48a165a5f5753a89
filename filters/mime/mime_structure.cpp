// The bounded MIME structure scan and its limits (mime_structure.h).
#include "ascii_case.h"
#include "mime_structure.h"
#include "config.h"

#include <algorithm>
#include <cctype>

#include "message_header.h"

namespace csirtgw {
namespace {

bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

void skip_space_and_comments(std::string_view s, std::size_t& i) {
  while (i < s.size()) {
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
      ++i;
    } else if (s[i] == '(') {
      int depth = 0;
      for (; i < s.size(); ++i) {
        if (s[i] == '\\') {  // a quoted-pair; a backslash at the very end quotes nothing
          if (i + 1 < s.size()) ++i;
          continue;
        }
        if (s[i] == '(') ++depth;
        if (s[i] == ')' && --depth == 0) { ++i; break; }
      }
    } else {
      return;
    }
  }
}

std::string read_token(std::string_view s, std::size_t& i) {
  std::size_t start = i;
  while (i < s.size() && is_token_char(s[i])) ++i;
  return std::string(s.substr(start, i - start));
}

class Scanner {
 public:
  Scanner(std::string_view message, const MimeLimits& limits) : message_(message), limits_(limits) {}

  Result<MimeEntity> scan() {
    if (auto st = check_line_lengths(); !st) return st.error();
    MimeEntity root;
    if (auto st = scan_entity(0, message_.size(), 0, root); !st) return st.error();
    return root;
  }

 private:
  Status check_line_lengths() const {
    std::size_t start = 0;
    while (start < message_.size()) {
      auto nl = message_.find('\n', start);
      std::size_t end = nl == std::string_view::npos ? message_.size() : nl + 1;
      if (end - start > limits_.line_length)
        return Error::bad_input("a line is longer than " + std::to_string(limits_.line_length) + " octets");
      start = end;
    }
    return ok_status();
  }

  Status scan_entity(std::size_t begin, std::size_t end, std::size_t depth, MimeEntity& entity) {
    if (depth > limits_.depth) return Error::bad_input("MIME nesting deeper than " + std::to_string(limits_.depth));
    if (++entities_ > limits_.parts) return Error::bad_input("more than " + std::to_string(limits_.parts) + " MIME parts");
    entity.begin = begin;
    entity.end = end;
    std::string_view span = message_.substr(begin, end - begin);
    std::string_view headers = header_section(span);
    if (headers.size() > limits_.header_block)
      return Error::bad_input("a header block is larger than " + std::to_string(limits_.header_block) + " octets");
    entity.body_begin = begin + headers.size();
    // Skip the empty line that ends the headers.
    if (span.substr(headers.size(), 2) == "\r\n") entity.body_begin += 2;
    else if (span.substr(headers.size(), 1) == "\n") entity.body_begin += 1;
    entity.body_begin = std::min(entity.body_begin, end);

    if (auto ct = header_value(headers, "Content-Type")) entity.content_type = parse_content_type(*ct);
    entity.transfer_encoding = ascii_lower(header_value(headers, "Content-Transfer-Encoding").value_or("7bit"));

    if (entity.content_type.type == "multipart") return scan_multipart(entity, depth);
    if (entity.content_type.is("message", "rfc822")) {
      MimeEntity inner;
      if (auto st = scan_entity(entity.body_begin, end, depth + 1, inner); !st) return st;
      entity.parts.push_back(std::move(inner));
    }
    return ok_status();
  }

  Status scan_multipart(MimeEntity& entity, std::size_t depth) {
    const std::string boundary = entity.content_type.parameter("boundary");
    if (boundary.empty() || boundary.size() > 70)
      return Error::bad_input("multipart without a valid boundary parameter");
    const std::string dash = "--" + boundary;
    // Delimiter lines: "--boundary" at a line start, then optional white space
    // (or "--" for the close delimiter), then the line end. The CRLF before a
    // delimiter belongs to the delimiter, not to the part (RFC 2046 5.1.1).
    std::vector<std::pair<std::size_t, std::size_t>> delimiters;  // [line start, next line start)
    bool closed = false;
    std::size_t pos = entity.body_begin;
    while (pos < entity.end && !closed) {
      auto nl = message_.find('\n', pos);
      std::size_t next = (nl == std::string_view::npos || nl >= entity.end) ? entity.end : nl + 1;
      std::string_view line = message_.substr(pos, next - pos);
      if (line.substr(0, dash.size()) == dash) {
        std::string_view rest = line.substr(dash.size());
        bool is_close = rest.substr(0, 2) == "--";
        if (is_close) rest.remove_prefix(2);
        while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r')) rest.remove_suffix(1);
        if (ascii_trim(rest, " \t").empty()) {
          delimiters.emplace_back(pos, next);
          closed = is_close;
        }
      }
      pos = next;
    }
    if (delimiters.empty()) return Error::bad_input("multipart without delimiters");
    // No close delimiter: the last part runs to the end of the entity. It is
    // still scanned (and limited) — dropping it would let it bypass every check.
    if (!closed) delimiters.emplace_back(entity.end, entity.end);
    for (std::size_t i = 0; i + 1 < delimiters.size(); ++i) {
      std::size_t part_begin = delimiters[i].second;
      std::size_t part_end = delimiters[i + 1].first;
      // Strip the CRLF that precedes the next delimiter.
      if (part_end > part_begin && message_[part_end - 1] == '\n') --part_end;
      if (part_end > part_begin && message_[part_end - 1] == '\r') --part_end;
      MimeEntity part;
      if (auto st = scan_entity(part_begin, std::max(part_begin, part_end), depth + 1, part); !st) return st;
      entity.parts.push_back(std::move(part));
    }
    return ok_status();
  }

  std::string_view message_;
  const MimeLimits& limits_;
  std::size_t entities_ = 0;
};

}  // namespace

std::string ContentType::parameter(const std::string& name) const {
  auto it = parameters.find(name);
  return it == parameters.end() ? std::string{} : it->second;
}

ContentType parse_content_type(std::string_view value) {
  ContentType out;
  std::size_t i = 0;
  skip_space_and_comments(value, i);
  std::string type = read_token(value, i);
  skip_space_and_comments(value, i);
  if (type.empty() || i >= value.size() || value[i] != '/') return out;
  ++i;
  skip_space_and_comments(value, i);
  std::string subtype = read_token(value, i);
  if (subtype.empty()) return out;
  out.type = ascii_lower(type);
  out.subtype = ascii_lower(subtype);
  while (true) {
    skip_space_and_comments(value, i);
    if (i >= value.size() || value[i] != ';') break;
    ++i;
    skip_space_and_comments(value, i);
    std::string name = ascii_lower(read_token(value, i));
    skip_space_and_comments(value, i);
    if (name.empty() || i >= value.size() || value[i] != '=') break;
    ++i;
    skip_space_and_comments(value, i);
    std::string parameter_value;
    if (i < value.size() && value[i] == '"') {
      for (++i; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        parameter_value.push_back(value[i]);
      }
      ++i;
    } else {
      parameter_value = read_token(value, i);
    }
    out.parameters.emplace(name, parameter_value);  // the first wins: duplicates are suspicious
  }
  return out;
}

MimeLimits mime_limits_from(const Config& config) {
  MimeLimits limits;
  limits.depth = static_cast<std::size_t>(config.mime_depth);
  limits.parts = static_cast<std::size_t>(config.mime_parts);
  limits.header_block = static_cast<std::size_t>(config.header_block);
  limits.line_length = static_cast<std::size_t>(config.text_line);
  return limits;
}

Result<MimeEntity> scan_mime(std::string_view message, const MimeLimits& limits) {
  return Scanner(message, limits).scan();
}

}  // namespace csirtgw
