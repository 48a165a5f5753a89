// The header fields inside the cryptographic envelope (RFC 9788 "protected
// headers", Thunderbird's and Enigmail's protected-headers="v1"): the signed
// part, or the decrypted entity, may carry its own From, To, Subject, Date,
// Message-ID ... Signed, they are what the signer really sent; the outer
// ones are whatever the transport delivered. Here they are compared with the
// outer fields, and a decrypted message is merged into one header block for
// filing that never holds two of a field a mail client shows once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report.h"

namespace csirtgw {

// The protected fields of an entity's header block (any field besides
// Content-* and MIME-Version whose name csirtgw compares), decoded and
// sanitised, with the names of those whose outer counterpart differs. With
// `encrypted`, an outer Subject of "..." or "[...]" is the obscured form
// RFC 9788 asks for, not a difference.
struct ProtectedHeaders {
  std::vector<ProtectedField> fields;
  std::vector<std::string> mismatch;  // in the order of `fields`
};
ProtectedHeaders compare_protected_headers(std::string_view outer_headers, std::string_view inner_headers,
                                           bool encrypted);

// The fields a mail client shows once (RFC 5322 3.6 allows one of each):
// never two of them in a header block csirtgw writes.
bool shown_once(std::string_view field_name);

// The message to file for a decrypted PGP/MIME message: the outer header
// block, with the decrypted entity's Content-* fields in place of its own and
// one MIME-Version; of the entity's other fields only those whose name the
// outer block lacks (the others are shown as X-Csirtgw-Protected-*); of a
// field shown once, the first only. Then the entity's body. CRLF throughout.
std::string merge_decrypted_message(std::string_view outer_headers, std::string_view entity);

}  // namespace csirtgw
