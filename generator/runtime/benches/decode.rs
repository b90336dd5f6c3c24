//! Decoding speed and peak memory of a large list response: generated-style types (through
//! `runtime::object`) against `#[derive(Deserialize)]` types of the same shape, in one run.
//!
//! `cargo bench -p sdk-runtime --bench decode` prints, for a deterministic body of
//! 10,000 DNS-record-like objects (about 6 MB), the throughput of each (MB/s, best of the
//! runs, the two alternated, in CPU time of the decoding thread) and the peak memory allocated while decoding, relative to the body size. The body
//! is decoded the way a generated call decodes it: `decode_json` unwrapping `result`.
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
    let body = Bytes::from(serde_json::to_vec(&body(RECORDS)).unwrap());
    let size = body.len();
    println!("body: {RECORDS} DNS-record-like objects, {:.2} MB", mb(size));

    let (mut generated, mut generated_peak) = (Duration::MAX, 0);
    let (mut derived, mut derived_peak) = (Duration::MAX, 0);
    // Alternated run by run, so that a busy moment of the machine does not fall on one only.
    for _ in 0..RUNS {
        let (time, peak) = measure(&body, decode_json::<Vec<generated::DnsRecord>>);
        (generated, generated_peak) = (generated.min(time), generated_peak.max(peak));
        let (time, peak) = measure(&body, decode_json::<Vec<derived::DnsRecord>>);
        (derived, derived_peak) = (derived.min(time), derived_peak.max(peak));
    }
    agree(&body);

    let rate = |time: Duration| mb(size) / time.as_secs_f64();
    println!(
        "derive(Deserialize): {:>7.1} MB/s  peak {:>6.2} MB = {:.2}x body",
        rate(derived),
        mb(derived_peak),
        derived_peak as f64 / size as f64
    );
    println!(
        "generated (object):  {:>7.1} MB/s  peak {:>6.2} MB = {:.2}x body",
        rate(generated),
        mb(generated_peak),
        generated_peak as f64 / size as f64
    );
    println!(
        "generated / derive:  throughput {:.2}x, peak memory {:.2}x",
        derived.as_secs_f64() / generated.as_secs_f64(),
        generated_peak as f64 / derived_peak as f64
    );
}

/// The time of one decode, and the peak bytes allocated during it (the decoded value
/// included) above what was allocated before it.
fn measure<T>(
    body: &Bytes,
    decode: fn(&Bytes, Option<&'static str>) -> Result<T, sdk_runtime::error::DecodeError>,
) -> (Duration, usize) {
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
    }
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

/// A Cloudflare-style list envelope of `count` DNS records, the same every run.
fn body(count: usize) -> Value {
    let kinds = ["A", "AAAA", "CNAME", "MX", "TXT"];
    let records: Vec<Value> = (0..count)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let content = match kind {
                "A" => format!("192.0.{}.{}", i / 256 % 256, i % 256),
                "AAAA" => format!("2001:db8::{i:x}"),
                "CNAME" => format!("target-{i}.example.net"),
                "MX" => format!("mail{}.example.com", i % 7),
                _ => format!("v=spf1 include:_spf{i}.example.com ~all"),
            };
            let mut record = json!({
                "id": format!("{:032x}", i as u128 * 0x9e37_79b9_7f4a_7c15),
                "zone_id": "023e105f4ecef8ad9ca31a8372d0c353",
                "zone_name": "example.com",
                "name": format!("host-{i}.example.com"),
                "type": kind,
                "content": content,
                "proxiable": i % 3 != 0,
                "proxied": i % 2 == 0,
                "ttl": if i % 4 == 0 { 1 } else { 3600 },
                "locked": false,
                "meta": {"auto_added": false, "managed_by_apps": false, "managed_by_argo_tunnel": false, "source": "primary"},
                "settings": {"ipv4_only": i % 5 == 0, "ipv6_only": false},
                "comment": if i % 3 == 0 { Value::Null } else { json!(format!("record number {i}")) },
                "tags": (0..i % 4).map(|t| format!("team:{t}")).collect::<Vec<_>>(),
                "created_on": "2014-01-01T05:20:00.12345Z",
                "modified_on": "2014-01-01T05:20:00.12345Z",
            });
            if kind == "MX" {
                record["priority"] = json!(10 + i % 20);
            }
            record
        })
        .collect();
    json!({
        "result": records,
        "success": true,
        "errors": [],
        "messages": [],
        "result_info": {"page": 1, "per_page": count, "count": count, "total_count": count, "total_pages": 1},
    })
}

/// The types written the way `#[derive(Deserialize)]` users write them.
#[allow(dead_code)]
mod derived {
    #[derive(Debug, serde::Deserialize)]
    pub struct DnsRecord {
        pub id: String,
        pub name: String,
        #[serde(rename = "type")]
        pub type_: String,
        pub content: String,
        pub zone_id: Option<String>,
        pub zone_name: Option<String>,
        pub proxiable: Option<bool>,
        pub proxied: Option<bool>,
        pub ttl: Option<f64>,
        pub locked: Option<bool>,
        pub meta: Option<Meta>,
        pub settings: Option<Settings>,
        pub comment: Option<String>,
        pub tags: Option<Vec<String>>,
        pub created_on: Option<String>,
        pub modified_on: Option<String>,
        pub priority: Option<f64>,
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

/// The same types written the way the generator writes them.
#[allow(dead_code)]
mod generated {
    use super::BTreeMap;
    use sdk_runtime::object::{self, FieldError, Fields, FromFields};
    use serde_json::Value;

    #[derive(Debug)]
    pub struct DnsRecord {
        pub id: String,
        pub name: String,
        pub type_: String,
        pub content: String,
        pub zone_id: Option<String>,
        pub zone_name: Option<String>,
        pub proxiable: Option<bool>,
        pub proxied: Option<bool>,
        pub ttl: Option<f64>,
        pub locked: Option<bool>,
        pub meta: Option<Meta>,
        pub settings: Option<Settings>,
        pub comment: Option<String>,
        pub tags: Option<Vec<String>>,
        pub created_on: Option<String>,
        pub modified_on: Option<String>,
        pub priority: Option<f64>,
        pub extra: BTreeMap<String, Value>,
    }

    impl<'de> serde::Deserialize<'de> for DnsRecord {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object::deserialize(deserializer)
        }
    }

    impl FromFields for DnsRecord {
        fn from_fields(fields: &mut Fields) -> Result<Self, FieldError> {
            Ok(Self {
                id: fields.required("id")?,
                name: fields.required("name")?,
                type_: fields.required("type")?,
                content: fields.required("content")?,
                zone_id: fields.optional("zone_id"),
                zone_name: fields.optional("zone_name"),
                proxiable: fields.optional("proxiable"),
                proxied: fields.optional("proxied"),
                ttl: fields.optional("ttl"),
                locked: fields.optional("locked"),
                meta: fields.optional("meta"),
                settings: fields.optional("settings"),
                comment: fields.optional("comment"),
                tags: fields.optional("tags"),
                created_on: fields.optional("created_on"),
                modified_on: fields.optional("modified_on"),
                priority: fields.optional("priority"),
                extra: fields.rest()?,
            })
        }
    }

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
}
