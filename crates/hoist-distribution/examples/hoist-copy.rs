//! Tiny driver used by `scripts/bench.sh`:
//! `hoist-copy push LAYOUT TAG REF` / `hoist-copy pull REF LAYOUT` (insecure registries allowed).

use hoist_distribution::{
    Client, ClientOptions, NoopReporter, PullOptions, PushOptions, Reference, pull, push,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let c = Client::new(ClientOptions {
        insecure: true,
        ..Default::default()
    })?;
    match a.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["push", layout, tag, r] => {
            push(
                &c,
                layout.as_ref(),
                Some(tag),
                &Reference::parse(r)?,
                &PushOptions::default(),
                &NoopReporter,
            )
            .await?;
        }
        ["pull", r, layout] => {
            pull(
                &c,
                &Reference::parse(r)?,
                layout.as_ref(),
                &PullOptions::default(),
                &NoopReporter,
            )
            .await?;
        }
        _ => return Err("usage: hoist-copy push LAYOUT TAG REF | pull REF LAYOUT".into()),
    }
    Ok(())
}
