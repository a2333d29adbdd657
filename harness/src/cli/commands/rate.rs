//! `faultline rate <result>`: a person rates what no check can judge, or raises a
//! red flag. With `--dimension` (or `--red-flag`) it stores one rating; run on a
//! terminal without them, it asks for each person-rated dimension in turn, showing
//! what meeting the bar looks like, and any answer can be skipped.

use std::io::{BufRead, IsTerminal, Write};

use super::{Ctx, Failure};
use crate::cli::Exit;
use crate::grade::{check_rating, combine_ratings, with_ratings, COMBINATION_RULE};
use crate::model::rating::new_id;
use crate::model::{RatedBy, Rating, Scorecard};
use crate::store::Store;

/// What the command line gave.
pub struct Given {
    pub dimension: Option<String>,
    pub score: Option<i64>,
    pub note: Option<String>,
    pub rater: Option<String>,
    pub red_flag: Option<String>,
}

/// One rating typed into the form, before it gets an id and a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub dimension: Option<String>,
    pub score: Option<u32>,
    pub red_flag: Option<String>,
    pub note: String,
}

pub fn run(ctx: &Ctx, result_id: i64, given: Given) -> Result<Exit, Failure> {
    let store = ctx.store()?;
    let result = super::stored_result(&*store, result_id)?;
    let catalog = ctx.catalog()?;
    let ex = super::exercise_of(&catalog, &result)?;
    let card = catalog.scorecard_of(ex);
    let rater = given
        .rater
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| "rater".to_string());

    let drafts = if given.dimension.is_some() || given.score.is_some() || given.red_flag.is_some() {
        let score = check_rating(card, given.dimension.as_deref(), given.score, given.red_flag.as_deref())
            .map_err(|e| Failure::new(Exit::BadInput, e.to_string()))?;
        let note = given.note.clone().unwrap_or_default();
        if note.trim().is_empty() {
            return Err(Failure::new(Exit::BadInput, "a rating needs --note \"…\" saying what you saw"));
        }
        vec![Draft { dimension: given.dimension.clone(), score, red_flag: given.red_flag.clone(), note }]
    } else if std::io::stdin().is_terminal() && !ctx.json() {
        let existing = store.ratings_for(result_id)?;
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        let mut err = std::io::stderr();
        form(card, &existing, &mut input, &mut err)
            .map_err(|e| Failure::new(Exit::Internal, format!("cannot read the answers: {e}")))?
    } else {
        let person: Vec<&str> =
            card.dimensions.iter().filter(|d| d.rated_by == RatedBy::Person).map(|d| d.id.as_str()).collect();
        return Err(Failure::new(
            Exit::BadInput,
            format!(
                "pass --dimension and --score (person-rated dimensions: {}; scale {}-{}), or run in a terminal for the form",
                person.join(", "),
                card.rating_scale.0,
                card.rating_scale.1
            ),
        ));
    };

    let now = time::OffsetDateTime::now_utc();
    let mut stored = Vec::new();
    for d in drafts {
        let rating = Rating {
            id: new_id(),
            result_id,
            dimension: d.dimension,
            score: d.score,
            red_flag: d.red_flag,
            note: d.note,
            rater: rater.clone(),
            rated_at: now,
        };
        store.add_rating(&rating)?;
        stored.push(rating);
    }
    let all = store.ratings_for(result_id)?;
    let rated = with_ratings(&result.grade, &all, card);
    let combined = combine_ratings(&all, card);
    if ctx.json() {
        ctx.print_json(&serde_json::json!({
            "result_id": result_id,
            "stored": stored,
            "combined": combined,
            "combination_rule": COMBINATION_RULE,
            "grade": rated,
        }));
        return Ok(Exit::Ok);
    }
    if stored.is_empty() {
        println!("Nothing rated.");
    } else {
        println!("Stored {} rating(s) of result {result_id} by {rater}.", stored.len());
    }
    for c in &combined {
        let each: Vec<String> = c.scores.iter().map(|s| format!("{} {}", s.rater, s.score)).collect();
        println!("  {}: {} / 100 (median {} of {})", c.dimension, c.score, c.median, each.join(", "));
    }
    for f in rated.red_flags.iter().filter(|f| f.source.starts_with("rater:")) {
        println!("  red flag {} raised by {}", f.id, f.source.trim_start_matches("rater:"));
    }
    let awaiting: Vec<&str> = rated
        .dimensions
        .iter()
        .filter(|d| d.status == crate::model::grade::DimensionStatus::AwaitingRating)
        .map(|d| d.id.as_str())
        .collect();
    let state = if rated.is_final {
        "final".to_string()
    } else if awaiting.is_empty() {
        "not final (a check errored, or it was not a submit)".to_string()
    } else {
        format!("not final: awaiting {}", awaiting.join(", "))
    };
    println!(
        "Total now {} / 100, level {}, {}; {state}.",
        rated.score,
        rated.level.as_deref().unwrap_or("-"),
        if rated.passed { "passed" } else { "not passed" }
    );
    println!("({COMBINATION_RULE}.)");
    Ok(Exit::Ok)
}

fn ask(input: &mut dyn BufRead, out: &mut dyn Write, prompt: &str) -> std::io::Result<Option<String>> {
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim().to_string()))
}

/// The interactive form: for each person-rated dimension, shows what meeting the bar
/// looks like and the ratings so far, and asks for a score (Enter skips) and a note;
/// then offers to raise a red flag. Reads answers from `input`, writes prompts to `out`.
pub fn form(
    card: &Scorecard,
    existing: &[Rating],
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> std::io::Result<Vec<Draft>> {
    let (lo, hi) = card.rating_scale;
    let mut drafts = Vec::new();
    let bands: Vec<String> = card.levels.iter().map(|l| format!("{} from {}", l.title, l.min_score)).collect();
    writeln!(out, "Rating on a {lo}-{hi} scale ({lo} = far below the bar, {hi} = well above it).")?;
    writeln!(out, "The total's bands: {}.", bands.join(", "))?;
    'dims: for d in card.dimensions.iter().filter(|d| d.rated_by == RatedBy::Person) {
        writeln!(out, "\n{} (weight {})", d.title, d.weight)?;
        writeln!(out, "  Meeting the bar: {}", d.meets_bar.trim())?;
        for r in existing.iter().filter(|r| r.dimension.as_deref() == Some(d.id.as_str())) {
            writeln!(out, "  Rated {} by {}: {}", r.score.unwrap_or_default(), r.rater, r.note)?;
        }
        let score = loop {
            let Some(answer) = ask(input, out, &format!("  Score {lo}-{hi} (Enter to skip): "))? else {
                break 'dims;
            };
            if answer.is_empty() {
                continue 'dims;
            }
            match answer.parse::<u32>() {
                Ok(n) if (lo..=hi).contains(&n) => break n,
                _ => writeln!(out, "  Please type a whole number from {lo} to {hi}, or press Enter to skip.")?,
            }
        };
        let note = loop {
            let Some(answer) = ask(input, out, "  Note (what you saw): ")? else {
                break String::new();
            };
            if !answer.is_empty() {
                break answer;
            }
            writeln!(out, "  A rating needs a note.")?;
        };
        if note.is_empty() {
            break;
        }
        drafts.push(Draft { dimension: Some(d.id.clone()), score: Some(score), red_flag: None, note });
    }
    if !card.red_flags.is_empty() {
        let ids: Vec<&str> = card.red_flags.iter().map(|r| r.id.as_str()).collect();
        writeln!(out, "\nRed flags: {}", ids.join(", "))?;
        while let Some(answer) = ask(input, out, "  Raise a red flag (id, or Enter for none): ")? {
            if answer.is_empty() {
                break;
            }
            if card.red_flag(&answer).is_none() {
                writeln!(out, "  Unknown red flag `{answer}`; choose one of: {}", ids.join(", "))?;
                continue;
            }
            let note = ask(input, out, "  What happened: ")?.unwrap_or_default();
            if note.is_empty() {
                writeln!(out, "  A red flag needs a note; not raised.")?;
                continue;
            }
            drafts.push(Draft { dimension: None, score: None, red_flag: Some(answer), note });
        }
    }
    Ok(drafts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dimension, Level, RedFlag};

    fn card() -> Scorecard {
        Scorecard {
            id: "c".into(),
            title: "C".into(),
            pass_mark: 70.0,
            rating_scale: (1, 4),
            dimensions: vec![
                Dimension {
                    id: "iac".into(),
                    title: "IaC".into(),
                    weight: 50,
                    meets_bar: "x".into(),
                    rated_by: RatedBy::Checks,
                },
                Dimension {
                    id: "communication".into(),
                    title: "Communication".into(),
                    weight: 30,
                    meets_bar: "Explains the fix plainly.".into(),
                    rated_by: RatedBy::Person,
                },
                Dimension {
                    id: "judgement".into(),
                    title: "Judgement".into(),
                    weight: 20,
                    meets_bar: "Weighs the risk.".into(),
                    rated_by: RatedBy::Person,
                },
            ],
            levels: vec![Level { id: "meets".into(), title: "Meets".into(), min_score: 70.0 }],
            red_flags: vec![RedFlag {
                id: "shared-credentials".into(),
                title: "Shared credentials".into(),
                description: String::new(),
                caps_at: "meets".into(),
            }],
        }
    }

    fn fill(answers: &str) -> (Vec<Draft>, String) {
        let mut input = std::io::Cursor::new(answers.as_bytes().to_vec());
        let mut out = Vec::new();
        let drafts = form(&card(), &[], &mut input, &mut out).unwrap();
        (drafts, String::from_utf8(out).unwrap())
    }

    #[test]
    fn the_form_asks_each_person_rated_dimension_shows_the_bar_and_accepts_skips() {
        let (drafts, shown) = fill("9\n3\nclear write-up\n\nshared-credentials\noffered a colleague's key\n\n");
        assert!(shown.contains("Meeting the bar: Explains the fix plainly."), "{shown}");
        assert!(shown.contains("Meeting the bar: Weighs the risk."), "{shown}");
        assert!(!shown.contains("IaC"), "check-rated dimensions are not asked: {shown}");
        assert!(shown.contains("whole number from 1 to 4"), "a bad score is asked again: {shown}");
        assert_eq!(
            drafts,
            [
                Draft {
                    dimension: Some("communication".into()),
                    score: Some(3),
                    red_flag: None,
                    note: "clear write-up".into()
                },
                Draft {
                    dimension: None,
                    score: None,
                    red_flag: Some("shared-credentials".into()),
                    note: "offered a colleague's key".into()
                },
            ]
        );
    }

    #[test]
    fn the_form_stops_cleanly_at_end_of_input() {
        let (drafts, _) = fill("");
        assert!(drafts.is_empty());
        let (drafts, _) = fill("2\n");
        assert!(drafts.is_empty(), "a score without its note is not stored");
    }
}
