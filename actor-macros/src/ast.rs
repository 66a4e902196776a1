//! A borrowing view of an `#[actor]` impl: which methods are handlers and
//! hooks, what their parameters extract and what they return. Building it
//! never fails; `valid` judges it.

use syn::{
    FnArg, GenericArgument, ImplItem, ImplItemFn, ItemImpl, PatType, PathArguments, PathSegment,
    Receiver, ReturnType, Type,
};

use crate::kind;

pub(crate) struct ActorImpl<'a> {
    pub(crate) item: &'a ItemImpl,
    pub(crate) start: Option<Method<'a>>,
    pub(crate) stop: Option<Method<'a>>,
    pub(crate) init: Option<Method<'a>>,
    pub(crate) handlers: Vec<Handler<'a>>,
}

/// A recognised method: a handler, a hook or `init`.
pub(crate) struct Method<'a> {
    pub(crate) func: &'a ImplItemFn,
    pub(crate) receiver: Option<&'a Receiver>,
    pub(crate) params: Vec<&'a PatType>,
}

pub(crate) struct Handler<'a> {
    /// The method's name and its `Kind` variant, from [`kind::HANDLER_KINDS`].
    pub(crate) kind: &'static str,
    pub(crate) variant: &'static str,
    pub(crate) method: Method<'a>,
    pub(crate) params: Vec<Param<'a>>,
    pub(crate) ret: Ret<'a>,
}

pub(crate) struct Param<'a> {
    pub(crate) ty: &'a Type,
    pub(crate) extractor: Extractor,
}

/// What a handler parameter receives, told from its type's spelling.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Extractor {
    /// `Message`: the whole message.
    Message,
    /// `Term`: the data.
    Term,
    /// `Pid`: the sender.
    Pid,
    /// `Option<Ref>`: the call reference.
    Ref,
    /// Anything else: the data, decoded with serde.
    Decode,
}

/// What a handler returns, told from its spelling: a type alias of `Result`
/// is a `Value`.
pub(crate) enum Ret<'a> {
    /// No return type, or `()`.
    Unit,
    /// A value that becomes the reply.
    Value(&'a Type),
    /// `Result<T, E>`: `Ok` is the reply (none when `T` is `()`), `Err` an
    /// `err` reply.
    Result { ty: &'a Type, ok_unit: bool },
}

impl<'a> ActorImpl<'a> {
    pub(crate) fn from_syn(item: &'a ItemImpl) -> ActorImpl<'a> {
        let mut actor = ActorImpl {
            item,
            start: None,
            stop: None,
            init: None,
            handlers: Vec::new(),
        };
        for func in item.items.iter().filter_map(|item| match item {
            ImplItem::Fn(func) => Some(func),
            _ => None,
        }) {
            let name = func.sig.ident.to_string();
            let slot = match name.as_str() {
                "start" => &mut actor.start,
                "stop" => &mut actor.stop,
                "init" => &mut actor.init,
                _ => {
                    if let Some(&(kind, variant)) =
                        kind::HANDLER_KINDS.iter().find(|(k, _)| *k == name)
                    {
                        let method = Method::new(func);
                        actor.handlers.push(Handler::new(kind, variant, method));
                    }
                    continue;
                }
            };
            // A repeated name is rustc's error to report; keep the first.
            if slot.is_none() {
                *slot = Some(Method::new(func));
            }
        }
        actor
    }

    /// Whether the actor traps exits: it has a `death` handler.
    pub(crate) fn traps_exits(&self) -> bool {
        self.handlers.iter().any(|h| h.kind == "death")
    }
}

impl<'a> Method<'a> {
    fn new(func: &'a ImplItemFn) -> Method<'a> {
        let mut receiver = None;
        let mut params = Vec::new();
        for arg in &func.sig.inputs {
            match arg {
                FnArg::Receiver(r) => receiver = Some(r),
                FnArg::Typed(p) => params.push(p),
            }
        }
        Method {
            func,
            receiver,
            params,
        }
    }

    pub(crate) fn is_async(&self) -> bool {
        self.func.sig.asyncness.is_some()
    }
}

impl<'a> Handler<'a> {
    fn new(kind: &'static str, variant: &'static str, method: Method<'a>) -> Handler<'a> {
        let params = method
            .params
            .iter()
            .map(|p| Param {
                ty: &p.ty,
                extractor: Extractor::of(&p.ty),
            })
            .collect();
        let ret = Ret::of(&method.func.sig.output);
        Handler {
            kind,
            variant,
            method,
            params,
            ret,
        }
    }
}

impl Extractor {
    fn of(ty: &Type) -> Extractor {
        let Some(seg) = last_segment(ty) else {
            return Extractor::Decode;
        };
        let bare = matches!(seg.arguments, PathArguments::None);
        match seg.ident.to_string().as_str() {
            "Message" if bare => Extractor::Message,
            "Term" if bare => Extractor::Term,
            "Pid" if bare => Extractor::Pid,
            "Option" => match single_type_arg(seg).and_then(last_segment) {
                Some(inner) if inner.ident == "Ref" && inner.arguments.is_none() => Extractor::Ref,
                _ => Extractor::Decode,
            },
            _ => Extractor::Decode,
        }
    }

    /// How the type is spelled in messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Extractor::Message => "Message",
            Extractor::Term => "Term",
            Extractor::Pid => "Pid",
            Extractor::Ref => "Option<Ref>",
            Extractor::Decode => "decoded",
        }
    }
}

impl<'a> Ret<'a> {
    fn of(output: &'a ReturnType) -> Ret<'a> {
        let ReturnType::Type(_, ty) = output else {
            return Ret::Unit;
        };
        if is_unit(ty) {
            return Ret::Unit;
        }
        match last_segment(ty) {
            Some(seg) if seg.ident == "Result" => match &seg.arguments {
                PathArguments::AngleBracketed(args) => {
                    let ok = args.args.iter().find_map(|arg| match arg {
                        GenericArgument::Type(t) => Some(t),
                        _ => None,
                    });
                    Ret::Result {
                        ty,
                        ok_unit: ok.is_some_and(is_unit),
                    }
                }
                _ => Ret::Value(ty),
            },
            _ => Ret::Value(ty),
        }
    }
}

/// The last segment of a plain type path (`a::b::C<..>` gives `C<..>`).
pub(crate) fn last_segment(ty: &Type) -> Option<&PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        Type::Group(g) => last_segment(&g.elem),
        Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

fn single_type_arg(seg: &PathSegment) -> Option<&Type> {
    match &seg.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// Whether there are generic parameters or a `where` clause.
pub(crate) fn is_generic(generics: &syn::Generics) -> bool {
    !generics.params.is_empty() || generics.where_clause.is_some()
}

pub(crate) fn is_unit(ty: &Type) -> bool {
    match ty {
        Type::Tuple(t) => t.elems.is_empty(),
        Type::Group(g) => is_unit(&g.elem),
        Type::Paren(p) => is_unit(&p.elem),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extractor(src: &str) -> Extractor {
        Extractor::of(&syn::parse_str(src).expect("type"))
    }

    #[test]
    fn extractors_by_spelling() {
        assert_eq!(extractor("Message"), Extractor::Message);
        assert_eq!(extractor("actor::Message"), Extractor::Message);
        assert_eq!(extractor("Term"), Extractor::Term);
        assert_eq!(extractor("::actor::Pid"), Extractor::Pid);
        assert_eq!(extractor("Option<Ref>"), Extractor::Ref);
        assert_eq!(extractor("std::option::Option<actor::Ref>"), Extractor::Ref);
        assert_eq!(extractor("Option<u32>"), Extractor::Decode);
        assert_eq!(extractor("Ref"), Extractor::Decode);
        assert_eq!(extractor("Point"), Extractor::Decode);
        assert_eq!(extractor("Vec<Term>"), Extractor::Decode);
        assert_eq!(extractor("&Term"), Extractor::Decode);
    }

    fn ret(src: &str) -> &'static str {
        let output: ReturnType = syn::parse_str(src).expect("return type");
        let output = Box::leak(Box::new(output));
        match Ret::of(output) {
            Ret::Unit => "unit",
            Ret::Value(_) => "value",
            Ret::Result { ok_unit: true, .. } => "result unit",
            Ret::Result { ok_unit: false, .. } => "result",
        }
    }

    #[test]
    fn returns_by_spelling() {
        assert_eq!(ret(""), "unit");
        assert_eq!(ret("-> ()"), "unit");
        assert_eq!(ret("-> Term"), "value");
        assert_eq!(ret("-> i64"), "value");
        assert_eq!(ret("-> Result<(), String>"), "result unit");
        assert_eq!(ret("-> std::result::Result<Term, Term>"), "result");
        assert_eq!(ret("-> io::Result<()>"), "result unit");
        assert_eq!(ret("-> MyResult"), "value");
    }

    #[test]
    fn methods_are_sorted_by_name() {
        let item: ItemImpl = syn::parse_quote! {
            impl A {
                fn start(&mut self) {}
                fn std(&mut self, m: Message) {}
                async fn death(&mut self, p: Pid) {}
                fn helper(&self) {}
                fn init(args: Term) -> Self { A }
                const X: u8 = 1;
            }
        };
        let a = ActorImpl::from_syn(&item);
        assert!(a.start.is_some() && a.init.is_some() && a.stop.is_none());
        let kinds: Vec<_> = a.handlers.iter().map(|h| h.kind).collect();
        assert_eq!(kinds, ["std", "death"]);
        assert!(a.traps_exits());
        assert!(a.handlers[1].method.is_async());
        assert_eq!(a.handlers[1].params[0].extractor, Extractor::Pid);
    }
}
