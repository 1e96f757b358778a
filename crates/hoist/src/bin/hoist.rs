fn main() -> std::process::ExitCode {
    hoist::main(std::env::args_os())
}
