#!/usr/bin/env python3
"""Extract the Simplified Chinese faces of Noto Serif CJK from Debian's fonts-noto-cjk TTC files.

Usage (Debian/Ubuntu):
    apt-get install fonts-noto-cjk && pip install fonttools
    python3 documents-service/fonts/extract.py [TTC_DIR]

Each face is copied whole (every glyph and OpenType table), not subset: the SC cmap covers
44,746 code points, including rare name characters such as 堃 喆 犇 燚 镕 𠮷.
The head timestamp is kept, so the output is byte-for-byte reproducible from the same TTC files.
"""

import os
import sys

from fontTools.ttLib import TTCollection

TTC_DIR = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto"
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
FACES = [
    ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "NotoSerifCJKsc-Regular.otf"),
    ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC Bold", "NotoSerifCJKsc-Bold.otf"),
]
RARE = "堃喆犇燚镕𠮷"

for ttc, full_name, out in FACES:
    collection = TTCollection(os.path.join(TTC_DIR, ttc))
    matches = [f for f in collection.fonts if f["name"].getDebugName(4) == full_name]
    if len(matches) != 1:
        sys.exit(f"{ttc}: expected one face named {full_name!r}, found {len(matches)}")
    face = matches[0]
    cmap = face.getBestCmap()
    missing = [c for c in RARE if ord(c) not in cmap]
    if missing:
        sys.exit(f"{ttc}: {full_name} lacks {missing}")
    glyphs = face["maxp"].numGlyphs
    face.recalcTimestamp = False
    face.save(os.path.join(OUT_DIR, out))
    print(f"{out}: {len(cmap)} code points, {glyphs} glyphs")
