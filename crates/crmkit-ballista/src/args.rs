//! The few `--name value` options of the binaries, read without a parser
//! crate.
//!
//! ```
//! use crmkit_ballista::args::Args;
//!
//! let given = ["--port", "50051"].map(String::from);
//! let args = Args::parse(given, &["port", "vcores"])?;
//! assert_eq!(args.number("port", 0u16)?, 50051);
//! assert_eq!(args.number("vcores", 2usize)?, 2);
//! Ok::<(), String>(())
//! ```

use std::collections::BTreeMap;

/// The options given, by name (without the leading `--`).
#[derive(Debug, Default)]
pub struct Args {
    values: BTreeMap<String, String>,
}

impl Args {
    /// Reads `--name value` pairs; only names in `known` are accepted.
    ///
    /// # Errors
    ///
    /// A message naming the unknown option, or the option without a value.
    pub fn parse(args: impl IntoIterator<Item = String>, known: &[&str]) -> Result<Args, String> {
        let mut values = BTreeMap::new();
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(format!(
                    "unexpected argument {arg:?} (options are --name value)"
                ));
            };
            if !known.contains(&name) {
                return Err(format!(
                    "unknown option --{name}; known: --{}",
                    known.join(", --")
                ));
            }
            let value = it
                .next()
                .ok_or_else(|| format!("option --{name} needs a value"))?;
            values.insert(name.to_string(), value);
        }
        Ok(Args { values })
    }

    /// The text value of `name`, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `name` parsed as a number (or `default`).
    ///
    /// # Errors
    ///
    /// A message naming the option whose value is not such a number.
    pub fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.text(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("option --{name}: {v:?} is not a valid number")),
        }
    }
}

/// The exit code of a binary's run: success, or the error and the usage
/// line on standard error, each prefixed with the program's name.
///
/// ```
/// use std::process::ExitCode;
/// use crmkit_ballista::args::exit_code;
///
/// assert_eq!(exit_code("crmkit-executor", "usage: ...", Ok(())), ExitCode::SUCCESS);
/// assert_eq!(exit_code("crmkit-executor", "usage: ...", Err("--functions is required".into())), ExitCode::FAILURE);
/// ```
pub fn exit_code(program: &str, usage: &str, result: Result<(), String>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{program}: {e}\n{usage}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Args;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reads_known_options_and_names_bad_ones() {
        let a = Args::parse(
            strings(&["--port", "7", "--functions", "f.json"]),
            &["port", "functions"],
        )
        .unwrap();
        assert_eq!(a.number("port", 1u16), Ok(7));
        assert_eq!(a.number("vcores", 3usize), Ok(3));
        assert_eq!(a.text("functions"), Some("f.json"));
        let e = Args::parse(strings(&["--prot", "7"]), &["port"]).unwrap_err();
        assert!(e.contains("--prot"), "{e}");
        let e = Args::parse(strings(&["--port"]), &["port"]).unwrap_err();
        assert!(e.contains("needs a value"), "{e}");
        let a = Args::parse(strings(&["--port", "x"]), &["port"]).unwrap();
        assert!(a.number("port", 1u16).unwrap_err().contains("--port"));
    }
}
