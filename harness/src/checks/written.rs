//! Written-answer checks: which planted risks a deliverable such as `REVIEW.md`
//! names. This is evidence for the person rating communication and judgement, not
//! a substitute for their rating.

use super::{CheckContext, Outcome};
use crate::model::check::Risk;
use crate::model::snapshot::join;
use crate::model::Evidence;

pub(super) fn answer(
    ctx: &CheckContext,
    mount: &str,
    path: &str,
    risks: &[Risk],
    min_named: usize,
    min_words: usize,
) -> Outcome {
    let full = join(mount, path);
    let Some(text) = ctx.candidate.get(&full) else {
        return Outcome::fail(vec![Evidence::note(format!("{full} does not exist"))]);
    };
    // Untouched templates carry headings only; count the words the candidate wrote.
    let template = ctx.broken.get(&full).unwrap_or("");
    let words = text.split_whitespace().count().saturating_sub(template.split_whitespace().count());
    let mut evidence = Vec::new();
    let mut named = 0;
    for r in risks {
        let hit = r.patterns.iter().find_map(|p| {
            let re = regex::RegexBuilder::new(p).case_insensitive(true).build().ok()?;
            let m = re.find(text)?;
            let line = text[..m.start()].matches('\n').count() + 1;
            Some((line, m.as_str().to_string()))
        });
        match hit {
            Some((line, phrase)) => {
                named += 1;
                evidence.push(Evidence::at(&full, line, format!("names: {} (\"{phrase}\")", r.title)));
            }
            None => evidence.push(Evidence::note(format!("not named: {}", r.title))),
        }
    }
    evidence.push(Evidence::note(format!("{named} of {} risks named; {words} words written", risks.len())));
    let mut o = Outcome::from_bool(named >= min_named && words >= min_words, evidence);
    if words < min_words {
        o.message = format!("{words} words written, at least {min_words} expected");
    }
    o
}
