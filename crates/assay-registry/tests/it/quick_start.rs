//! The seed's quick start, verbatim: it must compile in a downstream crate.

use assay_registry::RegistryClient;

// The seed's quick start, character for character (it reads the process environment, so it
// is compiled here, never run; `registry.rs` runs the same call against a local registry).
#[rustfmt::skip]
async fn quick_start() -> anyhow::Result<()> {
    let client = RegistryClient::from_env()?;
    let result = client.fetch_pack("eu-ai-act-baseline", "1.2.0", None).await?;
    if let Some(pack) = result { println!("{}", pack.computed_digest); }
    Ok(())
}

fn is_send<T: Send>(_: &T) {}

#[test]
fn the_quick_start_compiles_and_its_future_can_cross_threads() {
    // Creating the future runs nothing; it must be `Send` to be spawned on a runtime.
    let future = quick_start();
    is_send(&future);
    drop(future);
}
