# shellcheck shell=bash
# Sourced by build-image.sh. A private apt for Debian trixie riscv64 that
# lives entirely under one directory, so building the guest never touches
# (or depends on) the host's apt state beyond reading its mirror URI.
#
# private_apt_init DIR MIRROR_URI  -> writes DIR/apt.conf, sets PRIVATE_APT_CONF
# private_apt_update               -> fetches indexes once (skipped when present)
# private_apt_fetch PKG...         -> prints paths of cached .debs, downloading
#                                     only those not yet in the cache (checked
#                                     against the index SHA256)
# private_apt_depends PKG          -> apt-cache depends output

PRIVATE_APT_SUITE=trixie
PRIVATE_APT_ARCH=riscv64
PRIVATE_APT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

private_apt_init() {
  local dir=$1 mirror=$2
  PRIVATE_APT_DIR=$dir
  PRIVATE_APT_CONF=$dir/apt.conf
  mkdir -p "$dir/etc/sources.list.d" "$dir/etc/preferences.d" "$dir/etc/apt.conf.d" \
    "$dir/state/lists/partial" "$dir/cache/archives/partial" "$dir/debs"
  [[ -r $PRIVATE_APT_KEYRING ]] || {
    echo "private-apt: missing $PRIVATE_APT_KEYRING (install debian-archive-keyring)" >&2
    return 1
  }
  local sources="deb [signed-by=$PRIVATE_APT_KEYRING arch=$PRIVATE_APT_ARCH] $mirror $PRIVATE_APT_SUITE main"
  # Rewrite only on change so the index timestamps stay meaningful.
  if [[ ! -f $dir/etc/sources.list ]] || [[ $(<"$dir/etc/sources.list") != "$sources" ]]; then
    printf '%s\n' "$sources" >"$dir/etc/sources.list"
    rm -f "$dir/state/lists/"*_dists_* 2>/dev/null || true
  fi
  # Every Dir:: that apt would otherwise take from the host points inside
  # $dir; Dir::Etc::* are relative to Dir::Etc. The host dpkg status is
  # replaced by an empty one so dependency answers are about riscv64 only.
  # (Created once: touching it would make apt rebuild its cache every run.)
  [[ -f $dir/state/status ]] || : >"$dir/state/status"
  cat >"$PRIVATE_APT_CONF" <<CONF
APT::Architecture "$PRIVATE_APT_ARCH";
APT::Architectures { "$PRIVATE_APT_ARCH"; };
APT::Get::AllowUnauthenticated "false";
Acquire::Check-Valid-Until "false";
// Fetch indexes by their hash (immutable paths): a mirror caught in the middle
// of a sync then still serves a consistent set.
Acquire::By-Hash "force";
Acquire::Retries "3";
Acquire::Languages "none";
Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
Dir::Etc "$dir/etc";
Dir::Etc::main "apt.conf";
Dir::Etc::parts "apt.conf.d";
Dir::Etc::sourcelist "sources.list";
Dir::Etc::sourceparts "sources.list.d";
Dir::Etc::preferences "preferences";
Dir::Etc::preferencesparts "preferences.d";
Dir::Etc::trusted "$dir/etc/trusted.gpg";
Dir::Etc::trustedparts "$dir/etc/trusted.gpg.d";
Dir::State "$dir/state";
Dir::State::lists "$dir/state/lists";
Dir::State::status "$dir/state/status";
Dir::Cache "$dir/cache";
Dir::Cache::pkgcache "$dir/cache/pkgcache.bin";
Dir::Cache::srcpkgcache "$dir/cache/srcpkgcache.bin";
Dir::Cache::archives "$dir/cache/archives";
Debug::NoLocking "true";
CONF
  # As root, apt would try (and fail) to download as _apt into a directory
  # _apt cannot write, warning each time; it is root's own directory anyway.
  if [[ $EUID -eq 0 ]]; then
    echo 'APT::Sandbox::User "root";' >>"$PRIVATE_APT_CONF"
  fi
  : >"$dir/etc/apt.conf"
  mkdir -p "$dir/etc/trusted.gpg.d"
}

# APT_CONFIG is read before apt looks at Dir::Etc::parts, so with it the
# host's /etc/apt/apt.conf.d is never consulted; -c alone would come too late.
private_apt() { APT_CONFIG=$PRIVATE_APT_CONF apt-get -c "$PRIVATE_APT_CONF" "$@"; }
private_apt_cache() { APT_CONFIG=$PRIVATE_APT_CONF apt-cache -c "$PRIVATE_APT_CONF" "$@"; }

private_apt_update() {
  if compgen -G "$PRIVATE_APT_DIR/state/lists/*_Packages*" >/dev/null; then
    return 0  # indexes already present: a rebuild downloads nothing
  fi
  echo "private-apt: fetching $PRIVATE_APT_SUITE/$PRIVATE_APT_ARCH package indexes" >&2
  # apt-get update exits 0 even when an index failed, so check for the
  # Packages index itself; a mirror in mid-sync gets a few more chances.
  local attempt
  for attempt in 1 2 3; do
    private_apt -q update >&2 || true
    if compgen -G "$PRIVATE_APT_DIR/state/lists/*_Packages*" >/dev/null; then
      private_apt_cache_store
      return 0
    fi
    echo "private-apt: package index not fetched (attempt $attempt); retrying in $((attempt * 10)) s" >&2
    sleep $((attempt * 10))
  done
  # A mirror caught mid-sync can serve an index that does not match its
  # Release file for hours; indexes verified by an earlier build on this host
  # (signatures and hashes were checked then) keep the build going.
  if compgen -G "$PRIVATE_APT_SHARED/lists/*_Packages*" >/dev/null; then
    echo "private-apt: using the package indexes verified by an earlier build ($PRIVATE_APT_SHARED)" >&2
    cp -a "$PRIVATE_APT_SHARED/lists/." "$PRIVATE_APT_DIR/state/lists/"
    return 0
  fi
  echo "private-apt: could not fetch the $PRIVATE_APT_SUITE/$PRIVATE_APT_ARCH package index from the mirror" >&2
  return 1
}

# A host-wide cache shared by every build folder (FTVM_GUEST_CACHE, default
# /var/cache/ftvm-guest): verified indexes and .debs, so a new build folder
# downloads nothing the host already has.
PRIVATE_APT_SHARED=${FTVM_GUEST_CACHE:-/var/cache/ftvm-guest}
private_apt_cache_store() {
  mkdir -p "$PRIVATE_APT_SHARED/lists" "$PRIVATE_APT_SHARED/debs" 2>/dev/null || return 0
  cp -a "$PRIVATE_APT_DIR/state/lists/." "$PRIVATE_APT_SHARED/lists/" 2>/dev/null || true
  rm -rf "$PRIVATE_APT_SHARED/lists/partial" "$PRIVATE_APT_SHARED/lists/lock"
}

private_apt_depends() { private_apt_cache depends "$@"; }

# "FILENAME SHA256" of the candidate .deb of PKG, as apt-get download names
# it (an epoch's ':' becomes %3a).
private_apt_candidate() {
  private_apt_cache show --no-all-versions "$1" 2>/dev/null | awk -v pkg="$1" '
    /^Version: / { ver = $2 } /^Architecture: / { arch = $2 } /^SHA256: / { sum = $2 }
    END { if (ver == "" || sum == "") exit 1; gsub(/:/, "%3a", ver); print pkg "_" ver "_" arch ".deb", sum }'
}

# True if FILE exists with checksum SUM; a truncated or corrupt file (say,
# from an interrupted build) is deleted so that it gets downloaded again.
private_apt_verified() {
  local file=$1 sum=$2
  [[ -f $file ]] || return 1
  [[ $(sha256sum "$file" | cut -d' ' -f1) == "$sum" ]] && return 0
  echo "private-apt: $file does not match the index checksum; fetching it again" >&2
  rm -f "$file"
  return 1
}

private_apt_fetch() {
  local pkg candidate name sum
  for pkg in "$@"; do
    candidate=$(private_apt_candidate "$pkg") || {
      echo "private-apt: no $PRIVATE_APT_ARCH package '$pkg' in $PRIVATE_APT_SUITE" >&2
      return 1
    }
    read -r name sum <<<"$candidate"
    if ! private_apt_verified "$PRIVATE_APT_DIR/debs/$name" "$sum" &&
       private_apt_verified "$PRIVATE_APT_SHARED/debs/$name" "$sum"; then
      cp "$PRIVATE_APT_SHARED/debs/$name" "$PRIVATE_APT_DIR/debs/$name"
    fi
    if ! private_apt_verified "$PRIVATE_APT_DIR/debs/$name" "$sum"; then
      echo "private-apt: downloading $pkg" >&2
      (cd "$PRIVATE_APT_DIR/debs" && private_apt -q download "$pkg" >&2) || {
        echo "private-apt: could not download $pkg" >&2
        return 1
      }
      private_apt_verified "$PRIVATE_APT_DIR/debs/$name" "$sum" || {
        echo "private-apt: $pkg downloaded but $name is missing or corrupt" >&2
        return 1
      }
      mkdir -p "$PRIVATE_APT_SHARED/debs" 2>/dev/null && cp "$PRIVATE_APT_DIR/debs/$name" "$PRIVATE_APT_SHARED/debs/" 2>/dev/null || true
    fi
    printf '%s\n' "$PRIVATE_APT_DIR/debs/$name"
  done
}
