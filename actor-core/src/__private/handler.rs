//! Extractors and reply helpers used by `#[actor]` expansions.
