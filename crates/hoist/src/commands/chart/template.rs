//! `hoist chart template [NAME] [CHART]`: Helm's `helm template`, byte for byte.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use hoist_render::template::{TemplateOptions, ValueOptions};

/// The flags of `helm template` that hoist supports.
#[derive(Debug, Args)]
pub(crate) struct TemplateArgs {
    /// [NAME] [CHART]
    #[arg(value_name = "NAME_OR_CHART", num_args = 0..=2)]
    args: Vec<String>,
    /// Specify values in a YAML file (can specify multiple, or separate with commas).
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    values: Vec<String>,
    /// Set values on the command line (key1=val1,key2=val2).
    #[arg(long = "set")]
    set: Vec<String>,
    /// Set STRING values on the command line.
    #[arg(long = "set-string")]
    set_string: Vec<String>,
    /// Set values from files (key1=path1,key2=path2).
    #[arg(long = "set-file")]
    set_file: Vec<String>,
    /// Set JSON values (key1=jsonval1 or a JSON object).
    #[arg(long = "set-json")]
    set_json: Vec<String>,
    /// Set a literal STRING value.
    #[arg(long = "set-literal")]
    set_literal: Vec<String>,
    /// Namespace scope for the release.
    #[arg(short = 'n', long = "namespace", default_value = "default")]
    namespace: String,
    /// Specify the template used to name the release.
    #[arg(long = "name-template")]
    name_template: Option<String>,
    /// Generate the name (and omit the NAME parameter).
    #[arg(short = 'g', long = "generate-name")]
    generate_name: bool,
    /// Include CRDs in the templated output.
    #[arg(long = "include-crds")]
    include_crds: bool,
    /// Skip tests from templated output.
    #[arg(long = "skip-tests")]
    skip_tests: bool,
    /// Prevent hooks from being rendered.
    #[arg(long = "no-hooks")]
    no_hooks: bool,
    /// Only show manifests rendered from the given templates.
    #[arg(short = 's', long = "show-only")]
    show_only: Vec<String>,
    /// Kubernetes version used for Capabilities.KubeVersion.
    #[arg(long = "kube-version")]
    kube_version: Option<String>,
    /// Kubernetes api versions used for Capabilities.APIVersions.
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    api_versions: Vec<String>,
    /// Set .Release.IsUpgrade instead of .Release.IsInstall.
    #[arg(long = "is-upgrade")]
    is_upgrade: bool,
    /// Write the executed templates to files in output-dir instead of stdout.
    #[arg(long = "output-dir")]
    output_dir: Option<PathBuf>,
    /// Use the release name in the output-dir path.
    #[arg(long = "release-name")]
    release_name: bool,
    /// Disable JSON schema validation.
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
    /// Enable verbose output (render out invalid YAML on errors).
    #[arg(long = "debug")]
    debug: bool,
}

/// Helm answers a missing chart argument with its own usage error before parsing flags.
pub(crate) fn check_arg_count(args: &[OsString]) -> Option<ExitCode> {
    let words: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).collect();
    if words.len() < 2 || words[0] != "chart" || words[1] != "template" {
        return None;
    }
    let rest = &words[2..];
    if rest.iter().any(|w| *w == "-h" || *w == "--help") {
        return None;
    }
    if rest.is_empty() {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "Error: \"helm template\" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]\n"
        );
        return Some(ExitCode::from(1));
    }
    None
}

pub(crate) fn run(args: TemplateArgs) -> anyhow::Result<ExitCode> {
    let opts = TemplateOptions {
        args: args.args,
        name_template: args.name_template,
        generate_name: args.generate_name,
        namespace: args.namespace,
        values: ValueOptions {
            value_files: args.values,
            values: args.set,
            string_values: args.set_string,
            file_values: args.set_file,
            json_values: args.set_json,
            literal_values: args.set_literal,
        },
        include_crds: args.include_crds,
        skip_tests: args.skip_tests,
        no_hooks: args.no_hooks,
        show_only: args.show_only,
        kube_version: args.kube_version,
        api_versions: args.api_versions,
        is_upgrade: args.is_upgrade,
        output_dir: args.output_dir,
        use_release_name: args.release_name,
        skip_schema_validation: args.skip_schema_validation,
        debug: args.debug,
        env: hoist_render::template::CompatEnv::from_env(),
    };
    let outcome = hoist_render::template::run(&opts);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(outcome.stdout.as_bytes())?;
    stdout.flush()?;
    match outcome.error {
        None => Ok(ExitCode::SUCCESS),
        Some(message) => {
            let mut stderr = std::io::stderr().lock();
            writeln!(stderr, "Error: {message}")?;
            Ok(ExitCode::from(1))
        }
    }
}
