//! Credential-looking strings in text, found by pattern rather than by parsing.
//!
//! Two kinds of evidence are recognised. Token formats that are unmistakable on
//! their own: AWS access key ids (`AKIA…`/`ASIA…`), PEM private key headers, GitHub,
//! GitLab and Slack tokens, Slack webhook URLs. And assignments (`name = value`,
//! `name: value`, `NAME=value`) whose name says secret: a password-like name with any
//! real literal, an AWS secret key shape under a secret-like name, or a high-entropy
//! value under a name like `token` or `api_key`.
//!
//! The scanner works on any text (Terraform, YAML, `.env`, a diff), so it errs on the
//! side of ignoring what is plainly not a literal secret: empty strings, references
//! (`var.x`, `data.x`, `random_password.x.result`), interpolations (`${...}`,
//! `{{ ... }}`), placeholders (`REDACTED`, `<your-key>`, `****`) and the example keys
//! from AWS's documentation. A weak literal like `changeme` is still reported: it is
//! a real password someone will deploy.

use std::sync::LazyLock;

use regex::Regex;

/// One credential-looking string.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SecretHit {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters) where the match starts.
    pub column: usize,
    /// Which pattern matched (`aws-access-key-id`, `password-assignment`, ...).
    pub rule: String,
    /// The match with the secret part masked, safe to print.
    pub snippet: String,
}

/// Token formats recognisable on their own, with the capture group holding the token.
static TOKENS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("aws-access-key-id", r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b"),
        (
            "private-key",
            r"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)",
        ),
        ("github-token", r"\b(gh[pousr]_[A-Za-z0-9]{36,255})\b"),
        ("github-token", r"\b(github_pat_[A-Za-z0-9_]{50,255})\b"),
        ("gitlab-token", r"\b(glpat-[A-Za-z0-9_\-]{20,})"),
        ("slack-token", r"\b(xox[abposr]-[A-Za-z0-9\-]{10,})"),
        (
            "slack-webhook",
            r"(https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+)",
        ),
    ]
    .into_iter()
    .filter_map(|(rule, pattern)| Regex::new(pattern).ok().map(|re| (rule, re)))
    .collect()
});

/// `name <sep> value`, where the name mentions a secret.
static ASSIGNMENT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?P<name>[A-Za-z0-9_.\-]*(?:password|passwd|secret|token|api[_\-]?key|apikey|private[_\-]?key|access[_\-]?key)[A-Za-z0-9_.\-]*)["']?\s*(?:=>|=|:)\s*(?:"(?P<dq>[^"\n]*)"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s"',;#}\]]+))"#,
    )
    .ok()
});

/// Shape of an AWS secret access key.
static AWS_SECRET_SHAPE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9/+]{40}$").ok());

/// A dotted reference such as `random_password.db.result` or `var.x`.
static REFERENCE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"^[A-Za-z_][A-Za-z0-9_\-]*(?:\[[^\]]*\])?(?:\.[A-Za-z0-9_\-*]+(?:\[[^\]]*\])?)+$"#)
        .ok()
});

/// Name endings that describe a secret rather than hold one.
const NOT_A_SECRET_SUFFIXES: &[&str] = &[
    "_arn",
    "_id",
    "_ids",
    "_name",
    "_names",
    "_length",
    "_len",
    "_version",
    "_enabled",
    "_policy",
    "_ttl",
    "_file",
    "_path",
    "_url",
    "_uri",
    "_type",
    "_rotation",
    "_count",
    "_min",
    "_max",
    "_prefix",
    "_header",
    "_endpoint",
    "_expiry",
    "_expiration",
    "_days",
    "_source",
    "_ref",
];

/// Keys published in AWS documentation as examples.
const DOC_EXAMPLES: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
];

/// Credential-looking strings in one text, in order of position.
pub fn scan(text: &str) -> Vec<SecretHit> {
    let mut hits = Vec::new();
    for (index, line) in text.lines().enumerate() {
        scan_line(index + 1, line, &mut hits);
    }
    hits
}

fn scan_line(line_no: usize, line: &str, hits: &mut Vec<SecretHit>) {
    let mut token_ranges = Vec::new();
    for (rule, re) in TOKENS.iter() {
        for caps in re.captures_iter(line) {
            let Some(m) = caps.get(1) else { continue };
            if is_doc_example(m.as_str()) {
                continue;
            }
            token_ranges.push(m.range());
            let snippet = if *rule == "private-key" {
                m.as_str().to_string()
            } else {
                mask(m.as_str())
            };
            hits.push(SecretHit {
                line: line_no,
                column: column(line, m.start()),
                rule: (*rule).to_string(),
                snippet,
            });
        }
    }
    if let Some(re) = ASSIGNMENT.as_ref() {
        for caps in re.captures_iter(line) {
            let (Some(name), Some(value)) = (
                caps.name("name"),
                caps.name("dq").or(caps.name("sq")).or(caps.name("bare")),
            ) else {
                continue;
            };
            if token_ranges
                .iter()
                .any(|r| r.start < value.end() && value.start() < r.end)
            {
                continue;
            }
            let bare = caps.name("bare").is_some();
            if let Some(rule) = classify(name.as_str(), value.as_str(), bare) {
                let snippet = format!("{} = \"{}\"", name.as_str(), mask(value.as_str()));
                hits.push(SecretHit {
                    line: line_no,
                    column: column(line, name.start()),
                    rule: rule.to_string(),
                    snippet,
                });
            }
        }
    }
    hits.sort_by_key(|h| (h.line, h.column));
}

/// Which assignment rule a `name = value` pair breaks, if any.
fn classify(name: &str, value: &str, bare: bool) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if NOT_A_SECRET_SUFFIXES.iter().any(|s| lower.ends_with(s))
        || is_placeholder(value)
        || is_doc_example(value)
    {
        return None;
    }
    if bare && !is_bare_literal(value) {
        return None;
    }
    if lower.contains("secret")
        && AWS_SECRET_SHAPE
            .as_ref()
            .is_some_and(|re| re.is_match(value))
    {
        return Some("aws-secret-access-key");
    }
    if lower.contains("password") || lower.contains("passwd") {
        return Some("password-assignment");
    }
    looks_random(value).then_some("generic-secret")
}

/// Whether an unquoted value is a literal (in YAML or `.env`) rather than an
/// expression, a number or a keyword.
fn is_bare_literal(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "null" | "nil" | "none" | "yes" | "no" | "~"
    ) {
        return false;
    }
    if value.parse::<f64>().is_ok() || value.contains('(') {
        return false;
    }
    if value.starts_with(['$', '{', '[', '(', '<', '!', '&', '*', '%', '|', '>']) {
        return false;
    }
    !REFERENCE.as_ref().is_some_and(|re| re.is_match(value))
}

/// Values that stand for a secret without being one. Public so the Terraform rules
/// apply the same judgement to attribute values.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    lower.contains("redacted")
        || v.contains("${")
        || v.contains("{{")
        || v.contains("%{")
        || lower.starts_with("var.")
        || lower.starts_with("data.")
        || (v.starts_with('<') && v.ends_with('>'))
        || v.chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '-' | '•'))
}

fn is_doc_example(value: &str) -> bool {
    DOC_EXAMPLES.contains(&value)
}

/// Long, varied, and with digits: how generated keys look and prose does not.
fn looks_random(value: &str) -> bool {
    value.chars().count() >= 16
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_alphabetic())
        && !value.contains(char::is_whitespace)
        && !value.starts_with("http")
        && entropy(value) >= 3.5
}

/// Shannon entropy in bits per character.
fn entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0usize;
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let total = total as f64;
    counts
        .values()
        .map(|&n| {
            #[allow(clippy::cast_precision_loss)]
            let p = n as f64 / total;
            -p * p.log2()
        })
        .sum()
}

/// Keep a short prefix and hide the rest.
fn mask(secret: &str) -> String {
    let len = secret.chars().count();
    let keep = match len {
        0..=5 => 0,
        6..=11 => 2,
        _ => 4,
    };
    let prefix: String = secret.chars().take(keep).collect();
    format!("{prefix}{}", "*".repeat((len - keep).clamp(3, 12)))
}

/// 1-based character column of a byte offset in a line.
fn column(line: &str, byte: usize) -> usize {
    line.get(..byte).map_or(byte, |s| s.chars().count()) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<String> {
        scan(text).into_iter().map(|h| h.rule).collect()
    }

    #[test]
    fn an_aws_access_key_id_is_found_with_its_position_and_masked() {
        let hits = scan("x = 1\n  key = \"AKIAZ7Q2MLR4VX3BNW5T\"\n");
        assert_eq!(hits.len(), 1);
        assert_eq!(
            (hits[0].line, hits[0].column, hits[0].rule.as_str()),
            (2, 10, "aws-access-key-id")
        );
        assert_eq!(hits[0].snippet, "AKIA************");
    }

    #[test]
    fn the_documentation_example_keys_are_ignored() {
        assert!(scan("access_key = \"AKIAIOSFODNN7EXAMPLE\"\nsecret_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\n").is_empty());
    }

    #[test]
    fn an_aws_secret_key_under_a_secret_name_is_found() {
        assert_eq!(
            rules("aws_secret_access_key=q8Vd2JfT+0bLr9XkWz3mYp/7sNcAeHgU5iKoQv1R\n"),
            ["aws-secret-access-key"]
        );
    }

    #[test]
    fn private_key_headers_and_vendor_tokens_are_found() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\n\
                    token: ghp_8fK2mQ9xLr4TzW7vBn3YcJ5dHs1PaE6uGi0o\n\
                    GITLAB=glpat-Xy7Rk2Lm9Qw4Zt8Vn3Bc\n\
                    slack = \"xoxb-2048-9731-Qz8Rk2Lm9Qw4Zt8Vn3Bc\"\n";
        assert_eq!(
            rules(text),
            ["private-key", "github-token", "gitlab-token", "slack-token"]
        );
    }

    #[test]
    fn literal_passwords_are_found_even_when_weak() {
        assert_eq!(rules("password = \"changeme\"\n"), ["password-assignment"]);
        assert_eq!(rules("DB_PASSWORD=hunter2\n"), ["password-assignment"]);
        assert_eq!(
            rules("  \"masterPassword\": \"S3cure!pass\",\n"),
            ["password-assignment"]
        );
    }

    #[test]
    fn references_interpolations_and_placeholders_are_not_secrets() {
        let text = r#"password = var.db_password
password = data.aws_ssm_parameter.db.value
master_password = random_password.db.result
password = "${var.db_password}"
password: "{{ .Values.password }}"
password = ""
password = "REDACTED"
api_key = "<your-api-key>"
password = "********"
password_length = 24
manage_master_user_password = true
secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"
"#;
        assert_eq!(scan(text), Vec::new());
    }

    #[test]
    fn tokens_need_high_entropy_to_count_under_generic_names() {
        assert_eq!(
            rules("api_key = \"9f8Kq2LmZ4xR7tWv1BnC3yHd\"\n"),
            ["generic-secret"]
        );
        assert!(scan(
            "token_audience = \"sts.amazonaws.com\"\nsecret = \"not-really-a-secret-just-words\"\n"
        )
        .is_empty());
    }

    #[test]
    fn a_token_inside_an_assignment_is_reported_once() {
        assert_eq!(
            rules("github_token = \"ghp_8fK2mQ9xLr4TzW7vBn3YcJ5dHs1PaE6uGi0o\"\n"),
            ["github-token"]
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let hits = scan("# café\n# é AKIAZ7Q2MLR4VX3BNW5T\n");
        assert_eq!((hits[0].line, hits[0].column), (2, 5));
    }
}
