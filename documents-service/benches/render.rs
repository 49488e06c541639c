//! Rendering benchmark: `cargo bench -p documents-service --bench render`.
//!
//! Measures the font and template load, the first render, the median of 200 warm renders of a
//! 聘书 (each with its own name and serial, as in service), the throughput of 1,000
//! certificates rendered by 2 threads sharing one renderer (three rounds, with the process RSS
//! after each, to show that memory stays bounded), and one 120-row roster.

/// The services' allocator (each `main.rs` installs it), so the figures are the service's.
#[global_allocator]
static ALLOCATOR: service_kit::alloc::Allocator = service_kit::alloc::Allocator;

use std::time::{Duration, Instant};

use documents_service::render::{Renderer, TemplateKind, sample_data};
use serde_json::Value;

fn certificate(i: usize) -> Value {
    let mut data = sample_data(TemplateKind::AppointmentCertificate);
    let serial = format!("JGLM-2026-{:06}", 100_000 + i);
    data["person_name"] = Value::from(format!("王{}", ["志刚", "建国", "晓燕", "文博", "堃", "喆"][i % 6]));
    data["verify_url"] = Value::from(format!("https://jglm.example.cn/verify/{serial}"));
    data["serial"] = Value::from(serial);
    data
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn rss_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    service_kit::alloc::start_sweeper();
    let threads = 2;
    println!(
        "documents-service render benchmark ({} CPUs available)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let rss = |label: &str| {
        if let (Some(rss), Some(peak)) = (rss_kib("VmRSS:"), rss_kib("VmHWM:")) {
            println!("process RSS {label}: {} MiB (peak {} MiB)", rss / 1024, peak / 1024);
        }
    };
    rss("at start");
    let mut loads = Vec::new();
    let mut renderer = None;
    for _ in 0..5 {
        let start = Instant::now();
        let r = Renderer::new(None).expect("renderer");
        loads.push(start.elapsed());
        renderer = Some(r);
    }
    let renderer = renderer.expect("a renderer");
    println!(
        "font + template load: first {:.1} ms, then {}",
        ms(loads[0]),
        loads[1..]
            .iter()
            .map(|d| format!("{:.1} ms", ms(*d)))
            .collect::<Vec<_>>()
            .join(", ")
    );

    rss("after loading the fonts");
    let start = Instant::now();
    let first = renderer
        .render(TemplateKind::AppointmentCertificate, &certificate(0))
        .expect("render");
    println!(
        "first render (cold caches): {:.1} ms, PDF {} bytes",
        ms(start.elapsed()),
        first.len()
    );

    for (label, vary) in [("distinct data each time", true), ("identical data", false)] {
        let mut times = Vec::with_capacity(200);
        for i in 0..200 {
            let data = if vary { certificate(i + 1) } else { certificate(0) };
            let start = Instant::now();
            let pdf = renderer
                .render(TemplateKind::AppointmentCertificate, &data)
                .expect("render");
            times.push(start.elapsed());
            std::hint::black_box(pdf);
        }
        times.sort();
        println!(
            "warm 聘书, 200 renders, {label}: median {:.2} ms, p95 {:.2} ms, min {:.2} ms, max {:.2} ms",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(times[0]),
            ms(times[times.len() - 1])
        );
    }

    rss("after the warm renders");
    let total = 1000;
    for round in 1..=3 {
        let start = Instant::now();
        std::thread::scope(|s| {
            for t in 0..threads {
                let renderer = &renderer;
                s.spawn(move || {
                    for i in (t..total).step_by(threads) {
                        let data = certificate(round * 10_000 + i);
                        let pdf = renderer
                            .render(TemplateKind::AppointmentCertificate, &data)
                            .expect("render");
                        std::hint::black_box(pdf);
                    }
                });
            }
        });
        let elapsed = start.elapsed();
        println!(
            "{total} certificates, {threads} threads sharing one renderer (round {round}): {:.2} s, {:.0} documents/s",
            elapsed.as_secs_f64(),
            total as f64 / elapsed.as_secs_f64()
        );
        rss(&format!("after round {round}"));
    }

    let start = Instant::now();
    let roster = renderer
        .render(TemplateKind::Roster, &sample_data(TemplateKind::Roster))
        .expect("roster");
    println!(
        "roster of 120 rows: {:.1} ms, PDF {} bytes",
        ms(start.elapsed()),
        roster.len()
    );

    rss("at the end");
}
