# shellcheck shell=bash
# Sourced by the bench scripts: the generated sections of docs/BENCHMARKS.md.
# write_doc_section DOC NAME TEXT [AFTER]: TEXT (which starts with
# "<!-- bench:NAME begin -->" and ends with "<!-- bench:NAME end -->")
# replaces the section of that name in DOC; a new section goes right after
# the section named AFTER when there is one, else at the end.
write_doc_section() {
  local doc=$1 name=$2 text=$3 after=${4:-}
  if grep -q "<!-- bench:$name begin -->" "$doc"; then
    awk -v s="$text" -v b="<!-- bench:$name begin -->" -v e="<!-- bench:$name end -->" \
      'BEGIN{skip=0} $0 == b {print s; skip=1; next} $0 == e {skip=0; next} !skip' "$doc" >"$doc.tmp"
  elif [[ -n $after ]] && grep -q "<!-- bench:$after end -->" "$doc"; then
    awk -v s="$text" -v a="<!-- bench:$after end -->" '{print} $0 == a {print ""; print s}' "$doc" >"$doc.tmp"
  else
    { cat "$doc"; printf '\n%s\n' "$text"; } >"$doc.tmp"
  fi
  mv "$doc.tmp" "$doc"
}
