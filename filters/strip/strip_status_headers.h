// Removes every incoming X-Csirtgw-* header (any letter case) before csirtgw
// writes its own: a sender must not be able to forge a status (RT shipped this
// bug: X-RT-GnuPG-Status was not stripped until 2020).
#pragma once

#include "filter.h"

namespace csirtgw {

class StripStatusHeaders final : public Filter {
 public:
  std::string_view name() const override { return "strip-status-headers"; }
  FilterOutcome process(Report& report) override;
};

}  // namespace csirtgw
