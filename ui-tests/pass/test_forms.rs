// Every form `#[actor::test]` takes. (Outside `cargo test` a test function
// is compiled away: tests/testing.rs and tests/lints.rs run these forms.)
use actor::prelude::*;

#[actor::test]
fn sync_test() {
    let echo = actor::spawn("EchoActor").unwrap();
    msg!(std > echo);
    assert_receive!(Message { from, .. } if *from == echo);
}

#[actor::test]
async fn async_test() {
    let echo = actor::spawn("EchoActor").unwrap();
    assert_eq!(msg!(std(1) >> echo).await.unwrap().data, 1);
}

#[actor::test]
fn returns_a_result() -> Result<(), String> {
    Ok(())
}

#[actor::test]
async fn async_returns_a_result() -> Result<(), CallError> {
    msg!(std >> actor::spawn("EchoActor").unwrap()).await?;
    Ok(())
}

/// Other attributes stay: docs, `should_panic`, `ignore`, lints.
#[actor::test]
#[should_panic(expected = "boom")]
#[ignore = "shows the attributes only"]
#[allow(unreachable_code)]
pub fn with_attributes() {
    panic!("boom");
}

#[actor::test]
fn inner_attributes() {
    #![allow(unused_variables)]
    let unused = 1;
}

mod reexport {
    pub use ::actor::*;
}

#[actor::test(crate = crate::reexport)]
fn through_a_reexport() {}

#[actor::test(crate = reexport,)]
async fn through_a_reexport_async() {}

fn main() {}
