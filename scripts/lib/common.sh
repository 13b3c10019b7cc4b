# Shared helpers for the project's scripts. Source it; do not run it.
#
# Everything here is fast and side-effect free, so every script may source it.

# Repository root (the directory above scripts/).
TELLME_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly TELLME_REQUIRED_JDK=25

# Prints "SCRIPT: MESSAGE" on standard error (the tools' one error style) and exits with 1.
tellme_die() {
    printf '%s: %s\n' "$(basename "$0")" "$*" >&2
    exit 1
}

# Prints the major version of the JDK at $1 (a JAVA_HOME), or nothing when $1 holds no JDK with javac.
tellme_jdk_major() {
    local home="$1"
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
    local release="$home/release"
    if [ -r "$release" ]; then
        # JAVA_VERSION="25.0.3" or "1.8.0_412"
        sed -n 's/^JAVA_VERSION="\([0-9]*\)\.\{0,1\}\([0-9]*\).*"/\1 \2/p' "$release" |
            awk '{ print ($1 == 1 ? $2 : $1) }'
        return 0
    fi
    "$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

# Prints a JAVA_HOME holding JDK >= 25: $JAVA_HOME first, then /usr/lib/jvm/* (newest first).
# Prints nothing when there is none.
tellme_find_jdk() {
    local candidate major
    for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
        [ -n "$candidate" ] || continue
        candidate="${candidate%/}"
        major="$(tellme_jdk_major "$candidate")"
        if [ -n "$major" ] && [ "$major" -ge "$TELLME_REQUIRED_JDK" ]; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
}

# Exports JAVA_HOME (JDK >= 25) and puts its bin first on PATH, or stops with instructions.
tellme_use_jdk() {
    local home
    home="$(tellme_find_jdk)"
    [ -n "$home" ] || tellme_die "no JDK ${TELLME_REQUIRED_JDK} or newer found (looked at \$JAVA_HOME='${JAVA_HOME:-}' and /usr/lib/jvm/*).
  Install one, for example Eclipse Temurin ${TELLME_REQUIRED_JDK} (https://adoptium.net, or apt package temurin-${TELLME_REQUIRED_JDK}-jdk
  from packages.adoptium.net), then run again, or point JAVA_HOME at it."
    export JAVA_HOME="$home"
    export PATH="$JAVA_HOME/bin:$PATH"
}

# Maven options shared by every script: batch mode, no download progress, and no JDK 25 warning about
# Maven 3.8's own use of sun.misc.Unsafe.
tellme_maven_env() {
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
}
