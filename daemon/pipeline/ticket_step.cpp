// The filing worker's ticket step: in arrival order, every report of a run
// joins or opens its ticket in one transaction (ticket_store.h).
#include "filing_worker.h"

#include "exception_text.h"
#include "indicator_index.h"
#include "route_stage.h"
#include "step_fault.h"
#include "ticket_reopen.h"
#include "ticket_store.h"

namespace csirtgw {

// Staff mail is never a report: it opens no ticket and gets no acknowledgement.
bool FilingWorker::takes_ticket(const StagedReport& item) { return item.report && !item.report->fault && !item.staff; }

void follow_ticket(Report& report, const TicketAssignment& ticket) {
  // Filed with its ticket, unless it has to be quarantined; the routed audit
  // event then names the ticket's queue (and the one the rules chose).
  if (report.queue != "quarantine") route_with_ticket(report, ticket.queue);
  // A follow-up never relabels its ticket looser: it carries the ticket's
  // strictest label (and the ticket took the follow-up's, if stricter).
  if (!ticket.tlp.empty() && ticket.tlp != report.classification.tlp) {
    report.classification.tlp = ticket.tlp;
    report.classification.tlp_because = "the ticket's label";
  }
  report.participant = ticket.participant;
}

// Not synced on its own (2 ms a message, on the thread that orders them): the
// batch syncs the WAL with its Maildir files, before any of them names a ticket.
Status FilingWorker::assign_tickets(StagedReport* run, std::size_t usable, std::vector<TicketAssignment>& assigned) {
  // A message whose assignment throws is quarantined, the transaction rolled
  // back and tried again without it (at most once per message of the run).
  Status committed = ok_status();
  for (bool again = true; again;) {
    again = false;
    std::optional<std::pair<std::size_t, std::string>> fault;  // item, exception class
    committed = commit_unsynced(*db_, [&]() -> Status {
      for (std::size_t i = 0; i < usable; ++i) {
        if (!takes_ticket(run[i])) continue;  // lost (recorded when filing) or faulted
        try {
          test_faults_.inject("tickets", *run[i].report);
          auto made = assign_ticket(*db_, *run[i].report, rules_->policy.ticket_prefix,
                                     static_cast<std::size_t>(rules_->config.ticket_subject_max));
          if (!made) return made.error();
          if (auto st = reopen_on_answer(*db_, made.value(), run[i].report->spool_id); !st) return st;
          assigned[i] = std::move(made.value());
          // Searchable from the moment the ticket exists, in the same transaction.
          auto indexed = store_indicators(*db_, *run[i].report, assigned[i].number,
                                          static_cast<std::size_t>(rules_->config.search_max_indicators));
          if (!indexed) return indexed.error();
        } catch (...) {
          fault.emplace(i, exception_class(std::current_exception()));
          return Error::internal("rolled back: a ticket assignment failed");
        }
      }
      return ok_status();
    });
    if (fault) {
      quarantine_for_fault(*run[fault->first].report, "tickets", fault->second, fault_in("ticket assignment"));
      again = true;
    }
  }
  return committed;
}

}  // namespace csirtgw
