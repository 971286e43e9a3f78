// snapstream-server [config.yaml] [--name value ...]
#include <cstdio>
#include <cstring>
#include <exception>

#include "config/config.h"
#include "node/log.h"
#include "node/server.h"

int main(int argc, char** argv) {
    if (argc >= 2 && (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "-v"))) {
        std::printf("snapstream-server v=%s (Redis 7.0 compatible)\n", SNAPSTREAM_VERSION);
        return 0;
    }
    if (argc >= 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
        std::printf(
            "Usage: snapstream-server [/path/to/config.yaml] [--name value ...]\n"
            "       snapstream-server --version\n\n"
            "Every parameter can be given in the YAML file (name: value) or as --name value;\n"
            "flags override the file. Example:\n"
            "       snapstream-server --port 7777 --save \"\" --appendonly yes\n");
        return 0;
    }
    auto cfg = snapstream::config::load(argc, argv);
    if (!cfg) {
        std::fprintf(stderr, "*** FATAL CONFIG ERROR *** %s\n", cfg.error().c_str());
        return 1;
    }
    try {
        snapstream::init_logging(*cfg);
        spdlog::info("snapstream {} starting, pid={}", SNAPSTREAM_VERSION,
                     static_cast<int>(getpid()));
        if (cfg->config_file.empty())
            spdlog::warn(
                "No config file specified, using the default config. In order to specify a "
                "config file use snapstream-server /path/to/config.yaml");
        snapstream::Server server(std::move(*cfg));
        return server.run();
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
