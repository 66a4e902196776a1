#[actor::test(crate = actor, crate = actor)]
fn twice() {}

fn main() {}
