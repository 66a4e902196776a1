//! Typed messages end to end: handlers that return `Serialize` values and
//! errors that only `Display`, `msg!` carrying `Serialize` data,
//! `Call::decode`, and actors that are spawned by value only.

use serde::{Deserialize, Serialize};

use actor::prelude::*;

mod common;
use common::isolated;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Order {
    item: String,
    qty: u32,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Receipt {
    total: u32,
    items: Vec<String>,
}

/// Holds what cannot be defaulted: a channel to the test.
struct Shop {
    sold: std::sync::mpsc::Sender<Order>,
    total: u32,
    items: Vec<String>,
}

#[actor]
impl Shop {
    /// An order comes in as a typed parameter; the receipt goes out as a
    /// `Serialize` value.
    fn std(&mut self, order: Order) -> Result<Receipt, String> {
        if order.qty == 0 {
            return Err(format!("no {} to sell", order.item));
        }
        self.total += order.qty;
        self.items.push(order.item.clone());
        let _ = self.sold.send(order);
        Ok(Receipt {
            total: self.total,
            items: self.items.clone(),
        })
    }

    /// Errors that only implement `Display`, through `anyhow`.
    fn info(&mut self, what: String) -> anyhow::Result<u32> {
        use anyhow::Context;
        let n: u32 = what
            .parse()
            .with_context(|| format!("`{what}` is not a count"))?;
        Ok(n)
    }
}

fn shop() -> (Pid, std::sync::mpsc::Receiver<Order>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let pid = actor::spawn(Shop {
        sold: tx,
        total: 0,
        items: Vec::new(),
    })
    .unwrap();
    (pid, rx)
}

#[test]
fn serialize_data_in_and_a_serialize_reply_out() {
    isolated(|| {
        let (shop, sold) = shop();
        let order = Order {
            item: "tea".into(),
            qty: 2,
        };
        let receipt = msg!(std(order.clone()) >> shop).decode::<Receipt>().wait();
        assert_eq!(
            receipt,
            Ok(Receipt {
                total: 2,
                items: vec!["tea".into()]
            })
        );
        assert_eq!(sold.try_recv().unwrap(), order);
        // The reply is an ordinary term too.
        let raw = msg!(
            std(Order {
                item: "jam".into(),
                qty: 1
            }) >> shop
        )
        .wait()
        .unwrap();
        assert_eq!(raw.data["total"], 3);
        assert_eq!(raw.data["items"][1], "jam");
        // A map literal with a `Serialize` value.
        msg!(
            info {
                order: Order {
                    item: "x".into(),
                    qty: 1
                }
            } > actor::pid()
        );
        let m = actor::pop_mailbox().unwrap();
        assert_eq!(m.data["order"]["qty"], 1);
    });
}

#[test]
fn a_handlers_err_is_a_handler_error_for_decode_and_an_err_reply_for_a_plain_call() {
    isolated(|| {
        let (shop, _) = shop();
        let empty = Order {
            item: "tea".into(),
            qty: 0,
        };
        let err = msg!(std(empty.clone()) >> shop).decode::<Receipt>().wait();
        assert_eq!(err, Err(CallError::Handler(Term::from("no tea to sell"))));
        let plain = msg!(std(empty) >> shop).wait().unwrap();
        assert_eq!(
            (plain.kind, plain.data),
            (Kind::Err, Term::from("no tea to sell"))
        );
    });
}

#[test]
fn a_handler_may_return_anyhow_result() {
    isolated(|| {
        let (shop, _) = shop();
        assert_eq!(msg!(info("12") >> shop).decode::<u32>().wait(), Ok(12));
        match msg!(info("twelve") >> shop).decode::<u32>().wait() {
            Err(CallError::Handler(text)) => {
                let text = text.as_str().unwrap().to_owned();
                assert!(text.starts_with("`twelve` is not a count: "), "{text}");
                assert!(text.contains("invalid digit"), "the cause shows: {text}");
            }
            other => panic!("unexpected {other:?}"),
        }
    });
}

#[test]
fn a_reply_that_does_not_decode_is_a_decode_error_and_data_that_does_not_encode_is_not_sent() {
    isolated(|| {
        let (shop, sold) = shop();
        let wrong = msg!(
            std(Order {
                item: "tea".into(),
                qty: 1
            }) >> shop
        )
        .decode::<Vec<String>>()
        .wait();
        assert!(matches!(wrong, Err(CallError::Decode(_))), "{wrong:?}");
        sold.try_recv().unwrap();

        /// Data whose `Serialize` refuses.
        struct Refuses;
        impl Serialize for Refuses {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("not today"))
            }
        }
        let err = msg!(std(Refuses) >> shop).wait();
        match err {
            Err(CallError::Encode(e)) => assert!(e.to_string().contains("not today"), "{e}"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(sold.try_recv().is_err(), "nothing was sent");
    });
}

#[test]
fn an_actor_without_default_or_init_is_spawned_by_value_and_by_name_says_why() {
    isolated(|| {
        let (shop, _) = shop();
        assert!(actor::is_alive(shop));
        let err = actor::spawn("Shop").unwrap_err();
        assert_eq!(
            err,
            SpawnError::NeedsValue {
                name: "Shop".into()
            }
        );
        let text = err.to_string();
        assert!(text.contains("no `Default` and no `init(args)`"), "{text}");
    });
}
