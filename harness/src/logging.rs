//! Log setup for binaries. The library only emits `tracing` events; this installs
//! a subscriber filtered by `FAULTLINE_LOG` (e.g. `FAULTLINE_LOG=debug`), writing to
//! stderr so stdout stays clean for data.

/// Install the stderr subscriber (once; later calls do nothing).
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FAULTLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).without_time().try_init();
}
