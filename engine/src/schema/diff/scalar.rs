//! Strings, enumerations and constants: the rules that look at values, not at subschemas.
//!
//! A bound that admits more (a longer `maxLength`, a removed `pattern`, more `enum` values) is
//! backward compatible: whatever the old schema accepted, the new one still does.

use serde_json::Value;

use super::Changes;
use crate::schema::change::ChangeKind;
use crate::schema::document::StringRules;

pub(super) fn compare_strings(original: &StringRules, update: &StringRules, changes: &mut Changes) {
    compare_limit(
        original.max_length,
        update.max_length,
        "maxLength",
        LimitChanges {
            added: ChangeKind::MaxLengthAdded,
            removed: ChangeKind::MaxLengthRemoved,
            increased: ChangeKind::MaxLengthIncreased,
            decreased: ChangeKind::MaxLengthDecreased,
        },
        changes,
    );
    compare_limit(
        original.min_length,
        update.min_length,
        "minLength",
        LimitChanges {
            added: ChangeKind::MinLengthAdded,
            removed: ChangeKind::MinLengthRemoved,
            increased: ChangeKind::MinLengthIncreased,
            decreased: ChangeKind::MinLengthDecreased,
        },
        changes,
    );
    match (&original.pattern, &update.pattern) {
        (None, Some(_)) => changes.push_at("pattern", ChangeKind::PatternAdded),
        (Some(_), None) => changes.push_at("pattern", ChangeKind::PatternRemoved),
        (Some(before), Some(after)) if before.source() != after.source() => {
            changes.push_at("pattern", ChangeKind::PatternChanged)
        }
        _ => {}
    }
}

/// `enum` values compare as sets: order and repetition do not matter.
pub(super) fn compare_enums(original: &[Value], update: &[Value], changes: &mut Changes) {
    let update_has_all = original.iter().all(|value| update.contains(value));
    let original_has_all = update.iter().all(|value| original.contains(value));
    let kind = match (update_has_all, original_has_all) {
        (true, true) => return,
        (true, false) => ChangeKind::EnumArrayExtended,
        (false, true) => ChangeKind::EnumArrayNarrowed,
        (false, false) => ChangeKind::EnumArrayChanged,
    };
    changes.push_at("enum", kind);
}

/// A `const` is an enumeration of one value, so any change to it changes the enumeration.
pub(super) fn compare_consts(original: &Value, update: &Value, changes: &mut Changes) {
    if original != update {
        changes.push_at("const", ChangeKind::EnumArrayChanged);
    }
}

/// The four changes a numeric keyword can go through.
pub(super) struct LimitChanges {
    pub added: ChangeKind,
    pub removed: ChangeKind,
    pub increased: ChangeKind,
    pub decreased: ChangeKind,
}

/// Compares one numeric keyword (`maxLength`, `minItems`, `maximum`...) of the two schemas.
pub(super) fn compare_limit<N: PartialOrd>(
    original: Option<N>,
    update: Option<N>,
    keyword: &str,
    kinds: LimitChanges,
    changes: &mut Changes,
) {
    let kind = match (original, update) {
        (None, None) => return,
        (None, Some(_)) => kinds.added,
        (Some(_), None) => kinds.removed,
        (Some(before), Some(after)) if before < after => kinds.increased,
        (Some(before), Some(after)) if before > after => kinds.decreased,
        (Some(_), Some(_)) => return,
    };
    changes.push_at(keyword, kind);
}
