// Every function of the C API has a C++ wrapper: the function names are read
// from include/crmkit.h (declarations outside comments: `crm_xxx(`), and
// the code of include/crmkit.hpp must use each of them, so a function added to the C
// API without a wrapper fails this test.
//
// Compiled by tests/c_abi.rs as C++17 and run with argv[1] =
// <repo>/examples/data/sample_company.json; the headers are found from there.
#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

static std::string read_file(const std::string &path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

static bool identifier_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Names `crm_xxx` outside /* */ and // comments: with `call_only`, only
// those directly followed by `(` (declarations in the C header).
static std::set<std::string> names_in(const std::string &source, bool call_only) {
    std::set<std::string> names;
    std::size_t i = 0;
    while (i < source.size()) {
        if (source.compare(i, 2, "/*") == 0) {
            const std::size_t end = source.find("*/", i + 2);
            i = end == std::string::npos ? source.size() : end + 2;
            continue;
        }
        if (source.compare(i, 2, "//") == 0) {
            const std::size_t end = source.find('\n', i);
            i = end == std::string::npos ? source.size() : end;
            continue;
        }
        if (source.compare(i, 4, "crm_") == 0 && (i == 0 || !identifier_char(source[i - 1]))) {
            std::size_t end = i;
            while (end < source.size() && identifier_char(source[end])) {
                end++;
            }
            if (!call_only || (end < source.size() && source[end] == '(')) {
                names.insert(source.substr(i, end - i));
            }
            i = end;
            continue;
        }
        i++;
    }
    return names;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <repo>/examples/data/sample_company.json\n", argv[0]);
        return 1;
    }
    std::string root = argv[1];
    const std::size_t cut = root.rfind("examples/data/");
    root = cut == std::string::npos ? std::string("./") : root.substr(0, cut);
    const std::string header = read_file(root + "include/crmkit.h");
    const std::string wrapper = read_file(root + "include/crmkit.hpp");
    const std::set<std::string> declared = names_in(header, true);
    // The wrapper calls some functions through helpers (`json_out(crm_x, ...)`)
    // or hands them to deleters (`Owned<crm_dataset, crm_dataset_free>`), so
    // any use in its code (not its comments) counts.
    const std::set<std::string> used = names_in(wrapper, false);
    int missing = 0;
    for (const std::string &name : declared) {
        if (used.count(name) == 0) {
            std::fprintf(stderr, "crmkit.hpp does not wrap %s\n", name.c_str());
            missing++;
        }
    }
    if (declared.size() < 40) {
        std::fprintf(stderr, "only %zu functions found in %sinclude/crmkit.h\n", declared.size(),
                     root.c_str());
        return 1;
    }
    if (missing != 0) {
        return 1;
    }
    std::printf("coverage: crmkit.hpp wraps all %zu functions of crmkit.h\n", declared.size());
    return 0;
}
