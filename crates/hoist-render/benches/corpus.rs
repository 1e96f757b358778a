//! In-process render time of `helm template` for every chart of a corpus, the same measure as
//! Helm's in-process render in `scripts/bench-chart-render.py` (which runs this and joins the two).
//!
//! `cargo bench -p hoist-render --bench corpus -- CHARTS_DIR REPEAT` prints one JSON object per
//! chart: `{"chart": ID, "secs": BEST}` (load, values, render, sort and print, best of REPEAT).

use std::time::Instant;

use hoist_render::template::{TemplateOptions, run};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: corpus CHARTS_DIR [REPEAT]");
        return;
    };
    let repeat: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut ids: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    for id in ids {
        let base = std::path::Path::new(dir).join(&id);
        let Some(chart) = std::fs::read_dir(&base)
            .ok()
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| n != "expected"))
            .min()
        else {
            continue;
        };
        let opts = TemplateOptions {
            args: vec![chart.to_string_lossy().into_owned()],
            namespace: "default".into(),
            ..TemplateOptions::default()
        };
        let mut best = f64::MAX;
        for _ in 0..repeat {
            let t0 = Instant::now();
            let out = run(&opts);
            let secs = t0.elapsed().as_secs_f64();
            std::hint::black_box(out);
            best = best.min(secs);
        }
        println!("{{\"chart\": \"{id}\", \"secs\": {best}}}");
    }
}
