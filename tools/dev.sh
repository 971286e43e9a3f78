#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root, or with sudo available):
#   tools/dev.sh run   [--name value ...]  install what is missing, build, start a node (127.0.0.1:6379)
#   tools/dev.sh test                      install what is missing, build with -Werror, run every test
#   tools/dev.sh build                     install what is missing and build only
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="${SNAPSTREAM_BUILD_DIR:-$here/build}"

# Debian packages the build and the tests need (redis-server/redis-tools are test oracles only).
packages=(build-essential cmake ninja-build pkg-config libasio-dev libyaml-cpp-dev libspdlog-dev
          libgtest-dev libjemalloc-dev libxxhash-dev liblzf-dev redis-server redis-tools python3 python3-redis
          clang-format)

install_missing() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian's package starts a redis-server service where an init system runs; the tests start
    # their own oracle servers on free ports and never use it.
}

# Every C++ file must be as clang-format (Debian's, with the root .clang-format) leaves it.
format_check() {
    local files=()
    mapfile -t files < <(cd "$here" && find node config common persistence replication tools \
        tests bench -name '*.cpp' -o -name '*.h' 2>/dev/null | sort)
    if ! (cd "$here" && clang-format --dry-run -Werror "${files[@]}"); then
        echo "clang-format: the files above are not formatted (run clang-format -i on them)" >&2
        return 1
    fi
}

build() {
    local werror=${1:-OFF}
    cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSNAPSTREAM_WERROR="$werror" >/dev/null
    cmake --build "$build_dir" -j "$(nproc)"
}

cmd=${1:-}
shift || true
case "$cmd" in
    run)
        install_missing
        build OFF
        exec "$build_dir/snapstream-server" "$@"
        ;;
    test)
        install_missing
        format_check
        build ON
        cd "$build_dir"
        ctest --output-on-failure -j "$(nproc)" --timeout 600
        ;;
    build)
        install_missing
        build "${1:-OFF}"
        ;;
    *)
        echo "usage: tools/dev.sh run [--name value ...] | test | build" >&2
        exit 2
        ;;
esac
