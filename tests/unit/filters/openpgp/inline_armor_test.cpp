// Inline armor in plain text and in HTML (filters/openpgp/inline_armor.cpp):
// the text Outlook's HTML shows (tags per line, entities, &nbsp;, <pre>), and
// the armor recovered from it exactly -- or the reason it cannot be: a
// checksum that does not match, base64 that is not, no END line -- and text
// around the block.
#include <doctest/doctest.h>

#include <string>

#include "inline_armor.h"

namespace csirtgw {
namespace {

// pc.armor(bytes(range(200))) from tests/integration/openpgp_corpus.py: base64 and CRC-24 are right.
const std::string kArmor =
    "-----BEGIN PGP MESSAGE-----\n"
    "\n"
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\n"
    "MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5f\n"
    "YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6P\n"
    "kJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/\n"
    "wMHCw8TFxsc=\n"
    "=oa2l\n"
    "-----END PGP MESSAGE-----\n";

std::string bytes_0_to_199() {
  std::string out;
  for (int i = 0; i < 200; ++i) out.push_back(static_cast<char>(i));
  return out;
}

// As Outlook writes it: a <div> per line, '+' as &#43;, empty lines as &nbsp;.
std::string outlook(const std::string& armor, const std::string& before = "", const std::string& after = "") {
  std::string html = "<html><head><style>div {margin:0}</style><title>x</title></head><body>\r\n" + before;
  std::size_t pos = 0;
  while (pos < armor.size()) {
    const auto end = armor.find('\n', pos);
    std::string line = armor.substr(pos, end - pos), escaped;
    for (char c : line) escaped += c == '+' ? std::string("&#43;") : std::string(1, c);
    html += "<div class=\"MsoNormal\">" + (escaped.empty() ? std::string("&nbsp;") : escaped) + "</div>\r\n";
    pos = end + 1;
  }
  return html + after + "<!-- a comment with -----END PGP MESSAGE----- --></body></html>\r\n";
}

}  // namespace

TEST_CASE("html_text: what a mail client shows, line by line") {
  CHECK(html_text("<div>a</div><div>b&#43;c&amp;d</div>") == "\na\n\nb+c&d\n");
  CHECK(html_text("<p>x&nbsp;y</p>") == "\nx y\n");
  CHECK(html_text("<p>x\xc2\xa0y</p>") == "\nx y\n");                      // U+00A0 in UTF-8
  CHECK(html_text("a<br>b<BR/>c") == "a\nb\nc");
  CHECK(html_text("<style>p {x}</style><script>y</script>t") == "t");
  CHECK(html_text("a\r\nb") == "a  b");                                      // source line ends are spaces
  CHECK(html_text("<pre>a\r\nb</pre>") == "\na\nb\n");                      // ... except in <pre>
  CHECK(html_text("a<!-- hidden -->b &unknown; &#x2B;") == "ab &unknown; +");
}

TEST_CASE("recover_html_armor") {
  SUBCASE("Outlook's HTML: recovered exactly") {
    const HtmlArmor armor = recover_html_armor(outlook(kArmor));
    CHECK(armor.count == 1);
    CHECK(armor.problem.empty());
    CHECK_FALSE(armor.text_around);
    CHECK(armor.packets == bytes_0_to_199());
  }
  SUBCASE("an armor header and a line split by the HTML source are fine") {
    std::string armor = kArmor;
    armor.replace(armor.find("\n\n"), 2, "\nVersion: GnuPG v2\n\n");
    std::string html = outlook(armor);
    html.replace(html.find("MDEyMzQ1"), 8, "MDEy\r\nMzQ1");  // wrapped inside its <div>
    const HtmlArmor recovered = recover_html_armor(html);
    CHECK(recovered.problem.empty());
    CHECK(recovered.packets == bytes_0_to_199());
  }
  SUBCASE("one character changed: the checksum says so") {
    std::string damaged = kArmor;
    damaged[damaged.find("MDEy")] = 'N';
    CHECK(recover_html_armor(outlook(damaged)).problem == "the armor checksum does not match");
  }
  SUBCASE("a character that is no base64") {
    std::string damaged = kArmor;
    damaged[damaged.find("MDEy")] = '%';
    CHECK(recover_html_armor(outlook(damaged)).problem == "the armor is not valid base64");
  }
  SUBCASE("cut before its END line") {
    const std::string cut = kArmor.substr(0, kArmor.find("-----END"));
    CHECK(recover_html_armor(outlook(cut)).problem == "no END PGP MESSAGE line");
  }
  SUBCASE("text before or after the block") {
    CHECK(recover_html_armor(outlook(kArmor, "<p>Please wire the money.</p>")).text_around);
    CHECK(recover_html_armor(outlook(kArmor, "", "<p>Sent from my phone</p>")).text_around);
    CHECK_FALSE(recover_html_armor(outlook(kArmor, "<p>&nbsp;</p>", "<div><br></div>")).text_around);
  }
  SUBCASE("two blocks are counted") {
    CHECK(recover_html_armor(outlook(kArmor + kArmor)).count == 2);
  }
  SUBCASE("no armor at all") {
    CHECK_FALSE(html_may_hold_armor("<p>hello</p>"));
    CHECK(recover_html_armor("<p>hello</p>").count == 0);
  }
}

TEST_CASE("find_armor: blocks at a line start only") {
  const ArmorBlock block = find_armor("x\n" + kArmor + "y", kBeginMessage, kEndMessage);
  CHECK(block.count == 1);
  CHECK(block.begin == 2);
  CHECK(block.end == 2 + kArmor.size());
  CHECK(find_armor("x " + kArmor, kBeginMessage, kEndMessage).count == 0);
  CHECK(only_white_space(" \r\n\t"));
  CHECK_FALSE(only_white_space(" x"));
}

}  // namespace csirtgw
