//! Decoding speed and peak memory of a large list response: generated-style types (through
//! `runtime::object` and `runtime::union`) against `#[derive(Deserialize)]` types of the
//! same shape, in one run.
//!
//! `cargo bench -p sdk-runtime --bench decode` prints, for a deterministic body of
//! 10,000 DNS records (about 5 MB), the throughput of each (MB/s, best of the runs, the two
//! alternated, in CPU time of the decoding thread) and the peak memory allocated while
//! decoding, relative to the body size. The body is decoded the way a generated call decodes
//! it: `decode_json` unwrapping `result`. Two shapes:
//! - `struct`: every record as one struct (what a list of one record type decodes into);
//! - `union`: every record as a union tagged by `type` (what Cloudflare's DNS record list
//!   decodes into), against a derived internally tagged enum (`#[serde(tag = "type")]`).
//!
//! and two member orders: the order Cloudflare's API sends (`id`, `name`, `type`,
//! `content`, ...), which is not the order the spec declares the properties in, and sorted
//! by name (what a server that writes a sorted map sends).
//! Not a test: it prints figures and fails only if the two decoders disagree.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use sdk_runtime::request::decode_json;
use serde_json::{json, Value};

/// Counts the bytes currently allocated and the highest count since the last reset.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = System.alloc(layout);
        if !pointer.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        System.dealloc(pointer, layout);
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = System.realloc(pointer, layout, new_size);
        if !new.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const RECORDS: usize = 10_000;
const RUNS: usize = 25;

fn main() {
    println!("{RECORDS} DNS records; throughput is the best of {RUNS} runs, peak is above what was allocated before");
    println!(
        "{:<7} {:<7} {:>8} {:>8} {:>11} {:>11} {:>7} {:>8}",
        "shape", "order", "MB", "derive", "generated", "ratio", "derive", "generated"
    );
    println!("{:<7} {:<7} {:>8} {:>8} {:>11} {:>11} {:>7} {:>8}", "", "", "", "MB/s", "MB/s", "", "peak", "peak");
    for order in [Order::Server, Order::Sorted] {
        let body = Bytes::from(body(RECORDS, order));
        agree(&body);
        compare(
            "struct",
            order,
            &body,
            decode_json::<Vec<derived::DnsRecord>>,
            decode_json::<Vec<generated::DnsRecord>>,
        );
        compare("union", order, &body, decode_json::<Vec<derived::Record>>, decode_json::<Vec<generated::Record>>);
    }
}

/// Decodes `body` with both decoders, alternated run by run (so that a busy moment of the
/// machine does not fall on one only), and prints a line of figures.
fn compare<D, G>(shape: &str, order: Order, body: &Bytes, derived: Decoder<D>, generated: Decoder<G>) {
    let (mut derived_time, mut derived_peak) = (Duration::MAX, 0);
    let (mut generated_time, mut generated_peak) = (Duration::MAX, 0);
    for _ in 0..RUNS {
        let (time, peak) = measure(body, generated);
        (generated_time, generated_peak) = (generated_time.min(time), generated_peak.max(peak));
        let (time, peak) = measure(body, derived);
        (derived_time, derived_peak) = (derived_time.min(time), derived_peak.max(peak));
    }
    let size = body.len();
    let rate = |time: Duration| mb(size) / time.as_secs_f64();
    println!(
        "{shape:<7} {:<7} {:>8.2} {:>8.1} {:>11.1} {:>10.2}x {:>6.2}x {:>8.2}x",
        order.name(),
        mb(size),
        rate(derived_time),
        rate(generated_time),
        derived_time.as_secs_f64() / generated_time.as_secs_f64(),
        derived_peak as f64 / size as f64,
        generated_peak as f64 / size as f64,
    );
}

type Decoder<T> = fn(&Bytes, Option<&'static str>) -> Result<T, sdk_runtime::error::DecodeError>;

/// The time of one decode, and the peak bytes allocated during it (the decoded value
/// included) above what was allocated before it.
fn measure<T>(body: &Bytes, decode: Decoder<T>) -> (Duration, usize) {
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let start = cpu_time();
    let value = decode(body, Some("result")).expect("the body decodes");
    let time = cpu_time() - start;
    let peak = PEAK.load(Ordering::Relaxed) - before;
    drop(std::hint::black_box(value));
    (time, peak)
}

/// The CPU time this thread has used: unlike the wall clock, it does not count the time
/// other processes on a busy machine take from it.
fn cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid `timespec` for the call to write.
    let result = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(result, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Both decoders read the same values (the generated types also keep what derive ignores).
fn agree(body: &Bytes) {
    let generated = decode_json::<Vec<generated::DnsRecord>>(body, Some("result")).unwrap();
    let derived = decode_json::<Vec<derived::DnsRecord>>(body, Some("result")).unwrap();
    assert_eq!(generated.len(), derived.len());
    for (g, d) in generated.iter().zip(&derived) {
        assert_eq!((&g.id, &g.name, &g.type_, &g.content), (&d.id, &d.name, &d.type_, &d.content));
        assert_eq!((g.ttl, g.proxied, &g.tags, &g.comment), (d.ttl, d.proxied, &d.tags, &d.comment));
        assert_eq!(g.meta.as_ref().map(|m| &m.source), d.meta.as_ref().map(|m| &m.source));
        assert_eq!(g.settings.as_ref().map(|s| s.ipv6_only), d.settings.as_ref().map(|s| s.ipv6_only));
        assert_eq!(g.priority, d.priority);
    }
    let generated = decode_json::<Vec<generated::Record>>(body, Some("result")).unwrap();
    let derived = decode_json::<Vec<derived::Record>>(body, Some("result")).unwrap();
    for (g, d) in generated.iter().zip(&derived) {
        let (g, d) = (g.record(), d.record());
        assert_eq!((&g.id, &g.name, &g.content, g.ttl, &g.tags), (&d.id, &d.name, &d.content, d.ttl, &d.tags));
    }
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

/// The order of an object's members in the body.
#[derive(Clone, Copy)]
enum Order {
    /// The order Cloudflare's API sends a DNS record's members in.
    Server,
    /// Sorted by name.
    Sorted,
}

impl Order {
    fn name(self) -> &'static str {
        match self {
            Order::Server => "server",
            Order::Sorted => "sorted",
        }
    }
}

/// A Cloudflare-style list envelope of `count` DNS records, the same every run, as JSON text
/// with each record's members in `order`.
fn body(count: usize, order: Order) -> String {
    let kinds = ["A", "AAAA", "CNAME", "MX", "TXT"];
    let records: Vec<String> = (0..count)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let content = match kind {
                "A" => format!("192.0.{}.{}", i / 256 % 256, i % 256),
                "AAAA" => format!("2001:db8::{i:x}"),
                "CNAME" => format!("target-{i}.example.net"),
                "MX" => format!("mail{}.example.com", i % 7),
                _ => format!("v=spf1 include:_spf{i}.example.com ~all"),
            };
            let mut members: Vec<(&str, Value)> = vec![
                ("id", json!(format!("{:032x}", i as u128 * 0x9e37_79b9_7f4a_7c15))),
                ("zone_id", json!("023e105f4ecef8ad9ca31a8372d0c353")),
                ("zone_name", json!("example.com")),
                ("name", json!(format!("host-{i}.example.com"))),
                ("type", json!(kind)),
                ("content", json!(content)),
            ];
            if kind == "MX" {
                members.push(("priority", json!(10 + i % 20)));
            }
            members.extend([
                ("proxiable", json!(i % 3 != 0)),
                ("proxied", json!(i % 2 == 0)),
                ("ttl", json!(if i % 4 == 0 { 1 } else { 3600 })),
                ("locked", json!(false)),
                ("settings", json!({"ipv4_only": i % 5 == 0, "ipv6_only": false})),
                (
                    "meta",
                    json!({"auto_added": false, "managed_by_apps": false, "managed_by_argo_tunnel": false, "source": "primary"}),
                ),
                ("comment", if i % 3 == 0 { Value::Null } else { json!(format!("record number {i}")) }),
                ("tags", json!((0..i % 4).map(|t| format!("team:{t}")).collect::<Vec<_>>())),
                ("created_on", json!("2014-01-01T05:20:00.12345Z")),
                ("modified_on", json!("2014-01-01T05:20:00.12345Z")),
            ]);
            if let Order::Sorted = order {
                members.sort_by_key(|(name, _)| *name);
            }
            let members: Vec<String> = members.iter().map(|(name, value)| format!("{name:?}:{value}")).collect();
            format!("{{{}}}", members.join(","))
        })
        .collect();
    format!(
        r#"{{"result":[{}],"success":true,"errors":[],"messages":[],"result_info":{{"page":1,"per_page":{count},"count":{count},"total_count":{count},"total_pages":1}}}}"#,
        records.join(",")
    )
}

/// The types written the way `#[derive(Deserialize)]` users write them.
#[allow(dead_code)]
mod derived {
    #[derive(Debug, serde::Deserialize)]
    pub struct DnsRecord {
        pub comment: Option<String>,
        pub name: String,
        pub proxied: Option<bool>,
        pub settings: Option<Settings>,
        pub tags: Option<Vec<String>>,
        pub ttl: Option<f64>,
        pub content: String,
        #[serde(rename = "type")]
        pub type_: String,
        pub priority: Option<f64>,
        pub id: String,
        pub zone_id: Option<String>,
        pub zone_name: Option<String>,
        pub created_on: Option<String>,
        pub meta: Option<Meta>,
        pub modified_on: Option<String>,
        pub proxiable: Option<bool>,
        pub locked: Option<bool>,
    }

    /// A DNS record of any type: serde's internally tagged enum (the tag taken out).
    #[derive(Debug, serde::Deserialize)]
    #[serde(tag = "type")]
    pub enum Record {
        A(RecordFields),
        #[serde(rename = "AAAA")]
        Aaaa(RecordFields),
        #[serde(rename = "CNAME")]
        Cname(RecordFields),
        #[serde(rename = "MX")]
        Mx(RecordFields),
        #[serde(rename = "TXT")]
        Txt(RecordFields),
    }

    impl Record {
        pub fn record(&self) -> &RecordFields {
            match self {
                Record::A(record) => record,
                Record::Aaaa(record) => record,
                Record::Cname(record) => record,
                Record::Mx(record) => record,
                Record::Txt(record) => record,
            }
        }
    }

    #[derive(Debug, serde::Deserialize)]
    pub struct RecordFields {
        pub comment: Option<String>,
        pub name: String,
        pub proxied: Option<bool>,
        pub settings: Option<Settings>,
        pub tags: Option<Vec<String>>,
        pub ttl: Option<f64>,
        pub content: String,
        pub priority: Option<f64>,
        pub id: String,
        pub zone_id: Option<String>,
        pub zone_name: Option<String>,
        pub created_on: Option<String>,
        pub meta: Option<Meta>,
        pub modified_on: Option<String>,
        pub proxiable: Option<bool>,
        pub locked: Option<bool>,
    }

    #[derive(Debug, serde::Deserialize)]
    pub struct Meta {
        pub auto_added: Option<bool>,
        pub managed_by_apps: Option<bool>,
        pub managed_by_argo_tunnel: Option<bool>,
        pub source: Option<String>,
    }

    #[derive(Debug, serde::Deserialize)]
    pub struct Settings {
        pub ipv4_only: Option<bool>,
        pub ipv6_only: Option<bool>,
    }
}

/// The same types written the way the generator writes them, the properties in the order
/// the spec declares them (its `allOf` parts one after another). The record is a list's
/// item, so it has the one-pass reading (`object::Direct`); `Meta` and `Settings` are
/// nested in it, not list items, so they are read from their members' raw texts, as the
/// generator leaves them.
#[allow(dead_code)]
mod generated {
    use super::BTreeMap;
    use sdk_runtime::object::{self, FieldError, Fields, FromFields};
    use sdk_runtime::union;
    use serde_json::Value;

    /// A DNS record.
    #[derive(Debug)]
    pub struct DnsRecord {
        pub comment: Option<String>,
        pub name: String,
        pub proxied: Option<bool>,
        pub settings: Option<Settings>,
        pub tags: Option<Vec<String>>,
        pub ttl: Option<f64>,
        pub content: String,
        pub type_: String,
        pub priority: Option<f64>,
        pub id: String,
        pub zone_id: Option<String>,
        pub zone_name: Option<String>,
        pub created_on: Option<String>,
        pub meta: Option<Meta>,
        pub modified_on: Option<String>,
        pub proxiable: Option<bool>,
        pub locked: Option<bool>,
        pub extra: BTreeMap<String, Value>,
    }

    impl<'de> serde::Deserialize<'de> for DnsRecord {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object::deserialize_direct(deserializer)
        }
    }

    impl object::Direct for DnsRecord {
        fn read<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
            let mut slots =
                (None, None, None, None, None, None, None, None, None, None, None, None, None, None, None, None, None);
            let mut rest = BTreeMap::new();
            while let Some(name) = object::next_name(&mut map)? {
                match name {
                    "comment" => object::read_field(&mut map, &mut slots.0),
                    "name" => object::read_field(&mut map, &mut slots.1),
                    "proxied" => object::read_field(&mut map, &mut slots.2),
                    "settings" => object::read_field(&mut map, &mut slots.3),
                    "tags" => object::read_field(&mut map, &mut slots.4),
                    "ttl" => object::read_field(&mut map, &mut slots.5),
                    "content" => object::read_field(&mut map, &mut slots.6),
                    "type" => object::read_field(&mut map, &mut slots.7),
                    "priority" => object::read_field(&mut map, &mut slots.8),
                    "id" => object::read_field(&mut map, &mut slots.9),
                    "zone_id" => object::read_field(&mut map, &mut slots.10),
                    "zone_name" => object::read_field(&mut map, &mut slots.11),
                    "created_on" => object::read_field(&mut map, &mut slots.12),
                    "meta" => object::read_field(&mut map, &mut slots.13),
                    "modified_on" => object::read_field(&mut map, &mut slots.14),
                    "proxiable" => object::read_field(&mut map, &mut slots.15),
                    "locked" => object::read_field(&mut map, &mut slots.16),
                    _ => object::read_other(&mut map, &mut rest, name),
                }?;
            }
            Ok(Self {
                comment: slots.0.flatten(),
                name: object::take_required(slots.1, "name")?,
                proxied: slots.2.flatten(),
                settings: slots.3.flatten(),
                tags: slots.4.flatten(),
                ttl: slots.5.flatten(),
                content: object::take_required(slots.6, "content")?,
                type_: object::take_required(slots.7, "type")?,
                priority: slots.8.flatten(),
                id: object::take_required(slots.9, "id")?,
                zone_id: slots.10.flatten(),
                zone_name: slots.11.flatten(),
                created_on: slots.12.flatten(),
                meta: slots.13.flatten(),
                modified_on: slots.14.flatten(),
                proxiable: slots.15.flatten(),
                locked: slots.16.flatten(),
                extra: rest,
            })
        }
    }

    impl FromFields for DnsRecord {
        fn from_fields(fields: &mut Fields) -> Result<Self, FieldError> {
            Ok(Self {
                comment: fields.optional("comment"),
                name: fields.required("name")?,
                proxied: fields.optional("proxied"),
                settings: fields.optional("settings"),
                tags: fields.optional("tags"),
                ttl: fields.optional("ttl"),
                content: fields.required("content")?,
                type_: fields.required("type")?,
                priority: fields.optional("priority"),
                id: fields.required("id")?,
                zone_id: fields.optional("zone_id"),
                zone_name: fields.optional("zone_name"),
                created_on: fields.optional("created_on"),
                meta: fields.optional("meta"),
                modified_on: fields.optional("modified_on"),
                proxiable: fields.optional("proxiable"),
                locked: fields.optional("locked"),
                extra: fields.rest()?,
            })
        }
    }

    /// Extra Cloudflare-specific information about the record.
    #[derive(Debug)]
    pub struct Meta {
        pub auto_added: Option<bool>,
        pub managed_by_apps: Option<bool>,
        pub managed_by_argo_tunnel: Option<bool>,
        pub source: Option<String>,
        pub extra: BTreeMap<String, Value>,
    }

    impl<'de> serde::Deserialize<'de> for Meta {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object::deserialize(deserializer)
        }
    }

    impl FromFields for Meta {
        fn from_fields(fields: &mut Fields) -> Result<Self, FieldError> {
            Ok(Self {
                auto_added: fields.optional("auto_added"),
                managed_by_apps: fields.optional("managed_by_apps"),
                managed_by_argo_tunnel: fields.optional("managed_by_argo_tunnel"),
                source: fields.optional("source"),
                extra: fields.rest()?,
            })
        }
    }

    /// Settings for the DNS record.
    #[derive(Debug)]
    pub struct Settings {
        pub ipv4_only: Option<bool>,
        pub ipv6_only: Option<bool>,
        pub extra: BTreeMap<String, Value>,
    }

    impl<'de> serde::Deserialize<'de> for Settings {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object::deserialize(deserializer)
        }
    }

    impl FromFields for Settings {
        fn from_fields(fields: &mut Fields) -> Result<Self, FieldError> {
            Ok(Self {
                ipv4_only: fields.optional("ipv4_only"),
                ipv6_only: fields.optional("ipv6_only"),
                extra: fields.rest()?,
            })
        }
    }

    /// A DNS record of any type, as the generator writes a union tagged by `type`.
    #[derive(Debug)]
    pub enum Record {
        A(DnsRecord),
        Aaaa(DnsRecord),
        Cname(DnsRecord),
        Mx(DnsRecord),
        Txt(DnsRecord),
        UnknownValue(Value),
    }

    impl Record {
        pub fn record(&self) -> &DnsRecord {
            match self {
                Record::A(record) => record,
                Record::Aaaa(record) => record,
                Record::Cname(record) => record,
                Record::Mx(record) => record,
                Record::Txt(record) => record,
                Record::UnknownValue(value) => panic!("not a known record: {value}"),
            }
        }
    }

    impl<'de> serde::Deserialize<'de> for Record {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let value = union::buffer(deserializer)?;
            for index in union::candidates(&SHAPE, &value) {
                let decoded = match index {
                    0 => union::attempt(&value).map(Self::A),
                    1 => union::attempt(&value).map(Self::Aaaa),
                    2 => union::attempt(&value).map(Self::Cname),
                    3 => union::attempt(&value).map(Self::Mx),
                    4 => union::attempt(&value).map(Self::Txt),
                    _ => None,
                };
                if let Some(decoded) = decoded {
                    return Ok(decoded);
                }
            }
            Ok(Self::UnknownValue(value.into_value()))
        }
    }

    const REQUIRED: &[&str] = &["name", "content", "type", "id"];
    const KNOWN: &[&str] = &[
        "comment",
        "name",
        "proxied",
        "settings",
        "tags",
        "ttl",
        "content",
        "type",
        "priority",
        "id",
        "zone_id",
        "zone_name",
        "created_on",
        "meta",
        "modified_on",
        "proxiable",
        "locked",
    ];

    static SHAPE: union::Shape = union::Shape {
        name: "Record",
        tag: Some("type"),
        variants: &[
            union::Variant { kind: union::Kind::Object, tags: &["A"], required: REQUIRED, known: KNOWN },
            union::Variant { kind: union::Kind::Object, tags: &["AAAA"], required: REQUIRED, known: KNOWN },
            union::Variant { kind: union::Kind::Object, tags: &["CNAME"], required: REQUIRED, known: KNOWN },
            union::Variant { kind: union::Kind::Object, tags: &["MX"], required: REQUIRED, known: KNOWN },
            union::Variant { kind: union::Kind::Object, tags: &["TXT"], required: REQUIRED, known: KNOWN },
        ],
    };
}
