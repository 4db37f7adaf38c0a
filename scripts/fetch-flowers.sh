#!/bin/sh
# scripts/fetch-flowers.sh - download TensorFlow's flowers example set
# (3,670 JPEGs in 5 class folders, CC-BY 2.0 per photo) into datasets/flower_photos/.
# Offline: copy flower_photos/ (or flower_photos.tgz) from elsewhere, or set
# MLSH_DATA to a folder holding data/flower_photos/ (e.g. MLSH_DATA=../shared).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/download.sh"
URL=https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz
DEST="$ROOT/datasets"
if [ -d "$DEST/flower_photos/daisy" ]; then echo "fetch-flowers: $DEST/flower_photos already present"; exit 0; fi
TGZ="$DEST/flower_photos.tgz"
if [ ! -s "$TGZ" ]; then
  echo "fetch-flowers: downloading $URL (about 220 MB)"
  if ! download fetch-flowers "$URL" "$TGZ"; then
    echo "  Put flower_photos.tgz into $DEST/ and run this again, or set MLSH_DATA to a folder"
    echo "  holding data/flower_photos/ (for example MLSH_DATA=../shared): mlsh finds it there."
    exit 1
  fi
fi
tar -xzf "$TGZ" -C "$DEST" && rm -f "$TGZ" && echo "fetch-flowers: unpacked to $DEST/flower_photos (ignored by git)"
