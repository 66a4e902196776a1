//! What a handler returns decides the reply: `()` sends none, a value
//! answers a call, `Result` answers `Ok` with the value and `Err` with an
//! `err` message.
//!
//! Run it with `cargo run --example handler_reply`.

use std::time::Duration;

use actor::prelude::*;

#[derive(Default)]
struct Account {
    balance: i64,
}

#[actor]
impl Account {
    // No return value: casts only; a call would time out.
    fn std(&mut self, amount: i64) {
        self.balance += amount;
    }

    // A value: the reply to a call (dropped after a cast).
    fn info(&mut self) -> i64 {
        self.balance
    }

    // `Result<(), E>`: silent on success, an `err` reply on failure.
    fn reload(&mut self, amount: i64) -> Result<(), String> {
        if amount > self.balance {
            return Err(format!(
                "cannot withdraw {amount}, balance is {}",
                self.balance
            ));
        }
        self.balance -= amount;
        Ok(())
    }
}

fn main() {
    let account = actor::spawn(Account::default()).unwrap();

    msg!(std(100) > account);
    let balance = msg!(info >> account).wait().unwrap();
    println!("balance: {:?}", balance.data);

    let failed = msg!(reload(500) >> account).wait().unwrap();
    println!("{:?}: {:?}", failed.kind, failed.data);
    assert_eq!(failed.kind, Kind::Err);

    // `Ok(())` sends nothing back.
    let quiet = msg!(reload(30) >> account)
        .timeout(Duration::from_millis(100))
        .wait();
    assert_eq!(quiet, Err(CallError::Timeout));
    assert_eq!(msg!(info >> account).wait().unwrap().data, 70);
}
