//! A Rust node talking to a real Erlang/OTP node: calls the gen_server
//! registered as `echo` there, then lets it call back into a Rust actor.
//!
//! ```text
//! erlc -o /tmp tests/erlang/dist_peer.erl
//! erl -sname erl@localhost -setcookie secret -noshell -pa /tmp -eval 'dist_peer:start()' &
//! cargo run --example erlang_interop -- erl@localhost secret
//! ```

use std::process::ExitCode;

use actor::prelude::*;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(peer), Some(cookie)) = (args.next(), args.next()) else {
        eprintln!("usage: erlang_interop NODE COOKIE   (e.g. erl@localhost secret)");
        return ExitCode::from(2);
    };
    let host = peer.split_once('@').map_or("localhost", |(_, h)| h);
    let name = format!("rust_interop_{}@{host}", std::process::id());
    let node = match actor::node::start(&name, &cookie) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("could not start node {name}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = actor::node::connect(&peer) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }

    // gen_server:call({echo, Peer}, hello)
    match msg!(std(Term::atom("hello")) >> ("echo", peer.as_str())).wait() {
        Ok(reply) => println!("echo replied: {:?}", reply.data),
        Err(e) => {
            eprintln!("calling echo on {peer} failed: {e}");
            return ExitCode::FAILURE;
        }
    }

    // An EchoActor that Erlang reaches as {rust_echo, Node}.
    let echo = actor::spawn("EchoActor").expect("EchoActor is registered");
    actor::register("rust_echo", echo).expect("the name rust_echo is free");
    let request = Term::Tuple(vec![
        Term::atom("call_back"),
        Term::atom("rust_echo"),
        Term::Atom(node.name().into()),
        Term::atom("ping"),
    ]);
    match msg!(std(request) >> ("echo", peer.as_str())).wait() {
        Ok(reply) => println!("call back through rust_echo replied: {:?}", reply.data),
        Err(e) => {
            eprintln!("the call back failed: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
