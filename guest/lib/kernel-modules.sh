# shellcheck shell=bash
# Sourced by build-image.sh. Computes which kernel modules the guest needs
# and in what order to load them. Debian ships modules as .ko.xz without a
# modules.dep in the package (depmod runs at install time), so dependencies
# come from each module's own .modinfo "depends=" field.
#
# modules_resolve MODDIR WORKDIR ROOT...
#   MODDIR : usr/lib/modules/<kver> of the unpacked kernel package
#   WORKDIR: where decompressed NAME.ko files are kept (reused across builds)
#   ROOT   : module names (dashes or underscores), in preferred load order
# Prints the module names, dependencies before dependents, one per line.

# Kernel module names treat '-' and '_' as the same; use '_' throughout.
modules_canonical() { printf '%s\n' "${1//-/_}"; }

# Fills the associative array MODULES_PATH (canonical name -> file) and
# MODULES_BUILTIN (canonical name -> 1) in one pass, so lookups are O(1).
modules_index() {
  local moddir=$1 f base
  declare -gA MODULES_PATH=() MODULES_BUILTIN=()
  while IFS= read -r f; do
    base=${f##*/}
    base=${base%%.ko*}
    MODULES_PATH[${base//-/_}]=$f
  done < <(find "$moddir/kernel" -name '*.ko*' | LC_ALL=C sort)
  if [[ -f $moddir/modules.builtin ]]; then
    while IFS= read -r f; do
      base=${f##*/}
      base=${base%.ko}
      MODULES_BUILTIN[${base//-/_}]=1
    done <"$moddir/modules.builtin"
  fi
}

# Decompresses NAME into WORKDIR/NAME.ko unless already there.
modules_unpack() {
  local moddir=$1 workdir=$2 name=$3 src
  [[ -s $workdir/$name.ko ]] && return 0
  src=${MODULES_PATH[$name]:-}
  [[ -n $src ]] || {
    echo "kernel-modules: module '$name' is neither built in nor in $moddir" >&2
    return 1
  }
  case $src in
    *.ko.xz) xz -dc "$src" >"$workdir/$name.ko.tmp" ;;
    *.ko.zst) zstd -qdc "$src" >"$workdir/$name.ko.tmp" ;;
    *.ko.gz) gzip -dc "$src" >"$workdir/$name.ko.tmp" ;;
    *.ko) cp "$src" "$workdir/$name.ko.tmp" ;;
    *) echo "kernel-modules: unknown module format $src" >&2; return 1 ;;
  esac
  mv "$workdir/$name.ko.tmp" "$workdir/$name.ko"
}

# The comma-separated depends= list of an unpacked module, one per line.
modules_depends_of() {
  local ko=$1 info
  info=$(mktemp)
  riscv64-linux-gnu-objcopy -O binary --only-section=.modinfo "$ko" "$info" || {
    rm -f "$info"
    echo "kernel-modules: cannot read .modinfo of $ko" >&2
    return 1
  }
  tr '\0' '\n' <"$info" | sed -n 's/^depends=//p' | tr ',' '\n' | sed '/^$/d'
  rm -f "$info"
}

modules_resolve() {
  local moddir=$1 workdir=$2
  shift 2
  mkdir -p "$workdir"
  modules_index "$moddir"
  local -A state=()   # name -> visiting|done
  local -a order=()
  local root
  # Depth-first, emitting a module after all of its dependencies.
  _modules_visit() {
    local name dep
    name=$(modules_canonical "$1")
    case ${state[$name]:-} in
      done) return 0 ;;
      visiting) echo "kernel-modules: dependency cycle through $name" >&2; return 1 ;;
    esac
    if [[ -n ${MODULES_BUILTIN[$name]:-} ]]; then
      state[$name]='done'
      return 0
    fi
    state[$name]=visiting
    modules_unpack "$moddir" "$workdir" "$name" || return 1
    local -a deps
    mapfile -t deps < <(modules_depends_of "$workdir/$name.ko")
    for dep in "${deps[@]}"; do
      _modules_visit "$dep" || return 1
    done
    state[$name]='done'
    order+=("$name")
  }
  for root in "$@"; do
    _modules_visit "$root" || return 1
  done
  printf '%s\n' "${order[@]}"
}
