#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "graph/field_reader.h"
#include "graph/plan_loader.h"
#include "graph/yaml_tree.h"
#include "scenarios/scenario.h"

namespace plansim::scenarios {
namespace {

namespace fs = std::filesystem;
using graph::FieldReader;
using graph::YamlNode;

// Merges `later` into `earlier`: a later change to a node replaces an earlier one.
template <typename T>
void override_by_node(std::vector<T>& earlier, std::vector<T>& later) {
  for (auto& change : later) {
    auto same = std::find_if(earlier.begin(), earlier.end(), [&](const T& c) { return c.node == change.node; });
    if (same != earlier.end()) *same = std::move(change);
    else earlier.push_back(std::move(change));
  }
}

constexpr std::size_t kMaxExtends = 32;

// The file's absolute path, for recognising a file met twice in a chain.
std::string canonical(const std::string& path) {
  std::error_code ec;
  return fs::weakly_canonical(path, ec).string();
}

class ScenarioLoader {
 public:
  explicit ScenarioLoader(rules::Diagnostics& diags) : diags_(diags) {}

  // Loads `path`; `chain` holds the files that extend it, to catch cycles.
  std::unique_ptr<Scenario> load(const std::string& path, std::vector<std::string>& chain);

 private:
  void read_body(const YamlNode& root, FieldReader& in, Scenario& s);
  void read_adjustments(const YamlNode* map, FieldReader& in, std::vector<AdjustChange>& out, const char* what);

  rules::Diagnostics& diags_;
};

void ScenarioLoader::read_adjustments(const YamlNode* map, FieldReader& in, std::vector<AdjustChange>& out,
                                      const char* what) {
  if (!map || !in.expect_map(*map, "", what)) return;
  for (const auto& e : map->entries) {
    auto v = in.number(*e.value, e.key, std::string(what) + " amount");
    if (v) out.push_back({{e.key, in.file(), e.key_pos}, *v});
  }
}

void ScenarioLoader::read_body(const YamlNode& root, FieldReader& in, Scenario& s) {
  if (const YamlNode* set = root.find("set"); set && in.expect_map(*set, "", "set")) {
    for (const auto& e : set->entries) {
      SetChange c;
      c.node = e.key;
      c.file = in.file();
      c.pos = e.key_pos;
      if (e.value->is_seq())
        for (const auto& item : e.value->items) c.path.push_back(in.expression(*item, e.key));
      else
        c.value = in.expression(*e.value, e.key);
      s.set.push_back(std::move(c));
    }
  }
  read_adjustments(root.find("scale"), in, s.scale, "scale");
  read_adjustments(root.find("shift"), in, s.shift, "shift");
  if (const YamlNode* force = root.find("force"); force && in.expect_map(*force, "", "force")) {
    for (const auto& e : force->entries) {
      const std::string& v = e.value->scalar;
      if (v == "occurs" || v == "never")
        s.force.push_back({{e.key, in.file(), e.key_pos}, v == "occurs" ? graph::Force::kOccurs : graph::Force::kNever});
      else if (v == "delivered" || v == "not_delivered")
        s.force.push_back({{e.key, in.file(), e.key_pos},
                           graph::Force::kNone,
                           v == "delivered" ? graph::ActionForce::kDelivered : graph::ActionForce::kNotDelivered});
      else
        in.error(e.value->pos, e.key, "force must be 'occurs' or 'never', not '" + v + "'",
                 "an action is forced with 'delivered' or 'not_delivered'");
    }
  }
  if (const YamlNode* r = root.find("responses")) {
    // Responses are read against an empty plan; names are given when applied.
    graph::Plan scratch;
    graph::load_responses(*r, in, scratch);
    for (auto& response : scratch.responses) s.responses.push_back(std::move(response));
  }
}

std::unique_ptr<Scenario> ScenarioLoader::load(const std::string& path, std::vector<std::string>& chain) {
  const std::string key = canonical(path);
  std::unique_ptr<YamlNode> root = graph::load_yaml_file(path, diags_);
  if (!root) return nullptr;
  FieldReader in(path, diags_);
  if (!root->is_map()) {
    in.error(root->pos, "", std::string("a scenario must be a mapping (scenario:, set:, ...), not ") + root->kind_name());
    return nullptr;
  }
  in.check_keys(*root, {"scenario", "label", "extends", "set", "scale", "shift", "force", "responses", "notes"}, "",
                "a scenario");

  auto s = std::make_unique<Scenario>();
  s->file = path;
  if (const YamlNode* extends = root->find("extends")) {
    const fs::path parent = fs::path(path).parent_path() / in.text(*extends, "", "extends");
    chain.push_back(key);
    // The cycle is reported where it closes: at the `extends` that names a
    // file already in the chain.
    if (std::find(chain.begin(), chain.end(), canonical(parent.string())) != chain.end()) {
      std::string cycle;
      for (const auto& f : chain) cycle += f + " -> ";
      in.error(extends->pos, "", "scenario files extend each other in a cycle: " + cycle + canonical(parent.string()),
               "remove one of the extends");
      chain.pop_back();
      return nullptr;
    }
    if (chain.size() >= kMaxExtends) {
      in.error(extends->pos, "", "the chain of extends is longer than " + std::to_string(kMaxExtends) + " files");
      chain.pop_back();
      return nullptr;
    }
    std::unique_ptr<Scenario> base = load(parent.string(), chain);
    chain.pop_back();
    if (!base) {
      in.error(extends->pos, "", "cannot use the scenario it extends, '" + extends->scalar + "' (see above)");
      return nullptr;
    }
    s = std::move(base);
    s->file = path;
  }
  Scenario own;
  read_body(*root, in, own);
  override_by_node(s->set, own.set);
  override_by_node(s->scale, own.scale);
  override_by_node(s->shift, own.shift);
  override_by_node(s->force, own.force);
  for (auto& r : own.responses) s->responses.push_back(std::move(r));

  s->name.clear();
  if (const YamlNode* name = in.require(*root, "scenario", "", "a scenario")) {
    s->name = in.text(*name, "", "scenario (its name)");
    s->name_pos = name->pos;
    if (name->is_scalar() && s->name.empty()) in.error(name->pos, "", "the scenario's name is empty");
  }
  s->label.clear();
  if (const YamlNode* label = root->find("label")) s->label = in.text(*label, "", "label");
  s->files.insert(s->files.begin(), path);
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  s->text = "# " + path + "\n" + text.str() + s->text;
  return s;
}

}  // namespace

std::unique_ptr<Scenario> load_scenario_file(const std::string& path, rules::Diagnostics& diags) {
  const std::size_t before = diags.size();
  std::vector<std::string> chain;
  auto s = ScenarioLoader(diags).load(path, chain);
  if (diags.size() != before) return nullptr;
  return s;
}

}  // namespace plansim::scenarios
