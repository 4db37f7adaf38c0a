# scripts/download.sh - sourced by the fetch scripts: download NAME URL FILE
# fetches URL into FILE (through FILE.part, so an interrupted download
# never looks complete) with curl or wget. Returns 0, or 1 after saying why
# ("NAME: download failed (offline?)."); the caller adds what to do instead.
download() {
  if command -v curl >/dev/null 2>&1; then curl -fL --retry 2 -o "$3.part" "$2"
  elif command -v wget >/dev/null 2>&1; then wget -O "$3.part" "$2"
  else echo "$1: neither curl nor wget is installed (apt-get install curl)"; false; fi
  if [ $? -ne 0 ] || [ ! -s "$3.part" ]; then
    rm -f "$3.part"
    echo "$1: download failed (offline?)."
    return 1
  fi
  mv "$3.part" "$3"
}
