//! Theme wire shapes (H1–H4): documents are kept as JSON; only the `theme` wrapper is handled,
//! since H1 comes wrapped or flat depending on the server generation.

use serde_json::Value;

/// The theme document of an export response, wrapped (`{"theme": {...}}`) or flat.
pub fn theme_from_export(body: &Value) -> Value {
    super::unwrap_object(body, "theme").clone()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn wrapped_and_flat_exports_give_the_same_theme() {
        let theme = json!({"id": "1", "cssTemplate": {"dark": {}}});
        assert_eq!(theme_from_export(&json!({"theme": theme.clone()})), theme);
        assert_eq!(theme_from_export(&theme), theme);
    }
}
