//! The name a script gives its handler of an event type: the kernel's rule, so the script host
//! that calls handlers and the pages that write example scripts for any log agree on it.

use std::borrow::Cow;

/// The handler's name for `event_type`: the type itself when it is one already (a capital
/// first letter, then letters, digits or `_`), else its words (runs of letters and digits)
/// each capitalised and joined, behind an `E` when the first is a digit.
pub fn handler_name(event_type: &str) -> Cow<'_, str> {
    let mut chars = event_type.chars();
    let already = chars.next().is_some_and(|first| first.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if already {
        return Cow::Borrowed(event_type);
    }
    let mut name = String::with_capacity(event_type.len() + 1);
    for word in event_type
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        let mut letters = word.chars();
        if let Some(first) = letters.next() {
            if name.is_empty() && first.is_ascii_digit() {
                name.push('E');
            }
            name.push(first.to_ascii_uppercase());
            name.push_str(letters.as_str());
        }
    }
    Cow::Owned(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shop_types_are_their_own_handlers_and_foreign_ones_are_joined() {
        assert!(matches!(
            handler_name("OrderPlaced"),
            Cow::Borrowed("OrderPlaced")
        ));
        assert_eq!(
            handler_name("org.example.library.book.lent"),
            "OrgExampleLibraryBookLent"
        );
        assert_eq!(handler_name("order-placed"), "OrderPlaced");
        assert_eq!(handler_name("/orders/v2/created"), "OrdersV2Created");
        assert_eq!(handler_name("3ds.checked"), "E3dsChecked");
        assert_eq!(handler_name("order_placed"), "OrderPlaced");
        // Nothing a handler could be named after: no handler can match it.
        assert_eq!(handler_name("..."), "");
        assert_eq!(handler_name("Größe"), "GrE");
    }
}
