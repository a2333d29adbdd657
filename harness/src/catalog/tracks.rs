//! Tracks: the 30/60/90-day plan for a new hire, read from `exercises/tracks.yaml`.
//!
//! A track (day-30, day-60, day-90) is an ordered list of labs; a lab names the
//! exercises it is made of, the score each must reach and the day (counted from the
//! person's start date) it is due. The file is optional, so content without tracks
//! still loads; when present it is checked like every other content file: unknown
//! keys, unknown exercise ids and duplicate ids are reported with line and column.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::Deserialize;

use super::raw::Sp;
use super::validate::FileProblems;
use super::{edit_distance, ContentErrors};
use crate::model::{Lab, Track};

/// Where the tracks live, relative to the content root.
pub const TRACKS_FILE: &str = "exercises/tracks.yaml";

/// `exercises/tracks.yaml`: the 30/60/90-day labs, in order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTracks {
    /// Content format version; this build reads format 1.
    pub format: Sp<u32>,
    /// The tracks, in the order a new hire takes them.
    pub tracks: Vec<RawTrack>,
}

/// One track, such as the first 30 days.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTrack {
    /// Unique id, e.g. `day-30`.
    pub id: Sp<String>,
    /// One-line title.
    pub title: String,
    /// What a person should be able to do by the end of the track.
    pub goal: String,
    /// The labs, in the order they are due.
    pub labs: Vec<RawLab>,
}

/// One lab of a track: a few exercises due by a given day.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLab {
    /// Unique id across all tracks.
    pub id: Sp<String>,
    /// One-line title.
    pub title: String,
    /// Exercise ids (see `exercises/index.yaml`); each must be done for the lab to be done.
    pub exercises: Vec<Sp<String>>,
    /// Score (0-100) each exercise must reach, with no red flag, to count as done.
    pub pass_mark: Sp<f64>,
    /// Day the lab is due, counted from the person's start date (day 1).
    pub due_day: Sp<u32>,
}

/// Checks the raw tracks against the known exercise ids and builds the domain types.
pub(crate) fn validate(raw: RawTracks, exercise_ids: &[&str], p: &mut FileProblems) -> Vec<Track> {
    let mut track_ids = BTreeSet::new();
    let mut lab_ids = BTreeSet::new();
    let mut tracks = Vec::new();
    for t in raw.tracks {
        if !track_ids.insert(t.id.value.clone()) {
            p.at(&t.id, format!("track `{}` is defined twice", t.id.value));
        }
        let mut labs = Vec::new();
        let mut last_due = 0;
        for l in t.labs {
            if !lab_ids.insert(l.id.value.clone()) {
                p.at(&l.id, format!("lab `{}` is defined twice", l.id.value));
            }
            if l.exercises.is_empty() {
                p.at(&l.id, format!("lab `{}` lists no exercises", l.id.value));
            }
            for e in &l.exercises {
                if !exercise_ids.contains(&e.value.as_str()) {
                    let mut close: Vec<(usize, &str)> =
                        exercise_ids.iter().map(|id| (edit_distance(&e.value, id), *id)).collect();
                    close.sort();
                    let help = match close.first() {
                        Some((d, id)) if *d <= 4.max(e.value.len() / 3) => format!("did you mean `{id}`?"),
                        _ => format!("known exercises: {}", exercise_ids.join(", ")),
                    };
                    p.at_help(e, format!("unknown exercise `{}`", e.value), help);
                }
            }
            if !(0.0..=100.0).contains(&l.pass_mark.value) {
                p.at(&l.pass_mark, format!("pass mark {} is outside 0-100", l.pass_mark.value));
            }
            if l.due_day.value == 0 {
                p.at(&l.due_day, "due days count from 1 (the start date)");
            } else if l.due_day.value < last_due {
                p.at_help(
                    &l.due_day,
                    format!("lab `{}` is due on day {}, before the lab listed above it", l.id.value, l.due_day.value),
                    "list a track's labs in the order they are due",
                );
            }
            last_due = last_due.max(l.due_day.value);
            labs.push(Lab {
                id: l.id.value,
                title: l.title,
                exercises: l.exercises.into_iter().map(|e| e.value).collect(),
                pass_mark: l.pass_mark.value,
                due_day: l.due_day.value,
            });
        }
        tracks.push(Track { id: t.id.value, title: t.title, goal: t.goal, labs });
    }
    tracks
}

/// Parses and checks a tracks file's text.
pub(crate) fn load(file: &str, text: &str, exercise_ids: &[&str], errors: &mut ContentErrors) -> Vec<Track> {
    match super::parse_yaml::<RawTracks>(file, text) {
        Ok(raw) => {
            super::check_format(file, text, &raw.format, errors);
            let mut p = FileProblems::new(file, text);
            let tracks = validate(raw, exercise_ids, &mut p);
            errors.extend(p.errors);
            tracks
        }
        Err(e) => {
            errors.extend(e);
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: &[&str] = &["tf-encrypt-cache-volume", "terraform-review"];

    fn problems(text: &str) -> Vec<String> {
        let mut errors = ContentErrors::default();
        load("exercises/tracks.yaml", text, IDS, &mut errors);
        errors.problems.iter().map(|d| format!("{}: {}", d.location(), d.message)).collect()
    }

    #[test]
    fn a_valid_tracks_file_loads_in_order() {
        let text = "format: 1\ntracks:\n  - id: day-30\n    title: T\n    goal: G\n    labs:\n      - id: a\n        title: A\n        exercises: [tf-encrypt-cache-volume]\n        pass_mark: 70\n        due_day: 14\n      - id: b\n        title: B\n        exercises: [terraform-review]\n        pass_mark: 80\n        due_day: 30\n";
        let mut errors = ContentErrors::default();
        let tracks = load("exercises/tracks.yaml", text, IDS, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(tracks.len(), 1);
        assert_eq!(
            tracks[0].labs.iter().map(|l| (l.id.as_str(), l.due_day)).collect::<Vec<_>>(),
            [("a", 14), ("b", 30)]
        );
    }

    #[test]
    fn an_unknown_exercise_is_reported_at_its_line_and_column_with_a_suggestion() {
        let text = "format: 1\ntracks:\n  - id: day-30\n    title: T\n    goal: G\n    labs:\n      - id: a\n        title: A\n        exercises: [tf-encrypt-cache-volum]\n        pass_mark: 70\n        due_day: 14\n";
        let found = problems(text);
        assert_eq!(found, ["exercises/tracks.yaml:9:21: unknown exercise `tf-encrypt-cache-volum`"]);
    }

    #[test]
    fn duplicate_ids_bad_marks_and_days_out_of_order_are_all_reported() {
        let text = "format: 1\ntracks:\n  - id: day-30\n    title: T\n    goal: G\n    labs:\n      - id: a\n        title: A\n        exercises: [terraform-review]\n        pass_mark: 170\n        due_day: 20\n      - id: a\n        title: B\n        exercises: [terraform-review]\n        pass_mark: 70\n        due_day: 10\n";
        let found = problems(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains(":10:") && found[0].contains("outside 0-100"), "{found:?}");
        assert!(found[1].contains(":12:") && found[1].contains("defined twice"), "{found:?}");
        assert!(found[2].contains(":16:") && found[2].contains("before the lab listed above"), "{found:?}");
    }

    #[test]
    fn an_unknown_key_is_an_error() {
        let text = "format: 1\ntracks:\n  - id: day-30\n    title: T\n    goal: G\n    owner: me\n    labs: []\n";
        let found = problems(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("exercises/tracks.yaml:6:"), "{found:?}");
    }
}
