// Mail to a staff address ([[intake]] staff_address): is it a staff command?
// Only when the OpenPGP stage found a good signature over the whole message, by
// a registered, active staff key bound to its one From address, made in time
// (the same rules as a reporter's verification: no partial, no bad, no
// replay). Everything else is quarantined with the reason, audited, never
// acted on and never answered. Staff mail is never a report: it opens no
// ticket and gets no acknowledgement.
#pragma once

#include <optional>
#include <string>

#include "config.h"
#include "report.h"
#include "result.h"
#include "sqlite_db.h"
#include "staff_registry.h"

namespace csirtgw {

// Any envelope recipient is a staff address.
bool is_staff_mail(const Report& report, const Config& config);

// Why the message is not a staff command.
struct StaffRefusal {
  std::string reason;  // unsigned | bad-signature | partial-signature | revoked-or-expired-key | unknown-key |
                       // reporter-key | not-a-staff-key | removed-staff-key | replayed | not-verified | openpgp
  std::string detail;  // our words (and the OpenPGP stage's), for the quarantine header and audit
};

// The staff member whose good signature makes the message a staff command, or
// the refusal. Reads the registries in `db`.
Result<std::variant<StaffMember, StaffRefusal>> judge_staff_mail(Database& db, const Report& report);

// Quarantines the message (X-Csirtgw-Quarantine-Reason: "staff: <reason>: <detail>")
// with a `staff-mail-refused` audit note recorded at filing.
void quarantine_staff_mail(Report& report, const StaffRefusal& refusal);

}  // namespace csirtgw
