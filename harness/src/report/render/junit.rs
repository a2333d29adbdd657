//! Progress reports as JUnit XML, so a CI system can show them: one `<testsuite>` per
//! result and one `<testcase>` per check. A failed check is a `<failure>` carrying the
//! check's message, an errored one an `<error>`, a skipped one `<skipped>`. A candidate
//! report covers every result on the timeline; a cohort report each candidate's latest
//! attempt at each exercise. Written with quick-xml, which escapes all text.

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::{rfc3339, RenderError};
use crate::model::CheckStatus;
use crate::report::model::{num, CandidateReport, CheckLine, CohortReport};

/// One suite to write: a result and its checks.
struct Suite<'a> {
    name: String,
    classname: String,
    timestamp: String,
    properties: Vec<(&'static str, String)>,
    checks: &'a [CheckLine],
}

fn count(checks: &[CheckLine], status: CheckStatus) -> usize {
    checks.iter().filter(|c| c.status == status).count()
}

fn write(title: &str, suites: &[Suite<'_>]) -> Result<String, RenderError> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).map_err(RenderError::Xml)?;
    let all: Vec<&CheckLine> = suites.iter().flat_map(|s| s.checks.iter()).collect();
    let total = |status: CheckStatus| all.iter().filter(|c| c.status == status).count().to_string();
    w.create_element("testsuites")
        .with_attribute(("name", title))
        .with_attribute(("tests", all.len().to_string().as_str()))
        .with_attribute(("failures", total(CheckStatus::Failed).as_str()))
        .with_attribute(("errors", total(CheckStatus::Error).as_str()))
        .with_attribute(("skipped", total(CheckStatus::Skipped).as_str()))
        .write_inner_content(|w| {
            for s in suites {
                write_suite(w, s)?;
            }
            Ok::<(), std::io::Error>(())
        })
        .map_err(RenderError::Xml)?;
    let mut text = String::from_utf8_lossy(&w.into_inner()).into_owned();
    text.push('\n');
    Ok(text)
}

fn write_suite(w: &mut Writer<Vec<u8>>, s: &Suite<'_>) -> std::io::Result<()> {
    w.create_element("testsuite")
        .with_attribute(("name", s.name.as_str()))
        .with_attribute(("tests", s.checks.len().to_string().as_str()))
        .with_attribute(("failures", count(s.checks, CheckStatus::Failed).to_string().as_str()))
        .with_attribute(("errors", count(s.checks, CheckStatus::Error).to_string().as_str()))
        .with_attribute(("skipped", count(s.checks, CheckStatus::Skipped).to_string().as_str()))
        .with_attribute(("timestamp", s.timestamp.as_str()))
        .write_inner_content(|w| {
            w.create_element("properties").write_inner_content(|w| {
                for (name, value) in &s.properties {
                    w.create_element("property")
                        .with_attribute(("name", *name))
                        .with_attribute(("value", value.as_str()))
                        .write_empty()?;
                }
                Ok::<(), std::io::Error>(())
            })?;
            for c in s.checks {
                write_case(w, &s.classname, c)?;
            }
            Ok::<(), std::io::Error>(())
        })?;
    Ok(())
}

fn write_case(w: &mut Writer<Vec<u8>>, classname: &str, c: &CheckLine) -> std::io::Result<()> {
    let case =
        w.create_element("testcase").with_attribute(("name", c.id.as_str())).with_attribute(("classname", classname));
    let detail = format!(
        "{}\ndimension: {}; points {} of {}{}",
        c.title,
        c.dimension,
        num(c.points),
        num(c.max_points),
        if c.hidden { "; hidden check" } else { "" }
    );
    let (tag, kind) = match c.status {
        CheckStatus::Passed => {
            case.write_empty()?;
            return Ok(());
        }
        CheckStatus::Failed => ("failure", "failed"),
        CheckStatus::Error => ("error", "error"),
        CheckStatus::Skipped => ("skipped", "skipped"),
    };
    case.write_inner_content(|w| {
        w.create_element(tag)
            .with_attribute(("message", c.message.as_str()))
            .with_attribute(("type", kind))
            .write_text_content(BytesText::new(&detail))?;
        Ok::<(), std::io::Error>(())
    })?;
    Ok(())
}

pub fn candidate(r: &CandidateReport) -> Result<String, RenderError> {
    let suites: Vec<Suite<'_>> = r
        .timeline
        .iter()
        .map(|t| Suite {
            name: format!("{} / {} (result {})", r.candidate, t.exercise, t.result_id),
            classname: format!("{}.{}", r.candidate, t.exercise),
            timestamp: rfc3339(t.submitted_at),
            properties: vec![
                ("candidate", r.candidate.clone()),
                ("exercise", t.exercise.clone()),
                ("result_id", t.result_id.to_string()),
                ("score", t.score.to_string()),
                ("passed", t.passed.to_string()),
                ("pass_mark", t.pass_mark.to_string()),
                ("hints_used", t.hints_used.to_string()),
            ],
            checks: &t.checks,
        })
        .collect();
    write(&format!("faultline report: candidate {}", r.candidate), &suites)
}

pub fn cohort(r: &CohortReport) -> Result<String, RenderError> {
    let suites: Vec<Suite<'_>> = r
        .candidates
        .iter()
        .flat_map(|c| {
            c.latest.iter().map(move |a| Suite {
                name: format!("{} / {} (result {})", c.candidate, a.exercise, a.result_id),
                classname: format!("{}.{}", c.candidate, a.exercise),
                timestamp: rfc3339(a.submitted_at),
                properties: vec![
                    ("candidate", c.candidate.clone()),
                    ("exercise", a.exercise.clone()),
                    ("result_id", a.result_id.to_string()),
                    ("score", a.score.to_string()),
                    ("passed", a.passed.to_string()),
                    ("pass_mark", a.pass_mark.to_string()),
                ],
                checks: &a.checks,
            })
        })
        .collect();
    write("faultline report: cohort", &suites)
}
