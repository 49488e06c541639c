#!/usr/bin/env python3
"""WeasyPrint peer benchmark: the same 聘书 as `cargo bench -p documents-service --bench render`.

Renders certificate.html (beside this file; the HTML/CSS equivalent of
templates/appointment_certificate.typ, in the same Noto Serif CJK SC OTF files) to PDF
`--runs` times in one process, each time with its own name and serial as the Rust benchmark
does (王志刚, 王建国, 王晓燕, 王文博, 王堃, 王喆; JGLM-2026-100000, -100001, ...), and prints
the first render's time, the median and p95 of the others, the PDF size and the process's
peak RSS, then one line of JSON for scripts.

Each timed render is the whole job, like the typst one: fill the data into the template,
draw the verification URL's QR code (SVG, error correction M, as src/render/qr.rs), parse,
lay out and write the PDF (fonts subset and embedded) to bytes in memory.

By default one weasyprint FontConfiguration is shared by all renders (the counterpart of the
service's one shared typst renderer): the @font-face files are copied and registered with
fontconfig once, in the first render. `--font-config fresh` makes a new one for every
render, which is what a bare `HTML(...).write_pdf()` call does.

WeasyPrint subsets the embedded fonts with HarfBuzz when libharfbuzz-subset (>= 4.1) is
installed and falls back to fontTools otherwise; with these 24-25 MB CJK fonts the fallback
takes seconds per document. `--subsetter fonttools` forces it, to measure that case.

Set up with setup.sh beside this file, then from the repository root:

    target/weasyprint-venv/bin/python documents-service/benches/weasyprint/run.py [--runs 20]
"""

import argparse
import html
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "certificate.html"

ALLIANCE = "机械行业技工院校高水平专业建设联盟"
CENTER = "机械工业教育发展中心"

# src/render/samples.rs, TemplateKind::AppointmentCertificate with `with_common`.
SAMPLE = {
    "serial": "JGLM-2026-000123",
    "issuer": CENTER,
    "issued_on": "2026-11-24",
    "issued_on_zh": "二〇二六年十一月二十四日",
    "verify_url": "https://jglm.example.cn/verify/JGLM-2026-000123",
    "person_name": "王志刚",
    "unit_name": "浙江机电技师学院",
    "body_name": f"{ALLIANCE}理事会",
    "post_label": "副理事长",
    "term_label": "第二届",
    "term_starts_on_zh": "二〇二六年十一月二十四日",
    "term_ends_on_zh": "二〇三〇年十一月二十三日",
}

GIVEN_NAMES = ["志刚", "建国", "晓燕", "文博", "堃", "喆"]


def certificate(i):
    """The data of document i, as `certificate(i)` in documents-service/benches/render.rs."""
    data = dict(SAMPLE)
    serial = f"JGLM-2026-{100_000 + i:06d}"
    data["person_name"] = "王" + GIVEN_NAMES[i % len(GIVEN_NAMES)]
    data["verify_url"] = f"https://jglm.example.cn/verify/{serial}"
    data["serial"] = serial
    return data


def qr_svg(text, segno):
    """An inline SVG QR code of `text` (level M, quiet zone of 4), or a placeholder box."""
    if segno is None:
        return ('<svg viewBox="0 0 41 41"><rect x="4" y="4" width="33" height="33" '
                'fill="none" stroke="#000" stroke-width="1"/></svg>')
    code = segno.make(text, error="m", boost_error=False, micro=False)
    return code.svg_inline(scale=4, border=4, dark="#000000", light="#ffffff", omitsize=True)


PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def fill(template, data, qr):
    """The template with every {{field}} replaced by its HTML-escaped value."""
    def value(match):
        key = match.group(1)
        if key == "qr_svg":
            return qr
        return html.escape(data[key], quote=True)
    return PLACEHOLDER.sub(value, template)


def ms(seconds):
    return seconds * 1000.0


def percentile(sorted_values, p):
    """Nearest rank, as `percentile` in benches/render.rs."""
    idx = round((len(sorted_values) - 1) * p)
    return sorted_values[min(idx, len(sorted_values) - 1)]


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def pdf_text(pdf_bytes):
    """The PDF's text through pdftotext (poppler-utils), or None without it."""
    if not shutil.which("pdftotext"):
        return None
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf_bytes,
                         capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20,
                        help="documents to render, the first one included (default 20)")
    parser.add_argument("--font-config", choices=("shared", "fresh"), default="shared",
                        help="one FontConfiguration for all renders (default) or one each")
    parser.add_argument("--subsetter", choices=("auto", "fonttools"), default="auto",
                        help="auto: HarfBuzz when libharfbuzz-subset0 is there (default); "
                             "fonttools: force WeasyPrint's slower fontTools fallback")
    parser.add_argument("--out", type=Path,
                        help="folder to write the first and last PDFs to (default: none)")
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs must be at least 2 (the first render and one warm one)")

    try:
        import weasyprint
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.pdf import fonts as pdf_fonts
    except (ImportError, OSError) as error:
        print(f"weasyprint is not importable ({error.__class__.__name__}: {error}).")
        print("Install it with documents-service/benches/weasyprint/setup.sh and run this "
              "script with target/weasyprint-venv/bin/python. Nothing measured.")
        return 0
    try:
        import segno
    except ImportError:
        segno = None
        print("segno is not importable: a QR-sized placeholder box replaces the QR code")

    # Time spent subsetting fonts, the part of write_pdf that depends on the font's size.
    subset_time = [0.0]
    original_subset = pdf_fonts.Font.subset

    def timed_subset(self, *a, **kw):
        start = time.perf_counter()
        try:
            return original_subset(self, *a, **kw)
        finally:
            subset_time[0] += time.perf_counter() - start

    pdf_fonts.Font.subset = timed_subset
    if args.subsetter == "fonttools":
        pdf_fonts.harfbuzz_subset = None  # WeasyPrint then warns once per font and uses fontTools

    subsetter = ("HarfBuzz" if pdf_fonts.harfbuzz_subset
                 and pdf_fonts.harfbuzz.hb_version_atleast(4, 1, 0) else "fontTools")
    print(f"WeasyPrint {weasyprint.__version__} peer benchmark: 聘书, {args.runs} documents, "
          f"font config {args.font_config}, font subsetting by {subsetter}, "
          f"QR by {'segno ' + segno.__version__ if segno else 'placeholder'}")
    print(f"peak RSS after imports: {peak_rss_mib():.0f} MiB")

    template = TEMPLATE.read_text(encoding="utf-8")
    base_url = TEMPLATE.as_uri()
    shared = None
    if args.font_config == "shared":
        start = time.perf_counter()
        shared = FontConfiguration()
        print(f"FontConfiguration(): {ms(time.perf_counter() - start):.1f} ms")

    times, cpu_times, layout_times, subset_times, sizes = [], [], [], [], []
    first_pdf = last_pdf = None
    for i in range(args.runs):
        data = certificate(i)
        subset_time[0] = 0.0
        start, cpu_start = time.perf_counter(), time.process_time()
        font_config = shared if shared is not None else FontConfiguration()
        page = fill(template, data, qr_svg(data["verify_url"], segno))
        document = HTML(string=page, base_url=base_url).render(font_config=font_config)
        laid_out = time.perf_counter()
        pdf = document.write_pdf()
        end, cpu_end = time.perf_counter(), time.process_time()
        times.append(end - start)
        cpu_times.append(cpu_end - cpu_start)
        layout_times.append(laid_out - start)
        subset_times.append(subset_time[0])
        sizes.append(len(pdf))
        if document.pages and len(document.pages) != 1:
            print(f"warning: document {i} has {len(document.pages)} pages, not 1")
        if i == 0:
            first_pdf = pdf
            print(f"first render: {ms(times[0]):.1f} ms (layout {ms(layout_times[0]):.1f} ms, "
                  f"font subsetting {ms(subset_times[0]):.1f} ms), PDF {len(pdf)} bytes, "
                  f"peak RSS {peak_rss_mib():.0f} MiB")
        last_pdf = pdf
        last_data = data

    warm = sorted(times[1:])
    median, p95 = statistics.median(warm), percentile(warm, 0.95)
    print(f"warm 聘书, {len(warm)} renders, a different name and serial each time: "
          f"median {ms(median):.1f} ms, p95 {ms(p95):.1f} ms, "
          f"min {ms(warm[0]):.1f} ms, max {ms(warm[-1]):.1f} ms")
    cpu_median = statistics.median(cpu_times[1:])
    print(f"  CPU time of the process per warm render: median {ms(cpu_median):.1f} ms "
          f"(less sensitive than wall time to other load; load average now "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")
    print(f"  of which layout (parse + style + layout): median "
          f"{ms(statistics.median(layout_times[1:])):.1f} ms; "
          f"font subsetting (in write_pdf): median {ms(statistics.median(subset_times[1:])):.1f} ms")
    print(f"PDF size: first {sizes[0]} bytes, min {min(sizes)}, max {max(sizes)}")
    peak = peak_rss_mib()
    print(f"peak RSS of the process: {peak:.0f} MiB")

    text = pdf_text(last_pdf)
    if text is not None:
        wanted = [last_data["person_name"], last_data["serial"], "聘", "书"]
        missing = [w for w in wanted if w not in text]
        print("text check (pdftotext of the last PDF): "
              + ("ok, has " + ", ".join(wanted) if not missing else f"MISSING {missing}"))

    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "certificate-first.pdf").write_bytes(first_pdf)
        (args.out / "certificate-last.pdf").write_bytes(last_pdf)
        print(f"PDFs written to {args.out}/certificate-first.pdf, certificate-last.pdf")

    print(json.dumps({
        "engine": "weasyprint",
        "version": weasyprint.__version__,
        "runs": args.runs,
        "font_config": args.font_config,
        "subsetter": subsetter,
        "first_ms": round(ms(times[0]), 1),
        "median_ms": round(ms(median), 1),
        "p95_ms": round(ms(p95), 1),
        "cpu_median_ms": round(ms(cpu_median), 1),
        "subset_median_ms": round(ms(statistics.median(subset_times[1:])), 1),
        "peak_rss_mib": round(peak, 1),
        "pdf_bytes": sizes[0],
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
