# shellcheck shell=bash
# Sourced by build-image.sh. Lists the applets compiled into a busybox
# binary of any architecture without running it: busybox keeps its applet
# names as one sorted run of NUL-terminated strings beginning "[", "[[".
# The "[" is not NUL-preceded (it follows other data), hence the suffix match.
#
# busybox_applets BUSYBOX_BINARY  -> one applet name per line

busybox_applets() {
  local bin=$1
  tr '\0' '\n' <"$bin" | LC_ALL=C awk '
    # Start at the "[" "[[" pair; stop at the first string that is not an
    # applet-like name or breaks the ascending order. The rest is read, not
    # cut off with exit, so tr never dies of SIGPIPE (fatal under pipefail).
    finished { next }
    !started { if (prev ~ /\[$/ && $0 == "[[") { started = 1; print "["; print "[[" ; last = $0 } prev = $0; next }
    { if ($0 !~ /^[a-z0-9][a-z0-9_.-]*$/ || $0 <= last) { finished = 1; next } print; last = $0 }
  '
}

# Fails with a message unless every applet named after BIN is present.
busybox_require_applets() {
  local bin=$1 applet list
  shift
  list=$(busybox_applets "$bin")
  for applet in "$@"; do
    grep -qx -- "$applet" <<<"$list" || {
      echo "busybox-applets: $bin lacks the '$applet' applet /init needs" >&2
      return 1
    }
  done
}
