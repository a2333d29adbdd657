//! The `faultline` binary: a thin shell over the library.

fn main() -> std::process::ExitCode {
    faultline::logging::init();
    faultline::cli::main()
}
