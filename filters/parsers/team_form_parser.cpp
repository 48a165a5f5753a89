// Reads the team's own reporting form out of a text body (rules in
// team_form_parser.h). Two passes: the first splits the text into label lines
// and their values, knowing nothing of types; the second numbers repeated
// blocks, checks every value against its field's type and the required fields.
// Untrusted input throughout: nothing here throws or logs.
#include "team_form_parser.h"

#include "ascii_case.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>

namespace csirtgw {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_non_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }
std::string_view rtrim(std::string_view s) {
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::size_t indentation(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && is_blank(line[n])) ++n;
  return n;
}

// The body as lines without their CR (a bare CR inside a line is dropped too:
// values never hold one).
std::vector<std::string> split_lines(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line;
    for (char c : text.substr(start, end - start))
      if (c != '\r') line += c;
    lines.push_back(std::move(line));
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

// "  - Label: value" split at its first colon; nothing when there is no colon.
struct LabelLine {
  std::string_view label;  // as written, trimmed
  std::string_view rest;   // everything after the colon, untrimmed
};

std::optional<LabelLine> split_label_line(std::string_view line) {
  std::string_view s = ascii_trim(line, " \t");
  if (s.size() > 2 && (s[0] == '-' || s[0] == '*') && is_blank(s[1])) s = ascii_trim(s.substr(2), " \t");
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return LabelLine{ascii_trim(s.substr(0, colon), " \t"), s.substr(colon + 1)};
}

// "Some words: value" that is probably meant as a field: a short label of
// words and a value after a blank, so that URLs, times and IPv6 addresses
// ("https://", "10:30", "2001:db8::1") are not taken for labels.
bool looks_like_unknown_field(const LabelLine& l) {
  if (l.label.empty() || l.label.size() > 40 || !is_alpha(l.label.front())) return false;
  int words = 1;
  for (char c : l.label) {
    if (is_blank(c)) {
      ++words;
      continue;
    }
    if (!is_alpha(c) && !is_digit(c) && std::string_view("-/()'&.,").find(c) == std::string_view::npos) return false;
  }
  if (words > 5) return false;
  if (l.rest.empty() || !is_blank(l.rest.front())) return false;
  return !ascii_trim(l.rest, " \t").empty();
}

bool is_signature_separator(std::string_view line) { return line == "-- " || line == "--"; }

bool is_comment(std::string_view line) {
  const auto s = ascii_trim(line, " \t");
  return !s.empty() && s.front() == '#';
}

// ---- pass 1: label lines and their raw values ---------------------------------

struct RawEntry {
  bool known = false;
  std::size_t field = 0;        // index into schema.fields when known
  std::string label;            // as written (unknown labels)
  int raw_block = 0;
  std::size_t indent = 0;       // of the label line
  std::string first;            // the value on the label line, trimmed
  std::vector<std::string> more;  // continuation lines (multi-line fields)
};

struct GroupCursor {
  int block = 0;
  std::set<std::size_t> seen;  // fields that appeared in the current block
};

std::string assemble_value(const RawEntry& e, bool multiline) {
  if (!multiline) return e.first;
  std::size_t common = std::string::npos;
  for (const auto& l : e.more)
    if (!ascii_trim(l, " \t").empty()) common = std::min(common, indentation(l));
  std::vector<std::string_view> lines;
  if (!e.first.empty()) lines.push_back(e.first);
  for (const auto& l : e.more) {
    std::string_view v = rtrim(l);
    lines.push_back(v.empty() ? v : v.substr(std::min(common, v.size())));
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::size_t begin = 0;
  while (begin < lines.size() && lines[begin].empty()) ++begin;
  std::string out;
  for (std::size_t i = begin; i < lines.size(); ++i) {
    if (i > begin) out += '\n';
    out += lines[i];
  }
  return out;
}

// ---- typed checks ----------------------------------------------------------------

std::string refang(std::string_view v) {
  std::string out(v);
  for (std::string_view from : {"[.]", "(.)", "[dot]", "[:]"}) {
    const std::string to = from == "[:]" ? ":" : ".";
    for (auto pos = out.find(from); pos != std::string::npos; pos = out.find(from, pos + to.size()))
      out.replace(pos, from.size(), to);
  }
  return out;
}

bool is_ip_address(const std::string& v) {
  std::array<unsigned char, 16> address{};
  return inet_pton(AF_INET, v.c_str(), address.data()) == 1 || inet_pton(AF_INET6, v.c_str(), address.data()) == 1;
}

// A host name: LDH labels (UTF-8 allowed for IDNs), the last not all digits so
// that "300.1.2.3" is not a name either.
bool is_domain_name(std::string_view v, bool need_dot) {
  if (!v.empty() && v.back() == '.') v.remove_suffix(1);
  if (v.empty() || v.size() > 253) return false;
  std::size_t labels = 0;
  std::string_view last;
  while (true) {
    const auto dot = v.find('.');
    const std::string_view label = v.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!is_alpha(c) && !is_digit(c) && c != '-' && !is_non_ascii(c)) return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    v.remove_prefix(dot + 1);
  }
  if (std::all_of(last.begin(), last.end(), is_digit)) return false;
  return !need_dot || labels >= 2;
}

// addr-spec with a dot-atom local part; "Name <addr>" and "<addr>" give addr.
std::optional<std::string> email_address(std::string_view v) {
  if (const auto open = v.find('<'); open != std::string_view::npos) {
    if (v.back() != '>' || v.find('<', open + 1) != std::string_view::npos) return std::nullopt;
    v = ascii_trim(v.substr(open + 1, v.size() - open - 2), " \t");
  }
  const auto at = v.rfind('@');
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  const std::string_view local = v.substr(0, at), domain = v.substr(at + 1);
  if (local.size() > 64 || v.size() > 254) return std::nullopt;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return std::nullopt;
  constexpr std::string_view kAtext = "!#$%&'*+-/=?^_`{|}~.";
  for (char c : local)
    if (!is_alpha(c) && !is_digit(c) && !is_non_ascii(c) && kAtext.find(c) == std::string_view::npos)
      return std::nullopt;
  if (!is_domain_name(domain, true)) return std::nullopt;
  return std::string(v);
}

bool is_phone_number(std::string_view v) {
  int digits = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (is_digit(c)) {
      ++digits;
      continue;
    }
    const bool allowed = c == '+' ? i == 0 : std::string_view(" -()./").find(c) != std::string_view::npos;
    if (!allowed) return false;
  }
  return digits >= 3 && digits <= 20;
}

// ---- date and time ----

bool leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool valid_date(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  return d <= kDays[m - 1] + ((m == 2 && leap_year(y)) ? 1 : 0);
}

// Reads exactly n digits at pos.
std::optional<int> digits_at(std::string_view s, std::size_t& pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_digit(s[pos + i])) return std::nullopt;
    value = value * 10 + (s[pos + i] - '0');
  }
  pos += n;
  return value;
}

// hh:mm[:ss[.fraction]] at pos.
bool time_at(std::string_view s, std::size_t& pos, bool allow_fraction) {
  auto h = digits_at(s, pos, 2);
  if (!h || *h > 23 || pos >= s.size() || s[pos++] != ':') return false;
  auto m = digits_at(s, pos, 2);
  if (!m || *m > 59) return false;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    auto sec = digits_at(s, pos, 2);
    if (!sec || *sec > 60) return false;
    if (allow_fraction && pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      const auto start = ++pos;
      while (pos < s.size() && is_digit(s[pos])) ++pos;
      if (pos == start) return false;
    }
  }
  return true;
}

// +hh:mm, +hhmm or +hh.
bool numeric_zone(std::string_view z) {
  if (z.size() < 3 || (z[0] != '+' && z[0] != '-')) return false;
  std::size_t pos = 1;
  auto h = digits_at(z, pos, 2);
  if (!h || *h > 23) return false;
  if (pos == z.size()) return true;
  if (z[pos] == ':') ++pos;
  auto m = digits_at(z, pos, 2);
  return m && *m <= 59 && pos == z.size();
}

bool zone_name(std::string_view z) {
  return !z.empty() && z.size() <= 5 && std::all_of(z.begin(), z.end(), is_alpha);
}

// YYYY-MM-DD[(T| )hh:mm[:ss[.f]][ ][Z|±hh[:]mm|zone name]]
bool is_iso8601(std::string_view s) {
  std::size_t pos = 0;
  auto y = digits_at(s, pos, 4);
  if (!y || pos >= s.size() || s[pos++] != '-') return false;
  auto m = digits_at(s, pos, 2);
  if (!m || pos >= s.size() || s[pos++] != '-') return false;
  auto d = digits_at(s, pos, 2);
  if (!d || !valid_date(*y, *m, *d)) return false;
  if (pos == s.size()) return true;
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return false;
  ++pos;
  if (!time_at(s, pos, true)) return false;
  std::string_view zone = s.substr(pos);
  if (zone.empty() || zone == "Z" || zone == "z") return true;
  if (numeric_zone(zone)) return true;
  if (zone.front() != ' ') return false;
  zone = ascii_trim(zone, " \t");
  return zone == "Z" || numeric_zone(zone) || zone_name(zone);
}

// [day ","] d month yyyy hh:mm[:ss] [zone] [(comment)]
bool is_rfc5322_date(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // Drop a trailing comment "(CEST)", then split into words, a comma counting as one.
  if (const auto paren = s.find('('); paren != std::string_view::npos) {
    if (s.back() != ')') return false;
    s = ascii_trim(s.substr(0, paren), " \t");
  }
  std::vector<std::string_view> words;
  std::size_t pos = 0;
  while (pos < s.size()) {
    while (pos < s.size() && is_blank(s[pos])) ++pos;
    if (pos >= s.size()) break;
    if (s[pos] == ',') {
      words.push_back(s.substr(pos++, 1));
      continue;
    }
    const auto start = pos;
    while (pos < s.size() && !is_blank(s[pos]) && s[pos] != ',') ++pos;
    words.push_back(s.substr(start, pos - start));
  }
  std::size_t w = 0;
  if (words.size() >= 2 && words[1] == "," &&
      std::any_of(kDays.begin(), kDays.end(), [&](auto d) { return ascii_iequals(d, words[0]); }))
    w = 2;
  if (words.size() - w != 4 && words.size() - w != 5) return false;
  const auto day_word = words[w], month_word = words[w + 1], year_word = words[w + 2], time_word = words[w + 3];
  if (day_word.empty() || day_word.size() > 2 || !std::all_of(day_word.begin(), day_word.end(), is_digit))
    return false;
  const int day = std::stoi(std::string(day_word));
  int month = 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i)
    if (ascii_iequals(kMonths[i], month_word)) month = static_cast<int>(i) + 1;
  std::size_t p = 0;
  auto year = digits_at(year_word, p, 4);
  if (!month || !year || p != year_word.size() || !valid_date(*year, month, day)) return false;
  p = 0;
  if (!time_at(time_word, p, false) || p != time_word.size()) return false;
  if (words.size() - w == 4) return true;
  const auto zone = words[w + 4];
  return (numeric_zone(zone) && zone.size() == 5) || zone_name(zone);
}

// An IP address, or a network in CIDR notation ("198.51.100.0/24").
bool is_ip_or_network(const std::string& v) {
  const auto slash = v.find('/');
  if (slash == std::string::npos) return is_ip_address(v);
  const std::string address = v.substr(0, slash), bits = v.substr(slash + 1);
  if (!is_ip_address(address) || bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), is_digit))
    return false;
  return std::stoi(bits) <= (address.find(':') == std::string::npos ? 32 : 128);
}

// One value checked against its field's type: what to record, or why not.
struct CheckedItem {
  std::optional<std::string> value;
  std::string problem;
};

CheckedItem check_enum(const FormField& field, const std::string& value) {
  const std::string wanted = normalise_label(value);
  for (const auto& v : field.values)
    if (normalise_label(v) == wanted) return {v, {}};
  if (wanted.find('/') == std::string::npos) {
    std::vector<std::string> matches;
    for (const auto& v : field.values) {
      const auto slash = v.rfind('/');
      if (slash != std::string::npos && normalise_label(std::string_view(v).substr(slash + 1)) == wanted)
        matches.push_back(v);
    }
    if (matches.size() == 1) return {matches.front(), {}};
  }
  std::string problem = "not one of:";
  for (std::size_t i = 0; i < field.values.size(); ++i) problem += (i ? ", " : " ") + field.values[i];
  return {std::nullopt, problem};
}

CheckedItem check_item(const FormField& field, const std::string& value) {
  auto accept_if = [&](bool ok, std::string v, const char* problem) -> CheckedItem {
    return ok ? CheckedItem{std::move(v), {}} : CheckedItem{std::nullopt, problem};
  };
  switch (field.type) {
    case FieldType::text:
    case FieldType::list: return {value, {}};
    case FieldType::email:
      if (auto address = email_address(value)) return {*address, {}};
      return {std::nullopt, "not an e-mail address"};
    case FieldType::phone: return accept_if(is_phone_number(value), value, "not a phone number");
    case FieldType::ip: {
      auto ip = refang(value);
      return accept_if(is_ip_or_network(ip), ip, "not an IP address");
    }
    case FieldType::host: {
      auto host = refang(value);
      return accept_if(is_ip_address(host) || is_domain_name(host, false), host, "not a host name or IP address");
    }
    case FieldType::datetime:
      return accept_if(is_iso8601(value) || is_rfc5322_date(value), value,
                       "not a date and time (ISO 8601 or RFC 5322)");
    case FieldType::enumeration: return check_enum(field, value);
  }
  return {std::nullopt, "unknown type"};
}

// The items of a value: a list splits at ',' ';' and line breaks; a
// multi-valued field also at blanks, except e-mail ("Name <addr>").
std::vector<std::string> split_items(const FormField& field, const std::string& value) {
  const bool by_blanks = field.multi && field.type != FieldType::email;
  const char* separators = by_blanks ? ",; \t\n" : ",;\n";
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= value.size()) {
    auto end = value.find_first_of(separators, start);
    if (end == std::string::npos) end = value.size();
    const auto item = ascii_trim(std::string_view(value).substr(start, end - start), " \t");
    if (!item.empty()) items.emplace_back(item);
    start = end + 1;
  }
  return items;
}

struct CheckedValue {
  std::vector<std::string> values;    // what to record (several for a list or a multi-valued field)
  std::vector<std::string> problems;  // one per value not recorded; never the value itself
};

CheckedValue check_value(const FormField& field, const std::string& value) {
  CheckedValue out;
  if (field.type != FieldType::list && !field.multi) {
    auto item = check_item(field, value);
    if (item.value)
      out.values.push_back(std::move(*item.value));
    else
      out.problems.push_back(std::move(item.problem));
    return out;
  }
  const auto items = split_items(field, value);
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto item = check_item(field, items[i]);
    if (item.value)
      out.values.push_back(std::move(*item.value));
    else if (items.size() == 1)
      out.problems.push_back(std::move(item.problem));
    else  // which one, by position: a value never reaches the audit log
      out.problems.push_back("value " + std::to_string(i + 1) + " of " + std::to_string(items.size()) + ": " +
                             item.problem);
  }
  return out;
}

std::string block_note(bool repeatable, int block) {
  return repeatable ? " (block " + std::to_string(block) + ")" : "";
}

// The schema's labels and aliases, folded, and which fields repeat in blocks.
struct LabelIndex {
  std::unordered_map<std::string, std::size_t> by_label;  // folded label -> field index
  std::vector<bool> repeatable;                           // per field: its group is repeatable
};

LabelIndex index_labels(const FormSchema& schema) {
  LabelIndex index;
  index.repeatable.assign(schema.fields.size(), false);
  for (std::size_t i = 0; i < schema.fields.size(); ++i) {
    const auto& f = schema.fields[i];
    index.by_label.emplace(normalise_label(f.label), i);
    for (const auto& alias : f.aliases) index.by_label.emplace(normalise_label(alias), i);
    if (const auto* g = schema.find_group(f.group)) index.repeatable[i] = g->repeatable;
  }
  return index;
}

// Pass 1: the text's label lines and their raw values, knowing nothing of types.
class EntryReader {
 public:
  EntryReader(const FormSchema& schema, const LabelIndex& index) : schema_(schema), index_(index) {}

  std::vector<RawEntry> read(std::string_view text) {
    for (const auto& line : split_lines(text)) {
      if (is_signature_separator(line)) break;
      take_line(line);
    }
    return std::move(entries_);
  }

 private:
  std::optional<std::pair<std::size_t, LabelLine>> known_field(std::string_view line) const {
    auto l = split_label_line(line);
    if (!l) return std::nullopt;
    auto it = index_.by_label.find(normalise_label(l->label));
    if (it == index_.by_label.end()) return std::nullopt;
    return std::make_pair(it->second, *l);
  }

  void start_field(std::size_t field, const LabelLine& l, std::size_t indent) {
    const auto& f = schema_.fields[field];
    auto& cursor = cursors_[f.group];
    if (cursor.seen.count(field) && index_.repeatable[field]) {
      ++cursor.block;
      cursor.seen.clear();
    }
    cursor.seen.insert(field);
    RawEntry e;
    e.known = true;
    e.field = field;
    e.raw_block = cursor.block;
    e.indent = indent;
    e.first = std::string(ascii_trim(l.rest, " \t"));
    entries_.push_back(std::move(e));
    open_ = entries_.size() - 1;
    awaiting_value_ = !f.multiline && entries_.back().first.empty();
  }

  // A multi-valued field's list goes on over lines indented deeper than its
  // label, or after a line that ends in a separator ("198.51.100.23,").
  static bool continues_list(const RawEntry& e, std::size_t indent) {
    const std::string_view last = rtrim(e.more.empty() ? std::string_view(e.first) : std::string_view(e.more.back()));
    return indent > e.indent || (!last.empty() && (last.back() == ',' || last.back() == ';'));
  }

  void take_line(const std::string& line) {
    const bool blank = ascii_trim(line, " \t").empty();
    const std::size_t indent = indentation(line);
    RawEntry* current = open_ ? &entries_[*open_] : nullptr;
    const FormField* field = current ? &schema_.fields[current->field] : nullptr;
    const bool in_multiline = field && field->multiline;

    if (in_multiline && (blank || indent > current->indent)) {
      current->more.push_back(line);
      return;
    }
    if (blank) {
      open_.reset();
      return;
    }
    if (is_comment(line)) return;
    if (auto known = known_field(line)) {
      start_field(known->first, known->second, indent);
      return;
    }
    if (in_multiline) {
      current->more.push_back(line);
      return;
    }
    if (current && field->multi && awaiting_value_) {
      current->first = std::string(ascii_trim(line, " \t"));
      awaiting_value_ = false;
      return;
    }
    if (current && field->multi && continues_list(*current, indent)) {
      current->more.push_back(line);
      return;
    }
    if (auto l = split_label_line(line); l && looks_like_unknown_field(*l)) {
      RawEntry e;
      e.label = std::string(l->label);
      entries_.push_back(std::move(e));
      open_.reset();
      return;
    }
    if (current && awaiting_value_) current->first = std::string(ascii_trim(line, " \t"));
    open_.reset();  // prose around the form
  }

  const FormSchema& schema_;
  const LabelIndex& index_;
  std::vector<RawEntry> entries_;
  std::map<std::string, GroupCursor> cursors_;
  std::optional<std::size_t> open_;  // entry still taking lines
  bool awaiting_value_ = false;      // open single-line entry with nothing after its colon yet
};

// Pass 2: blocks numbered without the empty ones, every value checked against
// its field's type, then the required fields.
class EntryChecker {
 public:
  EntryChecker(const FormSchema& schema, const LabelIndex& index, const std::vector<RawEntry>& entries)
      : schema_(schema), index_(index), entries_(entries), values_(entries.size()) {
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (!entries_[i].known) continue;
      const auto& f = schema_.fields[entries_[i].field];
      values_[i] = assemble_value(entries_[i], f.multiline || f.multi);
      if (!values_[i].empty()) used_blocks_[f.group].insert(entries_[i].raw_block);
    }
  }

  void check(ReportContent& content) {
    for (std::size_t i = 0; i < entries_.size(); ++i) check_entry(i, content);
    check_required(content);
  }

 private:
  int dense_block(const std::string& group, int raw) {
    const auto& used = used_blocks_[group];
    return static_cast<int>(std::distance(used.begin(), used.find(raw)));
  }

  void check_entry(std::size_t i, ReportContent& content) {
    const auto& e = entries_[i];
    if (!e.known) {
      content.errors.push_back({e.label, "unknown field"});
      return;
    }
    if (values_[i].empty()) return;
    const auto& f = schema_.fields[e.field];
    const bool repeatable = index_.repeatable[e.field];
    const int block = dense_block(f.group, e.raw_block);
    if (!given_.insert({e.field, block}).second && !repeatable && f.type != FieldType::list && !f.multi) {
      content.errors.push_back({f.name, "given more than once; the first value is kept"});
      return;
    }
    auto checked = check_value(f, values_[i]);
    if (f.name == schema_.category_field && content.category_hint.empty())
      content.category_hint = checked.problems.empty() && !checked.values.empty() ? checked.values.front() : values_[i];
    for (const auto& problem : checked.problems)
      content.errors.push_back({f.name, problem + block_note(repeatable, block)});
    for (auto& v : checked.values) content.fields.push_back({f.name, std::move(v), block});
  }

  void check_required(ReportContent& content) {
    for (std::size_t i = 0; i < schema_.fields.size(); ++i) {
      const auto& f = schema_.fields[i];
      if (!f.required) continue;
      const bool repeatable = index_.repeatable[i];
      const int blocks = repeatable ? static_cast<int>(used_blocks_[f.group].size()) : 1;
      if (blocks == 0) {
        content.errors.push_back({f.name, "required field missing"});
        continue;
      }
      for (int b = 0; b < blocks; ++b)
        if (!given_.count({i, b})) content.errors.push_back({f.name, "required field missing" + block_note(repeatable, b)});
    }
  }

  const FormSchema& schema_;
  const LabelIndex& index_;
  const std::vector<RawEntry>& entries_;
  std::vector<std::string> values_;                   // assembled, per entry
  std::map<std::string, std::set<int>> used_blocks_;  // group -> raw blocks with a non-empty value
  std::set<std::pair<std::size_t, int>> given_;       // (field, block) with a non-empty value, valid or not
};

}  // namespace

ReportContent parse_team_form(std::string_view text, const FormSchema& schema) {
  ReportContent content;
  const LabelIndex index = index_labels(schema);
  const std::vector<RawEntry> entries = EntryReader(schema, index).read(text);

  // A form only when labels of at least two different fields appear.
  std::set<std::size_t> fields_present;
  for (const auto& e : entries)
    if (e.known) fields_present.insert(e.field);
  if (fields_present.size() < 2) return content;
  content.format = "team-form";

  EntryChecker(schema, index, entries).check(content);
  return content;
}

}  // namespace csirtgw
