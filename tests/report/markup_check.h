// A check that an HTML page is well formed, for the report tests.
#pragma once

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

namespace plansim::report {

// Elements nest (void and self-closed ones aside), <style> holds no markup
// and ids are unique. Returns "" or what is wrong.
inline std::string markup_problem(const std::string& html) {
  static const std::vector<std::string> kVoid = {"meta", "br", "hr", "img", "input", "link", "col", "wbr"};
  std::vector<std::string> open;
  std::size_t at = 0;
  while ((at = html.find('<', at)) != std::string::npos) {
    const std::size_t end = html.find('>', at);
    if (end == std::string::npos) return "a tag is not closed at byte " + std::to_string(at);
    const std::string tag = html.substr(at + 1, end - at - 1);
    at = end + 1;
    if (tag.empty()) return "an empty tag";
    if (tag[0] == '!') {
      if (tag.rfind("!DOCTYPE", 0) != 0) return "unexpected markup <" + tag + ">";
      continue;
    }
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes <" + (open.empty() ? std::string("nothing") : open.back()) + ">";
      open.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" \n/"));
    if (tag.back() == '/' || std::find(kVoid.begin(), kVoid.end(), name) != kVoid.end()) continue;
    open.push_back(name);
    if (name == "style") {
      const std::size_t close = html.find("</style>", at);
      if (close == std::string::npos) return "<style> is not closed";
      if (html.substr(at, close - at).find('<') != std::string::npos) return "<style> holds markup";
      at = close;
    }
  }
  if (!open.empty()) return "<" + open.back() + "> is not closed";
  static const std::regex id(R"re( id="([^"]+)")re");
  std::vector<std::string> ids;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), id); it != std::sregex_iterator(); ++it)
    ids.push_back((*it)[1]);
  std::sort(ids.begin(), ids.end());
  if (auto dup = std::adjacent_find(ids.begin(), ids.end()); dup != ids.end()) return "id " + *dup + " is used twice";
  return "";
}

}  // namespace plansim::report
