// The readable text of an HTML part, for reports sent as HTML only: tags gone
// (block tags become line breaks), script and style contents dropped,
// character references decoded (named ones people use, decimal and hex). A
// linear pass over untrusted bytes; never throws.
#pragma once

#include <string>
#include <string_view>

namespace csirtgw {

std::string html_to_text(std::string_view html);

}  // namespace csirtgw
