//! Compile-time behaviour of `#[actor]` and `msg!`: the forms that compile
//! (`ui-tests/pass`) and one spanned error per mistake (`ui-tests/fail`).
//!
//! Regenerate the snapshots with `TRYBUILD=overwrite cargo test --test ui`
//! and read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui-tests/pass/*.rs");
    t.compile_fail("ui-tests/fail/*.rs");
}
