// Indicator extraction over untrusted free text (see indicator_extractor.h).
//
// Four passes over the refanged text, each linear: URLs (anchored on "://"),
// e-mail addresses (anchored on '@'), timestamps (bounded parses at word
// starts), then tokens (maximal runs of [A-Za-z0-9._:/-]) classified as
// address, CIDR, hash, CVE or domain. Text claimed by an earlier pass is marked
// covered so a later pass does not see it again. Results are merged by text
// position, deduplicated and capped. Nothing here backtracks: every byte is
// looked at a bounded number of times whatever the input.
#include "ascii_case.h"
#include "indicator_extractor.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <unordered_set>

namespace csirtgw {

const char* to_string(IndicatorKind kind) {
  switch (kind) {
    case IndicatorKind::ipv4: return "ipv4";
    case IndicatorKind::ipv6: return "ipv6";
    case IndicatorKind::cidr: return "cidr";
    case IndicatorKind::domain: return "domain";
    case IndicatorKind::url: return "url";
    case IndicatorKind::email: return "email";
    case IndicatorKind::cve: return "cve";
    case IndicatorKind::md5: return "md5";
    case IndicatorKind::sha1: return "sha1";
    case IndicatorKind::sha256: return "sha256";
    case IndicatorKind::timestamp: return "timestamp";
  }
  return "unknown";
}

const char* to_string(IndicatorOrigin origin) {
  switch (origin) {
    case IndicatorOrigin::report_text: return "report-text";
    case IndicatorOrigin::forwarded_original: return "forwarded-original";
    case IndicatorOrigin::attachment: return "attachment";
  }
  return "unknown";
}

namespace {

constexpr std::size_t npos = std::string_view::npos;

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
constexpr bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

// ---------------------------------------------------------------------------
// Addresses, domains, hashes, CVE ids

bool is_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  for (;;) {
    const std::size_t start = i;
    int value = 0;
    while (i < s.size() && is_digit(s[i]) && i - start < 4) value = value * 10 + (s[i++] - '0');
    const std::size_t len = i - start;
    // No leading zeros: "010" is octal to some parsers, decimal to others.
    if (len == 0 || len > 3 || value > 255 || (len > 1 && s[start] == '0')) return false;
    ++parts;
    if (i == s.size()) return parts == 4;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
}

std::optional<std::string> canonical_ipv6(std::string_view s) {
  if (s.size() < 2 || s.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::array<char, INET6_ADDRSTRLEN> text{};
  std::copy(s.begin(), s.end(), text.begin());
  in6_addr addr{};
  if (inet_pton(AF_INET6, text.data(), &addr) != 1) return std::nullopt;
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_ntop(AF_INET6, &addr, out.data(), out.size()) == nullptr) return std::nullopt;
  return std::string(out.data());
}

// In running text an IPv6 candidate must look like more than "a::b" or "::1":
// at least two colons (inet_pton already refuses times like 12:30:45) and three
// hex digits.
bool plausible_ipv6_text(std::string_view s) {
  std::size_t colons = 0, hex = 0;
  for (char c : s) {
    if (c == ':') ++colons;
    else if (is_hex(c)) ++hex;
  }
  return colons >= 2 && hex >= 3;
}

// File extensions that are not wanted as TLDs of undefanged names in prose
// ("report.pdf", "dropper.exe"). A defanged name or a URL host is never refused
// for its TLD: the writer meant a host.
constexpr std::array<std::string_view, 56> file_extensions = {
    "7z",   "apk",  "asp",  "aspx", "bak",  "bat",  "bin",  "bmp",  "cfg",  "conf", "csv",  "dat",
    "dll",  "doc",  "docm", "docx", "eml",  "exe",  "gif",  "gz",   "hta",  "htm",  "html", "ini",
    "iso",  "jar",  "jpeg", "jpg",  "js",   "json", "jsp",  "lnk",  "log",  "msg",  "msi",  "odt",
    "pcap", "pdf",  "php",  "png",  "ppt",  "pptx", "rar",  "rtf",  "scr",  "svg",  "tar",  "tgz",
    "tmp",  "txt",  "vbs",  "xls",  "xlsm", "xlsx", "xml",  "zip"};

bool is_file_extension(std::string_view tld) {
  std::string l = ascii_lower(tld);
  return std::find(file_extensions.begin(), file_extensions.end(), l) != file_extensions.end();
}

// `strict` applies to undefanged names in prose: no file-extension TLD and no
// mixed-case TLD ("Mr.Smith" is not a host; "EXAMPLE.COM" and "example.com" are).
bool valid_domain(std::string_view s, bool strict) {
  if (s.size() < 4 || s.size() > 253) return false;
  std::size_t label_start = 0, labels = 0, last_dot = npos;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      const std::size_t len = i - label_start;
      if (len == 0 || len > 63 || s[label_start] == '-' || s[i - 1] == '-') return false;
      ++labels;
      if (i < s.size()) last_dot = i;
      label_start = i + 1;
    } else if (!(is_alnum(s[i]) || s[i] == '-' || s[i] == '_')) {
      return false;
    }
  }
  if (labels < 2) return false;
  const std::string_view tld = s.substr(last_dot + 1);
  const bool idna = tld.size() > 4 && ascii_iequals(tld.substr(0, 4), "xn--") &&
                    std::all_of(tld.begin() + 4, tld.end(), [](char c) { return is_alnum(c) || c == '-'; });
  if (!idna) {
    if (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), is_alpha)) return false;
    if (strict) {
      const bool all_lower = std::all_of(tld.begin(), tld.end(), is_lower);
      const bool all_upper = std::all_of(tld.begin(), tld.end(), is_upper);
      if (!all_lower && !all_upper) return false;
      if (is_file_extension(tld)) return false;
    }
  }
  return true;
}

std::optional<IndicatorKind> hash_kind(std::string_view s) {
  if (s.size() != 32 && s.size() != 40 && s.size() != 64) return std::nullopt;
  bool digit = false, letter = false;
  for (char c : s) {
    if (!is_hex(c)) return std::nullopt;
    (is_digit(c) ? digit : letter) = true;
  }
  // A run of only digits is a number, not a digest.
  if (!digit || !letter) return std::nullopt;
  if (s.size() == 32) return IndicatorKind::md5;
  if (s.size() == 40) return IndicatorKind::sha1;
  return IndicatorKind::sha256;
}

bool is_cve(std::string_view s) {
  // CVE-YYYY-NNNN with 4 to 7 sequence digits.
  if (s.size() < 13 || s.size() > 16 || !ascii_iequals(s.substr(0, 4), "cve-") || s[8] != '-') return false;
  for (std::size_t i = 4; i < 8; ++i)
    if (!is_digit(s[i])) return false;
  for (std::size_t i = 9; i < s.size(); ++i)
    if (!is_digit(s[i])) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Timestamps

struct DateTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::string_view fraction;
  bool has_zone = false;
  int offset_minutes = 0;  // local = UTC + offset
};

bool read_digits(std::string_view s, std::size_t& i, int count, int& value) {
  if (i + static_cast<std::size_t>(count) > s.size()) return false;
  int v = 0;
  for (int k = 0; k < count; ++k) {
    const char c = s[i + static_cast<std::size_t>(k)];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  value = v;
  i += static_cast<std::size_t>(count);
  return true;
}

bool expect(std::string_view s, std::size_t& i, char c) {
  if (i >= s.size() || s[i] != c) return false;
  ++i;
  return true;
}

// A timestamp ends at a word boundary: not inside a number, word or time.
bool ends_cleanly(std::string_view s, std::size_t i) {
  return i >= s.size() || !(is_alnum(s[i]) || s[i] == ':');
}

bool skip_blanks(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t') && i - start < 8) ++i;
  return i > start;
}

// HH:MM with optional :SS and (if `fraction`) .fff.
bool parse_time(std::string_view s, std::size_t& i, DateTime& dt, bool fraction) {
  if (!read_digits(s, i, 2, dt.hour) || !expect(s, i, ':') || !read_digits(s, i, 2, dt.minute)) return false;
  if (i < s.size() && s[i] == ':') {
    std::size_t j = i + 1;
    if (!read_digits(s, j, 2, dt.second)) return false;
    i = j;
    if (fraction && i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1])) {
      std::size_t k = i + 1;
      while (k < s.size() && is_digit(s[k]) && k - i <= 9) ++k;
      if (k < s.size() && is_digit(s[k])) return false;  // more than nine digits
      dt.fraction = s.substr(i + 1, k - i - 1);
      i = k;
    }
  }
  return true;
}

// +HH:MM, +HHMM, or (when `hour_only`) +HH.
bool parse_offset(std::string_view s, std::size_t& i, DateTime& dt, bool allow_colon, bool hour_only) {
  if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return false;
  const int sign = s[i] == '-' ? -1 : 1;
  std::size_t j = i + 1;
  int hours = 0, minutes = 0;
  if (!read_digits(s, j, 2, hours)) return false;
  if (allow_colon && j < s.size() && s[j] == ':') {
    ++j;
    if (!read_digits(s, j, 2, minutes)) return false;
  } else if (!read_digits(s, j, 2, minutes)) {
    if (!hour_only) return false;
    minutes = 0;
  }
  if (hours > 23 || minutes > 59) return false;
  dt.has_zone = true;
  dt.offset_minutes = sign * (hours * 60 + minutes);
  i = j;
  return true;
}

struct NamedZone {
  std::string_view name;
  int offset_minutes;
};
constexpr std::array<NamedZone, 12> named_zones = {{{"UTC", 0},
                                                     {"GMT", 0},
                                                     {"UT", 0},
                                                     {"Z", 0},
                                                     {"EST", -300},
                                                     {"EDT", -240},
                                                     {"CST", -360},
                                                     {"CDT", -300},
                                                     {"MST", -420},
                                                     {"MDT", -360},
                                                     {"PST", -480},
                                                     {"PDT", -420}}};

bool parse_named_zone(std::string_view s, std::size_t& i, DateTime& dt) {
  std::size_t j = i;
  while (j < s.size() && is_alpha(s[j]) && j - i < 4) ++j;
  if (j < s.size() && is_alnum(s[j])) return false;
  const std::string_view word = s.substr(i, j - i);
  for (const auto& zone : named_zones) {
    if (ascii_iequals(word, zone.name)) {
      dt.has_zone = true;
      dt.offset_minutes = zone.offset_minutes;
      i = j;
      return true;
    }
  }
  return false;
}

// ISO 8601 / RFC 3339 date-time at i; the end of the match or npos.
std::size_t parse_iso(std::string_view s, std::size_t i, DateTime& dt) {
  if (!read_digits(s, i, 4, dt.year) || !expect(s, i, '-') || !read_digits(s, i, 2, dt.month) ||
      !expect(s, i, '-') || !read_digits(s, i, 2, dt.day))
    return npos;
  if (i >= s.size() || (s[i] != 'T' && s[i] != 't' && s[i] != ' ')) return npos;
  ++i;
  if (!parse_time(s, i, dt, true)) return npos;
  std::size_t end = i;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    dt.has_zone = true;
    end = i + 1;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    std::size_t j = i;
    if (parse_offset(s, j, dt, true, true)) end = j;
  } else if (i < s.size() && s[i] == ' ') {
    std::size_t j = i + 1;
    if (parse_named_zone(s, j, dt) || parse_offset(s, j, dt, true, false)) end = j;
  }
  return ends_cleanly(s, end) ? end : npos;
}

int month_from_name(std::string_view name) {
  static constexpr std::array<std::string_view, 12> months = {"jan", "feb", "mar", "apr", "may", "jun",
                                                              "jul", "aug", "sep", "oct", "nov", "dec"};
  for (std::size_t m = 0; m < months.size(); ++m)
    if (ascii_iequals(name, months[m])) return static_cast<int>(m) + 1;
  return 0;
}

bool is_weekday(std::string_view name) {
  if (std::string_view("mtwfsMTWFS").find(name[0]) == npos) return false;
  static constexpr std::array<std::string_view, 7> days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  return std::any_of(days.begin(), days.end(), [&](std::string_view d) { return ascii_iequals(name, d); });
}

// RFC 5322 3.3 date-time at i ("[Mon, ]23 Nov 2026 17:06[:21] [+0000|UT|GMT|EST...]").
std::size_t parse_rfc5322(std::string_view s, std::size_t i, DateTime& dt) {
  if (i < s.size() && is_alpha(s[i])) {
    if (i + 3 > s.size() || !is_weekday(s.substr(i, 3))) return npos;
    i += 3;
    if (!expect(s, i, ',')) return npos;
    skip_blanks(s, i);
  }
  if (!read_digits(s, i, 2, dt.day) && !read_digits(s, i, 1, dt.day)) return npos;
  if (!skip_blanks(s, i)) return npos;
  if (i + 3 > s.size() || (dt.month = month_from_name(s.substr(i, 3))) == 0) return npos;
  i += 3;
  if (!skip_blanks(s, i) || !read_digits(s, i, 4, dt.year) || !skip_blanks(s, i)) return npos;
  if (!parse_time(s, i, dt, false)) return npos;
  std::size_t end = i;
  std::size_t j = i;
  if (skip_blanks(s, j) && (parse_offset(s, j, dt, false, false) || parse_named_zone(s, j, dt))) end = j;
  return ends_cleanly(s, end) ? end : npos;
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

bool valid_date_time(const DateTime& dt) {
  static constexpr std::array<int, 12> days = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (dt.year < 1900 || dt.month < 1 || dt.month > 12 || dt.day < 1) return false;
  if (dt.day > days[static_cast<std::size_t>(dt.month - 1)]) return false;
  const bool leap = (dt.year % 4 == 0 && dt.year % 100 != 0) || dt.year % 400 == 0;
  if (dt.month == 2 && dt.day == 29 && !leap) return false;
  return dt.hour <= 23 && dt.minute <= 59 && dt.second <= 60;
}

std::string format_date_time(DateTime dt) {
  if (dt.has_zone && dt.offset_minutes != 0) {
    // Offsets are whole minutes, so the seconds (even a leap second) stay as written.
    std::int64_t minutes = days_from_civil(dt.year, dt.month, dt.day) * 1440 + dt.hour * 60 + dt.minute -
                           dt.offset_minutes;
    std::int64_t days = minutes / 1440;
    std::int64_t rest = minutes % 1440;
    if (rest < 0) {
      rest += 1440;
      --days;
    }
    civil_from_days(days, dt.year, dt.month, dt.day);
    dt.hour = static_cast<int>(rest / 60);
    dt.minute = static_cast<int>(rest % 60);
  }
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d", dt.year, dt.month, dt.day, dt.hour,
                dt.minute, dt.second);
  std::string out(buf.data());
  if (!dt.fraction.empty()) {
    out.push_back('.');
    out.append(dt.fraction);
  }
  if (dt.has_zone) out.push_back('Z');
  return out;
}

// ---------------------------------------------------------------------------
// Refanging

struct Refanged {
  std::string storage;
  std::string_view text;
  std::vector<std::size_t> marks;  // positions in `text` of characters produced by refanging
};

// What a bracketed defang stands for, or "" when `inner` is not one.
std::string_view refanged_form(std::string_view inner, char opener) {
  if (inner == "." || ascii_iequals(inner, "dot")) return ".";
  if (inner == "@" || ascii_iequals(inner, "at")) return "@";
  if (opener != '[') return {};
  if (inner == ":") return ":";
  if (inner == "://") return "://";
  if (inner == "/") return "/";
  return {};
}

Refanged refang(std::string_view in) {
  Refanged r;
  if (in.find_first_of("[({") == npos) {
    r.text = in;
    return r;
  }
  r.storage.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    // Copy up to the next opening bracket in one piece.
    std::size_t open = i;
    while (open < in.size() && in[open] != '[' && in[open] != '(' && in[open] != '{') ++open;
    r.storage.append(in.substr(i, open - i));
    i = open;
    if (i >= in.size()) break;
    const char c = in[i];
    const char closer = c == '[' ? ']' : c == '(' ? ')' : '}';
    const std::size_t limit = std::min(in.size(), i + 5);
    std::size_t j = i + 1;
    while (j < limit && in[j] != closer) ++j;
    if (j < limit) {
      const std::string_view out = refanged_form(in.substr(i + 1, j - i - 1), c);
      if (!out.empty()) {
        std::size_t next = j + 1;
        // "user [at] example [dot] com": the spaces around a bracketed dot or
        // at belong to the defang.
        if (out.size() == 1 && (out[0] == '.' || out[0] == '@') && !r.storage.empty() &&
            r.storage.back() == ' ' && next < in.size() && in[next] == ' ') {
          r.storage.pop_back();
          ++next;
        }
        for (char o : out) {
          r.marks.push_back(r.storage.size());
          r.storage.push_back(o);
        }
        i = next;
        continue;
      }
    }
    r.storage.push_back(c);
    ++i;
  }
  r.text = r.storage;
  return r;
}

// ---------------------------------------------------------------------------
// The scan

// Character classes by table: the scans test every byte, several times.
enum CharClass : std::uint8_t { token_char = 1, url_char = 2, local_part_char = 4, host_char = 8 };

constexpr std::array<std::uint8_t, 256> make_char_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0x21; c < 0x7f; ++c) {
    const char ch = static_cast<char>(c);
    std::uint8_t bits = 0;
    if (is_alnum(ch) || ch == '.' || ch == '-' || ch == '_' || ch == ':' || ch == '/') bits |= token_char;
    if (std::string_view("<>\"'`{}|\\^[]").find(ch) == npos) bits |= url_char;
    if (is_alnum(ch) || ch == '.' || ch == '_' || ch == '%' || ch == '+' || ch == '-') bits |= local_part_char;
    if (is_alnum(ch) || ch == '.' || ch == '-' || ch == '_') bits |= host_char;
    t[static_cast<std::size_t>(c)] = bits;
  }
  return t;
}
constexpr std::array<std::uint8_t, 256> char_classes = make_char_classes();

inline bool has_class(char c, CharClass k) { return (char_classes[static_cast<unsigned char>(c)] & k) != 0; }
inline bool is_token_char(char c) { return has_class(c, token_char); }
inline bool is_url_char(char c) { return has_class(c, url_char); }
inline bool is_local_part_char(char c) { return has_class(c, local_part_char); }
inline bool is_host_char(char c) { return has_class(c, host_char); }

class Extractor {
 public:
  Extractor(std::string_view text, std::size_t max_indicators)
      : refanged_(refang(text)), t_(refanged_.text), covered_(t_.size(), 0), max_(max_indicators) {}

  std::vector<Indicator> run() {
    std::vector<Indicator> out;
    if (max_ == 0) return out;
    scan_urls();
    next_pass();
    scan_emails();
    next_pass();
    scan_timestamps();
    next_pass();
    scan_tokens();

    // Each pass kept its first max_ distinct indicators; the max_ distinct
    // indicators that appear first in the whole text are among them.
    std::stable_sort(found_.begin(), found_.end(), [](const Found& a, const Found& b) { return a.pos < b.pos; });
    std::unordered_set<std::string> seen;
    for (auto& f : found_) {
      if (!seen.insert(key(f.indicator.kind, f.indicator.value)).second) continue;
      out.push_back(std::move(f.indicator));
      if (out.size() >= max_) break;
    }
    return out;
  }

 private:
  struct Found {
    std::size_t pos;
    Indicator indicator;
  };

  static std::string key(IndicatorKind kind, const std::string& value) {
    std::string k(1, static_cast<char>('a' + static_cast<int>(kind)));
    k += value;
    return k;
  }

  void next_pass() {
    pass_seen_.clear();
    pass_full_ = false;
  }

  void emit(std::size_t pos, IndicatorKind kind, std::string value, bool defanged) {
    if (pass_full_) return;
    if (!pass_seen_.insert(key(kind, value)).second) return;
    found_.push_back({pos, Indicator{kind, std::move(value), defanged}});
    if (pass_seen_.size() >= max_) pass_full_ = true;
  }

  bool defanged(std::size_t a, std::size_t b) const {
    auto it = std::lower_bound(refanged_.marks.begin(), refanged_.marks.end(), a);
    return it != refanged_.marks.end() && *it < b;
  }

  void cover(std::size_t a, std::size_t b) {
    std::fill(covered_.begin() + static_cast<std::ptrdiff_t>(a), covered_.begin() + static_cast<std::ptrdiff_t>(b), 1);
  }

  bool any_covered(std::size_t a, std::size_t b) const {
    return std::any_of(covered_.begin() + static_cast<std::ptrdiff_t>(a),
                       covered_.begin() + static_cast<std::ptrdiff_t>(b), [](std::uint8_t c) { return c != 0; });
  }

  // --- URLs ---------------------------------------------------------------

  void scan_urls() {
    static constexpr std::size_t max_url = 16384;
    std::size_t from = 0;
    while (!pass_full_) {
      const std::size_t k = t_.find("://", from);
      if (k == npos) break;
      from = k + 3;
      std::size_t j = k;
      while (j > 0 && is_alpha(t_[j - 1]) && k - j < 6) --j;
      if (j == k || (j > 0 && is_alnum(t_[j - 1]))) continue;  // no scheme, or inside a longer word
      const std::string scheme = ascii_lower(t_.substr(j, k - j));
      std::string_view canonical_scheme;
      bool defanged_scheme = false;
      if (scheme == "http" || scheme == "https" || scheme == "ftp") {
        canonical_scheme = scheme;
      } else if (scheme == "hxxp" || scheme == "hxxps" || scheme == "fxp") {
        canonical_scheme = scheme == "hxxp" ? "http" : scheme == "hxxps" ? "https" : "ftp";
        defanged_scheme = true;
      } else {
        continue;
      }

      const std::size_t b = k + 3;
      std::size_t e = b;
      if (e < t_.size() && t_[e] == '[') {  // an IPv6 literal host
        const std::size_t close = find_near(e, ']');
        if (close == npos) continue;
        e = close + 1;
      }
      while (e < t_.size() && is_url_char(t_[e])) ++e;
      e = trim_url_end(b, e);
      if (e == b) continue;
      from = e;
      if (e - j > max_url) {
        cover(j, e);
        continue;
      }

      // authority = [userinfo@]host[:port]
      std::size_t auth_end = b;
      while (auth_end < e && t_[auth_end] != '/' && t_[auth_end] != '?' && t_[auth_end] != '#') ++auth_end;
      std::size_t host_begin = b;
      for (std::size_t i = b; i < auth_end; ++i)
        if (t_[i] == '@') host_begin = i + 1;
      std::size_t host_end = host_begin;
      IndicatorKind host_kind = IndicatorKind::domain;
      std::string host;
      if (host_begin < auth_end && t_[host_begin] == '[') {
        const std::size_t close = find_near(host_begin, ']');
        if (close == npos || close >= auth_end) continue;
        auto v6 = canonical_ipv6(t_.substr(host_begin + 1, close - host_begin - 1));
        if (!v6) continue;
        host = *v6;
        host_kind = IndicatorKind::ipv6;
        host_end = close + 1;
      } else {
        while (host_end < auth_end && t_[host_end] != ':') ++host_end;
        host = ascii_lower(t_.substr(host_begin, host_end - host_begin));
        if (is_ipv4(host)) host_kind = IndicatorKind::ipv4;
        else if (!valid_domain(host, false)) continue;
      }
      if (host_end < auth_end) {  // a port: ':' and 1-5 digits
        const std::string_view port = t_.substr(host_end + 1, auth_end - host_end - 1);
        if (t_[host_end] != ':' || port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), is_digit))
          continue;
      }

      std::string url(canonical_scheme);
      url += "://";
      url.append(t_.substr(b, host_begin - b));
      url += host_kind == IndicatorKind::ipv6 ? "[" + host + "]" : host;
      url.append(t_.substr(host_end, e - host_end));
      const bool was_defanged = defanged_scheme || defanged(j, e);
      emit(j, IndicatorKind::url, std::move(url), was_defanged);
      emit(j, host_kind, std::move(host), was_defanged);
      cover(j, e);
    }
  }

  // `c` within the 48 bytes after `from` (an IPv6 literal in brackets); a
  // bounded look so that many unclosed "[" cost nothing.
  std::size_t find_near(std::size_t from, char c) const {
    const std::size_t limit = std::min(t_.size(), from + 48);
    for (std::size_t i = from; i < limit; ++i)
      if (t_[i] == c) return i;
    return npos;
  }

  // Trailing sentence punctuation is not part of a URL; a closing parenthesis
  // is, when the URL opened one ("https://en.wikipedia.org/wiki/Foo_(bar)").
  std::size_t trim_url_end(std::size_t b, std::size_t e) const {
    std::size_t open = 0, close = 0;
    for (std::size_t i = b; i < e; ++i) {
      if (t_[i] == '(') ++open;
      else if (t_[i] == ')') ++close;
    }
    while (e > b) {
      const char c = t_[e - 1];
      if (std::string_view(".,;:!?*").find(c) != npos) {
        --e;
      } else if (c == ')' && close > open) {
        --close;
        --e;
      } else {
        break;
      }
    }
    return e;
  }

  // --- e-mail addresses -------------------------------------------------------

  void scan_emails() {
    std::size_t at = t_.find('@');
    while (at != npos && !pass_full_) {
      std::size_t next = at + 1;
      if (!covered_[at]) {
        std::size_t i = at;
        while (i > 0 && is_local_part_char(t_[i - 1]) && !covered_[i - 1] && at - i <= 64) --i;
        while (i < at && t_[i] == '.') ++i;
        std::size_t r = at + 1;
        while (r < t_.size() && is_host_char(t_[r]) && !covered_[r] && r - at <= 254) ++r;
        const bool too_long = at - i > 64 || r - at > 254;
        while (r > at + 1 && (t_[r - 1] == '.' || t_[r - 1] == '-')) --r;
        const std::string_view domain = t_.substr(at + 1, r - at - 1);
        if (!too_long && i < at && t_[at - 1] != '.' && valid_domain(domain, false)) {
          std::string address(t_.substr(i, at - i));
          address += '@';
          address += ascii_lower(domain);
          emit(i, IndicatorKind::email, std::move(address), defanged(i, r));
          cover(i, r);
          next = r;
        }
      }
      at = t_.find('@', next);
    }
  }

  // --- timestamps -----------------------------------------------------------

  void scan_timestamps() {
    for (std::size_t i = 0; i < t_.size() && !pass_full_; ++i) {
      const char c = t_[i];
      if (!is_alnum(c) || covered_[i] || (i > 0 && is_alnum(t_[i - 1]))) continue;
      DateTime dt;
      std::size_t e = npos;
      if (is_digit(c)) e = parse_iso(t_, i, dt);
      if (e == npos) {
        dt = DateTime{};
        e = parse_rfc5322(t_, i, dt);
      }
      if (e == npos || !valid_date_time(dt) || any_covered(i, e)) continue;
      emit(i, IndicatorKind::timestamp, format_date_time(dt), false);
      cover(i, e);
      i = e - 1;
    }
  }

  // --- tokens -----------------------------------------------------------------

  void scan_tokens() {
    std::size_t i = 0;
    while (i < t_.size() && !pass_full_) {
      if (!is_token_char(t_[i]) || covered_[i]) {
        ++i;
        continue;
      }
      std::size_t e = i;
      while (e < t_.size() && is_token_char(t_[e]) && !covered_[e]) ++e;
      classify(i, e);
      i = e;
    }
  }

  void trim(std::size_t& a, std::size_t& b) const {
    auto edge = [](char c) { return c == '.' || c == '-' || c == '_' || c == '/'; };
    while (a < b) {
      if (edge(t_[a]) || (t_[a] == ':' && !(a + 1 < b && t_[a + 1] == ':'))) ++a;
      else break;
    }
    while (a < b) {
      if (edge(t_[b - 1]) || (t_[b - 1] == ':' && !(b >= a + 2 && t_[b - 2] == ':'))) --b;
      else break;
    }
  }

  void classify(std::size_t a, std::size_t b) {
    trim(a, b);
    if (a >= b) return;
    const std::string_view s = t_.substr(a, b - a);
    if (s.find(':') == npos) {
      classify_without_colon(a, b);
      return;
    }
    if (classify_ipv6(a, b)) return;
    // host:port, 12:30:45, "md5:..." — classify the pieces.
    std::size_t start = a;
    for (std::size_t i = a; i <= b; ++i) {
      if (i == b || t_[i] == ':') {
        classify_without_colon(start, i);
        start = i + 1;
      }
    }
  }

  bool classify_ipv6(std::size_t a, std::size_t b) {
    const std::string_view s = t_.substr(a, b - a);
    const std::size_t slash = s.find('/');
    const std::string_view address = s.substr(0, slash);
    if (!plausible_ipv6_text(address)) return false;
    auto canonical = canonical_ipv6(address);
    if (!canonical) return false;
    if (slash == npos) {
      emit(a, IndicatorKind::ipv6, std::move(*canonical), defanged(a, b));
      return true;
    }
    auto prefix = prefix_length(s.substr(slash + 1), 128);
    if (!prefix) return false;
    emit(a, IndicatorKind::cidr, *canonical + "/" + std::string(*prefix), defanged(a, b));
    return true;
  }

  static std::optional<std::string_view> prefix_length(std::string_view p, int max) {
    if (p.empty() || p.size() > 3 || !std::all_of(p.begin(), p.end(), is_digit)) return std::nullopt;
    if (p.size() > 1 && p[0] == '0') return std::nullopt;
    int value = 0;
    for (char c : p) value = value * 10 + (c - '0');
    if (value > max) return std::nullopt;
    return p;
  }

  void classify_without_colon(std::size_t a, std::size_t b) {
    trim(a, b);
    if (a >= b) return;
    const std::string_view s = t_.substr(a, b - a);
    const std::size_t slash = s.find('/');
    if (slash == npos) {
      classify_simple(a, b);
      return;
    }
    if (s.find('/', slash + 1) == npos && is_ipv4(s.substr(0, slash))) {
      if (auto prefix = prefix_length(s.substr(slash + 1), 32)) {
        emit(a, IndicatorKind::cidr, std::string(s), defanged(a, b));
        return;
      }
    }
    // "example.com/path", "dir/file.exe": classify the pieces.
    std::size_t start = a;
    for (std::size_t i = a; i <= b; ++i) {
      if (i == b || t_[i] == '/') {
        std::size_t pa = start, pb = i;
        trim(pa, pb);
        if (pa < pb) classify_simple(pa, pb);
        start = i + 1;
      }
    }
  }

  void classify_simple(std::size_t a, std::size_t b) {
    const std::string_view s = t_.substr(a, b - a);
    if (s.size() < 4) return;  // shorter than "a.bc"; most words end here
    const bool was_defanged = defanged(a, b);
    // "smtp.mailfrom=" and "header.d=" in Authentication-Results name properties.
    const bool property_name = b < t_.size() && t_[b] == '=';
    if (auto kind = hash_kind(s)) {
      emit(a, *kind, ascii_lower(s), was_defanged);
    } else if (is_cve(s)) {
      std::string id(s);
      for (char& c : id) c = ascii_upper(c);
      emit(a, IndicatorKind::cve, std::move(id), was_defanged);
    } else if (is_ipv4(s)) {
      emit(a, IndicatorKind::ipv4, std::string(s), was_defanged);
    } else if (valid_domain(s, !was_defanged) && !property_name) {
      emit(a, IndicatorKind::domain, ascii_lower(s), was_defanged);
    }
  }

  Refanged refanged_;
  std::string_view t_;
  std::vector<std::uint8_t> covered_;
  std::size_t max_;
  std::vector<Found> found_;
  std::unordered_set<std::string> pass_seen_;
  bool pass_full_ = false;
};

}  // namespace

std::vector<Indicator> extract_indicators(std::string_view text, std::size_t max_indicators) {
  return Extractor(text, max_indicators).run();
}

std::optional<std::string> canonical_timestamp(std::string_view text) {
  text = ascii_trim(text);
  if (text.empty()) return std::nullopt;
  DateTime dt;
  std::size_t end = is_digit(text[0]) ? parse_iso(text, 0, dt) : npos;
  if (end == npos) {
    dt = DateTime{};
    end = parse_rfc5322(text, 0, dt);
  }
  // RFC 5322 allows a trailing comment: "... +0000 (UTC)".
  if (end != npos && end < text.size()) {
    std::string_view rest = ascii_trim(text.substr(end));
    if (!(rest.size() >= 2 && rest.front() == '(' && rest.back() == ')' &&
          rest.find_first_of("()", 1) == rest.size() - 1))
      end = npos;
  }
  if (end == npos || !valid_date_time(dt)) return std::nullopt;
  return format_date_time(dt);
}

std::optional<std::string> canonical_ip_address(std::string_view text) {
  if (is_ipv4(text)) return std::string(text);
  if (text.find(':') == npos) return std::nullopt;
  return canonical_ipv6(text);
}

bool is_domain_name(std::string_view text) { return valid_domain(text, false); }

}  // namespace csirtgw
