//! `EchoActor`: echoes `std` and `info` messages back to their sender.

use crate::__private::{send, Registration, SpawnOpts};
use crate::{Actor, Kind, Message, Pid, Ref, Term};

/// Echoes every `std` and `info` message back to its sender with the same
/// kind, data and ref, so a call (`>>`) gets its data back. Spawnable as
/// `"EchoActor"` or `"actor::actors::EchoActor"`.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let echo = actor::spawn("EchoActor").unwrap();
/// msg!(info { hi: "hey" } > echo);
/// let m = actor::receive();
/// assert_eq!((m.kind, m.from), (Kind::Info, echo));
/// assert_eq!(m.data["hi"], "hey");
/// ```
#[derive(Debug, Default)]
pub struct EchoActor {
    msg_cnt: u64,
}

impl EchoActor {
    /// How many messages it has echoed.
    pub fn count(&self) -> u64 {
        self.msg_cnt
    }
}

impl Actor for EchoActor {
    async fn handle(&mut self, msg: Message) {
        let _ = self.handle_now(msg);
    }

    fn handle_now(&mut self, msg: Message) -> Result<(), Message> {
        if let Kind::Std | Kind::Info = msg.kind {
            self.msg_cnt += 1;
            send(msg.from, msg.kind, msg.data, msg.reference);
        }
        Ok(())
    }
}

impl crate::IntoSpawn for EchoActor {
    fn into_spawn(self, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), crate::SpawnError> {
        Ok(crate::__private::spawn_actor(self, opts))
    }
}

fn spawn_echo(_args: Term, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), crate::SpawnError> {
    Ok(crate::__private::spawn_actor(EchoActor::default(), opts))
}

inventory::submit! {
    // Registered under the module users name it by: `actor::actors`.
    Registration { name: "EchoActor", module: "actor_core::actors", spawn: spawn_echo }
}
