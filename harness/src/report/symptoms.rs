//! `SYMPTOMS.md`: what an on-call engineer would see of a failing workload — pod
//! states, restarts, warning events, the last log lines and the Service endpoints.
//! It states observations only; working out why is the candidate's job.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::model::observed::{containers_of, pod_ready, slice_service, ObservedState};

/// Lines of each log excerpt kept in the file.
const LOG_LINES: usize = 20;

/// One section of the file: an optional heading (the scenario, when an exercise
/// has several) and what was observed.
pub struct Section<'a> {
    pub title: Option<&'a str>,
    pub state: &'a ObservedState,
    /// Where the state came from: `captured live from namespace x` or `recorded`.
    pub source: &'a str,
}

/// Render the whole file.
pub fn render(sections: &[Section]) -> String {
    let mut out = String::from("# Symptoms\n\n");
    out.push_str("What the cluster showed when the problem was reported. Nothing here has been changed since.\n");
    for s in sections {
        out.push('\n');
        let level = if let Some(t) = s.title {
            let _ = writeln!(out, "## {t}\n");
            "###"
        } else {
            "##"
        };
        let _ = writeln!(out, "_{}_\n", s.source);
        section(&mut out, level, s.state);
    }
    out
}

fn cell(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|");
    if one_line.chars().count() > 120 {
        format!("{}…", one_line.chars().take(120).collect::<String>())
    } else {
        one_line
    }
}

fn section(out: &mut String, h: &str, st: &ObservedState) {
    if !st.deployments.is_empty() {
        let _ = writeln!(out, "{h} Deployments\n");
        out.push_str("| deployment | desired | ready | up to date | available |\n|---|---|---|---|---|\n");
        for d in &st.deployments {
            let desired = d.spec.replicas.unwrap_or(1);
            let s = d.status.clone().unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {desired} | {} | {} | {} |",
                cell(d.metadata.name.as_deref().unwrap_or("?")),
                s.ready_replicas.unwrap_or(0),
                s.updated_replicas.unwrap_or(0),
                s.available_replicas.unwrap_or(0)
            );
        }
        out.push('\n');
    }

    let _ = writeln!(out, "{h} Pods\n");
    if st.pods.is_empty() {
        out.push_str("No pods.\n\n");
    } else {
        out.push_str("| pod | phase | ready | container | status | restarts | previous instance ended |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for p in &st.pods {
            let name = p.metadata.name.as_deref().unwrap_or("?");
            let phase = p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Unknown");
            let ready = if pod_ready(p) { "yes" } else { "no" };
            let cs = containers_of(p);
            if cs.is_empty() {
                let why = p
                    .status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .and_then(|c| c.iter().find(|c| c.status == "False"))
                    .and_then(|c| c.reason.clone().or(c.message.clone()))
                    .unwrap_or_default();
                let _ = writeln!(out, "| {} | {phase} | {ready} | | {} | | |", cell(name), cell(&why));
            }
            for c in cs {
                let status = match (&c.reason, c.state.as_str()) {
                    (Some(r), _) => r.clone(),
                    (None, "running") => "Running".to_string(),
                    (None, s) => s.to_string(),
                };
                let status = match &c.message {
                    Some(m) if !m.is_empty() => format!("{status}: {m}"),
                    _ => status,
                };
                let last = match (&c.last_reason, c.last_exit_code) {
                    (Some(r), Some(code)) => format!("{r} (exit code {code})"),
                    (None, Some(code)) => format!("exit code {code}"),
                    (Some(r), None) => r.clone(),
                    (None, None) => String::new(),
                };
                let _ = writeln!(
                    out,
                    "| {} | {phase} | {ready} | {} | {} | {} | {} |",
                    cell(name),
                    cell(&c.container),
                    cell(&status),
                    c.restarts,
                    cell(&last)
                );
            }
        }
        out.push('\n');
    }

    let warnings: Vec<_> = st.events.iter().filter(|e| e.type_.as_deref() == Some("Warning")).collect();
    let _ = writeln!(out, "{h} Warning events\n");
    if warnings.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| object | reason | count | message |\n|---|---|---|---|\n");
        for e in warnings {
            let obj = format!(
                "{}/{}",
                e.involved_object.kind.as_deref().unwrap_or("?"),
                e.involved_object.name.as_deref().unwrap_or("?")
            );
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&obj),
                cell(e.reason.as_deref().unwrap_or("")),
                e.count.unwrap_or(1),
                cell(e.message.as_deref().unwrap_or(""))
            );
        }
        out.push('\n');
    }

    if !st.logs.is_empty() {
        let _ = writeln!(out, "{h} Logs\n");
        for l in &st.logs {
            let which = if l.previous { " (previous instance)" } else { "" };
            let _ = writeln!(out, "`{}` container `{}`{which}:\n", l.pod, l.container);
            let lines: Vec<&str> = l.text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(LOG_LINES)..];
            out.push_str("```text\n");
            if tail.is_empty() {
                out.push_str("(no output)\n");
            }
            for line in tail {
                out.push_str(line.replace("```", "'''").as_str());
                out.push('\n');
            }
            out.push_str("```\n\n");
        }
    }

    let _ = writeln!(out, "{h} Service endpoints\n");
    let mut by_service: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for s in &st.endpoint_slices {
        let Some(svc) = slice_service(s) else { continue };
        let entry = by_service.entry(svc.to_string()).or_default();
        for e in s.endpoints.iter().flatten() {
            let ready = e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
            let port = s.ports.iter().flatten().filter_map(|p| p.port).next();
            for a in &e.addresses {
                let addr = match port {
                    Some(p) => format!("{a}:{p}"),
                    None => a.clone(),
                };
                if ready {
                    entry.0.push(addr);
                } else {
                    entry.1.push(addr);
                }
            }
        }
    }
    if by_service.is_empty() {
        out.push_str("No endpoint slices were recorded.\n");
    } else {
        out.push_str("| service | ready | not ready |\n|---|---|---|\n");
        for (svc, (ready, not_ready)) in by_service {
            let list = |v: &[String]| if v.is_empty() { "none".to_string() } else { v.join(", ") };
            let _ = writeln!(out, "| {} | {} | {} |", cell(&svc), list(&ready), list(&not_ready));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_states_pod_status_events_logs_and_endpoints() {
        let st = ObservedState::from_yaml(
            r#"
pods:
  - metadata: { name: web-1 }
    status:
      phase: Running
      containerStatuses:
        - { name: app, image: x, imageID: "", ready: false, restartCount: 5,
            state: { waiting: { reason: CrashLoopBackOff } },
            lastState: { terminated: { exitCode: 137, reason: OOMKilled } } }
events:
  - metadata: { name: e1 }
    involvedObject: { kind: Pod, name: web-1 }
    type: Warning
    reason: BackOff
    message: "Back-off | restarting"
    count: 3
  - metadata: { name: e2 }
    involvedObject: { kind: Pod, name: web-1 }
    type: Normal
    reason: Pulled
endpoint_slices:
  - metadata: { name: web-x, labels: { kubernetes.io/service-name: web } }
    addressType: IPv4
    endpoints: [ { addresses: [10.0.0.5], conditions: { ready: false } } ]
    ports: [ { port: 8080 } ]
logs:
  - { pod: web-1, container: app, previous: true, text: "starting\nkilled\n" }
"#,
        )
        .unwrap();
        let md = render(&[Section { title: Some("Memory"), state: &st, source: "recorded" }]);
        assert!(md.contains("## Memory"), "{md}");
        assert!(
            md.contains("| web-1 | Running | no | app | CrashLoopBackOff | 5 | OOMKilled (exit code 137) |"),
            "{md}"
        );
        assert!(md.contains("| Pod/web-1 | BackOff | 3 | Back-off \\| restarting |"), "{md}");
        assert!(!md.contains("Pulled"), "normal events are left out: {md}");
        assert!(md.contains("(previous instance)") && md.contains("killed\n"), "{md}");
        assert!(md.contains("| web | none | 10.0.0.5:8080 |"), "{md}");
    }

    #[test]
    fn logs_keep_only_the_last_lines() {
        let text: String = (1..=50).map(|i| format!("line {i}\n")).collect();
        let st = ObservedState {
            logs: vec![crate::model::observed::LogExcerpt {
                pod: "p".into(),
                container: "c".into(),
                previous: false,
                text,
            }],
            ..Default::default()
        };
        let md = render(&[Section { title: None, state: &st, source: "recorded" }]);
        assert!(md.contains("line 50\n") && md.contains("line 31\n") && !md.contains("line 30\n"), "{md}");
        assert!(md.contains("No pods."));
    }
}
