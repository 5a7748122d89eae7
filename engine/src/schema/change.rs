//! What a schema diff reports: a [`Change`] is one [`ChangeKind`] at one [`SchemaPath`].
//!
//! The kinds and their names are Confluent Schema Registry's (`Difference.Type` in its JSON
//! Schema provider), so a report reads the same as the registry's and can be compared with its
//! test cases. Each kind is classified once, here: a change is *backward compatible* when a
//! reader using the updated schema can still read everything written with the original one.
//! The classification is Confluent's default ("strict") policy.

use std::fmt;

/// Declares [`ChangeKind`] with, for every kind, its Confluent name and whether it is backward
/// compatible, so the three can never drift apart.
macro_rules! change_kinds {
    ($( $(#[$doc:meta])* $kind:ident => $name:literal, $compatible:literal; )*) => {
        /// A kind of difference between two JSON Schemas, as Confluent names it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ChangeKind {
            $( $(#[$doc])* $kind, )*
        }

        impl ChangeKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [ChangeKind] = &[$(ChangeKind::$kind),*];

            /// The name Confluent gives this kind, such as `TYPE_CHANGED`.
            pub fn name(&self) -> &'static str {
                match self {
                    $( ChangeKind::$kind => $name, )*
                }
            }

            /// Whether a reader using the updated schema can still read data written with the
            /// original one after this change.
            pub fn is_backward_compatible(&self) -> bool {
                match self {
                    $( ChangeKind::$kind => $compatible, )*
                }
            }
        }
    };
}

change_kinds! {
    // Annotations and whole schemas.
    IdChanged => "ID_CHANGED", true;
    DescriptionChanged => "DESCRIPTION_CHANGED", true;
    TitleChanged => "TITLE_CHANGED", true;
    DefaultChanged => "DEFAULT_CHANGED", true;
    /// A subschema (such as `items`) appeared where there was none, so it constrains more.
    SchemaAdded => "SCHEMA_ADDED", false;
    SchemaRemoved => "SCHEMA_REMOVED", true;
    /// `integer` became `number`.
    TypeExtended => "TYPE_EXTENDED", true;
    /// `number` became `integer`.
    TypeNarrowed => "TYPE_NARROWED", false;
    TypeChanged => "TYPE_CHANGED", false;

    // Strings.
    MaxLengthAdded => "MAX_LENGTH_ADDED", false;
    MaxLengthRemoved => "MAX_LENGTH_REMOVED", true;
    MaxLengthIncreased => "MAX_LENGTH_INCREASED", true;
    MaxLengthDecreased => "MAX_LENGTH_DECREASED", false;
    MinLengthAdded => "MIN_LENGTH_ADDED", false;
    MinLengthRemoved => "MIN_LENGTH_REMOVED", true;
    MinLengthIncreased => "MIN_LENGTH_INCREASED", false;
    MinLengthDecreased => "MIN_LENGTH_DECREASED", true;
    PatternAdded => "PATTERN_ADDED", false;
    PatternRemoved => "PATTERN_REMOVED", true;
    PatternChanged => "PATTERN_CHANGED", false;

    // Numbers.
    MaximumAdded => "MAXIMUM_ADDED", false;
    MaximumRemoved => "MAXIMUM_REMOVED", true;
    MaximumIncreased => "MAXIMUM_INCREASED", true;
    MaximumDecreased => "MAXIMUM_DECREASED", false;
    MinimumAdded => "MINIMUM_ADDED", false;
    MinimumRemoved => "MINIMUM_REMOVED", true;
    MinimumIncreased => "MINIMUM_INCREASED", false;
    MinimumDecreased => "MINIMUM_DECREASED", true;
    ExclusiveMaximumAdded => "EXCLUSIVE_MAXIMUM_ADDED", false;
    ExclusiveMaximumRemoved => "EXCLUSIVE_MAXIMUM_REMOVED", true;
    ExclusiveMaximumIncreased => "EXCLUSIVE_MAXIMUM_INCREASED", true;
    ExclusiveMaximumDecreased => "EXCLUSIVE_MAXIMUM_DECREASED", false;
    ExclusiveMinimumAdded => "EXCLUSIVE_MINIMUM_ADDED", false;
    ExclusiveMinimumRemoved => "EXCLUSIVE_MINIMUM_REMOVED", true;
    ExclusiveMinimumIncreased => "EXCLUSIVE_MINIMUM_INCREASED", false;
    ExclusiveMinimumDecreased => "EXCLUSIVE_MINIMUM_DECREASED", true;
    MultipleOfAdded => "MULTIPLE_OF_ADDED", false;
    MultipleOfRemoved => "MULTIPLE_OF_REMOVED", true;
    /// The new `multipleOf` is a multiple of the old one: fewer numbers pass.
    MultipleOfExpanded => "MULTIPLE_OF_EXPANDED", false;
    /// The old `multipleOf` is a multiple of the new one: every old number still passes.
    MultipleOfReduced => "MULTIPLE_OF_REDUCED", true;
    MultipleOfChanged => "MULTIPLE_OF_CHANGED", false;

    // Objects.
    RequiredAttributeAdded => "REQUIRED_ATTRIBUTE_ADDED", false;
    RequiredAttributeWithDefaultAdded => "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED", true;
    RequiredAttributeRemoved => "REQUIRED_ATTRIBUTE_REMOVED", true;
    MaxPropertiesAdded => "MAX_PROPERTIES_ADDED", false;
    MaxPropertiesRemoved => "MAX_PROPERTIES_REMOVED", true;
    MaxPropertiesIncreased => "MAX_PROPERTIES_INCREASED", true;
    MaxPropertiesDecreased => "MAX_PROPERTIES_DECREASED", false;
    MinPropertiesAdded => "MIN_PROPERTIES_ADDED", false;
    MinPropertiesRemoved => "MIN_PROPERTIES_REMOVED", true;
    MinPropertiesIncreased => "MIN_PROPERTIES_INCREASED", false;
    MinPropertiesDecreased => "MIN_PROPERTIES_DECREASED", true;
    /// `additionalProperties` went from `false` to allowed.
    AdditionalPropertiesAdded => "ADDITIONAL_PROPERTIES_ADDED", true;
    /// `additionalProperties` went from allowed to `false`.
    AdditionalPropertiesRemoved => "ADDITIONAL_PROPERTIES_REMOVED", false;
    /// `additionalProperties` went from a schema to anything.
    AdditionalPropertiesExtended => "ADDITIONAL_PROPERTIES_EXTENDED", true;
    /// `additionalProperties` went from anything to a schema.
    AdditionalPropertiesNarrowed => "ADDITIONAL_PROPERTIES_NARROWED", false;
    DependencyArrayAdded => "DEPENDENCY_ARRAY_ADDED", false;
    DependencyArrayRemoved => "DEPENDENCY_ARRAY_REMOVED", true;
    DependencyArrayExtended => "DEPENDENCY_ARRAY_EXTENDED", false;
    DependencyArrayNarrowed => "DEPENDENCY_ARRAY_NARROWED", true;
    DependencyArrayChanged => "DEPENDENCY_ARRAY_CHANGED", false;
    DependencySchemaAdded => "DEPENDENCY_SCHEMA_ADDED", false;
    DependencySchemaRemoved => "DEPENDENCY_SCHEMA_REMOVED", true;
    /// Old data may hold the property with any value, and need not hold it at all.
    RequiredPropertyAddedToOpenContentModel =>
        "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", false;
    RequiredPropertyWithDefaultAddedToOpenContentModel =>
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL", false;
    /// Old data may hold the property with a value the new schema rejects.
    OptionalPropertyAddedToOpenContentModel =>
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", false;
    PropertyWithEmptySchemaAddedToOpenContentModel =>
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", true;
    RequiredPropertyAddedToUnopenContentModel =>
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", false;
    RequiredPropertyWithDefaultAddedToUnopenContentModel =>
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL", true;
    /// Old data could not hold the property (the model was closed), so no old value breaks it.
    OptionalPropertyAddedToUnopenContentModel =>
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", true;
    PropertyRemovedFromOpenContentModel => "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", true;
    PropertyWithFalseRemovedFromClosedContentModel =>
        "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", true;
    PropertyRemovedFromClosedContentModel => "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", false;
    PropertyRemovedIsCoveredByPartiallyOpenContentModel =>
        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", true;
    PropertyRemovedNotCoveredByPartiallyOpenContentModel =>
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", false;
    PropertyAddedIsCoveredByPartiallyOpenContentModel =>
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", true;
    PropertyAddedNotCoveredByPartiallyOpenContentModel =>
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", false;
    /// Confluent's older name for a property added to an open model, deprecated there and
    /// never reported (the `REQUIRED_`/`OPTIONAL_` kinds above replace it); kept so that every
    /// name Confluent defines has its kind here.
    PropertyAddedToOpenContentModel => "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", false;
    /// `unevaluatedProperties` (2020-12) went from `false` to allowed, or away.
    UnevaluatedPropertiesAdded => "UNEVALUATED_PROPERTIES_ADDED", true;
    /// `unevaluatedProperties` went from allowed (or absent) to `false`.
    UnevaluatedPropertiesRemoved => "UNEVALUATED_PROPERTIES_REMOVED", false;
    /// `unevaluatedProperties` went from a schema to anything (or away).
    UnevaluatedPropertiesExtended => "UNEVALUATED_PROPERTIES_EXTENDED", true;
    /// `unevaluatedProperties` went from anything (or absent) to a schema.
    UnevaluatedPropertiesNarrowed => "UNEVALUATED_PROPERTIES_NARROWED", false;

    // Arrays.
    MaxItemsAdded => "MAX_ITEMS_ADDED", false;
    MaxItemsRemoved => "MAX_ITEMS_REMOVED", true;
    MaxItemsIncreased => "MAX_ITEMS_INCREASED", true;
    MaxItemsDecreased => "MAX_ITEMS_DECREASED", false;
    MinItemsAdded => "MIN_ITEMS_ADDED", false;
    MinItemsRemoved => "MIN_ITEMS_REMOVED", true;
    MinItemsIncreased => "MIN_ITEMS_INCREASED", false;
    MinItemsDecreased => "MIN_ITEMS_DECREASED", true;
    MaxContainsAdded => "MAX_CONTAINS_ADDED", false;
    MaxContainsRemoved => "MAX_CONTAINS_REMOVED", true;
    MaxContainsIncreased => "MAX_CONTAINS_INCREASED", true;
    MaxContainsDecreased => "MAX_CONTAINS_DECREASED", false;
    MinContainsAdded => "MIN_CONTAINS_ADDED", false;
    MinContainsRemoved => "MIN_CONTAINS_REMOVED", true;
    MinContainsIncreased => "MIN_CONTAINS_INCREASED", false;
    MinContainsDecreased => "MIN_CONTAINS_DECREASED", true;
    UniqueItemsAdded => "UNIQUE_ITEMS_ADDED", false;
    UniqueItemsRemoved => "UNIQUE_ITEMS_REMOVED", true;
    AdditionalItemsAdded => "ADDITIONAL_ITEMS_ADDED", true;
    AdditionalItemsRemoved => "ADDITIONAL_ITEMS_REMOVED", false;
    AdditionalItemsExtended => "ADDITIONAL_ITEMS_EXTENDED", true;
    AdditionalItemsNarrowed => "ADDITIONAL_ITEMS_NARROWED", false;
    /// `unevaluatedItems` (2020-12), as `unevaluatedProperties` is for members.
    UnevaluatedItemsAdded => "UNEVALUATED_ITEMS_ADDED", true;
    UnevaluatedItemsRemoved => "UNEVALUATED_ITEMS_REMOVED", false;
    UnevaluatedItemsExtended => "UNEVALUATED_ITEMS_EXTENDED", true;
    UnevaluatedItemsNarrowed => "UNEVALUATED_ITEMS_NARROWED", false;
    ItemAddedToOpenContentModel => "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", false;
    ItemWithEmptySchemaAddedToOpenContentModel =>
        "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", true;
    ItemAddedToClosedContentModel => "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", true;
    ItemRemovedFromOpenContentModel => "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", true;
    ItemWithFalseRemovedFromClosedContentModel =>
        "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", true;
    ItemRemovedFromClosedContentModel => "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", false;
    ItemRemovedIsCoveredByPartiallyOpenContentModel =>
        "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", true;
    ItemRemovedNotCoveredByPartiallyOpenContentModel =>
        "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", false;
    ItemAddedIsCoveredByPartiallyOpenContentModel =>
        "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", true;
    ItemAddedNotCoveredByPartiallyOpenContentModel =>
        "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", false;

    // Enumerations and constants (a changed `const` is reported as `ENUM_ARRAY_CHANGED`).
    EnumArrayExtended => "ENUM_ARRAY_EXTENDED", true;
    EnumArrayNarrowed => "ENUM_ARRAY_NARROWED", false;
    EnumArrayChanged => "ENUM_ARRAY_CHANGED", false;

    // Combined schemas: `allOf` is a product type, `anyOf` and `oneOf` are sum types.
    /// The criterion changed to one that accepts at least as much (such as to `anyOf`).
    CombinedTypeExtended => "COMBINED_TYPE_EXTENDED", true;
    CombinedTypeChanged => "COMBINED_TYPE_CHANGED", false;
    /// An `allOf` gained a subschema: one more constraint to meet.
    ProductTypeExtended => "PRODUCT_TYPE_EXTENDED", false;
    /// An `allOf` lost a subschema (or a schema left an `allOf` it was part of).
    ProductTypeNarrowed => "PRODUCT_TYPE_NARROWED", true;
    /// An `anyOf` or `oneOf` gained an alternative (or a schema became one of its alternatives).
    SumTypeExtended => "SUM_TYPE_EXTENDED", true;
    SumTypeNarrowed => "SUM_TYPE_NARROWED", false;
    /// No pairing of old and new subschemas makes each pair compatible.
    CombinedTypeSubschemasChanged => "COMBINED_TYPE_SUBSCHEMAS_CHANGED", false;
    /// The schema under `not` now accepts more, so the `not` accepts less.
    NotTypeExtended => "NOT_TYPE_EXTENDED", false;
    NotTypeNarrowed => "NOT_TYPE_NARROWED", true;
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where in a schema a change is, as Confluent writes it: `#/` then the keywords and names that
/// lead there, joined by `/` (`#/properties/address/required/city`). The root is `#/`.
///
/// Names are kept as they are (a `/` inside a property name is not escaped), as Confluent does.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchemaPath {
    segments: Vec<String>,
}

impl SchemaPath {
    /// The root of the schema, `#/`.
    pub fn root() -> SchemaPath {
        SchemaPath::default()
    }

    /// The keywords and names from the root to the change.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// This path, seen from `prefix`: `#/maxLength` under `properties/name` is
    /// `#/properties/name/maxLength`.
    pub(crate) fn under(mut self, prefix: &[&str]) -> SchemaPath {
        self.segments
            .splice(0..0, prefix.iter().map(|segment| segment.to_string()));
        self
    }
}

impl fmt::Display for SchemaPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#/{}", self.segments.join("/"))
    }
}

/// One difference between an original schema and an update.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Change {
    pub kind: ChangeKind,
    pub path: SchemaPath,
}

impl Change {
    pub fn is_backward_compatible(&self) -> bool {
        self.kind.is_backward_compatible()
    }
}

/// `TYPE_CHANGED #/properties/id`: the form Confluent's test cases use.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_in_confluents_spelling() {
        let mut names: Vec<_> = ChangeKind::ALL.iter().map(ChangeKind::name).collect();
        assert!(names
            .iter()
            .all(|name| name.chars().all(|c| c.is_ascii_uppercase() || c == '_')));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ChangeKind::ALL.len());
    }

    #[test]
    fn a_path_prints_as_a_pointer_from_the_root() {
        assert_eq!(SchemaPath::root().to_string(), "#/");
        let path = SchemaPath::root()
            .under(&["maxLength"])
            .under(&["properties", "name"]);
        assert_eq!(path.to_string(), "#/properties/name/maxLength");
    }
}
