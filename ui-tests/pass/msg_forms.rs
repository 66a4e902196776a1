// Every form of `msg!`.
use actor::prelude::*;

fn main() {
    let me = actor::pid();
    let r = Ref::new();
    let value = 3;

    // kinds
    msg!(std > me);
    msg!(info > me);
    msg!(up > me);
    msg!(err > me);
    msg!(reload > me);
    msg!(death > me);
    msg!(down > me);
    // map literals: ident and string keys, nesting, trailing commas
    msg!(std { hi: "hey", "two words": value, nested: { deeper: { n: 1.5 }, }, } > me);
    msg!(std {} > me);
    msg!(std { r#type: "raw", fn: "keyword" } > me);
    // (expr) data
    msg!(std(value * 2) > me);
    msg!(std(("tuple", 1)) > me);
    msg!(std(Term::list([1, 2])) > me);
    // ref: a `Ref` or an `Option<Ref>`
    msg!(std ref r > me);
    msg!(std { a: 1 } ref Some(r) > me);
    msg!(info(1) ref None > me);
    // targets: pid, &pid, names, (name, node)
    msg!(std > &me);
    msg!(std > "nobody");
    msg!(std > String::from("nobody"));
    let _call: Call = msg!(std >> ("nobody", "elsewhere@host"));
    // calls
    let _call: Call = msg!(info { q: 1 } >> me);
    // data of a generic `impl Into<Term>` type
    forward("generic", me);

    let mut got = 0;
    while let Some(m) = actor::pop_mailbox() {
        assert_eq!(m.from, me);
        got += 1;
    }
    assert_eq!(got, 19);
}

fn forward(data: impl Into<Term>, to: Pid) {
    msg!(std(data) > to);
    msg!(info { nested: { n: 1 } } > to);
}
