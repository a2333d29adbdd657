//! Faultline: a harness for hands-on cloud-native training and interviews.
//!
//! It builds a workspace (a real git repository whose branch carries an injected
//! fault, like a colleague's broken pull request), lets a person fix it, and grades
//! the fix against a weighted scorecard with evidence for every point.
//!
//! The crate is layered: [`model`] holds pure domain types; [`catalog`] loads content
//! from YAML; [`variant`] and [`inject`] turn a scenario and a seed into file states;
//! [`rules`] and [`checks`] judge a snapshot of files; [`grade`] turns check results
//! into a scorecard; [`workspace`], [`runner`] and [`store`] touch the world; [`report`]
//! renders; [`cli`] is the command-line front end.

pub mod catalog;
pub mod checks;
pub mod cli;
pub mod cluster;
pub mod grade;
pub mod inject;
pub mod interview;
pub mod logging;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod runner;
pub mod session;
pub mod store;
pub mod variant;
pub mod verify;
pub mod workspace;
