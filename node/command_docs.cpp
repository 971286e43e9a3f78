// COMMAND DOCS: the usage-string parser, the argument-tree rendering and the per-command replies.
//
// The entries of command_docs_data.cpp are parsed once, on first use, and each command's reply
// (every field but "subcommands") is rendered to RESP2 and RESP3 bytes then; a request appends
// the bytes for its connection's protocol and adds the subcommands the command table holds.
#include "node/command_docs.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "node/command_docs_data.h"

namespace snapstream {
namespace {

// ---------------------------------------------------------------------------------------------
// Usage-string parser. Parsing happens in two steps: the text becomes a tree of syntax nodes
// (words, tokens, groups, repetitions), then that tree is converted into DocArgs.

struct Node {
    enum Kind { kWord, kToken, kGroup, kRepeat, kEllipsis } kind = kWord;
    std::string text;                     // word name or token
    std::optional<DocArgType> type;       // words: explicit type annotation
    char open = 0;                        // groups: '[' or '<'
    std::string label;                    // groups and repetitions: explicit name
    std::vector<std::vector<Node>> alts;  // groups: the alternatives; repetitions: alts[0] = unit
    std::string since;
    std::string deprecated_since;
};

// Structural equality, ignoring version annotations: "x [x ...]" must repeat what precedes it.
bool same_shape(const Node& a, const Node& b) {
    if (a.kind != b.kind || a.text != b.text || a.type != b.type || a.open != b.open ||
        a.label != b.label || a.alts.size() != b.alts.size())
        return false;
    for (size_t i = 0; i < a.alts.size(); ++i) {
        if (a.alts[i].size() != b.alts[i].size()) return false;
        for (size_t j = 0; j < a.alts[i].size(); ++j)
            if (!same_shape(a.alts[i][j], b.alts[i][j])) return false;
    }
    return true;
}

bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '/';
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<DocArgType> type_from_annotation(std::string_view s) {
    static constexpr std::pair<std::string_view, DocArgType> kTypes[] = {
        {"string", DocArgType::kString},   {"integer", DocArgType::kInteger},
        {"double", DocArgType::kDouble},   {"key", DocArgType::kKey},
        {"pattern", DocArgType::kPattern}, {"unix-time", DocArgType::kUnixTime},
    };
    for (const auto& [name, type] : kTypes)
        if (name == s) return type;
    return std::nullopt;
}

// The type an argument gets from its name when the usage string does not say.
DocArgType type_from_name(std::string_view name) {
    static constexpr std::string_view kKeys[] = {"key",    "destination", "source",
                                                 "newkey", "dst",         "src"};
    static constexpr std::string_view kIntegers[] = {
        "count",   "cursor",       "db",        "index",          "index1",      "index2",
        "start",   "stop",         "end",       "offset",         "len",         "limit",
        "seconds", "milliseconds", "numkeys",   "numreplicas",    "num-matches", "rank",
        "port",    "protover",     "client-id", "destination-db", "decrement",   "increment",
        "weight",  "timeout",
    };
    static constexpr std::string_view kDoubles[] = {"score", "min", "max"};
    auto in = [name](const auto& list) {
        return std::find(std::begin(list), std::end(list), name) != std::end(list);
    };
    if (in(kKeys)) return DocArgType::kKey;
    if (name == "pattern") return DocArgType::kPattern;
    if (name.starts_with("unix-time")) return DocArgType::kUnixTime;
    if (in(kIntegers)) return DocArgType::kInteger;
    if (in(kDoubles)) return DocArgType::kDouble;
    return DocArgType::kString;
}

class SyntaxParser {
  public:
    explicit SyntaxParser(std::string_view s) : s_(s) {}

    Result<std::vector<DocArg>> parse() {
        std::vector<Node> top;
        if (!parse_seq(top)) return make_error(error_);
        skip_space();
        if (pos_ < s_.size()) {
            fail(s_[pos_] == '|' ? "'|' outside a group" : "unexpected character");
            return make_error(error_);
        }
        std::vector<DocArg> args;
        if (!convert_seq(top, args)) return make_error(error_);
        int next_key = 0;
        number_keys(args, next_key);
        return args;
    }

  private:
    bool fail(std::string_view what) {
        if (error_.empty()) {
            error_ = std::string(what) + " at offset " + std::to_string(pos_) + " in \"" +
                     std::string(s_) + "\"";
        }
        return false;
    }

    void skip_space() {
        while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
    }
    bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }

    // seq := element* ; stops before '|', ']', '>' or the end.
    bool parse_seq(std::vector<Node>& seq) {
        for (;;) {
            skip_space();
            if (pos_ >= s_.size() || at('|') || at(']') || at('>')) return true;
            if (s_.substr(pos_).starts_with("...")) {
                pos_ += 3;
                Node n;
                n.kind = Node::kEllipsis;
                seq.push_back(std::move(n));
                continue;
            }
            Node node;
            if (at('[') || at('<')) {
                if (!parse_group(node)) return false;
            } else if (at('\'')) {
                if (!parse_quoted(node)) return false;
            } else if (pos_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[pos_]))) {
                if (!parse_word(node)) return false;
            } else {
                return fail("unexpected character");
            }
            if (!parse_annotations(node)) return false;
            if (node.kind == Node::kRepeat) {
                if (!fold_repeat(seq, node)) return false;
            } else {
                seq.push_back(std::move(node));
            }
        }
    }

    // "x [x ...]": the repetition's unit must equal the nodes just before it, which it absorbs.
    bool fold_repeat(std::vector<Node>& seq, Node& rep) {
        std::vector<Node>& unit = rep.alts[0];
        if (unit.empty()) {  // "[...]": repeat the previous element
            if (seq.empty()) return fail("'[...]' with nothing before it");
            unit.push_back(std::move(seq.back()));
            seq.pop_back();
        } else {
            if (seq.size() < unit.size())
                return fail("repetition does not repeat what precedes it");
            size_t base = seq.size() - unit.size();
            for (size_t i = 0; i < unit.size(); ++i)
                if (!same_shape(seq[base + i], unit[i]))
                    return fail("repetition does not repeat what precedes it");
            // Keep the first occurrence: that is where version annotations are written.
            for (size_t i = 0; i < unit.size(); ++i) unit[i] = std::move(seq[base + i]);
            seq.resize(base);
        }
        seq.push_back(std::move(rep));
        return true;
    }

    bool parse_group(Node& node) {
        node.kind = Node::kGroup;
        node.open = s_[pos_++];
        char close = node.open == '[' ? ']' : '>';
        skip_space();
        // An optional "label: " right after the opening bracket.
        size_t p = pos_;
        while (p < s_.size() && is_word_char(s_[p])) ++p;
        if (p > pos_ && p + 1 < s_.size() && s_[p] == ':' && s_[p + 1] == ' ') {
            node.label = std::string(s_.substr(pos_, p - pos_));
            pos_ = p + 1;
        }
        for (;;) {
            std::vector<Node> alt;
            if (!parse_seq(alt)) return false;
            if (alt.empty()) return fail("empty group or alternative");
            node.alts.push_back(std::move(alt));
            if (!at('|')) break;
            ++pos_;
        }
        if (!at(close)) return fail(std::string("expected '") + close + "'");
        ++pos_;
        // "..." may only end a [ ] group of one alternative, which makes it a repetition.
        for (size_t a = 0; a < node.alts.size(); ++a) {
            const std::vector<Node>& alt = node.alts[a];
            for (size_t i = 0; i < alt.size(); ++i) {
                if (alt[i].kind != Node::kEllipsis) continue;
                bool last = a + 1 == node.alts.size() && i + 1 == alt.size();
                if (!last || node.open != '[' || node.alts.size() != 1)
                    return fail("'...' must end a [ ] group without alternatives");
            }
        }
        std::vector<Node>& alt = node.alts.back();
        if (alt.back().kind == Node::kEllipsis) {
            alt.pop_back();
            node.kind = Node::kRepeat;
            node.open = 0;
        }
        return true;
    }

    bool parse_word(Node& node) {
        size_t start = pos_;
        while (pos_ < s_.size() && is_word_char(s_[pos_])) ++pos_;
        std::string_view w = s_.substr(start, pos_ - start);
        bool has_lower =
            std::any_of(w.begin(), w.end(), [](unsigned char c) { return std::islower(c) != 0; });
        bool has_upper =
            std::any_of(w.begin(), w.end(), [](unsigned char c) { return std::isupper(c) != 0; });
        if (has_lower && has_upper) return fail("mixed-case word");
        node.text = std::string(w);
        if (has_upper) {
            node.kind = Node::kToken;
            return true;
        }
        node.kind = Node::kWord;
        return parse_type(node);
    }

    bool parse_quoted(Node& node) {
        size_t end = s_.find('\'', pos_ + 1);
        if (end == std::string_view::npos) return fail("unterminated quote");
        if (end == pos_ + 1) return fail("empty quoted name");
        node.kind = Node::kWord;
        node.text = std::string(s_.substr(pos_ + 1, end - pos_ - 1));
        pos_ = end + 1;
        return parse_type(node);
    }

    // An optional ":type" right after a word.
    bool parse_type(Node& node) {
        if (!at(':')) return true;
        size_t start = ++pos_;
        while (pos_ < s_.size() &&
               (std::islower(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-'))
            ++pos_;
        node.type = type_from_annotation(s_.substr(start, pos_ - start));
        if (!node.type) return fail("unknown argument type");
        return true;
    }

    // "@version" (since) and "!version" (deprecated since), right after an element.
    bool parse_annotations(Node& node) {
        while (at('@') || at('!')) {
            std::string& field = s_[pos_] == '@' ? node.since : node.deprecated_since;
            size_t start = ++pos_;
            while (pos_ < s_.size() &&
                   (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.'))
                ++pos_;
            std::string_view v = s_.substr(start, pos_ - start);
            if (v.empty() || v.front() == '.' || v.back() == '.' ||
                v.find("..") != std::string_view::npos)
                return fail("malformed version");
            if (!field.empty()) return fail("version given twice");
            field = std::string(v);
        }
        return true;
    }

    // --- conversion to DocArgs -------------------------------------------------------------

    static std::string joined_names(const std::vector<DocArg>& args) {
        std::string out;
        for (const DocArg& a : args) {
            if (!out.empty()) out += '_';
            out += a.name;
        }
        return out;
    }

    bool set_versions(const Node& node, DocArg& arg) {
        if (!node.since.empty()) {
            if (!arg.since.empty()) return fail("version given twice");
            arg.since = node.since;
        }
        if (!node.deprecated_since.empty()) {
            if (!arg.deprecated_since.empty()) return fail("version given twice");
            arg.deprecated_since = node.deprecated_since;
        }
        return true;
    }

    // A sequence: each TOKEN followed by an argument becomes that argument's token.
    bool convert_seq(const std::vector<Node>& seq, std::vector<DocArg>& out) {
        for (size_t i = 0; i < seq.size(); ++i) {
            const Node& n = seq[i];
            if (n.kind == Node::kToken && i + 1 < seq.size() && seq[i + 1].kind != Node::kToken) {
                DocArg arg;
                if (!convert(seq[i + 1], arg)) return false;
                if (!arg.token.empty()) return fail("two tokens for one argument");
                arg.token = n.text;
                if (!set_versions(n, arg)) return false;
                out.push_back(std::move(arg));
                ++i;
                continue;
            }
            DocArg arg;
            if (!convert(n, arg)) return false;
            out.push_back(std::move(arg));
        }
        return true;
    }

    // One alternative of a [ ] group, or a repetition's unit, as a single argument.
    bool convert_alt(const std::vector<Node>& alt, DocArg& out) {
        out = DocArg{};
        std::vector<DocArg> parts;
        if (alt.size() >= 3 && alt[0].kind == Node::kToken && alt[1].kind != Node::kToken) {
            // "[LIMIT offset count]": the token introduces a block of what follows it.
            out.token = alt[0].text;
            if (!set_versions(alt[0], out)) return false;
            if (!convert_seq(std::vector<Node>(alt.begin() + 1, alt.end()), parts)) return false;
        } else {
            if (!convert_seq(alt, parts)) return false;
            if (parts.size() == 1) {
                out = std::move(parts[0]);
                return true;
            }
        }
        out.type = DocArgType::kBlock;
        out.name = joined_names(parts);
        out.args = std::move(parts);
        return true;
    }

    bool convert(const Node& n, DocArg& out) {
        out = DocArg{};
        switch (n.kind) {
            case Node::kWord:
                out.name = n.text;
                out.type = n.type ? *n.type : type_from_name(n.text);
                break;
            case Node::kToken:
                out.name = to_lower(n.text);
                out.type = DocArgType::kPureToken;
                out.token = n.text;
                break;
            case Node::kGroup:
                if (n.alts.size() > 1) {
                    out.type = DocArgType::kOneof;
                    for (const auto& alt : n.alts) {
                        DocArg a;
                        if (!convert_alt(alt, a)) return false;
                        out.args.push_back(std::move(a));
                    }
                    out.name = joined_names(out.args);
                } else if (n.open == '<') {
                    out.type = DocArgType::kBlock;
                    if (!convert_seq(n.alts[0], out.args)) return false;
                    out.name = joined_names(out.args);
                } else {
                    if (!convert_alt(n.alts[0], out)) return false;
                }
                if (n.open == '[') {
                    if (out.optional) return fail("optional group directly inside another");
                    out.optional = true;
                }
                break;
            case Node::kRepeat:
                if (!convert_alt(n.alts[0], out)) return false;
                if (out.multiple) return fail("repetition of a repetition");
                out.multiple = true;
                out.multiple_token = n.alts[0][0].kind == Node::kToken &&
                                     out.token == n.alts[0][0].text &&
                                     out.type != DocArgType::kPureToken;
                break;
            case Node::kEllipsis:
                return fail("misplaced '...'");
        }
        if (!n.label.empty()) out.name = n.label;
        return set_versions(n, out);
    }

    static void number_keys(std::vector<DocArg>& args, int& next) {
        for (DocArg& a : args) {
            if (a.type == DocArgType::kKey) a.key_spec_index = next++;
            number_keys(a.args, next);
        }
    }

    std::string_view s_;
    size_t pos_ = 0;
    std::string error_;
};

// ---------------------------------------------------------------------------------------------
// Rendered replies.

struct RenderedDocs {
    size_t fields = 0;  // map entries in the bodies
    std::string resp2;  // those entries in RESP2
    std::string resp3;  // and in RESP3
};

// Flags and history are sets in Redis's replies: '~' in RESP3, arrays in RESP2.
void set_header(Reply& reply, size_t n) {
    if (reply.resp() != 3) return reply.array(n);
    reply.raw("~" + std::to_string(n) + "\r\n");
}

void write_flags(Reply& reply, std::initializer_list<std::pair<bool, std::string_view>> flags) {
    size_t n = 0;
    for (const auto& [on, name] : flags) n += on ? 1 : 0;
    set_header(reply, n);
    for (const auto& [on, name] : flags)
        if (on) reply.simple(name);
}

// The fields of an entry's map into `body`; returns how many, or nullopt for a malformed entry.
std::optional<size_t> render_fields(const CommandDocEntry& e, const std::vector<DocArg>& args,
                                    std::string& body, int resp) {
    Reply r(body, resp);
    size_t fields = 0;
    auto field = [&](std::string_view name) {
        ++fields;
        r.bulk(name);
    };
    field("summary");
    r.bulk(e.summary);
    field("since");
    r.bulk(e.since);
    field("group");
    r.bulk(e.group);
    if (!e.complexity.empty()) {
        field("complexity");
        r.bulk(e.complexity);
    }
    bool deprecated = !e.deprecated_since.empty();
    if (deprecated || e.syscmd) {
        field("doc_flags");
        write_flags(r, {{deprecated, "deprecated"}, {e.syscmd, "syscmd"}});
    }
    if (deprecated) {
        field("deprecated_since");
        r.bulk(e.deprecated_since);
    }
    if (!e.replaced_by.empty()) {
        field("replaced_by");
        r.bulk(e.replaced_by);
    }
    if (!e.history.empty()) {
        std::vector<std::pair<std::string_view, std::string_view>> changes;
        std::string_view rest = e.history;
        while (!rest.empty()) {
            size_t nl = rest.find('\n');
            std::string_view line = rest.substr(0, nl);
            rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
            size_t sp = line.find(' ');
            if (sp == std::string_view::npos || sp == 0 || sp + 1 == line.size())
                return std::nullopt;
            changes.emplace_back(line.substr(0, sp), line.substr(sp + 1));
        }
        field("history");
        set_header(r, changes.size());
        for (const auto& [version, text] : changes) {
            r.array(2);
            r.bulk(version);
            r.bulk(text);
        }
    }
    if (!args.empty()) {
        field("arguments");
        write_doc_args(r, args);
    }
    return fields;
}

std::optional<RenderedDocs> render_entry(const CommandDocEntry& e) {
    auto args = parse_doc_syntax(e.syntax);
    if (!args) return std::nullopt;
    RenderedDocs out;
    auto fields = render_fields(e, *args, out.resp2, 2);
    if (!fields || !render_fields(e, *args, out.resp3, 3)) return std::nullopt;
    out.fields = *fields;
    return out;
}

const std::unordered_map<std::string_view, RenderedDocs>& rendered_docs() {
    static const auto docs = [] {
        std::unordered_map<std::string_view, RenderedDocs> m;
        // An entry that does not parse is left out: has_command_docs() then reports it, which
        // the unit tests check for every command.
        for (const CommandDocEntry& e : command_doc_entries())
            if (auto r = render_entry(e)) m.emplace(e.name, std::move(*r));
        return m;
    }();
    return docs;
}

const RenderedDocs* find_rendered(std::string_view full_name) {
    const auto& docs = rendered_docs();
    auto it = docs.find(full_name);
    if (it == docs.end()) {
        // Names are stored lower case; accept any case from callers.
        it = docs.find(to_lower(full_name));
        if (it == docs.end()) return nullptr;
    }
    return &it->second;
}

void render_hint(std::string& out, const DocArg& a);

void render_hint_list(std::string& out, const std::vector<DocArg>& args, std::string_view sep) {
    for (size_t i = 0; i < args.size(); ++i) {
        if (i) out += sep;
        render_hint(out, args[i]);
    }
}

void render_hint(std::string& out, const DocArg& a) {
    std::string token = a.token;
    if (!token.empty() && a.type != DocArgType::kPureToken) token += ' ';
    std::string body;
    if (a.type == DocArgType::kOneof) {
        render_hint_list(body, a.args, "|");
    } else if (a.type == DocArgType::kBlock) {
        render_hint_list(body, a.args, " ");
    } else if (a.type != DocArgType::kPureToken) {
        body = a.name;
    }
    if (a.optional) out += '[';
    out += token;
    out += body;
    if (a.multiple) {
        out += " [";
        if (a.multiple_token) out += token;
        out += body;
        out += " ...]";
    }
    if (a.optional) out += ']';
}

}  // namespace

std::string_view doc_arg_type_name(DocArgType type) {
    switch (type) {
        case DocArgType::kString:
            return "string";
        case DocArgType::kInteger:
            return "integer";
        case DocArgType::kDouble:
            return "double";
        case DocArgType::kKey:
            return "key";
        case DocArgType::kPattern:
            return "pattern";
        case DocArgType::kUnixTime:
            return "unix-time";
        case DocArgType::kPureToken:
            return "pure-token";
        case DocArgType::kOneof:
            return "oneof";
        case DocArgType::kBlock:
            return "block";
    }
    return "string";
}

Result<std::vector<DocArg>> parse_doc_syntax(std::string_view syntax) {
    return SyntaxParser(syntax).parse();
}

std::string doc_args_hint(const std::vector<DocArg>& args) {
    std::string out;
    render_hint_list(out, args, " ");
    return out;
}

void write_doc_args(Reply& reply, const std::vector<DocArg>& args) {
    reply.array(args.size());
    for (const DocArg& a : args) {
        bool nested = a.type == DocArgType::kOneof || a.type == DocArgType::kBlock;
        bool flags = a.optional || a.multiple || a.multiple_token;
        size_t n = 2 + (a.key_spec_index >= 0) + !a.token.empty() + !a.since.empty() +
                   !a.deprecated_since.empty() + flags + nested;
        reply.map(n);
        reply.bulk("name");
        reply.bulk(a.name);
        reply.bulk("type");
        reply.bulk(doc_arg_type_name(a.type));
        if (a.key_spec_index >= 0) {
            reply.bulk("key_spec_index");
            reply.integer(a.key_spec_index);
        }
        if (!a.token.empty()) {
            reply.bulk("token");
            reply.bulk(a.token);
        }
        if (!a.since.empty()) {
            reply.bulk("since");
            reply.bulk(a.since);
        }
        if (!a.deprecated_since.empty()) {
            reply.bulk("deprecated_since");
            reply.bulk(a.deprecated_since);
        }
        if (flags) {
            reply.bulk("flags");
            write_flags(reply, {{a.optional, "optional"},
                                {a.multiple, "multiple"},
                                {a.multiple_token, "multiple_token"}});
        }
        if (nested) {
            reply.bulk("arguments");
            write_doc_args(reply, a.args);
        }
    }
}

const CommandDocEntry* find_command_doc_entry(std::string_view full_name) {
    for (const CommandDocEntry& e : command_doc_entries())
        if (e.name == full_name) return &e;
    return nullptr;
}

void reply_command_docs(Reply& reply, const CommandSpec& spec) {
    const RenderedDocs* docs = find_rendered(spec.full_name());
    if (!docs) {
        reply.map(0);
        return;
    }
    bool container = !spec.subcommands.empty();
    reply.map(docs->fields + (container ? 1 : 0));
    reply.raw(reply.resp() == 3 ? docs->resp3 : docs->resp2);
    if (!container) return;
    reply.bulk("subcommands");
    size_t n = 0;
    for (const CommandSpec& sub : spec.subcommands) n += has_command_docs(sub.full_name()) ? 1 : 0;
    reply.map(n);
    for (const CommandSpec& sub : spec.subcommands) {
        std::string name = sub.full_name();
        if (!has_command_docs(name)) continue;
        reply.bulk(name);
        reply_command_docs(reply, sub);
    }
}

bool has_command_docs(std::string_view full_name) {
    return find_rendered(full_name) != nullptr;
}

}  // namespace snapstream
