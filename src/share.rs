//! Share by link: a scenario's recipe (`#recipe=…`, see `crate::recipe`) or, when no recipe
//! reproduces the log, the whole scenario (`#scenario=…`), compressed into the address and read
//! back on load. Links have a practical limit, so a big scenario is refused with the file
//! export offered.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Longer addresses break in chat tools and mail clients; past this, the file is the way.
pub const MAX_LINK_CHARS: usize = 32_000;
const PREFIX: &str = "#scenario=";
const RECIPE_PREFIX: &str = "#recipe=";

/// The address fragment that carries `scenario` (compact JSON), or why it cannot.
pub fn encode(scenario: &str) -> Result<String, String> {
    pack(PREFIX, scenario)
}

/// The address fragment that carries a recipe (its JSON), or why it cannot.
pub fn encode_recipe(recipe: &str) -> Result<String, String> {
    pack(RECIPE_PREFIX, recipe)
}

fn pack(prefix: &str, text: &str) -> Result<String, String> {
    let packed = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9);
    let fragment = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(packed));
    if fragment.len() > MAX_LINK_CHARS {
        return Err(format!(
            "This scenario is too large for a link ({} KB compressed, a link holds about {} KB). Use Export scenario and share the file instead.",
            fragment.len() / 1000,
            MAX_LINK_CHARS / 1000
        ));
    }
    Ok(fragment)
}

/// The scenario or recipe JSON an address carries, if it carries one (the import tells them
/// apart by their `format`).
pub fn decode(hash: &str) -> Option<Result<Vec<u8>, String>> {
    let packed = hash
        .strip_prefix(PREFIX)
        .or_else(|| hash.strip_prefix(RECIPE_PREFIX))?;
    Some(
        URL_SAFE_NO_PAD
            .decode(packed)
            .map_err(|_| "The link is damaged (not valid base64).".to_string())
            .and_then(|bytes| {
                miniz_oxide::inflate::decompress_to_vec_with_limit(
                    &bytes,
                    eventide_shop::interchange::MAX_IMPORT_BYTES,
                )
                .map_err(|_| "The link is damaged (it does not decompress).".to_string())
            }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_survives_the_round_trip_through_a_link() {
        let scenario = r#"{"format":"eventide-scenario","version":1,"events":[]}"#;
        let fragment = encode(scenario).expect("small enough");
        assert!(fragment.starts_with("#scenario="));
        let back = decode(&fragment).expect("a scenario link").expect("intact");
        assert_eq!(back, scenario.as_bytes());
        assert!(decode("#lesson=cqrs").is_none());
        assert!(decode("#scenario=!!!").is_some_and(|r| r.is_err()));
    }

    #[test]
    fn a_scenario_too_large_for_a_link_says_so_and_offers_the_file() {
        // Random letters hardly compress.
        let mut rng = eventide_engine::rng::SeededRng::new(9);
        let noise: String = (0..200_000)
            .map(|_| char::from(b'a' + rng.below(26) as u8))
            .collect();
        let problem = encode(&noise).expect_err("too large");
        assert!(problem.contains("Export scenario"), "{problem}");
    }
}
