#!/usr/bin/env bash
# Installs the system packages reluscope needs, where it can (Debian/Ubuntu via apt-get).
#   build:   cmake, a C++ compiler and libclang (HiGHS is compiled from source by highs-sys),
#            the C library's archives (the command line's binary is linked statically)
#   run GUI: X11/Wayland/OpenGL client libraries (loaded at run time) and zenity (file dialog)
# Idempotent and quiet when everything is present. Under CI=true the GUI libraries are skipped:
# the UI tests run headless.
set -euo pipefail

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
# The C library's archives, for the command line's static binary (build.rs).
case "$(cc -print-file-name=libc.a 2>/dev/null)" in /*) ;; *) missing+=(libc6-dev) ;; esac
if ! ldconfig -p 2>/dev/null | grep -q 'libclang\(-[0-9.]*\)\?\.so'; then
  missing+=(libclang-dev)
fi
if [ "${CI:-}" != "true" ]; then
  for lib in libxkbcommon.so.0:libxkbcommon0 libxkbcommon-x11.so.0:libxkbcommon-x11-0 \
             libGL.so.1:libgl1 libEGL.so.1:libegl1 libX11.so.6:libx11-6 libXcursor.so.1:libxcursor1 \
             libXrandr.so.2:libxrandr2 libXi.so.6:libxi6 libwayland-client.so.0:libwayland-client0; do
    ldconfig -p 2>/dev/null | grep -q "${lib%%:*}" || missing+=("${lib##*:}")
  done
  command -v zenity >/dev/null 2>&1 || missing+=(zenity)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "reluscope setup: please install: ${missing[*]} (cmake, a C++ compiler, libclang; GUI: X11/GL libraries)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo="sudo"
fi
echo "reluscope setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
