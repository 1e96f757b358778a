//! Times Sprig's expensive crypto functions one call at a time (not a test):
//! `cargo run --release -p hoist-sprig --example crypto_timing [N]` (N calls each, default 10);
//! with `RAW=1` it times aws-lc-rs's own RSA-2048 key generation instead, for comparison.

use std::time::Instant;

use hoist_gotmpl::Value;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10)
        .max(1);
    if std::env::var_os("RAW").is_some() {
        raw_rsa(n);
        return;
    }
    let funcs = hoist_sprig::functions();
    let call = |name: &str, args: &[Value]| {
        let f = funcs.iter().find(|f| f.name == name).expect("function");
        (f.f)(args).expect("call")
    };
    let cases: Vec<(&str, Vec<Value>)> = vec![
        ("bcrypt", vec![Value::string("secret")]),
        ("genCA", vec![Value::string("ca"), Value::Int(365)]),
        (
            "genSelfSignedCert",
            vec![
                Value::string("x"),
                Value::list(vec![]),
                Value::list(vec![]),
                Value::Int(365),
            ],
        ),
        ("genPrivateKey", vec![Value::string("rsa")]),
        ("genPrivateKey", vec![Value::string("ecdsa")]),
    ];
    for (name, args) in &cases {
        let mut times = Vec::new();
        for _ in 0..n {
            let t0 = Instant::now();
            std::hint::black_box(call(name, args));
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        println!(
            "{name:20} {:?}: min {:.1} ms, median {:.1} ms, mean {:.1} ms, max {:.1} ms",
            args.first().and_then(Value::as_str).unwrap_or(""),
            times[0],
            times[times.len() / 2],
            mean,
            times[times.len() - 1]
        );
    }
}

fn raw_rsa(n: usize) {
    let mut times = Vec::new();
    for _ in 0..n {
        let t0 = Instant::now();
        let k = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("key");
        std::hint::black_box(k);
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "raw aws-lc rsa2048 x{n}: min {:.1} median {:.1} mean {:.1} max {:.1}",
        times[0],
        times[n / 2],
        mean,
        times[n - 1]
    );
}
