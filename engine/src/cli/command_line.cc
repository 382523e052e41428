#include "cli/command_line.h"

#include <cstdio>

namespace shouhu::cli {
namespace {

std::string Join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// "missing option --case", "missing options --a, --b", "missing CASE".
std::string Missing(const std::vector<std::string>& names) {
  bool options = true;
  for (const std::string& n : names) options = options && n.rfind("--", 0) == 0;
  if (!options) return "missing " + Join(names, ", ");
  return (names.size() > 1 ? "missing options " : "missing option ") + Join(names, ", ");
}

std::string Line(const std::string& zh, const std::string& en) {
  return "错误：" + zh + " / error: " + en;
}

// The command that was being parsed: the last one chosen on the line.
const CLI::App* Chosen(const CLI::App& root) {
  const CLI::App* app = &root;
  while (!app->get_subcommands().empty()) app = app->get_subcommands().front();
  return app;
}

// "shouhu user add"
std::string PathOf(const CLI::App* app) {
  std::string path;
  for (; app; app = app->get_parent()) path = app->get_name() + (path.empty() ? "" : " ") + path;
  return path;
}

// A command's help when it shares its prose with the others of its group:
// the usage lines that name `path` (with their continuation lines) first,
// then the prose after the usage block.
std::string ProseFor(const std::string& path, const std::string& prose) {
  if (prose.find("usage: " + path) != std::string::npos) return prose;
  const size_t block_end = prose.find("\n\n");
  const std::string block = prose.substr(0, block_end);
  std::string usage;
  bool taking = false;
  for (size_t start = 0; start < block.size();) {
    size_t end = block.find('\n', start);
    if (end == std::string::npos) end = block.size();
    std::string line = block.substr(start, end - start);
    start = end + 1;
    const bool names_a_command = line.find("shouhu ") != std::string::npos;
    const auto at = line.find(path);
    const bool names_path = at != std::string::npos &&
                            (at + path.size() == line.size() || line[at + path.size()] == ' ');
    if (names_a_command) taking = names_path;
    if (!taking) continue;
    if (names_a_command) line = line.substr(line.find("shouhu "));
    usage += (usage.empty() ? "usage: " : names_a_command ? "       " : "") + line + "\n";
  }
  if (usage.empty()) return prose;
  return usage + (block_end == std::string::npos ? "" : prose.substr(block_end + 1));
}

class Formatter : public CLI::Formatter {
 public:
  Formatter() { column_width(34); }

  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override {
    if (mode == CLI::AppFormatMode::Sub) return make_expanded(app);
    std::string out = app->get_footer();
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += make_positionals(app) + make_groups(app, mode);
    if (app->get_parent()) out += make_subcommands(app, mode);
    return out;
  }
  std::string make_group(std::string group, bool is_positional,
                         std::vector<const CLI::Option*> opts) const override {
    if (group == "Options" || group == "OPTIONS") group = "选项 Options";
    if (group == "Positionals" || group == "POSITIONALS") group = "参数 Arguments";
    return CLI::Formatter::make_group(group, is_positional, std::move(opts));
  }
  std::string make_subcommands(const CLI::App* app, CLI::AppFormatMode mode) const override {
    std::string out = CLI::Formatter::make_subcommands(app, mode);
    for (const char* heading : {"Subcommands:", "SUBCOMMANDS:"}) {
      if (auto at = out.find(heading); at != std::string::npos) {
        out.replace(at, std::string(heading).size(), "命令 Commands:");
      }
    }
    return out;
  }
};

}  // namespace

const char* Version() { return SHOUHU_VERSION; }

std::string ClientArgs::Get(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

void PrintError(const std::string& zh, const std::string& en) {
  std::fprintf(stderr, "%s\n", Line(zh, en).c_str());
}

std::shared_ptr<CLI::Formatter> ProseFormatter() { return std::make_shared<Formatter>(); }

std::string DescribeParseError(const CLI::App& root, const CLI::ParseError& error) {
  const CLI::App* app = Chosen(root);
  const std::string hint = " (" + PathOf(app) + " --help)";
  if (dynamic_cast<const CLI::RequiredError*>(&error)) {
    // CLI11 stops at the first; the user gets them all.
    std::vector<std::string> missing;
    for (const CLI::App* a = app; a; a = a->get_parent()) {
      for (const CLI::Option* o : a->get_options()) {
        if (o->get_required() && o->count() == 0) missing.push_back(o->get_name());
      }
    }
    if (!missing.empty()) return Line("缺少参数 " + Join(missing, "、"), Missing(missing)) + hint;
    std::vector<std::string> names;
    for (const CLI::App* s : app->get_subcommands({})) names.push_back(s->get_name());
    return Line("缺少命令，可用：" + Join(names, "、"),
                "missing a command, one of: " + Join(names, ", ")) +
           hint;
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&error)) {
    std::vector<std::string> extra = app->remaining();
    std::string first = extra.empty() ? "" : extra.front();
    if (app == &root && !first.empty() && first[0] != '-') {
      return Line("未知命令 \"" + first + "\"", "unknown command \"" + first + "\"") + " (" +
             root.get_name() + " --help)";
    }
    for (const std::string& e : extra) {
      if (e.size() > 1 && e[0] == '-') {
        std::string name = e.substr(0, e.find('='));
        return Line("未知选项 " + name, "unknown option " + name) + hint;
      }
    }
    return Line("多余的参数 " + Join(extra, " "), "unexpected argument(s) " + Join(extra, " ")) +
           hint;
  }
  const std::string what = error.what();
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error)) {
    for (const CLI::Option* o : app->get_options()) {
      const std::string name = o->get_name();
      if (!name.empty() && what.find(name) != std::string::npos) {
        return Line(name + " 缺少值", name + " needs a value") + hint;
      }
    }
    return Line("参数个数不对", what) + hint;
  }
  if (dynamic_cast<const CLI::ExcludesError*>(&error)) {
    // "--config excludes --check-config"
    const auto at = what.find(" excludes ");
    if (at != std::string::npos) {
      return Line(what.substr(0, at) + " 与 " + what.substr(at + 10) + " 不能同时使用", what) +
             hint;
    }
  }
  if (dynamic_cast<const CLI::ValidationError*>(&error)) {
    // "--limit: 「abc」不是正整数 / "abc" is not a positive whole number"
    const auto colon = what.find(": ");
    const auto slash = what.find(" / ");
    if (colon != std::string::npos && slash != std::string::npos && slash > colon) {
      const std::string name = what.substr(0, colon);
      return Line(name + " 的值" + what.substr(colon + 2, slash - colon - 2),
                  name + ": " + what.substr(slash + 3)) +
             hint;
    }
  }
  return Line("参数有误", what) + hint;
}

int ReportParseError(const CLI::App& root, const CLI::ParseError& error) {
  if (dynamic_cast<const CLI::CallForHelp*>(&error) ||
      dynamic_cast<const CLI::CallForAllHelp*>(&error)) {
    std::fputs(root.help().c_str(), stdout);
    return 0;
  }
  std::fprintf(stderr, "%s\n", DescribeParseError(root, error).c_str());
  return 2;
}

CLI::Validator PositiveWholeNumber() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        bool digits = !value.empty() && value.size() <= 9 &&
                      value.find_first_not_of("0123456789") == std::string::npos;
        if (digits && std::stol(value) > 0) return "";
        return "「" + value + "」不是正整数 / \"" + value + "\" is not a positive whole number";
      },
      "N");
}

CommandLine::CommandLine(const std::string& program, const std::string& prose)
    : app_("", program) {
  app_.formatter(ProseFormatter());
  app_.footer(prose);
  app_.set_help_flag("-h,--help", "此帮助 / this help");
  app_.set_version_flag("--version", std::string(program) + " " + Version(),
                        "版本 / the version");
  app_.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app_.require_subcommand(0, 1);
}

CLI::App* CommandLine::Group(CLI::App* parent, const std::string& name,
                             const std::string& summary, const std::string& prose) {
  CLI::App* app = (parent ? parent : &app_)->add_subcommand(name, summary);
  app->footer(prose);
  app->require_subcommand(1);
  return app;
}

CommandLine::Command CommandLine::Add(CLI::App* parent, const std::string& name,
                                      const std::string& summary, const std::string& prose,
                                      Run run) {
  CLI::App* app = (parent ? parent : &app_)->add_subcommand(name, summary);
  app->footer(ProseFor(PathOf(app), prose));
  ClientArgs* args = &args_.emplace_back();
  runs_[app] = {args, std::move(run)};
  return {app, args};
}

int CommandLine::Main(int argc, char** argv) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (dynamic_cast<const CLI::CallForVersion*>(&e)) {
      std::printf("%s\n", e.what());
      return 0;
    }
    return ReportParseError(app_, e);
  }
  auto it = runs_.find(Chosen(app_));
  if (it == runs_.end()) {
    std::fputs(app_.help().c_str(), stderr);
    return 2;
  }
  ClientArgs& args = *it->second.first;
  args.json = args.Has("json");
  return it->second.second(args);
}

CLI::Option* AddValue(const CommandLine::Command& c, const std::string& name,
                      const std::string& type, const std::string& help) {
  ClientArgs* args = c.args;
  return c.app
      ->add_option_function<std::string>(
          "--" + name, [args, name](const std::string& v) { args->options[name] = v; }, help)
      ->type_name(type);
}

CLI::Option* AddFlag(const CommandLine::Command& c, const std::string& name,
                     const std::string& help) {
  ClientArgs* args = c.args;
  return c.app->add_flag_callback(
      "--" + name, [args, name] { args->options[name] = ""; }, help);
}

CLI::Option* AddPositional(const CommandLine::Command& c, const std::string& name,
                           const std::string& help, bool optional) {
  ClientArgs* args = c.args;
  CLI::Option* o = c.app->add_option_function<std::string>(
      name, [args](const std::string& v) { args->positional.push_back(v); }, help);
  if (!optional) o->required();
  return o;
}

CLI::Option* AddRest(const CommandLine::Command& c, const std::string& name,
                     const std::string& help) {
  ClientArgs* args = c.args;
  return c.app->add_option_function<std::vector<std::string>>(
      name,
      [args](const std::vector<std::string>& v) {
        args->positional.insert(args->positional.end(), v.begin(), v.end());
      },
      help);
}

void AddServerOptions(const CommandLine::Command& c) {
  AddValue(c, "server", "URL",
           "守护进程地址 / the daemon (env SHOUHU_SERVER; default http://127.0.0.1:8620)");
  AddValue(c, "token", "TOKEN", "API 令牌 / your API token (env SHOUHU_TOKEN)");
  AddValue(c, "cacert", "FILE", "信任此 CA / trust this CA for https");
  AddFlag(c, "insecure", "不校验证书（仅测试）/ skip the certificate check (testing)");
  AddFlag(c, "json", "输出服务器的 JSON / print the server's JSON instead of a table");
}

int RequireOptions(const ClientArgs& args, const std::vector<std::string>& names) {
  std::vector<std::string> missing;
  for (const std::string& n : names) {
    if (!args.Has(n)) missing.push_back("--" + n);
  }
  if (missing.empty()) return 0;
  PrintError("缺少参数 " + Join(missing, "、"), Missing(missing));
  return 2;
}

}  // namespace shouhu::cli
