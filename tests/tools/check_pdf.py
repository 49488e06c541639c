#!/usr/bin/python3
"""Checks PDFs with two independent readers: qpdf (`qpdf --check`, Debian's qpdf) and pikepdf
(Debian python3-pikepdf, from PyPI's pikepdf): opened, every object and stream read, no problem or
warning reported. Prints one line per problem and exits 1 when there is any.

Usage: check_pdf.py FILE.pdf [FILE.pdf ...]
"""
import subprocess
import sys

import pikepdf

problems = []
for path in sys.argv[1:]:
    qpdf = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
    if qpdf.returncode != 0 or "No syntax or stream encoding errors found" not in qpdf.stdout:
        problems.append(f"{path}: qpdf --check: {qpdf.stdout.strip()} {qpdf.stderr.strip()}")
    try:
        with pikepdf.open(path) as pdf:
            for p in pdf.check():
                problems.append(f"{path}: pikepdf: {p}")
            # Every page's content stream parsed operator by operator.
            for page in pdf.pages:
                pikepdf.parse_content_stream(page)
    except Exception as e:  # any failure to read is a problem to report
        problems.append(f"{path}: pikepdf could not read it: {str(e)[:300]}")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
