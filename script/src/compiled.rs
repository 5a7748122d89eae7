//! A compiled script and the conventions both kinds share: only functions at the top level;
//! handlers named after event types (a capital first letter) taking the event; a few other
//! functions known by name (`init`, and for projections `rows` and `columns`); helpers free.

use eventide_shop::evolution::FieldReads;
use rhai::{Dynamic, FuncArgs, AST};

use crate::error::{ErrorKind, ScriptError};
use crate::handler::EventTypes;
use crate::host::{Deadline, ScriptHost};
use crate::reads::handler_reads;

/// A function the host calls by name, besides handlers. None takes a parameter.
pub(crate) struct Known {
    pub name: &'static str,
    /// What it does, for the error when it is declared with parameters.
    pub purpose: &'static str,
}

pub(crate) struct Compiled {
    host: ScriptHost,
    ast: AST,
    /// Event types with a handler, sorted.
    handlers: Vec<String>,
    /// The payload fields each handler reads, in the order of `handlers`.
    reads: Vec<(String, FieldReads)>,
    /// The known functions this script defines.
    defined: Vec<&'static str>,
}

impl Compiled {
    pub fn compile(
        host: &ScriptHost,
        source: &str,
        known: &[Known],
        types: &EventTypes,
    ) -> Result<Compiled, ScriptError> {
        let ast = host.compile(source)?;
        if let Some(statement) = ast.statements().first() {
            return Err(ScriptError::new(
                ErrorKind::Compile,
                "only functions may stand outside a function: put starting values in `init()`, \
                 and constants in a function of their own, e.g. `fn window_ms() { 600000 }`",
            )
            .at_position(statement.position()));
        }
        let mut handlers = Vec::new();
        let mut reads = Vec::new();
        let mut defined = Vec::new();
        for function in ast.iter_functions() {
            let name = function.name;
            let place = place_of(source, name);
            let refuse =
                |message: String| Err(ScriptError::new(ErrorKind::Compile, message).at(place));
            if let Some(known) = known.iter().find(|known| known.name == name) {
                if !function.params.is_empty() {
                    return refuse(format!("`{name}` takes no parameters: {}", known.purpose));
                }
                defined.push(known.name);
            } else if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                if !types.contains(name) {
                    let hint = types
                        .closest(name)
                        .map(|close| format!(": did you mean {close}?"))
                        .unwrap_or_else(|| {
                            ". Names with a capital first letter are handlers; \
                             helpers start with a small letter"
                                .to_string()
                        });
                    return refuse(format!("`{name}` is not an event type{hint}"));
                }
                if function.params.len() != 1 {
                    return refuse(format!(
                        "`{name}` takes one parameter, the event (the state is `this`): \
                         `fn {name}(event)`"
                    ));
                }
                handlers.push(name.to_string());
                let param = function.params.first().copied().unwrap_or("event");
                reads.push((name.to_string(), handler_reads(&ast, name, param)));
            }
        }
        if handlers.is_empty() {
            return Err(ScriptError::new(
                ErrorKind::Compile,
                "the script handles no event: name a function after an event type, \
                 e.g. `fn OrderPlaced(event) { ... }`",
            ));
        }
        handlers.sort();
        handlers.dedup();
        reads.sort_by(|a: &(String, FieldReads), b| a.0.cmp(&b.0));
        reads.dedup_by(|a, b| a.0 == b.0);
        Ok(Compiled {
            host: host.clone(),
            ast,
            handlers,
            reads,
            defined,
        })
    }

    pub fn handlers(&self) -> &[String] {
        &self.handlers
    }

    /// The payload fields each handler reads, by event type, sorted (see `reads`).
    pub fn reads(&self) -> &[(String, FieldReads)] {
        &self.reads
    }

    pub fn handles(&self, event_type: &str) -> bool {
        self.handlers
            .binary_search_by(|handler| handler.as_str().cmp(event_type))
            .is_ok()
    }

    pub fn defines(&self, known: &str) -> bool {
        self.defined.contains(&known)
    }

    pub fn host(&self) -> &ScriptHost {
        &self.host
    }

    pub fn call(
        &self,
        function: &str,
        this: Option<&mut Dynamic>,
        args: impl FuncArgs,
        deadline: &Deadline,
    ) -> Result<Dynamic, ScriptError> {
        self.host.call(&self.ast, function, this, args, deadline)
    }

    /// The state a script starts from: what `init()` returns, or an empty map.
    pub fn init(&self, deadline: &Deadline) -> Result<Dynamic, ScriptError> {
        if self.defines("init") {
            self.call("init", None, (), deadline)
        } else {
            Ok(Dynamic::from_map(rhai::Map::new()))
        }
    }
}

/// Where `fn name` is defined: line and column of the name. Rhai keeps no position for a
/// function definition, so the source is searched (the first definition wins).
pub(crate) fn place_of(source: &str, name: &str) -> Option<(usize, usize)> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    for (index, line) in source.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("fn") {
            let before_ok = rest[..at].chars().next_back().is_none_or(|c| !is_word(c));
            let after = &rest[at + 2..];
            let trimmed = after.trim_start();
            let spaced = trimmed.len() < after.len();
            if before_ok && spaced {
                if let Some(tail) = trimmed.strip_prefix(name) {
                    if tail.chars().next().is_none_or(|c| !is_word(c)) {
                        let byte = line.len() - trimmed.len();
                        return Some((index + 1, line[..byte].chars().count() + 1));
                    }
                }
            }
            rest = after;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_find_where_a_function_is_defined() {
        let source = "// fn Foo is mentioned\nfn init() { #{} }\n\n  fn OrderPlaced(event) {}\n";
        assert_eq!(place_of(source, "OrderPlaced"), Some((4, 6)));
        assert_eq!(place_of(source, "init"), Some((2, 4)));
        assert_eq!(place_of(source, "Order"), None);
    }
}
