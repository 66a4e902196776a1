// Handlers, `start` and `stop` written as `async fn`.
use actor::prelude::*;

#[derive(Default)]
struct Slow {
    seen: i64,
}

#[actor]
impl Slow {
    async fn start(&mut self) -> Result<(), Term> {
        tokio::task::yield_now().await;
        Ok(())
    }
    async fn std(&mut self, data: Term) -> i64 {
        tokio::task::yield_now().await;
        self.seen += data.as_int().unwrap_or(0);
        self.seen
    }
    async fn info(&mut self, msg: Message) {
        msg!(info(msg.data) ref msg.reference > msg.from);
    }
    async fn stop(&mut self, reason: Term) {
        let _ = reason;
    }
}

fn main() {
    let pid = actor::spawn(Slow::default()).unwrap();
    assert_eq!(msg!(std(2) >> pid).wait().unwrap().data, 2);
    assert_eq!(msg!(std(3) >> pid).wait().unwrap().data, 5);
    let reply = actor::runtime().block_on(async move { msg!(info("x") >> pid).await });
    assert_eq!(reply.unwrap().data, "x");
}
