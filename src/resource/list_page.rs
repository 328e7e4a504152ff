//! One page of a list as the server sent it, read without building a tree of the whole page:
//! first what it says besides its items (its continue token, `apiVersion` and `kind`), then
//! its items one at a time (each a `Value` for as long as its printing takes). A page of 500 pods costs its JSON text and one pod, not 500 pod trees.
//!
//! Both give what the whole-page `Value` gives (`get`'s `list_items` and
//! `/metadata/continue`), whatever the JSON: an answer that is not a list object has no items
//! and no token, an item without `apiVersion`/`kind` gets the list's.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// What a page says besides its items: read first, so that items can be handed over as they
/// are parsed whatever the order of the keys (the sandbox writes `items` before `kind`).
#[derive(Debug, Default, PartialEq)]
pub struct PageHead {
    /// The non-empty `metadata.continue`.
    pub continue_token: Option<String>,
    /// The list's `apiVersion` (null when missing).
    api_version: Value,
    /// The list's kind without `List` (when it is a string).
    kind: Option<String>,
    /// How many `items` keys the page has (the last one counts, as in a `Value`).
    items_keys: usize,
}

impl PageHead {
    fn of_value(page: &Value) -> Self {
        PageHead {
            continue_token: page
                .pointer("/metadata/continue")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            api_version: page.get("apiVersion").cloned().unwrap_or(Value::Null),
            kind: page.get("kind").and_then(item_kind).map(str::to_string),
            items_keys: usize::from(page.get("items").is_some()),
        }
    }
}

/// Reads the page's [`PageHead`], skipping over its items. The error is the one parsing the
/// whole page as a `Value` gives, so a broken answer reads as before.
pub fn read_head(body: &[u8]) -> Result<PageHead, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let head = de
        .deserialize_any(HeadWalk)
        .and_then(|h| de.end().map(|()| h));
    match head {
        Ok(head) => Ok(head),
        // Whatever the walk could not read, the whole-page parse decides (with its message).
        Err(_) => Ok(PageHead::of_value(&serde_json::from_slice(body)?)),
    }
}

/// Hands each item of the page to `each` in order, with the list's `apiVersion` and its kind
/// without `List` filled in where the item has none (as kubectl's list decoding does).
pub fn for_each_item(
    body: &[u8],
    head: &PageHead,
    mut each: impl FnMut(Value),
) -> Result<(), serde_json::Error> {
    walk(body, head, false, &mut |item| {
        if let Item::Value(mut item) = item {
            head.complete(&mut item);
            each(item);
        }
        Ok(())
    })
}

/// As [`for_each_item`], with where each item's text lies in `body`: kept instead of the
/// item, it lets a caller that needs the whole list hold the page's bytes and a key per
/// item rather than a tree per item, and parse an item again with [`item_at`].
pub fn for_each_item_span(
    body: &[u8],
    head: &PageHead,
    mut each: impl FnMut(std::ops::Range<usize>, Value),
) -> Result<(), serde_json::Error> {
    let base = body.as_ptr() as usize;
    for_each_item_text(body, head, |text| {
        let start = text.as_ptr() as usize - base;
        let mut item = serde_json::from_str(text)?;
        head.complete(&mut item);
        each(start..start + text.len(), item);
        Ok(())
    })
}

/// Hands each item's text, as it lies in `body`, to `each` without parsing it (`--sort-by`
/// keeps the text and decodes of it only the sort key; [`item_at`] parses it later, filled
/// in as [`for_each_item`] fills it in). An error from `each` ends the walk.
pub fn for_each_item_text(
    body: &[u8],
    head: &PageHead,
    mut each: impl FnMut(&str) -> Result<(), serde_json::Error>,
) -> Result<(), serde_json::Error> {
    walk(body, head, true, &mut |item| match item {
        Item::Text(text) => each(text),
        Item::Value(_) => Ok(()),
    })
}

fn walk(
    body: &[u8],
    head: &PageHead,
    text: bool,
    each: &mut dyn FnMut(Item) -> Result<(), serde_json::Error>,
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    de.deserialize_any(ItemsWalk { head, text, each })?;
    de.end()
}

/// The item whose text is `body[span]` (a span given by [`for_each_item_span`] for this
/// page, or a text given by [`for_each_item_text`] and its length), completed as
/// [`for_each_item`] completes it.
pub fn item_at(
    body: &[u8],
    head: &PageHead,
    span: std::ops::Range<usize>,
) -> Result<Value, serde_json::Error> {
    let mut item: Value = serde_json::from_slice(&body[span])?;
    head.complete(&mut item);
    Ok(item)
}

impl PageHead {
    /// The list's `apiVersion` and kind put into an item that lacks them.
    pub fn complete(&self, item: &mut Value) {
        complete(item, &self.api_version, self.kind.as_deref());
    }
}

/// The list's `apiVersion` and `kind` put into an item that lacks them.
fn complete(item: &mut Value, api_version: &Value, kind: Option<&str>) {
    if let Some(m) = item.as_object_mut() {
        if !m.contains_key("apiVersion") && !api_version.is_null() {
            m.insert("apiVersion".into(), api_version.clone());
        }
        if let (false, Some(k)) = (m.contains_key("kind"), kind) {
            m.insert("kind".into(), Value::String(k.into()));
        }
    }
}

fn item_kind(kind: &Value) -> Option<&str> {
    kind.as_str().map(|k| k.strip_suffix("List").unwrap_or(k))
}

/// Accepts any JSON value, keeping nothing (a page that is not an object has no items).
macro_rules! ignore_scalars {
    ($out:expr) => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($out)
        }
    };
}

struct HeadWalk;

impl<'de> Visitor<'de> for HeadWalk {
    type Value = PageHead;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    ignore_scalars!(PageHead::default());

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PageHead, A::Error> {
        // The last of a repeated key wins, as in a `Value`.
        let mut head = PageHead::default();
        let mut meta = Value::Null;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "metadata" => meta = map.next_value()?,
                "apiVersion" => head.api_version = map.next_value()?,
                "kind" => head.kind = item_kind(&map.next_value()?).map(str::to_string),
                "items" => {
                    head.items_keys += 1;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        head.continue_token = meta
            .get("continue")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        Ok(head)
    }
}

/// An item as the walk hands it over: parsed (not yet completed), or its text in the page.
enum Item<'t> {
    Value(Value),
    Text(&'t str),
}

struct ItemsWalk<'h, 'e> {
    head: &'h PageHead,
    /// Hand over each item's text rather than its value.
    text: bool,
    each: &'e mut dyn FnMut(Item) -> Result<(), serde_json::Error>,
}

impl<'de> Visitor<'de> for ItemsWalk<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    ignore_scalars!(());

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ItemsWalk { head, text, each } = self;
        let mut seen = 0;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                seen += 1;
                if seen == head.items_keys {
                    map.next_value_seed(Items {
                        text,
                        each: &mut *each,
                    })?;
                    continue;
                }
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// The `items` array, handed over one element at a time.
struct Items<'e> {
    text: bool,
    each: &'e mut dyn FnMut(Item) -> Result<(), serde_json::Error>,
}

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("items")
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let err = serde::de::Error::custom;
        if !self.text {
            while let Some(item) = seq.next_element::<Value>()? {
                (self.each)(Item::Value(item)).map_err(err)?;
            }
            return Ok(());
        }
        // Borrowed from the page (the deserializer reads a slice): no copy of the text.
        while let Some(raw) = seq.next_element::<&'de serde_json::value::RawValue>()? {
            (self.each)(Item::Text(raw.get())).map_err(err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What the whole-page `Value` gives: items completed as `get`'s `take_list_items`.
    fn whole(body: &str) -> (Option<String>, Vec<Value>) {
        let v: Value = serde_json::from_str(body).unwrap();
        let token = v
            .pointer("/metadata/continue")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        let a = v.get("apiVersion").cloned().unwrap_or(Value::Null);
        let k = v.get("kind").and_then(item_kind);
        let items = match v.get("items") {
            Some(Value::Array(items)) => items
                .iter()
                .cloned()
                .map(|mut i| {
                    complete(&mut i, &a, k);
                    i
                })
                .collect(),
            _ => Vec::new(),
        };
        (token, items)
    }

    fn paged(body: &str) -> (Option<String>, Vec<Value>) {
        let head = read_head(body.as_bytes()).unwrap();
        let mut items = Vec::new();
        for_each_item(body.as_bytes(), &head, |i| items.push(i)).unwrap();
        (head.continue_token, items)
    }

    #[test]
    fn items_and_token_as_the_whole_page() {
        let pod = json!({"metadata": {"name": "a"}, "spec": {"x": [1, {"y": null}]}});
        let typed = json!({"kind": "Pod", "apiVersion": "v9", "metadata": {"name": "b"}});
        for body in [
            json!({"kind": "PodList", "apiVersion": "v1", "metadata": {"continue": "tok", "resourceVersion": "5"}, "items": [pod, typed, 3, null]}),
            // Items before the list's kind wait for it.
            json!({"items": [pod, typed], "kind": "PodList", "apiVersion": "v1", "metadata": {"continue": ""}}),
            json!({"apiVersion": "v1", "items": [pod], "kind": "PodList"}),
            json!({"kind": "PodList", "apiVersion": "v1", "items": null}),
            json!({"kind": 4, "apiVersion": null, "items": [pod], "metadata": {"continue": 5}}),
            json!({"kind": "Table", "apiVersion": "v1", "items": {"a": [1]}, "metadata": []}),
            json!([{"items": [pod]}]),
            json!("text"),
            json!(null),
        ] {
            let text = body.to_string();
            assert_eq!(paged(&text), whole(&text), "{text}");
        }
        // Repeated keys: the last wins, as in a `Value`.
        for text in [
            r#"{"metadata": {"continue": "a"}, "kind": "PodList", "metadata": {"continue": "b"}}"#,
            r#"{"items": [{"a": 1}], "kind": "PodList", "items": [{"b": 2}], "kind": "XList"}"#,
        ] {
            assert_eq!(paged(text), whole(text), "{text}");
        }
        // The head read alone gives what the page gives.
        let text = r#"{"items": [], "apiVersion": "v2", "kind": "ThingList", "metadata": {"continue": "c"}}"#;
        assert_eq!(
            read_head(text.as_bytes()).unwrap(),
            PageHead::of_value(&serde_json::from_str(text).unwrap())
        );
    }

    #[test]
    fn spans_give_back_each_item() {
        let text = r#"{"items": [ {"metadata": {"name": "a"}} , {"kind": "Pod", "x": [1, "]"]}, 7 ],
            "kind": "PodList", "apiVersion": "v1", "items2": [{"y": 1}]}"#;
        let body = text.as_bytes();
        let head = read_head(body).unwrap();
        let mut got = Vec::new();
        for_each_item_span(body, &head, |span, item| got.push((span, item))).unwrap();
        let (_, want) = paged(text);
        assert_eq!(got.len(), want.len());
        let texts: Vec<&str> = got.iter().map(|(s, _)| &text[s.clone()]).collect();
        assert_eq!(
            texts,
            [
                r#"{"metadata": {"name": "a"}}"#,
                r#"{"kind": "Pod", "x": [1, "]"]}"#,
                "7"
            ]
        );
        for ((span, item), want) in got.into_iter().zip(want) {
            assert_eq!(item, want);
            assert_eq!(item_at(body, &head, span).unwrap(), want);
        }
        // The texts alone, unparsed; an error from the callback ends the walk.
        let mut seen = Vec::new();
        for_each_item_text(body, &head, |t| {
            seen.push(t.to_string());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, texts);
        let mut calls = 0;
        let stop = for_each_item_text(body, &head, |t| {
            calls += 1;
            serde_json::from_str::<String>(t).map(drop)
        });
        assert!(stop.is_err());
        assert_eq!(calls, 1);
    }

    #[test]
    fn broken_pages_fail_as_the_whole_page_parse() {
        for text in [
            "{\"items\": [1,",
            "{} x",
            "",
            "{\"metadata\": {\"continue\": \"a\"}",
        ] {
            let want = serde_json::from_str::<Value>(text).unwrap_err().to_string();
            let got = read_head(text.as_bytes()).unwrap_err().to_string();
            assert_eq!(got, want, "{text:?}");
        }
    }
}
