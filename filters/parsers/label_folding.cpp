// One folding for labels and class names (label_folding.h).
#include "label_folding.h"

#include "ascii_case.h"

namespace csirtgw {
namespace {

enum class Folding { label, class_path };

std::string fold(std::string_view text, Folding folding) {
  const bool path = folding == Folding::class_path;
  std::string out;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '-' || c == '_' || (path && c == '.')) continue;
    out.push_back(path && c == ':' ? '/' : ascii_lower(c));
  }
  return out;
}

}  // namespace

std::string normalise_label(std::string_view label) { return fold(label, Folding::label); }

std::string squashed_class_name(std::string_view name) { return fold(ascii_trim(name), Folding::class_path); }

}  // namespace csirtgw
