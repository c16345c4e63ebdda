#!/usr/bin/env bash
# Prints the URI of the main Debian archive as configured in the host's own
# apt sources. We never hard-code a mirror: the image must be fetched from
# whatever mirror this host is allowed to reach.
#
# "Main archive" = a `deb` entry whose suite is a plain codename (no
# -security/-updates/-backports suffix) and whose URI path ends in /debian.
# Both deb822 (*.sources) and one-line (*.list) formats are read.
# Usage: host-mirror.sh [APT_ETC_DIR]   (default /etc/apt; for tests)
set -euo pipefail

etc=${1:-/etc/apt}

# Emits "URI SUITE" pairs, one per line, from one-line format files.
pairs_from_list() {
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%%#*}
    # Drop "[option=value ...]" blocks, which may sit between type and URI.
    line=$(sed -E 's/\[[^]]*\]//g' <<<"$line")
    read -r -a f <<<"$line" || true
    [[ ${#f[@]} -ge 3 && ${f[0]} == deb ]] || continue
    printf '%s %s\n' "${f[1]}" "${f[2]}"
  done <"$1"
}

# Emits "URI SUITE" pairs from deb822 files; stanzas are separated by blank
# lines and may list several URIs and suites each.
pairs_from_sources() {
  awk '
    function flush(   i, j, nu, ns, u, s) {
      if (types ~ /(^| )deb( |$)/ && enabled != "no") {
        nu = split(uris, u, " "); ns = split(suites, s, " ")
        for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
      }
      types = uris = suites = ""; enabled = "yes"
    }
    BEGIN { enabled = "yes" }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    {
      key = tolower($0); sub(/:.*/, "", key)
      val = $0; sub(/^[^:]*:[ \t]*/, "", val)
      if (key == "types") types = val
      else if (key == "uris") uris = val
      else if (key == "suites") suites = val
      else if (key == "enabled") enabled = tolower(val)
    }
    END { flush() }
  ' "$1"
}

all_pairs() {
  local f
  [[ -f $etc/sources.list ]] && pairs_from_list "$etc/sources.list"
  for f in "$etc"/sources.list.d/*.list; do
    [[ -f $f ]] && pairs_from_list "$f"
  done
  for f in "$etc"/sources.list.d/*.sources; do
    [[ -f $f ]] && pairs_from_sources "$f"
  done
  return 0
}

main_archive_uri() {
  local uri suite path
  while read -r uri suite; do
    [[ $suite == *-* || $suite == */* ]] && continue
    path=${uri%/}
    [[ $path == */debian ]] || continue
    printf '%s\n' "$path"
    return 0
  done < <(all_pairs)
  echo "host-mirror.sh: no main Debian archive entry found in $etc/sources.list{,.d}" >&2
  return 1
}

main_archive_uri
