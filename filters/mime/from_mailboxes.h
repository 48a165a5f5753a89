// The From header's mailboxes, strictly: parsed with mimetic's RFC 822 address
// parser, then every addr-spec re-checked, because a lenient parse must never
// turn `"reporter@x.example" <attacker@y.example>` or `<a@x> <b@y>` into the
// wrong single mailbox (the "Johnny, you are fired" ID attacks).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace csirtgw {

// All addr-specs (lower case) of all From fields in the header block; an error
// when any of them is malformed or ambiguous.
Result<std::vector<std::string>> from_mailboxes(std::string_view header_block);

// The same for every field named `field` (To, Cc, Reply-To ...).
Result<std::vector<std::string>> field_mailboxes(std::string_view header_block, std::string_view field);

}  // namespace csirtgw
