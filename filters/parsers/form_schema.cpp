// Reading and checking the reporting-form schema (TOML, via toml++ so every
// problem has a line), and printing the blank form. Nothing here sees a report;
// a schema comes from the operator or from the binary.
#include "form_schema.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace csirtgw {

namespace {

struct NamedType {
  const char* id;
  FieldType type;
};
constexpr NamedType kFieldTypes[] = {
    {"text", FieldType::text},         {"email", FieldType::email}, {"phone", FieldType::phone},
    {"ip", FieldType::ip},             {"host", FieldType::host},   {"datetime", FieldType::datetime},
    {"enum", FieldType::enumeration},  {"list", FieldType::list},
};

struct NamedDisclosure {
  const char* id;
  DisclosureCategory category;
};
constexpr NamedDisclosure kDisclosures[] = {
    {"private-user", DisclosureCategory::private_user},
    {"intruder", DisclosureCategory::intruder},
    {"private-site", DisclosureCategory::private_site},
    {"vulnerability", DisclosureCategory::vulnerability},
    {"embarrassing", DisclosureCategory::embarrassing},
    {"statistical", DisclosureCategory::statistical},
    {"contact-information", DisclosureCategory::contact_information},
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Lower-case letters, digits and '-', starting with a letter or digit.
bool is_identifier(std::string_view s) {
  if (s.empty() || s.front() == '-') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

int line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Collects "line N: message" problems; the schema is only returned when none.
class SchemaProblems {
 public:
  void add(int line, std::string message) { problems_.push_back({line, std::move(message)}); }
  bool empty() const { return problems_.empty(); }
  Error to_error() const {
    auto sorted = problems_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string text;
    for (const auto& [line, message] : sorted) {
      if (!text.empty()) text += '\n';
      text += line > 0 ? "line " + std::to_string(line) + ": " + message : message;
    }
    return Error::bad_input(std::move(text));
  }

 private:
  std::vector<std::pair<int, std::string>> problems_;
};

// Typed readers: a wrong type is a problem at the value's line.
std::optional<std::string> read_string(const toml::node& node, std::string_view key, SchemaProblems& problems) {
  if (const auto* s = node.as_string()) return s->get();
  problems.add(line_of(node), std::string(key) + " must be a string");
  return std::nullopt;
}

std::optional<bool> read_bool(const toml::node& node, std::string_view key, SchemaProblems& problems) {
  if (const auto* b = node.as_boolean()) return b->get();
  problems.add(line_of(node), std::string(key) + " must be true or false");
  return std::nullopt;
}

std::optional<std::vector<std::string>> read_strings(const toml::node& node, std::string_view key,
                                                     SchemaProblems& problems) {
  const auto* array = node.as_array();
  if (!array) {
    problems.add(line_of(node), std::string(key) + " must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& element : *array) {
    const auto* s = element.as_string();
    if (!s) {
      problems.add(line_of(element), std::string(key) + " must hold only strings");
      return std::nullopt;
    }
    out.push_back(s->get());
  }
  return out;
}

// A label must survive the round trip through "Label: value" lines.
std::optional<std::string> label_problem(std::string_view label) {
  if (normalise_label(label).empty()) return "must not be empty";
  if (label.find(':') != std::string_view::npos) return "must not contain ':'";
  if (label.find_first_of("\r\n") != std::string_view::npos) return "must be one line";
  const char first = label.front();
  if (is_blank(first) || is_blank(label.back())) return "must not start or end with blanks";
  if (first == '#' || first == '-' || first == '*' || first == '>')
    return "must not start with '#', '-', '*' or '>'";
  return std::nullopt;
}

void read_form_table(const toml::node& node, FormSchema& schema, SchemaProblems& problems) {
  const auto* table = node.as_table();
  if (!table) {
    problems.add(line_of(node), "[form] must be a table");
    return;
  }
  bool has_name = false, has_version = false;
  for (auto&& [key, value] : *table) {
    const std::string_view k = key.str();
    if (k == "name") {
      has_name = true;
      if (auto s = read_string(value, "form.name", problems)) {
        schema.name = *s;
        if (s->empty()) problems.add(line_of(value), "form.name must not be empty");
      }
    } else if (k == "version") {
      has_version = true;
      if (const auto* s = value.as_string())
        schema.version = s->get();
      else if (const auto* i = value.as_integer())
        schema.version = std::to_string(i->get());
      else
        problems.add(line_of(value), "form.version must be a string or an integer");
    } else if (k == "intro") {
      if (auto s = read_string(value, "form.intro", problems)) schema.intro = *s;
    } else if (k == "category_field") {
      if (auto s = read_string(value, "form.category_field", problems)) schema.category_field = *s;
    } else {
      problems.add(line_of(value), "unknown key form." + std::string(k));
    }
  }
  const int line = line_of(node);
  if (!has_name) problems.add(line, "[form] needs a name");
  if (!has_version) problems.add(line, "[form] needs a version");
}

void read_group(const toml::table& table, FormSchema& schema, SchemaProblems& problems) {
  FormGroup group;
  group.line = line_of(table);
  for (auto&& [key, value] : table) {
    const std::string_view k = key.str();
    if (k == "id") {
      if (auto s = read_string(value, "group.id", problems)) group.id = *s;
    } else if (k == "label") {
      if (auto s = read_string(value, "group.label", problems)) group.label = *s;
    } else if (k == "repeatable") {
      if (auto b = read_bool(value, "group.repeatable", problems)) group.repeatable = *b;
    } else {
      problems.add(line_of(value), "unknown key group." + std::string(k));
    }
  }
  if (!is_identifier(group.id))
    problems.add(group.line, "group: id must be lower-case letters, digits and '-' (got " + in_quotes(group.id) + ")");
  if (normalise_label(group.label).empty()) problems.add(group.line, "group " + in_quotes(group.id) + ": label missing");
  schema.groups.push_back(std::move(group));
}

// What a [[field]] table says before it is checked: the names of its type and
// disclosure category, and the lines to blame.
struct FieldKeys {
  std::string type_id, disclosure_id;
  bool has_values = false;
  std::optional<bool> multi;
  int type_line = 0, disclosure_line = 0, values_line = 0, multiline_line = 0, multi_line = 0;
};

FieldKeys read_field_keys(const toml::table& table, FormField& field, SchemaProblems& problems) {
  FieldKeys keys;
  keys.type_line = keys.disclosure_line = keys.values_line = keys.multiline_line = keys.multi_line = field.line;
  for (auto&& [key, value] : table) {
    const std::string_view k = key.str();
    if (k == "name") {
      if (auto s = read_string(value, "field.name", problems)) field.name = *s;
    } else if (k == "group") {
      if (auto s = read_string(value, "field.group", problems)) field.group = *s;
    } else if (k == "label") {
      if (auto s = read_string(value, "field.label", problems)) field.label = *s;
    } else if (k == "aliases") {
      if (auto v = read_strings(value, "field.aliases", problems)) field.aliases = std::move(*v);
    } else if (k == "type") {
      keys.type_line = line_of(value);
      if (auto s = read_string(value, "field.type", problems)) keys.type_id = *s;
    } else if (k == "values") {
      keys.has_values = true;
      keys.values_line = line_of(value);
      if (auto v = read_strings(value, "field.values", problems)) field.values = std::move(*v);
    } else if (k == "required") {
      if (auto b = read_bool(value, "field.required", problems)) field.required = *b;
    } else if (k == "multiline") {
      keys.multiline_line = line_of(value);
      if (auto b = read_bool(value, "field.multiline", problems)) field.multiline = *b;
    } else if (k == "disclosure") {
      keys.disclosure_line = line_of(value);
      if (auto s = read_string(value, "field.disclosure", problems)) keys.disclosure_id = *s;
    } else if (k == "multi") {
      keys.multi_line = line_of(value);
      keys.multi = read_bool(value, "field.multi", problems);
    } else if (k == "help") {
      if (auto s = read_string(value, "field.help", problems)) field.help = *s;
    } else {
      problems.add(line_of(value), "unknown key field." + std::string(k));
    }
  }
  return keys;
}

void check_field_names(const FormField& field, const std::string& who, SchemaProblems& problems) {
  const auto dot = field.name.find('.');
  if (dot == std::string::npos || !is_identifier(std::string_view(field.name).substr(0, dot)) ||
      !is_identifier(std::string_view(field.name).substr(dot + 1)))
    problems.add(field.line, who + ": name must be \"<group>.<key>\" in lower-case letters, digits and '-'");
  else if (field.name.substr(0, dot) != field.group)
    problems.add(field.line, who + ": name must start with its group " + in_quotes(field.group + "."));
  if (field.group.empty()) problems.add(field.line, who + ": group missing");
  if (auto problem = label_problem(field.label)) problems.add(field.line, who + ": label " + *problem);
  for (const auto& alias : field.aliases)
    if (auto problem = label_problem(alias)) problems.add(field.line, who + ": alias " + in_quotes(alias) + " " + *problem);
}

void resolve_type_and_disclosure(FormField& field, const FieldKeys& keys, const std::string& who,
                                 SchemaProblems& problems) {
  if (keys.type_id.empty()) {
    problems.add(field.line, who + ": type missing");
  } else if (auto type = field_type_from_string(keys.type_id)) {
    field.type = *type;
  } else {
    problems.add(keys.type_line, who + ": unknown type " + in_quotes(keys.type_id) +
                                     " (text, email, phone, ip, host, datetime, enum, list)");
  }
  if (keys.disclosure_id.empty()) {
    problems.add(field.line, who + ": disclosure missing");
  } else if (auto category = disclosure_from_string(keys.disclosure_id)) {
    field.disclosure = *category;
  } else {
    problems.add(keys.disclosure_line, who + ": unknown disclosure category " + in_quotes(keys.disclosure_id) +
                                           " (private-user, intruder, private-site, vulnerability, embarrassing,"
                                           " statistical, contact-information)");
  }
}

// values, multiline and multi each apply to some types only.
void check_type_options(FormField& field, const FieldKeys& keys, const std::string& who, SchemaProblems& problems) {
  if (field.type == FieldType::enumeration) {
    if (field.values.empty())
      problems.add(keys.has_values ? keys.values_line : field.line, who + ": an enum needs values");
    std::set<std::string> seen;
    for (const auto& v : field.values) {
      if (v.empty() || is_blank(v.front()) || is_blank(v.back()) || v.find_first_of(",\r\n") != std::string::npos)
        problems.add(keys.values_line,
                     who + ": value " + in_quotes(v) + " must be non-empty, trimmed, without ',' or line breaks");
      else if (!seen.insert(normalise_label(v)).second)
        problems.add(keys.values_line, who + ": value " + in_quotes(v) + " given twice");
    }
  } else if (keys.has_values) {
    problems.add(keys.values_line, who + ": values apply to enum fields only");
  }
  if (field.multiline && field.type != FieldType::text && field.type != FieldType::list)
    problems.add(keys.multiline_line, who + ": multiline applies to text and list fields only");
  // Addresses come in lists ("198.51.100.23, 203.0.113.99"): ip and host
  // fields hold several values unless the schema says otherwise.
  field.multi = keys.multi.value_or(field.type == FieldType::ip || field.type == FieldType::host);
  if (field.multi && field.type != FieldType::ip && field.type != FieldType::host && field.type != FieldType::email)
    problems.add(keys.multi_line, who + ": multi applies to ip, host and email fields only");
}

void read_field(const toml::table& table, FormSchema& schema, SchemaProblems& problems) {
  FormField field;
  field.line = line_of(table);
  const FieldKeys keys = read_field_keys(table, field, problems);
  const std::string who = "field " + in_quotes(field.name);
  check_field_names(field, who, problems);
  resolve_type_and_disclosure(field, keys, who, problems);
  check_type_options(field, keys, who, problems);
  schema.fields.push_back(std::move(field));
}

// Reads an array of tables ([[group]], [[field]]) element by element.
template <typename Reader>
void read_table_array(const toml::node& node, std::string_view name, FormSchema& schema, SchemaProblems& problems,
                      Reader reader) {
  const auto* array = node.as_array();
  if (!array) {
    problems.add(line_of(node), std::string(name) + " must be written as [[" + std::string(name) + "]] tables");
    return;
  }
  for (const auto& element : *array) {
    if (const auto* table = element.as_table())
      reader(*table, schema, problems);
    else
      problems.add(line_of(element), std::string(name) + " entries must be tables");
  }
}

// The checks across entries: unique ids, names and labels, known groups.
void cross_check(const FormSchema& schema, SchemaProblems& problems) {
  std::map<std::string, int> group_lines;
  for (const auto& group : schema.groups) {
    if (group.id.empty()) continue;
    auto [it, inserted] = group_lines.emplace(group.id, group.line);
    if (!inserted)
      problems.add(group.line, "group " + in_quotes(group.id) + " already defined at line " + std::to_string(it->second));
  }

  std::map<std::string, int> name_lines;
  std::map<std::string, std::pair<std::string, int>> label_owner;  // normalised label -> field name, line
  std::map<std::string, int> fields_per_group;
  for (const auto& field : schema.fields) {
    if (!field.name.empty()) {
      auto [it, inserted] = name_lines.emplace(field.name, field.line);
      if (!inserted)
        problems.add(field.line,
                     "field " + in_quotes(field.name) + " already defined at line " + std::to_string(it->second));
    }
    if (!field.group.empty()) {
      if (!group_lines.count(field.group))
        problems.add(field.line, "field " + in_quotes(field.name) + ": unknown group " + in_quotes(field.group));
      ++fields_per_group[field.group];
    }
    std::vector<std::string> labels{field.label};
    labels.insert(labels.end(), field.aliases.begin(), field.aliases.end());
    for (const auto& label : labels) {
      const std::string key = normalise_label(label);
      if (key.empty()) continue;
      auto [it, inserted] = label_owner.emplace(key, std::make_pair(field.name, field.line));
      if (!inserted && it->second.first != field.name)
        problems.add(field.line, "field " + in_quotes(field.name) + ": label or alias " + in_quotes(label) +
                                     " already used by field " + in_quotes(it->second.first) + " (line " +
                                     std::to_string(it->second.second) + ")");
    }
  }

  for (const auto& group : schema.groups)
    if (!group.id.empty() && !fields_per_group.count(group.id))
      problems.add(group.line, "group " + in_quotes(group.id) + " has no fields");

  if (schema.fields.empty()) problems.add(0, "the form has no [[field]]");
  if (!schema.category_field.empty()) {
    const FormField* field = schema.find_field(schema.category_field);
    if (!field)
      problems.add(0, "form.category_field names no field: " + in_quotes(schema.category_field));
    else if (field->type != FieldType::enumeration && field->type != FieldType::text)
      problems.add(field->line, "form.category_field " + in_quotes(field->name) + " must be an enum or text field");
  }
}

// Appends `prefix` + words of `text`, wrapped as '#' lines of at most `width` columns.
void append_comment(std::string& out, std::string_view text, std::string_view first_prefix = "# ",
                    std::string_view next_prefix = "#   ", std::size_t width = 78) {
  std::string line(first_prefix);
  bool line_has_words = false;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_blank(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !is_blank(text[j])) ++j;
    if (i == j) break;
    const std::string_view word = text.substr(i, j - i);
    if (line_has_words && line.size() + 1 + word.size() > width) {
      out += line + '\n';
      line = std::string(next_prefix);
      line_has_words = false;
    }
    if (line_has_words) line += ' ';
    line += word;
    line_has_words = true;
    i = j;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out += line + '\n';
}

std::string type_hint(const FormField& field) {
  switch (field.type) {
    case FieldType::phone: return "Phone number.";
    case FieldType::ip: return field.multi ? "IPv4 or IPv6 addresses or networks (CIDR), separated by commas."
                                           : "IPv4 or IPv6 address or network (CIDR).";
    case FieldType::host: return field.multi ? "Host names or IP addresses, separated by commas."
                                             : "Host name or IP address.";
    case FieldType::email: return field.multi ? "E-mail addresses, separated by commas." : "E-mail address.";
    case FieldType::datetime: return "Date and time: ISO 8601 or RFC 5322.";
    case FieldType::list: return field.multiline ? "List: one item per line, or separated by commas."
                                                 : "List, separated by commas.";
    case FieldType::text: return field.multiline ? "Multi-line." : "";
    case FieldType::enumeration: return "";
  }
  return "";
}

// "# Required. <help>. <type hint>." above the field, the allowed values of an
// enum below that, then the "Label:" line.
void render_field(std::string& out, const FormField& field) {
  std::string hint = field.required ? "Required." : "";
  if (!field.help.empty()) {
    hint += (hint.empty() ? "" : " ") + field.help;
    if (std::string_view(".?!").find(hint.back()) == std::string_view::npos) hint += '.';
  }
  if (auto t = type_hint(field); !t.empty()) hint += (hint.empty() ? "" : " ") + t;
  if (!hint.empty()) append_comment(out, hint);
  if (field.type == FieldType::enumeration) {
    std::string values = "One of:";
    for (std::size_t i = 0; i < field.values.size(); ++i) values += " " + field.values[i] + (i + 1 < field.values.size() ? "," : "");
    append_comment(out, values);
  }
  // No blank after the colon: a trailing space would mark a soft line break
  // in format=flowed mail (RFC 3676) and join the line with the next one.
  out += field.label + ":\n";
}

}  // namespace

const char* to_string(FieldType type) {
  for (const auto& t : kFieldTypes)
    if (t.type == type) return t.id;
  return "text";
}

std::optional<FieldType> field_type_from_string(std::string_view id) {
  for (const auto& t : kFieldTypes)
    if (id == t.id) return t.type;
  return std::nullopt;
}

const char* to_string(DisclosureCategory category) {
  for (const auto& d : kDisclosures)
    if (d.category == category) return d.id;
  return "private-site";
}

std::optional<DisclosureCategory> disclosure_from_string(std::string_view id) {
  for (const auto& d : kDisclosures)
    if (id == d.id) return d.category;
  return std::nullopt;
}

const FormGroup* FormSchema::find_group(std::string_view id) const {
  for (const auto& g : groups)
    if (g.id == id) return &g;
  return nullptr;
}

const FormField* FormSchema::find_field(std::string_view field_name) const {
  for (const auto& f : fields)
    if (f.name == field_name) return &f;
  return nullptr;
}

Result<FormSchema> parse_form_schema(std::string_view toml_text) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return Error::bad_input("line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  FormSchema schema;
  SchemaProblems problems;
  bool has_form = false;
  for (auto&& [key, node] : root) {
    const std::string_view k = key.str();
    if (k == "form") {
      has_form = true;
      read_form_table(node, schema, problems);
    } else if (k == "group") {
      read_table_array(node, "group", schema, problems, read_group);
    } else if (k == "field") {
      read_table_array(node, "field", schema, problems, read_field);
    } else {
      problems.add(line_of(node), "unknown section " + in_quotes(k) + " (form, group, field)");
    }
  }
  if (!has_form) problems.add(0, "the schema needs a [form] table");
  cross_check(schema, problems);
  if (!problems.empty()) return problems.to_error();
  return schema;
}

Result<FormSchema> load_form_schema(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::bad_input("cannot read " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return parse_form_schema(text.str());
}

std::string render_blank_form(const FormSchema& schema, int blocks_per_group) {
  const int blocks = std::max(1, blocks_per_group);
  std::string out;
  append_comment(out, schema.name + ", version " + schema.version);
  // The intro re-wrapped paragraph by paragraph (paragraphs end at blank lines).
  std::istringstream intro(schema.intro);
  std::string paragraph;
  auto end_paragraph = [&] {
    if (paragraph.empty()) return;
    out += "#\n";
    append_comment(out, paragraph, "# ", "# ");
    paragraph.clear();
  };
  for (std::string line; std::getline(intro, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos)
      end_paragraph();
    else
      paragraph += (paragraph.empty() ? "" : " ") + line;
  }
  end_paragraph();
  out += "#\n";
  append_comment(out,
                 "How to fill in: write each answer after its colon. Lines starting with '#' are ignored. "
                 "Multi-line answers continue on the following lines, up to the next field. "
                 "Leave a field empty if you do not know.",
                 "# ", "# ");

  for (const auto& group : schema.groups) {
    std::vector<const FormField*> fields;
    for (const auto& f : schema.fields)
      if (f.group == group.id) fields.push_back(&f);
    if (fields.empty()) continue;
    const int count = group.repeatable ? blocks : 1;
    for (int b = 0; b < count; ++b) {
      out += "\n# ---- " + group.label;
      if (group.repeatable) out += " " + std::to_string(b + 1);
      out += " ----\n";
      for (const auto* f : fields) render_field(out, *f);
    }
    if (group.repeatable) {
      out += "\n";
      append_comment(out,
                     "More than " + std::to_string(count) + "? Copy one \"" + group.label + "\" block (from \"" +
                         fields.front()->label + ":\" to \"" + fields.back()->label +
                         ":\") once for each; a field that repeats starts the next block.",
                     "# ", "# ");
    }
  }
  return out;
}

}  // namespace csirtgw
