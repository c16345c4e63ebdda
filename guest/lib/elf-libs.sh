# shellcheck shell=bash
# Sourced by build-image.sh. Finds every shared library a set of riscv64
# programs needs, by following DT_NEEDED entries recursively inside an
# unpacked package tree (the host's own libraries are never consulted: they
# are the wrong architecture).
#
# elf_libs_resolve ROOT FILE...
#   ROOT: directory holding the unpacked riscv64 packages
#   FILE: programs (paths inside ROOT, or absolute)
# Prints "SONAME<TAB>PATH" for each needed library, PATH absolute under ROOT.
# Fails, naming the soname and who needs it, if a library is missing.

# Directories the riscv64 dynamic loader searches on Debian, relative to /.
ELF_LIBS_SEARCH_DIRS=(usr/lib/riscv64-linux-gnu lib/riscv64-linux-gnu usr/lib lib)

elf_libs_needed() {
  riscv64-linux-gnu-readelf -d "$1" 2>/dev/null |
    sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\].*/\1/p'
}

elf_libs_interpreter() {
  riscv64-linux-gnu-readelf -l "$1" 2>/dev/null |
    sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p'
}

elf_libs_locate() {
  local root=$1 soname=$2 dir
  for dir in "${ELF_LIBS_SEARCH_DIRS[@]}"; do
    if [[ -e $root/$dir/$soname ]]; then
      printf '%s\n' "$root/$dir/$soname"
      return 0
    fi
  done
  return 1
}

elf_libs_resolve() {
  local root=$1
  shift
  local -A found=()
  local -a queue=("$@")
  local file soname path
  while ((${#queue[@]})); do
    file=${queue[0]}
    queue=("${queue[@]:1}")
    [[ $file == /* ]] || file=$root/$file
    [[ -e $file ]] || { echo "elf-libs: $file does not exist" >&2; return 1; }
    while IFS= read -r soname; do
      [[ -n ${found[$soname]:-} ]] && continue
      path=$(elf_libs_locate "$root" "$soname") || {
        echo "elf-libs: ${file#"$root"/} needs $soname, not found in the unpacked packages" >&2
        return 1
      }
      found[$soname]=$path
      printf '%s\t%s\n' "$soname" "$path"
      queue+=("$path")
    done < <(elf_libs_needed "$file")
  done
}
