//! Fixture-driven tests of the Terraform rules: every finding class has a broken
//! fixture that must produce it (at the right file, line and subject) and a fixed
//! fixture that must not. Fixtures live under `tests/fixtures/lint/<class>/`, with a
//! `base/` folder beside them where the rule compares against a base state.

use std::path::Path;

use faultline::model::scenario::TerraformSettings;
use faultline::model::{Severity, Snapshot};
use faultline::rules::{lint_terraform, LintReport};

/// Load every file under a fixture folder, keyed by its path relative to that folder.
fn fixture(case: &str) -> Snapshot {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint").join(case);
    // The same reader a workspace is graded with.
    let (snapshot, skipped) = faultline::workspace::snapshot(&root).expect("fixture folder is readable");
    assert!(skipped.is_empty(), "fixture {case} has files a grade would skip: {skipped:?}");
    assert!(!snapshot.is_empty(), "fixture {case} has no files");
    snapshot
}

fn settings() -> TerraformSettings {
    TerraformSettings { required_tags: vec!["Owner".into(), "CostCenter".into()], stateful_types: Vec::new() }
}

fn lint(case: &str) -> LintReport {
    let report = lint_terraform(&fixture(case), None, ".", &settings());
    assert_eq!(report.problems, [], "fixture {case} should parse");
    report
}

fn lint_against_base(case: &str, base: &str, settings: &TerraformSettings) -> LintReport {
    let report = lint_terraform(&fixture(case), Some(&fixture(base)), ".", settings);
    assert_eq!(report.problems, [], "fixture {case} should parse");
    report
}

/// No findings (of the class asked about).
const NONE: [&str; 0] = [];

/// `"file:line rule subject"` for each finding of one class, in report order.
fn hits(report: &LintReport, class: &str) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.class == class)
        .map(|f| format!("{}:{} {} {}", f.file, f.line, f.rule, f.subject))
        .collect()
}

fn severity_of(report: &LintReport, class: &str, rule: &str) -> Option<Severity> {
    report.findings.iter().find(|f| f.class == class && f.rule == rule).map(|f| f.severity)
}

// ---- tf.open-ingress -------------------------------------------------------------

#[test]
fn ssh_rdp_and_every_port_open_to_the_world_are_open_ingress() {
    let report = lint("open-ingress/broken");
    assert_eq!(
        hits(&report, "tf.open-ingress"),
        [
            "main.tf:28 ssh-from-anywhere aws_security_group.bastion",
            "main.tf:38 rdp-from-anywhere aws_security_group_rule.jump_rdp",
            "main.tf:45 all-traffic-from-anywhere aws_vpc_security_group_ingress_rule.debug",
            "main.tf:56 all-ports-from-anywhere aws_security_group.batch",
            // Its default is the VPN range; terraform.tfvars opens it to the world.
            "main.tf:65 rdp-from-anywhere aws_security_group_rule.vpn_rdp",
            // The second element of a `dynamic "ingress"` over a variable's default.
            "main.tf:91 ssh-from-anywhere aws_security_group.service",
        ]
    );
    assert_eq!(severity_of(&report, "tf.open-ingress", "all-traffic-from-anywhere"), Some(Severity::Critical));
    assert_eq!(severity_of(&report, "tf.open-ingress", "ssh-from-anywhere"), Some(Severity::High));
}

#[test]
fn ssh_from_a_narrow_range_and_https_on_a_public_alb_are_not_open_ingress() {
    // Covers SSH from a /32, a variable whose default is a /32, a local office range,
    // 80/443 from anywhere on the ALB, egress to anywhere, and SG-to-SG ingress.
    assert_eq!(hits(&lint("open-ingress/fixed"), "tf.open-ingress"), NONE);
}

// ---- tf.missing-tags ---------------------------------------------------------------

#[test]
fn resources_missing_a_required_tag_are_reported_once_with_the_missing_keys() {
    let report = lint("missing-tags/broken");
    assert_eq!(
        hits(&report, "tf.missing-tags"),
        [
            "main.tf:25 missing-required-tags aws_vpc.main",
            "main.tf:31 missing-required-tags aws_s3_bucket.assets",
            "main.tf:38 missing-required-tags aws_acm_certificate.cdn",
            "main.tf:43 missing-required-tags aws_autoscaling_group.web",
            "main.tf:56 missing-required-tags aws_autoscaling_group.workers",
        ]
    );
    let messages: Vec<&str> =
        report.findings.iter().filter(|f| f.class == "tf.missing-tags").map(|f| f.message.as_str()).collect();
    // The default provider supplies Owner; the aliased one supplies nothing; the
    // Auto Scaling group gets nothing from default_tags.
    assert!(messages[0].ends_with(": CostCenter"), "{}", messages[0]);
    assert!(messages[2].ends_with(": Owner"), "{}", messages[2]);
    assert!(messages[3].ends_with(": Owner"), "{}", messages[3]);
}

#[test]
fn default_tags_on_the_provider_satisfy_required_tags_even_in_child_modules() {
    assert_eq!(hits(&lint("missing-tags/fixed"), "tf.missing-tags"), NONE);
}

#[test]
fn no_required_tags_turns_the_tag_rule_off() {
    let report = lint_terraform(&fixture("missing-tags/broken"), None, ".", &TerraformSettings::default());
    assert_eq!(hits(&report, "tf.missing-tags"), NONE);
}

// ---- tf.destroy-without-moved ------------------------------------------------------

#[test]
fn renames_without_moved_blocks_and_renamed_buckets_destroy_resources() {
    let report = lint_against_base("destroy-without-moved/broken", "destroy-without-moved/base", &settings());
    assert_eq!(
        hits(&report, "tf.destroy-without-moved"),
        [
            // Reported at the resource that looks like its replacement.
            "main.tf:3 stateful-removed aws_db_instance.main",
            "main.tf:13 stateful-replaced aws_s3_bucket.uploads",
            // Nothing replaced it: reported where it was in the base.
            "main.tf:14 resource-removed aws_security_group.db",
            // Its moved block points at a misspelt address.
            "main.tf:16 resource-removed aws_instance.worker",
        ]
    );
    assert_eq!(severity_of(&report, "tf.destroy-without-moved", "stateful-removed"), Some(Severity::Critical));
}

#[test]
fn moved_and_removed_blocks_make_a_refactor_safe() {
    let report = lint_against_base("destroy-without-moved/fixed", "destroy-without-moved/base", &settings());
    assert_eq!(hits(&report, "tf.destroy-without-moved"), NONE);
}

#[test]
fn scenario_stateful_types_replace_the_built_in_list() {
    let settings = TerraformSettings { required_tags: Vec::new(), stateful_types: vec!["aws_security_group".into()] };
    let report = lint_against_base("destroy-without-moved/broken", "destroy-without-moved/base", &settings);
    assert_eq!(
        hits(&report, "tf.destroy-without-moved"),
        [
            "main.tf:3 resource-removed aws_db_instance.main",
            // Buckets are no longer stateful here, so renaming one is not reported.
            "main.tf:14 stateful-removed aws_security_group.db",
            "main.tf:16 resource-removed aws_instance.worker",
        ]
    );
}

#[test]
fn without_a_base_nothing_counts_as_destroyed() {
    assert_eq!(hits(&lint("destroy-without-moved/broken"), "tf.destroy-without-moved"), NONE);
}

#[test]
fn a_candidate_that_does_not_parse_is_not_reported_as_destroying_everything() {
    let base = fixture("destroy-without-moved/base");
    let mut candidate = base.clone();
    let text =
        base.get("main.tf").expect("base has main.tf").replace("bucket = \"shop-logs\"", "bucket = = \"shop-logs\"");
    candidate.insert("main.tf", text);
    let report = lint_terraform(&candidate, Some(&base), ".", &settings());
    assert_eq!(report.problems.len(), 1);
    assert_eq!(hits(&report, "tf.destroy-without-moved"), NONE);
}

// ---- tf.unencrypted-storage --------------------------------------------------------

#[test]
fn databases_volumes_and_file_systems_without_encryption_are_reported() {
    let report = lint("unencrypted-storage/broken");
    assert_eq!(
        hits(&report, "tf.unencrypted-storage"),
        [
            "main.tf:6 rds-unencrypted aws_db_instance.orders",
            "main.tf:16 rds-unencrypted aws_rds_cluster.analytics",
            // `encrypted = var.encrypt_volumes`, whose default is false.
            "main.tf:22 ebs-unencrypted aws_ebs_volume.scratch",
            "main.tf:25 efs-unencrypted aws_efs_file_system.shared",
            "main.tf:29 s3-no-encryption-config aws_s3_bucket.exports",
        ]
    );
    assert_eq!(severity_of(&report, "tf.unencrypted-storage", "rds-unencrypted"), Some(Severity::High));
    assert_eq!(severity_of(&report, "tf.unencrypted-storage", "s3-no-encryption-config"), Some(Severity::Low));
}

#[test]
fn encryption_set_inline_by_default_or_by_a_sibling_resource_is_accepted() {
    assert_eq!(hits(&lint("unencrypted-storage/fixed"), "tf.unencrypted-storage"), NONE);
}

// ---- tf.public-bucket --------------------------------------------------------------

#[test]
fn public_acls_disabled_access_blocks_and_public_policies_open_a_bucket() {
    let report = lint("public-bucket/broken");
    assert_eq!(
        hits(&report, "tf.public-bucket"),
        [
            "main.tf:3 public-acl aws_s3_bucket.site",
            "main.tf:12 public-acl aws_s3_bucket_acl.uploads",
            "main.tf:18 public-access-block-disabled aws_s3_bucket_public_access_block.uploads",
            "main.tf:24 public-policy aws_s3_bucket_policy.site",
            // Written in a policy document data source.
            "main.tf:44 public-policy aws_s3_bucket_policy.uploads",
        ]
    );
    let block = report.findings.iter().find(|f| f.rule == "public-access-block-disabled").expect("reported");
    assert!(block.message.contains("restrict_public_buckets"), "a missing flag counts as off: {}", block.message);
}

#[test]
fn private_acls_full_access_blocks_and_conditioned_policies_keep_a_bucket_private() {
    assert_eq!(hits(&lint("public-bucket/fixed"), "tf.public-bucket"), NONE);
}

// ---- tf.hardcoded-secret -----------------------------------------------------------

#[test]
fn literal_credentials_in_providers_variables_attributes_and_user_data_are_reported() {
    let report = lint("hardcoded-secret/broken");
    assert_eq!(
        hits(&report, "tf.hardcoded-secret"),
        [
            "main.tf:3 provider-credentials provider.aws",
            "main.tf:4 provider-credentials provider.aws",
            "main.tf:10 secret-variable-default var.db_password",
            "main.tf:18 secret-attribute aws_db_instance.main",
            "main.tf:30 secret-attribute aws_lambda_function.checkout",
            "main.tf:41 github-token aws_instance.runner",
            "terraform.tfvars:2 password-assignment terraform.tfvars:2",
        ]
    );
}

#[test]
fn secret_findings_never_repeat_the_secret() {
    let report = lint("hardcoded-secret/broken");
    for secret in ["AKIAZ7Q2MLR4VX3BNW5T", "Sup3rS3cret!", "changeme", "sk_live_9f8Kq2", "Pr0d-Hunter2", "ghp_8fK2mQ9x"]
    {
        assert!(report.findings.iter().all(|f| !f.message.contains(secret)), "a finding message leaks {secret}");
    }
}

#[test]
fn references_generated_passwords_and_documentation_keys_are_not_hardcoded_secrets() {
    assert_eq!(hits(&lint("hardcoded-secret/fixed"), "tf.hardcoded-secret"), NONE);
}

// ---- tf.wildcard-iam ---------------------------------------------------------------

#[test]
fn admin_and_whole_service_wildcards_are_reported_in_every_policy_spelling() {
    let report = lint("wildcard-iam/broken");
    assert_eq!(
        hits(&report, "tf.wildcard-iam"),
        [
            "main.tf:3 action-wildcard aws_iam_policy.deployer",
            "main.tf:18 service-wildcard aws_iam_role_policy.uploader",
            "main.tf:30 not-action-allow data.aws_iam_policy_document.ops",
            "main.tf:41 service-wildcard aws_iam_role.app",
        ]
    );
    assert_eq!(severity_of(&report, "tf.wildcard-iam", "action-wildcard"), Some(Severity::Critical));
    assert_eq!(severity_of(&report, "tf.wildcard-iam", "service-wildcard"), Some(Severity::High));
}

#[test]
fn scoped_actions_denies_and_service_wildcards_on_one_resource_are_not_wildcard_iam() {
    assert_eq!(hits(&lint("wildcard-iam/fixed"), "tf.wildcard-iam"), NONE);
}

// ---- tf.deletion-protection-off ----------------------------------------------------

#[test]
fn databases_without_protection_and_explicitly_unprotected_resources_are_reported() {
    let report = lint("deletion-protection-off/broken");
    assert_eq!(
        hits(&report, "tf.deletion-protection-off"),
        [
            "main.tf:6 deletion-protection-disabled aws_db_instance.main",
            "main.tf:7 skip-final-snapshot aws_db_instance.main",
            "main.tf:10 deletion-protection-missing aws_rds_cluster.analytics",
            "main.tf:19 deletion-protection-disabled aws_lb.public",
            "main.tf:26 deletion-protection-disabled aws_dynamodb_table.carts",
        ]
    );
}

#[test]
fn protected_databases_and_defaulted_load_balancers_are_not_reported() {
    assert_eq!(hits(&lint("deletion-protection-off/fixed"), "tf.deletion-protection-off"), NONE);
}

// ---- parsing, paths, order ---------------------------------------------------------

#[test]
fn a_file_that_is_not_hcl_is_reported_and_the_others_are_still_linted() {
    let report = lint_terraform(&fixture("parse-error"), None, ".", &settings());
    assert_eq!(report.problems.len(), 1);
    let problem = &report.problems[0];
    assert_eq!((problem.file.as_str(), problem.line, problem.column), ("storage.tf", 3, 12));
    assert!(!problem.message.is_empty());
    assert_eq!(hits(&report, "tf.open-ingress"), ["network.tf:8 ssh-from-anywhere aws_security_group.ssh"]);
}

#[test]
fn linting_a_subdirectory_reports_paths_from_the_snapshot_root() {
    let report = lint_terraform(&fixture("missing-tags/fixed"), None, "./modules/", &settings());
    assert!(!report.findings.is_empty());
    assert!(report.findings.iter().all(|f| f.file == "modules/logs/main.tf"), "{:?}", report.findings);
}

#[test]
fn findings_come_sorted_by_file_line_and_class() {
    let report = lint("hardcoded-secret/broken");
    let keys: Vec<(&str, usize, &str)> =
        report.findings.iter().map(|f| (f.file.as_str(), f.line, f.class.as_str())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert!(keys.len() > 5);
    assert_eq!(keys, sorted);
}

#[test]
fn hcl_path_queries_read_fixture_values_with_their_location() {
    let snapshot = fixture("deletion-protection-off/broken");
    let (module, problems) = faultline::rules::terraform::TfModule::parse(snapshot.iter());
    assert_eq!(problems, []);
    assert_eq!(
        module.query("resource.aws_db_instance.main.deletion_protection"),
        Some((serde_json::json!(false), "main.tf".to_string(), 6))
    );
    assert_eq!(
        module.query("resource.aws_dynamodb_table.carts.attribute.0"),
        Some((serde_json::json!({"name": "id", "type": "S"}), "main.tf".to_string(), 28))
    );
}

#[test]
fn truncated_and_garbled_files_never_panic() {
    let cases = [
        "open-ingress/broken",
        "missing-tags/broken",
        "public-bucket/broken",
        "hardcoded-secret/broken",
        "wildcard-iam/broken",
    ];
    let base = fixture("destroy-without-moved/base");
    for case in cases {
        let snapshot = fixture(case);
        for (path, text) in snapshot.iter() {
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(13).collect();
            for &cut in &boundaries {
                let mut garbled = snapshot.clone();
                garbled.insert(path, &text[..cut]);
                let report = lint_terraform(&garbled, Some(&base), ".", &settings());
                assert!(report.findings.iter().all(|f| f.line >= 1 && f.column >= 1));
                // Drop one character in the middle instead of the tail.
                let mut spliced = text[..cut].to_string();
                spliced.push_str(text[cut..].get(1..).unwrap_or_default());
                garbled.insert(path, spliced.as_str());
                let _ = lint_terraform(&garbled, Some(&base), ".", &settings());
                let _ = faultline::rules::secrets::scan(&spliced);
            }
        }
    }
}
