#include "store/plan_diff.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "rules/diagnostic.h"

namespace plansim::store {
namespace {

using graph::YamlKind;
using graph::YamlNode;

// Whitespace runs as one space, without leading or trailing space.
std::string collapsed(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// A token with its length in front, so that no two trees share a form.
void token(std::string& out, char tag, const std::string& text) {
  out += tag;
  out += std::to_string(text.size());
  out += ':';
  out += text;
}

void canonical(const YamlNode& n, std::string& out) {
  switch (n.kind) {
    case YamlKind::kNull:
      out += '~';
      return;
    case YamlKind::kScalar:
      if (const auto v = graph::parse_number(n)) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", *v == 0.0 ? 0.0 : *v);
        token(out, 'n', buf);
      } else {
        token(out, 's', collapsed(n.scalar));
      }
      return;
    case YamlKind::kSequence:
      out += '[';
      for (const auto& item : n.items) canonical(*item, out);
      out += ']';
      return;
    case YamlKind::kMapping: {
      std::vector<const YamlNode::Entry*> entries;
      for (const auto& e : n.entries) entries.push_back(&e);
      std::stable_sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) { return a->key < b->key; });
      out += '{';
      for (const auto* e : entries) {
        token(out, 'k', e->key);
        canonical(*e->value, out);
      }
      out += '}';
      return;
    }
  }
}

std::unique_ptr<YamlNode> parse(std::string_view text, const char* which, std::vector<std::string>& errors) {
  rules::Diagnostics diags;
  auto root = graph::parse_yaml(text, which, diags);
  if (!root)
    for (const auto& d : diags.list()) errors.push_back(rules::format(d));
  return root;
}

bool is_node_section(const std::string& key) {
  return std::find(std::begin(kNodeSections), std::end(kNodeSections), key) != std::end(kNodeSections);
}

// name -> canonical form of each node of a section, and the names in file order.
struct Section {
  std::vector<std::string> order;
  std::map<std::string, std::string> form;
};

Section nodes_of(const YamlNode* section) {
  Section s;
  if (!section || !section->is_map()) return s;
  for (const auto& e : section->entries) {
    if (s.form.count(e.key)) continue;  // a duplicate key: parse_yaml keeps the first
    s.order.push_back(e.key);
    s.form[e.key] = canonical_form(*e.value);
  }
  return s;
}

std::string form_or_empty(const YamlNode* n) { return n ? canonical_form(*n) : std::string(); }

}  // namespace

std::string canonical_form(const YamlNode& node) {
  std::string out;
  canonical(node, out);
  return out;
}

bool same_document(std::string_view a, std::string_view b) {
  std::vector<std::string> errors;
  const auto ta = parse(a, "a", errors);
  const auto tb = parse(b, "b", errors);
  return ta && tb && canonical_form(*ta) == canonical_form(*tb);
}

PlanDiff diff_plans(std::string_view old_text, std::string_view new_text) {
  PlanDiff d;
  const auto before = parse(old_text, "old plan", d.errors);
  const auto after = parse(new_text, "new plan", d.errors);
  if (!before || !after) return d;
  if (!before->is_map() || !after->is_map()) {
    if (canonical_form(*before) != canonical_form(*after)) d.sections.push_back("(the whole document)");
    return d;
  }

  // Node sections: node by node, where both sides are mappings of nodes.
  for (std::string_view sv : kNodeSections) {
    const std::string section(sv);
    const YamlNode* a = before->find(section);
    const YamlNode* b = after->find(section);
    const bool a_nodes = !a || a->is_map() || a->is_null();
    const bool b_nodes = !b || b->is_map() || b->is_null();
    if (!a_nodes || !b_nodes) {  // not a mapping of nodes: compare it whole
      if (form_or_empty(a) != form_or_empty(b)) d.sections.push_back(section);
      continue;
    }
    const Section old_nodes = nodes_of(a);
    const Section new_nodes = nodes_of(b);
    for (const auto& name : new_nodes.order) {
      const auto it = old_nodes.form.find(name);
      if (it == old_nodes.form.end()) d.added.push_back({section, name});
      else if (it->second != new_nodes.form.at(name)) d.changed.push_back({section, name});
    }
    for (const auto& name : old_nodes.order)
      if (!new_nodes.form.count(name)) d.removed.push_back({section, name});
  }

  // Every other top-level section, in the new text's order, then the old's.
  std::vector<std::string> keys;
  for (const YamlNode* root : {after.get(), before.get()})
    for (const auto& e : root->entries)
      if (!is_node_section(e.key) && std::find(keys.begin(), keys.end(), e.key) == keys.end()) keys.push_back(e.key);
  for (const auto& key : keys)
    if (form_or_empty(before->find(key)) != form_or_empty(after->find(key))) d.sections.push_back(key);
  return d;
}

}  // namespace plansim::store
