// The one door out for bytes that came from a message or a peer (field names
// and values, parser error texts, header values, file names, indicators, key
// user ids): before such text reaches JSON, a header, a log line, the audit log
// or a terminal it passes sanitize_untrusted(). Modelled on Dovecot's
// str_sanitize(): it never fails, whatever the input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace csirtgw {

// Valid UTF-8 out, always:
// * an invalid, overlong, surrogate or truncated sequence becomes U+FFFD;
// * C0 controls, DEL and C1 controls become a visible "\xNN" (so "\x1b]0;..."
//   cannot retitle a terminal, CR/LF cannot start a header or a log line), and
//   the bidirectional overrides and isolates (U+202A..E, U+2066..9) and the
//   line/paragraph separators become "\u202e" and the like, so text cannot
//   reorder what is printed after it;
// * at most `max_bytes` octets, cut at a character boundary and ended with
//   "…" (U+2026) when cut.
// Idempotent: sanitising sanitised text returns it unchanged (when not cut).
std::string sanitize_untrusted(std::string_view text, std::size_t max_bytes = 1024);

// The default bound of sanitize_untrusted(), for callers that pass it on.
inline constexpr std::size_t kUntrustedTextMax = 1024;

}  // namespace csirtgw
