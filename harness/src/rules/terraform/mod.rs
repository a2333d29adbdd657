//! Terraform: a parsed module and the rules that judge it.
//!
//! [`TfModule`] is one directory's worth of `.tf` files (plus any auto-loaded
//! `.tfvars`), parsed with `hcl-edit` into the small tree in [`syntax`]. Grading checks
//! read it with [`TfModule::query`]; the linter runs the rule families below over it.
//! Each family lives in its own file and produces findings of one class:
//!
//! | class | file |
//! |---|---|
//! | `tf.open-ingress` | [`ingress`] |
//! | `tf.missing-tags` | [`tags`] |
//! | `tf.destroy-without-moved` | [`removal`] |
//! | `tf.unencrypted-storage` | [`encryption`] |
//! | `tf.public-bucket` | [`public_bucket`] |
//! | `tf.hardcoded-secret` | [`hardcoded`] |
//! | `tf.wildcard-iam` | [`iam`] |
//! | `tf.deletion-protection-off` | [`protection`] |
//!
//! Rules see values through [`eval`], which resolves variables, locals and a few
//! functions, and reports anything else as unknown; a rule never flags a value it
//! could not work out, only one it knows to be unsafe (or a safe setting that is
//! missing, where absence is itself the problem).

pub mod encryption;
pub mod eval;
pub mod hardcoded;
pub mod iam;
pub mod ingress;
pub mod policy;
pub mod protection;
pub mod public_bucket;
mod query;
pub mod removal;
pub mod syntax;
pub mod tags;

use std::collections::BTreeMap;

use crate::model::scenario::TerraformSettings;
use crate::model::{Finding, Severity};

use self::eval::{Scope, Value};
use self::syntax::{Block, Expr, Loc};
use super::ParseProblem;

/// One top-level block and the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub file: String,
    pub block: Block,
}

/// A parsed Terraform module: the top-level blocks of every file, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TfModule {
    items: Vec<Item>,
    /// Variable values from `terraform.tfvars` and `*.auto.tfvars`.
    tfvars: BTreeMap<String, Expr>,
    /// `(path, text)` of every file that parsed (`.tf` and `.tfvars`), for text scanners.
    sources: Vec<(String, String)>,
}

/// A `resource` (or `data`) block seen as what it declares.
#[derive(Debug, Clone, Copy)]
pub struct Resource<'a> {
    /// `aws_s3_bucket`.
    pub type_name: &'a str,
    /// `logs`.
    pub name: &'a str,
    pub file: &'a str,
    pub block: &'a Block,
    /// Whether this is a `data` source.
    pub is_data: bool,
}

impl Resource<'_> {
    /// `aws_s3_bucket.logs`, or `data.aws_iam_policy_document.x` for a data source.
    pub fn address(&self) -> String {
        if self.is_data {
            format!("data.{}.{}", self.type_name, self.name)
        } else {
            format!("{}.{}", self.type_name, self.name)
        }
    }

    /// Where the block starts.
    pub fn loc(&self) -> Loc {
        self.block.loc
    }
}

impl TfModule {
    /// Parse files (path, text). Files that fail to parse are reported and skipped;
    /// the rest still load. Paths ending in `.tfvars` are read as variable
    /// assignments (`terraform.tfvars` first, then the others in the order given,
    /// later ones winning); every other path is read as Terraform configuration.
    pub fn parse<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (TfModule, Vec<ParseProblem>) {
        let mut module = TfModule::default();
        let mut problems = Vec::new();
        let mut tfvars = Vec::new();
        for (path, text) in files {
            if path.ends_with(".tfvars") {
                tfvars.push((path, text));
                continue;
            }
            match syntax::parse_body(text) {
                Ok(body) => {
                    // Top-level attributes are not valid Terraform; they carry nothing the
                    // rules use, so they are ignored rather than reported.
                    module
                        .items
                        .extend(body.blocks.into_iter().map(|block| Item {
                            file: path.to_string(),
                            block,
                        }));
                    module.sources.push((path.to_string(), text.to_string()));
                }
                Err(err) => problems.push(problem(path, &err)),
            }
        }
        tfvars.sort_by_key(|(path, _)| !is_main_tfvars(path));
        for (path, text) in tfvars {
            match syntax::parse_body(text) {
                Ok(body) => {
                    module
                        .tfvars
                        .extend(body.attrs.into_iter().map(|a| (a.name, a.value)));
                    module.sources.push((path.to_string(), text.to_string()));
                }
                Err(err) => problems.push(problem(path, &err)),
            }
        }
        (module, problems)
    }

    /// Resource addresses (`aws_db_instance.main`), in file order.
    pub fn addresses(&self) -> Vec<String> {
        self.resources().map(|r| r.address()).collect()
    }

    /// Dotted-path query returning JSON, and the file and line where the value was
    /// found.
    ///
    /// The first segments name a top-level block: `resource.TYPE.NAME`,
    /// `data.TYPE.NAME`, `variable.NAME`, `output.NAME`, `module.NAME`,
    /// `provider.NAME` (the unaliased one when there are several), `locals.NAME`,
    /// `terraform`, or `moved`/`removed`/`import` (every such block, as a list). The
    /// rest walks into it: attribute names, nested block names (a list of block
    /// objects; a name step into a list of exactly one block goes into that block),
    /// object keys, and numeric list indexes. A walk may continue into the object
    /// literal of `jsonencode(...)`.
    ///
    /// Literal values become JSON; any other expression becomes its source text as a
    /// JSON string. `None` when the path does not exist.
    pub fn query(&self, path: &str) -> Option<(serde_json::Value, String, usize)> {
        query::query(self, path)
    }

    /// Every top-level block, in file order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Top-level blocks of one kind (`provider`, `moved`, ...).
    pub fn items_of<'a, 'k>(
        &'a self,
        kind: &'k str,
    ) -> impl Iterator<Item = &'a Item> + use<'a, 'k> {
        self.items.iter().filter(move |i| i.block.kind == kind)
    }

    /// Managed resources, in file order.
    pub fn resources(&self) -> impl Iterator<Item = Resource<'_>> {
        self.declared("resource", false)
    }

    /// Data sources, in file order.
    pub fn data_sources(&self) -> impl Iterator<Item = Resource<'_>> {
        self.declared("data", true)
    }

    fn declared<'a>(
        &'a self,
        kind: &'static str,
        is_data: bool,
    ) -> impl Iterator<Item = Resource<'a>> + 'a {
        self.items_of(kind)
            .filter_map(move |item| match item.block.labels.as_slice() {
                [type_name, name] => Some(Resource {
                    type_name,
                    name,
                    file: &item.file,
                    block: &item.block,
                    is_data,
                }),
                _ => None,
            })
    }

    /// The managed resource at an address (`aws_s3_bucket.logs`).
    pub fn resource(&self, address: &str) -> Option<Resource<'_>> {
        let (type_name, name) = address.split_once('.')?;
        self.resources()
            .find(|r| r.type_name == type_name && r.name == name)
    }

    /// The data source at `TYPE.NAME` (without the `data.` prefix).
    pub fn data_source(&self, type_name: &str, name: &str) -> Option<Resource<'_>> {
        self.data_sources()
            .find(|r| r.type_name == type_name && r.name == name)
    }

    /// `(path, text)` of every file that parsed.
    pub fn sources(&self) -> &[(String, String)] {
        &self.sources
    }

    /// Evaluate an expression with this module's variables and locals.
    pub fn eval(&self, expr: &Expr) -> Value {
        eval::eval(expr, self)
    }

    /// `aws` provider blocks (aliased or not).
    pub fn aws_providers(&self) -> impl Iterator<Item = &Block> {
        self.items_of("provider")
            .map(|i| &i.block)
            .filter(|b| b.labels.first().is_some_and(|l| l == "aws"))
    }
}

impl Scope for TfModule {
    fn variable(&self, name: &str) -> Option<&Expr> {
        self.tfvars.get(name).or_else(|| {
            self.items_of("variable")
                .find(|i| i.block.labels.first().is_some_and(|l| l == name))
                .and_then(|i| i.block.body.value("default"))
        })
    }

    fn local(&self, name: &str) -> Option<&Expr> {
        self.items_of("locals")
            .find_map(|i| i.block.body.value(name))
    }
}

fn is_main_tfvars(path: &str) -> bool {
    path.rsplit('/').next() == Some("terraform.tfvars")
}

fn problem(path: &str, err: &syntax::SyntaxError) -> ParseProblem {
    ParseProblem {
        file: path.to_string(),
        line: err.loc.line,
        column: err.loc.column,
        message: err.message.clone(),
    }
}

/// What a rule family sees when it runs.
#[derive(Clone)]
pub struct Context<'a> {
    pub module: &'a TfModule,
    /// The same directory in the base state, for diff-aware rules.
    pub base: Option<&'a TfModule>,
    pub settings: &'a TerraformSettings,
    /// Modules in parent directories whose `aws` provider blocks apply when this
    /// module declares none (a child module inherits its caller's providers).
    pub parents: Vec<&'a TfModule>,
}

/// Run every rule family over one module.
pub fn lint_module(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    ingress::check(cx, &mut out);
    tags::check(cx, &mut out);
    removal::check(cx, &mut out);
    encryption::check(cx, &mut out);
    public_bucket::check(cx, &mut out);
    hardcoded::check(cx, &mut out);
    iam::check(cx, &mut out);
    protection::check(cx, &mut out);
    out
}

/// Build a finding.
pub(crate) struct Hit<'a> {
    pub class: &'static str,
    pub rule: &'a str,
    pub severity: Severity,
    pub file: &'a str,
    pub loc: Loc,
    pub subject: String,
    pub message: String,
}

impl From<Hit<'_>> for Finding {
    fn from(hit: Hit<'_>) -> Finding {
        Finding {
            class: hit.class.to_string(),
            rule: hit.rule.to_string(),
            file: hit.file.to_string(),
            line: hit.loc.line,
            column: hit.loc.column,
            severity: hit.severity,
            message: hit.message,
            subject: hit.subject,
        }
    }
}

/// Where an attribute of a block sits, or the block itself when it is absent.
pub(crate) fn attr_loc(block: &Block, name: &str) -> Loc {
    block.body.attr(name).map_or(block.loc, |a| a.loc)
}

/// Evaluate the attribute `name` of a block; `None` when absent.
pub(crate) fn attr_value(module: &TfModule, block: &Block, name: &str) -> Option<Value> {
    block.body.value(name).map(|e| module.eval(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reports_the_broken_file_and_keeps_the_others() {
        let (module, problems) = TfModule::parse([
            (
                "a.tf",
                "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
            ),
            ("b.tf", "resource \"aws_subnet\" \"a\" {\n  vpc_id = \n}\n"),
        ]);
        assert_eq!(module.addresses(), ["aws_vpc.main"]);
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].file.as_str(), problems[0].line), ("b.tf", 2));
    }

    #[test]
    fn auto_loaded_tfvars_override_variable_defaults() {
        let (module, problems) = TfModule::parse([
            (
                "main.tf",
                "variable \"cidr\" {\n  default = \"10.0.0.0/8\"\n}\n",
            ),
            ("terraform.tfvars", "cidr = \"192.168.0.0/16\"\n"),
            ("a.auto.tfvars", "cidr = \"172.16.0.0/12\"\n"),
        ]);
        assert!(problems.is_empty());
        let expr = syntax::parse_expr("var.cidr").unwrap();
        assert_eq!(module.eval(&expr).as_str(), Some("172.16.0.0/12"));
    }

    #[test]
    fn data_sources_are_not_resource_addresses() {
        let (module, _) = TfModule::parse([(
            "main.tf",
            "data \"aws_iam_policy_document\" \"p\" {}\nresource \"aws_iam_policy\" \"p\" {}\n",
        )]);
        assert_eq!(module.addresses(), ["aws_iam_policy.p"]);
        assert_eq!(
            module.data_sources().next().map(|d| d.address()),
            Some("data.aws_iam_policy_document.p".into())
        );
    }
}
