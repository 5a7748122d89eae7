//! The host: one Rhai engine configured for untrusted scripts (no files, no clock, no `eval`,
//! limits on operations, call depth and data), the caller's deadline, and what scripts print.
//!
//! The host reads no clock. A [`Deadline`] is the caller's: native code hands in `Instant`, a
//! browser worker `performance.now()`, and the host polls it every few thousand operations.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rhai::packages::{Package, StandardPackage};
use rhai::{CallFnOptions, Dynamic, Engine, FuncArgs, Scope, AST};

use eventide_engine::Timestamp;

use crate::error::ScriptError;

/// How far one script may go. Sizes of 0 mean "no limit", as in Rhai.
///
/// Rhai measures most writes as they happen, but not `map[key] = value`: the host measures the
/// state after a call every so many operations instead. Rhai copies and drops nested values
/// recursively, so a value nested thousands of levels deep can still overflow the stack (which
/// aborts): array and map limits bound nesting only where Rhai measures. Run scripts where an
/// abort is survivable (a Web Worker) or with a large stack (the command line uses 256 MiB).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Operations one call may take (a handler for one event, `init`, `rows`): stops `loop {}`.
    pub max_operations: u64,
    /// Nested function calls: stops runaway recursion before it overflows the stack (a Web
    /// Worker's stack is 1 MiB; a release build uses a few KiB per level).
    pub max_call_depth: usize,
    /// Nesting of expressions, checked when compiling.
    pub max_expr_depth: usize,
    /// Bytes in one string.
    pub max_string_len: usize,
    /// Items in one value's arrays, nested ones included.
    pub max_array_len: usize,
    /// Entries in one value's maps, nested ones included: the state is one value.
    pub max_map_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 1_000_000,
            max_call_depth: 32,
            max_expr_depth: 32,
            max_string_len: 1 << 20,
            max_array_len: 1_000_000,
            max_map_len: 1_000_000,
        }
    }
}

/// When a run must stop, as the caller's clock sees it.
#[derive(Clone)]
pub struct Deadline {
    is_up: Option<Rc<dyn Fn() -> bool>>,
    budget: Rc<str>,
}

impl Deadline {
    /// No time limit: only the operation limit stops a script.
    pub fn none() -> Deadline {
        Deadline {
            is_up: None,
            budget: Rc::from("no time limit"),
        }
    }

    /// Up `limit_ms` after now, as `clock` (milliseconds, any origin) tells it; `clock` is read
    /// once here and then every few thousand operations.
    pub fn after_ms(limit_ms: f64, clock: impl Fn() -> f64 + 'static) -> Deadline {
        let start = clock();
        Deadline::when(format_ms(limit_ms), move || clock() - start >= limit_ms)
    }

    /// Up whenever `is_up` says so (a cancel button, a frame budget). `budget` names the limit
    /// in the error: "stopped after {budget}".
    pub fn when(budget: impl Into<String>, is_up: impl Fn() -> bool + 'static) -> Deadline {
        Deadline {
            is_up: Some(Rc::new(is_up)),
            budget: Rc::from(budget.into()),
        }
    }

    /// The limit in words, as errors name it ("2 s").
    pub fn budget(&self) -> &str {
        &self.budget
    }

    fn is_up(&self) -> bool {
        self.is_up.as_ref().is_some_and(|is_up| is_up())
    }
}

impl std::fmt::Debug for Deadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deadline")
            .field("budget", &self.budget)
            .finish()
    }
}

/// `2000` as `2 s`, `1500` as `1.5 s`, `250` as `250 ms`.
fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", ms / 1000.0)
    } else {
        format!("{ms} ms")
    }
}

/// How often (in operations) the deadline is polled: reading a browser's clock costs a call
/// into JavaScript, so not on every operation.
const POLL_EVERY: u64 = 4096;
/// What a call from the host counts for, so that a fold of many cheap handlers polls too.
const CALL_WEIGHT: u64 = 64;
/// How often (in operations) the state is measured against the size limits after a call. Rhai
/// checks most writes itself, but not `map[key] = value`, which is how states grow; measuring
/// costs time in proportion to the state, so it is spread out. Between two checks a state can
/// outgrow the limit by at most about this many entries.
const SIZE_CHECK_EVERY: u64 = 65_536;

/// The deadline of the call in progress, shared with the engine's progress callback (which
/// must be `'static`, so it cannot borrow the caller's deadline directly).
#[derive(Default)]
struct Watch {
    deadline: RefCell<Option<Deadline>>,
    operations: Cell<u64>,
    /// `operations` when the state was last measured.
    measured_at: Cell<u64>,
}

impl Watch {
    /// Counts `weight` operations; polls the deadline whenever a multiple of [`POLL_EVERY`] is
    /// crossed.
    fn tick(&self, weight: u64) -> bool {
        let before = self.operations.get();
        let after = before.wrapping_add(weight);
        self.operations.set(after);
        before / POLL_EVERY != after / POLL_EVERY
            && self.deadline.borrow().as_ref().is_some_and(Deadline::is_up)
    }
}

impl Watch {
    /// Whether the state should be measured now; if so, counts it as measured.
    fn size_check_due(&self) -> bool {
        let now = self.operations.get();
        let due = now.wrapping_sub(self.measured_at.get()) >= SIZE_CHECK_EVERY;
        if due {
            self.measured_at.set(now);
        }
        due
    }
}

/// Clears the watched deadline when a call ends, however it ends.
struct Watching<'a>(&'a Watch);

impl Drop for Watching<'_> {
    fn drop(&mut self) {
        self.0.deadline.replace(None);
    }
}

/// At most this many printed lines are kept between two [`ScriptHost::take_output`] calls.
const MAX_OUTPUT_LINES: usize = 1_000;
/// Printed lines are cut at this many characters.
const MAX_OUTPUT_LINE: usize = 1_000;

#[derive(Default)]
struct Output {
    lines: Vec<String>,
    dropped: usize,
}

impl Output {
    fn push(&mut self, line: String) {
        if self.lines.len() < MAX_OUTPUT_LINES {
            let line = match line.char_indices().nth(MAX_OUTPUT_LINE) {
                Some((cut, _)) => format!("{}…", &line[..cut]),
                None => line,
            };
            self.lines.push(line);
        } else {
            self.dropped += 1;
        }
    }
}

struct Inner {
    engine: Engine,
    limits: Limits,
    watch: Rc<Watch>,
    output: Rc<RefCell<Output>>,
}

/// One configured engine, shared by every script compiled with it. Cheap to clone. Not `Send`:
/// a browser runs it inside one Web Worker, natively it stays on one thread.
#[derive(Clone)]
pub struct ScriptHost {
    inner: Rc<Inner>,
}

impl Default for ScriptHost {
    fn default() -> Self {
        ScriptHost::new(Limits::default())
    }
}

impl ScriptHost {
    pub fn new(limits: Limits) -> ScriptHost {
        let watch = Rc::new(Watch::default());
        let output = Rc::new(RefCell::new(Output::default()));
        // `new_raw`: no file module resolver and no printing to stdout, which the standard
        // `Engine::new` sets up.
        let mut engine = Engine::new_raw();
        engine.register_global_module(StandardPackage::new().as_shared_module());
        // Rhai's fast path for operators evaluates both operands by value, so `key !in this`
        // would copy the whole state on every call; the ordinary path passes it by reference.
        engine.set_fast_operators(false);
        // An undefined variable is a compile error with its position, not a surprise at event
        // 40,000.
        engine.set_strict_variables(true);
        engine.disable_symbol("eval");
        engine.set_max_operations(limits.max_operations);
        engine.set_max_call_levels(limits.max_call_depth);
        engine.set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth);
        engine.set_max_string_size(limits.max_string_len);
        engine.set_max_array_size(limits.max_array_len);
        engine.set_max_map_size(limits.max_map_len);
        // Scripts see times as milliseconds, for arithmetic; a table is read by people.
        engine.register_fn("format_time", format_time);

        let progress = Rc::clone(&watch);
        engine.on_progress(move |_| progress.tick(1).then(|| Dynamic::from("time is up")));
        let printed = Rc::clone(&output);
        engine.on_print(move |text| printed.borrow_mut().push(text.to_string()));
        let debugged = Rc::clone(&output);
        engine.on_debug(move |text, _, position| {
            let line = match position.line() {
                Some(line) => format!("line {line}: {text}"),
                None => text.to_string(),
            };
            debugged.borrow_mut().push(line);
        });

        ScriptHost {
            inner: Rc::new(Inner {
                engine,
                limits,
                watch,
                output,
            }),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// What scripts printed (`print(x)`, `debug(x)`) since the last call, oldest first. Only the
    /// first thousand lines are kept; a last line says how many more were dropped.
    pub fn take_output(&self) -> Vec<String> {
        let Output { mut lines, dropped } = self.inner.output.take();
        if dropped > 0 {
            lines.push(format!("({dropped} more lines were not kept)"));
        }
        lines
    }

    pub(crate) fn compile(&self, source: &str) -> Result<AST, ScriptError> {
        self.inner
            .engine
            .compile(source)
            .map_err(|error| ScriptError::from_parse(&error))
    }

    /// Calls a script function under the limits and the deadline, with `this` bound to the
    /// state when given. Top-level statements are never evaluated (compiling refuses them).
    pub(crate) fn call(
        &self,
        ast: &AST,
        function: &str,
        mut this: Option<&mut Dynamic>,
        args: impl FuncArgs,
        deadline: &Deadline,
    ) -> Result<Dynamic, ScriptError> {
        let inner = &*self.inner;
        inner.watch.deadline.replace(Some(deadline.clone()));
        let _watching = Watching(&inner.watch);
        if inner.watch.tick(CALL_WEIGHT) {
            let error = rhai::EvalAltResult::ErrorTerminated(Dynamic::UNIT, rhai::Position::NONE);
            return Err(ScriptError::from_eval(
                error,
                function,
                &inner.limits,
                deadline,
            ));
        }
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        let options = match this.as_deref_mut() {
            Some(this) => options.bind_this_ptr(this),
            None => options,
        };
        let fail = |error| ScriptError::from_eval(error, function, &inner.limits, deadline);
        let returned = inner
            .engine
            .call_fn_with_options::<Dynamic>(options, &mut Scope::new(), ast, function, args)
            .map_err(|error| fail(*error))?;
        if let Some(this) = this {
            if inner.watch.size_check_due() {
                inner
                    .engine
                    .ensure_data_size_within_limits(this)
                    .map_err(|error| fail(*error))?;
            }
        }
        Ok(returned)
    }
}

/// `2026-11-26 09:14:03 UTC` from milliseconds since the epoch: how the app shows a time (to the
/// second, in UTC). A time out of range reads as its milliseconds, never as an error.
pub fn format_time(millis: i64) -> String {
    let text = Timestamp::from_millis(millis).to_rfc3339();
    match text
        .split_once('T')
        .and_then(|(date, rest)| Some((date, rest.get(..8)?)))
    {
        Some((date, time)) => format!("{date} {time} UTC"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_format_times_as_the_app_shows_them() {
        assert_eq!(format_time(1_795_683_600_120), "2026-11-26 09:00:00 UTC");
        assert_eq!(format_time(i64::MAX), format!("{}ms", i64::MAX));
        let host = ScriptHost::default();
        let ast = host.compile("fn f() { format_time(0) }").expect("compiles");
        let text = host
            .call(&ast, "f", None, (), &Deadline::none())
            .expect("runs");
        assert_eq!(
            text.into_string().ok().as_deref(),
            Some("1970-01-01 00:00:00 UTC")
        );
    }

    #[test]
    fn it_should_name_a_time_budget_as_people_do() {
        assert_eq!(format_ms(2000.0), "2 s");
        assert_eq!(format_ms(1500.0), "1.5 s");
        assert_eq!(format_ms(250.0), "250 ms");
        assert_eq!(Deadline::after_ms(2000.0, || 0.0).budget(), "2 s");
    }

    #[test]
    fn it_should_keep_only_the_first_thousand_printed_lines() {
        let host = ScriptHost::default();
        for i in 0..1_005 {
            host.inner.output.borrow_mut().push(format!("line {i}"));
        }
        let lines = host.take_output();
        assert_eq!(lines.len(), 1_001);
        assert_eq!(lines[1_000], "(5 more lines were not kept)");
        assert!(host.take_output().is_empty());
    }
}
