//! Which payload fields a handler reads, found in its syntax tree before it ever runs: what
//! lets the event catalog say whether a schema change breaks a deployed script.
//!
//! A handler reads `event.payload.total`, `event.payload["total"]`, or the same through a
//! variable that holds the payload (`let order = event.payload; order.total`) or the event
//! (`let e = event; e.payload.total`). Those are the field names it reads. Whenever the payload
//! (or the event) is used any other way, the fields it reads can no longer be told from the
//! text: a computed key (`order[name]`), the payload handed to a function, returned, stored in
//! the state, captured by a closure, asked for its `keys()` or tested with `in`. The handler
//! then counts as reading every field ([`FieldReads::Every`]): an overstatement, never a
//! miss. Only top-level fields are told apart: `order.lines[0].sku` reads `lines`.
//!
//! Variables are followed by name over the whole handler, whatever their scope: a name that
//! ever holds the payload counts every property read through it, which can only add fields.

use std::collections::BTreeSet;

use eventide_shop::evolution::FieldReads;
use rhai::{ASTFlags, ASTNode, Expr, Stmt, AST};

/// The fields `handler` (a function of one parameter, `param`) reads of its event's payload.
pub(crate) fn handler_reads(ast: &AST, handler: &str, param: &str) -> FieldReads {
    // `retain_functions`, not `clone_functions_only_filtered`: Rhai 1.27's filtered clone
    // keeps every function when it starts from an empty module.
    let mut only = ast.clone();
    only.retain_functions(|_, _, name, arity| name == handler && arity == 1);
    let mut names = Names::default();
    names.events.insert(param.to_string());
    // Aliases of aliases: walk until no new name turns up (each walk can only add names).
    loop {
        let before = (names.events.len(), names.payloads.len());
        only.walk(&mut |path: &[ASTNode]| {
            names.learn(path);
            true
        });
        if before == (names.events.len(), names.payloads.len()) {
            break;
        }
    }
    let mut fields = BTreeSet::new();
    let mut dynamic = false;
    only.walk(&mut |path: &[ASTNode]| {
        match names.use_at(path) {
            Use::Field(field) => {
                fields.insert(field);
            }
            Use::Dynamic => dynamic = true,
            Use::Other => {}
        }
        true
    });
    if dynamic {
        FieldReads::Every
    } else {
        FieldReads::Fields(fields.into_iter().collect())
    }
}

/// The variables that hold the event and those that hold its payload.
#[derive(Default)]
struct Names {
    events: BTreeSet<String>,
    payloads: BTreeSet<String>,
}

/// One step of an access chain: `.name`, `.method(...)`, `[index]`.
enum Step<'a> {
    Property(&'a str),
    Method,
    Index(&'a Expr),
}

/// What a use of the event or payload variable at the end of a path means.
enum Use {
    Field(String),
    /// It reads fields the text does not name.
    Dynamic,
    /// Not a use of either (or a binding of an alias, or an envelope field).
    Other,
}

/// The steps that `chain` (a `Dot` or `Index` expression) applies to its left-hand side.
///
/// Rhai nests a chain to the right: `a.b[0].c` is `Dot(a, Index(b, Dot(0, c)))`, each link's
/// left-hand side the next step and its right-hand side the rest; `BREAK` marks an index that
/// ends the chain (`a[b.c]` indexes `a` by `b.c`).
fn steps(chain: &Expr) -> Vec<Step<'_>> {
    match chain {
        Expr::Dot(x, ..) => after_dot(&x.rhs),
        Expr::Index(x, flags, ..) => after_index(&x.rhs, *flags),
        _ => Vec::new(),
    }
}

/// The step a link's left-hand side takes after a dot: a property, or a method call.
fn head(lhs: &Expr) -> Step<'_> {
    match lhs {
        Expr::Property(p, ..) => Step::Property(p.2.as_str()),
        _ => Step::Method,
    }
}

fn after_dot(rhs: &Expr) -> Vec<Step<'_>> {
    match rhs {
        Expr::Property(p, ..) => vec![Step::Property(p.2.as_str())],
        Expr::Dot(x, ..) => std::iter::once(head(&x.lhs))
            .chain(after_dot(&x.rhs))
            .collect(),
        Expr::Index(x, flags, ..) => std::iter::once(head(&x.lhs))
            .chain(after_index(&x.rhs, *flags))
            .collect(),
        _ => vec![Step::Method],
    }
}

fn after_index(rhs: &Expr, flags: ASTFlags) -> Vec<Step<'_>> {
    if flags.contains(ASTFlags::BREAK) {
        return vec![Step::Index(rhs)];
    }
    match rhs {
        Expr::Dot(x, ..) => std::iter::once(Step::Index(&x.lhs))
            .chain(after_dot(&x.rhs))
            .collect(),
        Expr::Index(x, flags, ..) => std::iter::once(Step::Index(&x.lhs))
            .chain(after_index(&x.rhs, *flags))
            .collect(),
        index => vec![Step::Index(index)],
    }
}

fn variable(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Variable(x, ..) => Some(x.1.as_str()),
        _ => None,
    }
}

fn literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::StringConstant(text, ..) => Some(text.as_str()),
        _ => None,
    }
}

/// A step that takes the payload out of the event: `.payload` or `["payload"]`.
fn is_payload(step: &Step) -> bool {
    match step {
        Step::Property(name) => *name == "payload",
        Step::Index(index) => literal(index) == Some("payload"),
        Step::Method => false,
    }
}

impl Names {
    /// What `expr` holds: the event, its payload, or neither.
    fn holds(&self, expr: &Expr) -> Holds {
        if let Some(name) = variable(expr) {
            if self.events.contains(name) {
                return Holds::Event;
            }
            if self.payloads.contains(name) {
                return Holds::Payload;
            }
            return Holds::Neither;
        }
        if let Expr::Dot(x, ..) | Expr::Index(x, ..) = expr {
            if variable(&x.lhs).is_some_and(|name| self.events.contains(name)) {
                if let [only] = steps(expr).as_slice() {
                    if is_payload(only) {
                        return Holds::Payload;
                    }
                }
            }
        }
        Holds::Neither
    }

    /// Learns the aliases a binding at the end of `path` makes: `let p = event.payload`,
    /// `p = q` where `q` holds the payload, `let e = event`.
    fn learn(&mut self, path: &[ASTNode]) {
        let (name, value) = match path.last() {
            Some(ASTNode::Stmt(Stmt::Var(x, ..))) => (x.0.name.as_str(), &x.1),
            Some(ASTNode::Stmt(Stmt::Assignment(x))) if !x.0.is_op_assignment() => {
                match variable(&x.1.lhs) {
                    Some(name) => (name, &x.1.rhs),
                    None => return,
                }
            }
            _ => return,
        };
        match self.holds(value) {
            Holds::Event => {
                self.events.insert(name.to_string());
            }
            Holds::Payload => {
                self.payloads.insert(name.to_string());
            }
            Holds::Neither => {}
        }
    }

    /// What the node at the end of `path` does with the event or its payload, if it is one of
    /// their variables.
    fn use_at(&self, path: &[ASTNode]) -> Use {
        let Some(ASTNode::Expr(node)) = path.last() else {
            return Use::Other;
        };
        let Some(name) = variable(node) else {
            return Use::Other;
        };
        let is_event = self.events.contains(name);
        if !is_event && !self.payloads.contains(name) {
            return Use::Other;
        }
        let parent = path.len().checked_sub(2).and_then(|at| path.get(at));
        let chain = match parent {
            Some(ASTNode::Expr(chain @ (Expr::Dot(x, ..) | Expr::Index(x, ..))))
                if std::ptr::eq(&x.lhs, *node) =>
            {
                chain
            }
            // The whole variable used as a value: only a plain binding to another name is
            // followed (that name is an alias, read through as this one is).
            _ if Self::binds(parent, node) => return Use::Other,
            _ => return Use::Dynamic,
        };
        let steps = steps(chain);
        let field = if is_event {
            match steps.as_slice() {
                [] => return Use::Dynamic,
                [first, ..] if !is_payload(first) => {
                    return match first {
                        // An envelope field (`event.position`): not the payload's.
                        Step::Property(_) => Use::Other,
                        Step::Index(index) if literal(index).is_some() => Use::Other,
                        _ => Use::Dynamic,
                    };
                }
                [_payload] => {
                    // `event.payload` whole: fine only as the value of a binding.
                    let grandparent = path.len().checked_sub(3).and_then(|at| path.get(at));
                    return if Self::binds(grandparent, chain) {
                        Use::Other
                    } else {
                        Use::Dynamic
                    };
                }
                [_payload, field, ..] => field,
            }
        } else {
            match steps.first() {
                Some(field) => field,
                None => return Use::Dynamic,
            }
        };
        match field {
            Step::Property(name) => Use::Field(name.to_string()),
            Step::Index(index) => match literal(index) {
                Some(name) => Use::Field(name.to_string()),
                None => Use::Dynamic,
            },
            Step::Method => Use::Dynamic,
        }
    }

    /// Whether `parent` is a plain binding (`let x = value`, `x = value`) of `value`.
    fn binds(parent: Option<&ASTNode>, value: &Expr) -> bool {
        match parent {
            Some(ASTNode::Stmt(Stmt::Var(x, ..))) => std::ptr::eq(&x.1, value),
            Some(ASTNode::Stmt(Stmt::Assignment(x))) => {
                !x.0.is_op_assignment()
                    && variable(&x.1.lhs).is_some()
                    && std::ptr::eq(&x.1.rhs, value)
            }
            _ => false,
        }
    }
}

enum Holds {
    Event,
    Payload,
    Neither,
}
