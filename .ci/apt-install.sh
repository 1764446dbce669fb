# Sourced by the .ci/steps scripts: `apt_install PACKAGE...` installs Debian
# packages non-interactively (with sudo when not root), bounded in time.
apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 $sudo apt-get update -qq
  timeout 1200 $sudo apt-get install -y -qq "$@"
}
