// The team's own reporting form, read back from a report's decoded text/plain
// body: "Label: value" lines as `csirtgw form` prints them, filled in by hand.
// A pure function over text: no I/O, never throws, never rejects a report — a
// malformed form still yields every field it can, plus one FieldError per
// problem, and the message is filed either way. Values are never logged.
//
// How the text is read (line by line; CRLF or LF; values never hold a CR):
//   - "Label: value" starts a field when Label is one of the schema's labels or
//     aliases, compared without case, blanks, hyphens and underscores
//     ("Incident-Type" = "incident_type" = "INCIDENT TYPE"); an optional "- " or
//     "* " bullet and any indentation before it are allowed.
//   - A line whose first non-blank character is '#' is a comment (the blank
//     form's hints) and is skipped, except inside a multi-line value where it
//     is indented deeper than the value's label.
//   - A multi-line field's value runs on over the following lines, blank ones
//     included, until the next line that starts a field at the same or lesser
//     indentation than its own label. Lines indented deeper than the label are
//     always part of the value (so pasted logs cannot start fields); the common
//     indentation of those lines is removed, blank lines at either end dropped.
//   - A single-line field's value is the rest of its line; if that is empty,
//     the next non-blank line that starts no field is taken instead. Any other
//     line that starts no field is prose around the form and is ignored.
//   - A multi-valued field (FormField::multi: ip and host by default) also takes
//     the following lines indented deeper than its label, or any line after one
//     ending in ',' or ';' ("198.51.100.23,\n  203.0.113.99").
//   - "-- " (the signature separator) ends the form.
//   - Repeatable groups: a field that already appeared in the current block of
//     its group starts the next block (the second "Hostname:" opens host block
//     1). Blocks left entirely empty are dropped and the rest renumbered 0, 1,
//     2 ... in order. In a group that is not repeatable, a second non-empty
//     value for a field is an error and the first is kept (lists accumulate).
//   - The text is a form only if labels of at least two different fields
//     appear. Otherwise the result has an empty format and no fields or errors,
//     and the caller falls back to free text.
//   - In a form, an unknown "Some words: value" line gives FieldError{label as
//     written, "unknown field"}; empty values are not errors unless the field
//     is required ("required field missing"); a value failing its type check
//     gives an error and is not recorded as a field.
//   - Typed values: email (addr-spec; "Name <addr>" recorded as addr), phone,
//     ip (inet_pton, or a CIDR network; "[.]" refanged), host (domain name or IP), datetime
//     (ISO 8601 or RFC 5322, recorded as written), enum (case-insensitive,
//     recorded in the schema's spelling; a bare RSIT "type" matches a unique
//     "class/type"), list (',' or ';' separated, and by line breaks when
//     multi-line: one FieldValue per item). A multi-valued field splits at ','
//     ';' line breaks and, except email, blanks; each item is checked on its
//     own: the good ones are recorded, each bad one is an error naming its
//     position ("value 2 of 3: not an IP address"), never its text.
//   - format = "team-form"; category_hint = the value recorded for the
//     schema's category field (enum spelling), or the text as written when it
//     is not one of the values.
#pragma once

#include <string_view>

#include "form_schema.h"
#include "report_content.h"

namespace csirtgw {

ReportContent parse_team_form(std::string_view text, const FormSchema& schema);

}  // namespace csirtgw
