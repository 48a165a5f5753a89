// Constituency from the affected side only, and the reporter's standing (constituency.h).
#include "constituency.h"

#include <algorithm>
#include <set>
#include <vector>

#include "ascii_case.h"
#include "from_mailboxes.h"
#include "indicator_extractor.h"
#include "message_header.h"

namespace csirtgw {
namespace {

// Structured fields that name the reported (affected) host: ARF Source-IP and
// Reported-Domain, legacy X-ARF Source, XARF v4 Report.SourceIdentifier.
constexpr std::string_view kReportedHostFields[] = {"arf.source-ip", "arf.reported-domain", "xarf.source",
                                                     "xarf.source-ip", "xarf.source-identifier"};

bool is_reported_host_field(std::string_view name) {
  return std::find(std::begin(kReportedHostFields), std::end(kReportedHostFields), name) != std::end(kReportedHostFields);
}

// A team-form field naming a host: its type says so, its disclosure category
// says on which side (intruder: the attack source).
bool is_host_field(const FormField& field) { return field.type == FieldType::ip || field.type == FieldType::host; }

bool inside(const Policy& policy, const std::string& item) {
  const std::string host = host_part(item);
  if (host.empty()) return false;
  return canonical_ip_address(host) ? policy.in_constituency_ip(host) : policy.in_constituency_domain(host);
}

struct Sides {
  std::vector<std::string> affected;  // from structured fields, in report order
  std::set<std::string> attacker;     // hosts of attack-side fields, lower case
};

Sides split_sides(const ReportContent& content, const FormSchema& form) {
  Sides sides;
  // The host an abuse report is about (XARF source_identifier, X-ARF Source, ARF Source-IP).
  if (!content.reported_host.empty()) sides.affected.push_back(content.reported_host);
  for (const auto& f : content.fields) {
    if (is_reported_host_field(f.field)) {
      sides.affected.push_back(f.value);
      continue;
    }
    const FormField* field = form.find_field(f.field);
    if (!field || !is_host_field(*field)) continue;
    if (field->disclosure == DisclosureCategory::intruder)
      sides.attacker.insert(ascii_lower(host_part(f.value)));
    else
      sides.affected.push_back(f.value);
  }
  return sides;
}

// Hosts among the free text's indicators, without those the report names as the attack's source.
std::vector<std::string> free_text_hosts(const ReportContent& content, const Sides& sides) {
  std::vector<std::string> hosts;
  for (const auto& ind : content.indicators) {
    if (ind.kind != IndicatorKind::ipv4 && ind.kind != IndicatorKind::ipv6 && ind.kind != IndicatorKind::domain &&
        ind.kind != IndicatorKind::url)
      continue;
    std::string host = ascii_lower(host_part(ind.value));
    if (!host.empty() && !sides.attacker.count(host)) hosts.push_back(std::move(host));
  }
  return hosts;
}

const std::string* first_inside(const Policy& policy, const std::vector<std::string>& items) {
  auto it = std::find_if(items.begin(), items.end(), [&](const std::string& item) { return inside(policy, item); });
  return it == items.end() ? nullptr : &*it;
}

// A host as the evidence names it: the host part when it is plain ASCII
// letters, digits, '.', '-' and ':' (an IP address or an LDH name), else
// words of our own — the reason goes into a header of the filed copy.
std::string shown(const std::string& item) {
  const std::string host = host_part(item);
  const bool plain = !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == ':';
  });
  return plain ? host : "a host not shown (unusual characters)";
}

std::string domain_of(const std::string& address) {
  const auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : address.substr(at + 1);
}

}  // namespace

const char* to_string(ConstituencySource source) {
  switch (source) {
    case ConstituencySource::affected_field: return "affected-host field";
    case ConstituencySource::verified_reporter: return "verified reporter";
    case ConstituencySource::free_text: return "free-text indicators";
    case ConstituencySource::nothing_named: return "nothing named";
  }
  return "nothing named";
}

std::string host_part(std::string_view value) {
  std::string_view v = ascii_trim(value, " \t");
  if (const auto scheme = v.find("://"); scheme != std::string_view::npos) {
    v.remove_prefix(scheme + 3);
    v = v.substr(0, v.find_first_of("/?#"));
    if (const auto at = v.rfind('@'); at != std::string_view::npos) v.remove_prefix(at + 1);
  }
  if (!v.empty() && v.front() == '[') {  // [IPv6]:port
    const auto close = v.find(']');
    return close == std::string_view::npos ? std::string() : std::string(v.substr(1, close - 1));
  }
  if (const auto slash = v.find('/'); slash != std::string_view::npos) v = v.substr(0, slash);  // CIDR
  // host:port, but not an IPv6 address (more than one colon)
  if (const auto colon = v.find(':'); colon != std::string_view::npos && v.find(':', colon + 1) == std::string_view::npos)
    v = v.substr(0, colon);
  if (!v.empty() && v.back() == '.') v.remove_suffix(1);
  return std::string(v);
}

ReporterStanding reporter_standing(std::string_view message, const CryptoStatus& crypto, const Policy& policy) {
  ReporterStanding standing;
  auto from = from_mailboxes(header_section(message));
  if (!from || from->size() != 1) return standing;
  const std::string& address = from->front();
  const std::string domain = domain_of(address);
  standing.verified = crypto.signature == "good" && crypto.sender_verified;
  if (domain.empty() || !policy.in_constituency_domain(domain)) return standing;
  standing.constituent = true;
  standing.because = std::string(standing.verified ? "verified key's address" : "From") + " domain " + shown(domain) +
                     " is in the constituency";
  return standing;
}

ConstituencySource decide_constituency(Classification& c, const ReportContent& content, const FormSchema& form,
                                       const ReporterStanding& reporter, const Policy& policy) {
  const Sides sides = split_sides(content, form);
  if (!sides.affected.empty()) {
    const std::string* hit = first_inside(policy, sides.affected);
    c.constituency = hit != nullptr;
    c.constituency_because = hit ? "affected " + shown(*hit) : "no affected host inside the constituency";
    return ConstituencySource::affected_field;
  }
  if (reporter.constituent && reporter.verified) {
    c.constituency = true;
    c.constituency_because = "reporter: " + reporter.because;
    return ConstituencySource::verified_reporter;
  }
  const std::vector<std::string> hosts = free_text_hosts(content, sides);
  if (!hosts.empty()) {
    const std::string* hit = first_inside(policy, hosts);
    c.constituency = hit != nullptr;
    c.constituency_because = std::string("from free-text indicators (no affected-host field): ") +
                             (hit ? "affected " + shown(*hit) : "none inside the constituency");
    return ConstituencySource::free_text;
  }
  c.constituency = true;
  c.constituency_because = sides.attacker.empty() ? "no affected host named: treated as ours"
                                                  : "no affected host named (only attack sources): treated as ours";
  return ConstituencySource::nothing_named;
}

}  // namespace csirtgw
