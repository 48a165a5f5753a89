// Inline OpenPGP in a text part: the armored blocks of plain text, and the
// armor recovered from an HTML part. Outlook sends inline PGP as HTML only:
// each armor line in its own <div> or <p>, blank lines as &nbsp;, '+' as
// &#43;. The armor is recovered exactly or not at all: tags stripped line by
// line, entities decoded, the base64 strictly decoded and its CRC-24 checked;
// the decryption's integrity check (MDC/AEAD) proves the rest.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace csirtgw {

inline constexpr std::string_view kBeginMessage = "-----BEGIN PGP MESSAGE-----";
inline constexpr std::string_view kEndMessage = "-----END PGP MESSAGE-----";
inline constexpr std::string_view kBeginSigned = "-----BEGIN PGP SIGNED MESSAGE-----";
inline constexpr std::string_view kEndSignature = "-----END PGP SIGNATURE-----";

bool only_white_space(std::string_view text);

// An armored block that starts at a line start: [begin, end of its END line).
struct ArmorBlock {
  std::size_t begin = std::string_view::npos;
  std::size_t end = 0;
  std::size_t count = 0;  // how many such blocks the text holds
};
ArmorBlock find_armor(std::string_view text, std::string_view begin_marker, std::string_view end_marker);

// The text an HTML document shows, with a line end for every line break and
// block (<br>, <p>, <div>, <tr>, <li> ...): tags, comments, <head>, <style>
// and <script> removed, character references decoded (&nbsp; as a space).
std::string html_text(std::string_view html);

// Whether a text/html part may hold an armored PGP MESSAGE (cheap: looks for
// the marker's words, not at the structure).
bool html_may_hold_armor(std::string_view html);

// The PGP MESSAGE armor of an HTML part.
struct HtmlArmor {
  std::size_t count = 0;     // BEGIN PGP MESSAGE lines in the text the HTML shows
  std::string packets;       // the OpenPGP data (binary), when recovered
  std::string problem;       // why it could not be recovered; "" when it was
  bool text_around = false;  // text other than white space before or after the block
};
HtmlArmor recover_html_armor(std::string_view html);

}  // namespace csirtgw
