//! Payloads kept by shape: an object payload is its shape (its keys, in order, numbered once
//! for the log) and one number per key, the key's value among the values that key has had,
//! each kept once as compact JSON text. Most logs repeat a few shapes and, per key, few
//! values (a member, a book, a status), so a payload costs a few numbers, and a test on a
//! payload field is decided once per distinct value, not once per event.

use rustc_hash::FxHashMap;
use serde_json::Value;

use crate::texts::{NameIndex, Names, TooLarge};

/// The shape of a payload that is not an object (an array, a text, a number, null): one value.
const NOT_AN_OBJECT: u32 = u32::MAX;
const NO_SLOT: u32 = u32::MAX;

#[derive(Clone, Debug, Default)]
pub struct Payloads {
    keys: Names,
    /// Each key's values, by key number.
    values: Vec<Names>,
    /// The payloads that are not objects, each distinct one once.
    others: Names,
    shapes: Vec<Box<[NameIndex]>>,
    shape_index: FxHashMap<Box<[NameIndex]>, u32>,
    /// Per payload: its shape, and where its values end in `slots`.
    shape: Vec<u32>,
    ends: Vec<u32>,
    slots: Vec<NameIndex>,
    scratch_keys: Vec<NameIndex>,
    scratch_text: Vec<u8>,
}

/// A top-level payload field, looked up once for a query: the key's place in each shape.
#[derive(Clone, Debug)]
pub struct PayloadField {
    key: Option<NameIndex>,
    slot_in_shape: Vec<u32>,
}

impl Payloads {
    pub fn push(&mut self, data: &Value) -> Result<(), TooLarge> {
        let Value::Object(fields) = data else {
            let value = self.others.intern(compact(&mut self.scratch_text, data))?;
            self.slots.push(value);
            return self.close(NOT_AN_OBJECT);
        };
        self.scratch_keys.clear();
        for (key, value) in fields {
            let key = self.keys.intern(key)?;
            self.scratch_keys.push(key);
            if key as usize == self.values.len() {
                self.values.push(Names::default());
            }
            let text = compact(&mut self.scratch_text, value);
            let value = self.values[key as usize].intern(text)?;
            self.slots.push(value);
        }
        let shape = match self.shape_index.get(self.scratch_keys.as_slice()) {
            Some(&shape) => shape,
            None => {
                let shape = u32::try_from(self.shapes.len()).map_err(|_| TooLarge)?;
                let keys: Box<[NameIndex]> = self.scratch_keys.as_slice().into();
                self.shapes.push(keys.clone());
                self.shape_index.insert(keys, shape);
                shape
            }
        };
        self.close(shape)
    }

    fn close(&mut self, shape: u32) -> Result<(), TooLarge> {
        self.shape.push(shape);
        self.ends
            .push(u32::try_from(self.slots.len()).map_err(|_| TooLarge)?);
        Ok(())
    }

    fn values_of(&self, index: usize) -> &[NameIndex] {
        let start = match index {
            0 => 0,
            _ => self.ends.get(index - 1).copied().unwrap_or(0),
        } as usize;
        let end = self.ends.get(index).copied().unwrap_or(0) as usize;
        self.slots.get(start..end).unwrap_or(&[])
    }

    /// Payload `index` as compact JSON text, as it was read.
    pub fn text(&self, index: usize) -> String {
        let values = self.values_of(index);
        let Some(&shape) = self.shape.get(index) else {
            return "null".into();
        };
        if shape == NOT_AN_OBJECT {
            return values
                .first()
                .map_or("null", |&value| self.others.name(value))
                .to_owned();
        }
        let keys = self.shapes.get(shape as usize).map_or(&[][..], |keys| keys);
        let mut text = String::from("{");
        for (place, (&key, &value)) in keys.iter().zip(values).enumerate() {
            if place > 0 {
                text.push(',');
            }
            // A key written as a JSON string always serialises.
            text.push_str(&serde_json::to_string(self.keys.name(key)).unwrap_or_default());
            text.push(':');
            text.push_str(self.values[key as usize].name(value));
        }
        text.push('}');
        text
    }

    pub fn value(&self, index: usize) -> Value {
        serde_json::from_str(&self.text(index)).unwrap_or(Value::Null)
    }

    /// The top-level field `key`, ready to be read from every payload.
    pub fn field(&self, key: &str) -> PayloadField {
        let key = self.keys.find(key);
        let slot_in_shape = self
            .shapes
            .iter()
            .map(|keys| {
                key.and_then(|key| keys.iter().position(|&each| each == key))
                    .map_or(NO_SLOT, |slot| slot as u32)
            })
            .collect();
        PayloadField { key, slot_in_shape }
    }

    /// The number of payload `index`'s value for `field`, if it has the field.
    pub fn value_number(&self, index: usize, field: &PayloadField) -> Option<NameIndex> {
        let shape = *self.shape.get(index)?;
        let slot = *field.slot_in_shape.get(shape as usize)?;
        if slot == NO_SLOT {
            return None;
        }
        self.values_of(index).get(slot as usize).copied()
    }

    /// Every value `field` has had, by number, as compact JSON text.
    pub fn values(&self, field: &PayloadField) -> impl Iterator<Item = (NameIndex, &str)> {
        field
            .key
            .and_then(|key| self.values.get(key as usize))
            .into_iter()
            .flat_map(Names::iter)
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.shape.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.slots.shrink_to_fit();
    }

    pub fn heap_bytes(&self) -> usize {
        self.keys.bytes()
            + self.values.iter().map(Names::bytes).sum::<usize>()
            + self.values.capacity() * std::mem::size_of::<Names>()
            + self.others.bytes()
            + self
                .shapes
                .iter()
                .map(|keys| keys.len() * 4 * 2 + 16 * 2)
                .sum::<usize>()
            + (self.shape.capacity() + self.ends.capacity() + self.slots.capacity()) * 4
    }
}

/// A value's compact JSON text, written into a buffer kept between calls.
fn compact<'a>(buffer: &'a mut Vec<u8>, value: &Value) -> &'a str {
    buffer.clear();
    // Writing a `Value` into a `Vec` cannot fail, and JSON text is UTF-8.
    let _ = serde_json::to_writer(&mut *buffer, value);
    std::str::from_utf8(buffer).unwrap_or("null")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kept(values: &[Value]) -> Payloads {
        let mut payloads = Payloads::default();
        for value in values {
            payloads.push(value).unwrap();
        }
        payloads
    }

    #[test]
    fn it_should_give_back_every_payload_as_it_was_read() {
        let values = [
            json!({"book": "B-1", "late_days": 0, "member": "M-01"}),
            json!({"book": "B-1", "member": "M-02"}),
            json!({"nested": {"a": [1, 2.5, "x"]}, "quote": "say \"hi\"\n"}),
            json!([1, 2]),
            json!("text"),
            json!(null),
            json!({}),
            json!({"book": "B-1", "late_days": 0, "member": "M-01"}),
        ];
        let payloads = kept(&values);
        for (index, value) in values.iter().enumerate() {
            assert_eq!(&payloads.value(index), value);
            assert_eq!(payloads.text(index), serde_json::to_string(value).unwrap());
        }
    }

    #[test]
    fn it_should_keep_a_repeated_shape_and_value_once() {
        let payloads = kept(&[
            json!({"book": "B-1", "member": "M-01"}),
            json!({"book": "B-1", "member": "M-02"}),
            json!({"book": "B-2", "member": "M-01"}),
        ]);
        assert_eq!(payloads.shapes.len(), 1);
        let book = payloads.field("book");
        assert_eq!(payloads.values(&book).count(), 2);
        assert_eq!(
            payloads.value_number(0, &book),
            payloads.value_number(1, &book)
        );
        assert_ne!(
            payloads.value_number(0, &book),
            payloads.value_number(2, &book)
        );
    }

    #[test]
    fn it_should_read_a_field_only_where_a_shape_has_it() {
        let payloads = kept(&[json!({"cents": 150}), json!({"book": "B-1"}), json!([1])]);
        let cents = payloads.field("cents");
        let text = |index| {
            payloads
                .value_number(index, &cents)
                .and_then(|number| payloads.values(&cents).find(|(each, _)| *each == number))
                .map(|(_, text)| text.to_owned())
        };
        assert_eq!(text(0).as_deref(), Some("150"));
        assert_eq!(text(1), None);
        assert_eq!(text(2), None);
        assert_eq!(payloads.value_number(0, &payloads.field("absent")), None);
    }
}
