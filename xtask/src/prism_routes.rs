//! Routing for path keys Prism cannot route: keys with a URL fragment.
//!
//! APIs.guru writes AWS operations that share one URL as path keys with a fragment:
//! `/#X-Amz-Target=Service.Operation` (AWS's JSON protocol: `POST /` with that header),
//! `/#Action=Name` (the query protocol), `/tags/{arn}#tagKeys` (told apart by a query
//! parameter). The generated SDK sends what the service expects: the route before `#`, with the
//! header or query value the fragment fixes. Prism routes by the whole key, which no request
//! can match, and never by a header. So the runner gives Prism a copy of the document in which
//! each such key is renamed to a routable one (`<route>/__sdkgen_route_<n>`), and puts this
//! adapter in front of it: a request whose method and path match a renamed key's route and
//! whose headers or query carry the fragment's values is moved to that key; every other
//! request passes unchanged. The SDK's request stays exactly what a real endpoint gets; the
//! report lists each renamed key and how many requests were moved to it.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The operation methods of a path item.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// What a request must carry to be moved to a renamed key: a fragment's `key=value` pair
/// (a header of that name, any case, or a query parameter with that value) or bare key (a
/// header or query parameter of that name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `key=value`.
    Equals(String, String),
    /// `key`.
    Present(String),
}

/// One path key with a fragment and the routable key it has in Prism's copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FragmentRoute {
    /// The spec's key (`/#X-Amz-Target=Service.Operation`).
    pub spec_key: String,
    /// Its upper-case methods.
    pub methods: Vec<String>,
    /// The part before `#` (`/`).
    pub route: String,
    /// The key in Prism's copy (`/__sdkgen_route_0`).
    pub prism_key: String,
    /// What a request must carry, from the fragment.
    pub conditions: Vec<Condition>,
}

/// The conditions a fragment sets: `&`-separated `key=value` pairs and bare keys.
pub fn conditions(fragment: &str) -> Vec<Condition> {
    fragment
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => Condition::Equals(key.to_string(), value.to_string()),
            None => Condition::Present(pair.to_string()),
        })
        .collect()
}

/// Renames every path key with a fragment in `document` (a parsed OpenAPI document) to a
/// routable key, in the document's key order, and returns what was renamed. A document
/// without such keys is left as it is.
pub fn rewrite_document(document: &mut serde_json::Value) -> Vec<FragmentRoute> {
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else { return Vec::new() };
    let keys: Vec<String> = paths.keys().filter(|k| k.contains('#')).cloned().collect();
    let mut routes = Vec::new();
    for (index, key) in keys.iter().enumerate() {
        let (route, fragment) = key.split_once('#').expect("filtered on '#'");
        let route = if route.is_empty() { "/" } else { route };
        let mut prism_key = format!("{}/__sdkgen_route_{index}", route.trim_end_matches('/'));
        while paths.contains_key(&prism_key) {
            prism_key.push('_');
        }
        let item = paths.remove(key).expect("a listed key");
        let methods = METHODS.iter().filter(|m| item.get(**m).is_some()).map(|m| m.to_ascii_uppercase()).collect();
        paths.insert(prism_key.clone(), item);
        routes.push(FragmentRoute {
            spec_key: key.clone(),
            methods,
            route: route.to_string(),
            prism_key,
            conditions: conditions(fragment),
        });
    }
    routes
}

/// `%XX` escapes and `+` decoded (a query value as a form encodes it).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The renamed key a request goes to, if any: same method, its path matching the route, and
/// every condition met by a header or a query parameter (the route with the most conditions
/// wins). Returns the request target to send Prism (the query kept) and the route's index.
pub fn reroute(
    routes: &[FragmentRoute],
    method: &str,
    target: &str,
    headers: &[(String, String)],
) -> Option<(String, usize)> {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let pairs: Vec<(String, String)> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    let met = |condition: &Condition| match condition {
        Condition::Equals(key, value) => {
            headers.iter().any(|(n, v)| n.eq_ignore_ascii_case(key) && v.trim() == value)
                || pairs.iter().any(|(n, v)| n == key && v == value)
        }
        Condition::Present(key) => {
            headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(key)) || pairs.iter().any(|(n, _)| n == key)
        }
    };
    let (index, route) = routes
        .iter()
        .enumerate()
        .filter(|(_, r)| r.methods.iter().any(|m| m.eq_ignore_ascii_case(method)))
        .filter(|(_, r)| crate::contract::path_matches(&r.route, path))
        .filter(|(_, r)| r.conditions.iter().all(met))
        .max_by(|a, b| a.1.conditions.len().cmp(&b.1.conditions.len()).then_with(|| b.0.cmp(&a.0)))?;
    let suffix = route.prism_key.rsplit('/').next().unwrap_or_default();
    let mut moved = format!("{}/{suffix}", path.trim_end_matches('/'));
    if let Some(query) = query {
        moved.push('?');
        moved.push_str(query);
    }
    Some((moved, index))
}

/// The head of an HTTP/1.1 request rewritten for Prism: its target moved when a route
/// matches, and `Connection: close`, so that every request comes on a connection of its own
/// and passes through [`reroute`]. Returns the new head and the route's index, if moved.
pub fn rewrite_head(routes: &[FragmentRoute], head: &str) -> Result<(String, Option<usize>), String> {
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut words = request_line.split(' ');
    let (Some(method), Some(target), Some(version)) = (words.next(), words.next(), words.next()) else {
        return Err(format!("not an HTTP request line: {request_line:?}"));
    };
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_string(), v.trim().to_string())))
        .collect();
    let (target, moved) = match reroute(routes, method, target, &headers) {
        Some((moved, index)) => (moved, Some(index)),
        None => (target.to_string(), None),
    };
    let mut out = format!("{method} {target} {version}\r\n");
    for (name, value) in headers.iter().filter(|(n, _)| !n.eq_ignore_ascii_case("connection")) {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("Connection: close\r\n\r\n");
    Ok((out, moved))
}

/// The adapter: a local HTTP proxy in front of Prism that applies [`rewrite_head`] to each
/// request and passes the rest of each connection through. Stopped when dropped.
pub struct Adapter {
    port: u16,
    stop: Arc<AtomicBool>,
    moved: Arc<Mutex<BTreeMap<usize, usize>>>,
    accept: Option<JoinHandle<()>>,
}

impl Adapter {
    /// Listens on a free local port, forwarding to Prism on `upstream`.
    pub fn start(routes: Vec<FragmentRoute>, upstream: u16) -> Result<Adapter, String> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| format!("routing adapter: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let moved = Arc::new(Mutex::new(BTreeMap::new()));
        let routes = Arc::new(routes);
        let accept = {
            let (stop, moved) = (stop.clone(), moved.clone());
            std::thread::spawn(move || {
                for client in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    let (routes, moved) = (routes.clone(), moved.clone());
                    std::thread::spawn(move || {
                        let _ = serve(client, &routes, upstream, &moved);
                    });
                }
            })
        };
        Ok(Adapter { port, stop, moved, accept: Some(accept) })
    }

    /// The adapter's root, which the tests use as the base URL.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How many requests were moved to each route (by index), so far.
    pub fn moved(&self) -> BTreeMap<usize, usize> {
        self.moved.lock().unwrap().clone()
    }
}

impl Drop for Adapter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// One connection: reads the request head, sends Prism the rewritten head and whatever of the
/// body came with it, then copies both ways until Prism closes (it does after the response:
/// `Connection: close`). A request moved to a route is counted before it is sent.
fn serve(
    mut client: TcpStream,
    routes: &[FragmentRoute],
    upstream: u16,
    counts: &Mutex<BTreeMap<usize, usize>>,
) -> Result<(), String> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > 1 << 20 {
            return Err("request head over 1 MiB".into());
        }
        let n = client.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..end - 4]).into_owned();
    let (head, moved) = rewrite_head(routes, &head)?;
    if let Some(index) = moved {
        *counts.lock().unwrap().entry(index).or_insert(0) += 1;
    }
    let mut prism = TcpStream::connect(("127.0.0.1", upstream)).map_err(|e| e.to_string())?;
    prism.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    prism.write_all(&buffer[end..]).map_err(|e| e.to_string())?;
    let (mut from_client, mut to_prism) =
        (client.try_clone().map_err(|e| e.to_string())?, prism.try_clone().map_err(|e| e.to_string())?);
    let upload = std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_prism);
        let _ = to_prism.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut prism, &mut client);
    let _ = client.shutdown(Shutdown::Both);
    let _ = prism.shutdown(Shutdown::Both);
    let _ = upload.join();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> serde_json::Value {
        serde_json::json!({
            "openapi": "3.0.0",
            "paths": {
                "/#X-Amz-Target=Svc.Describe": {"post": {}, "parameters": []},
                "/#X-Amz-Target=Svc.List": {"post": {}},
                "/{Account}/queue/#Action=AddPermission&Version=2012": {"get": {}},
                "/tags/{arn}": {"get": {}},
                "/tags/{arn}#tagKeys": {"delete": {}},
            }
        })
    }

    #[test]
    fn fragment_keys_get_routable_keys() {
        let mut doc = document();
        let routes = rewrite_document(&mut doc);
        let keys: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        assert!(keys.iter().all(|k| !k.contains('#')), "{keys:?}");
        assert!(keys.contains(&&"/tags/{arn}".to_string()), "other keys stay");
        let summary: Vec<(&str, &str, &str)> =
            routes.iter().map(|r| (r.spec_key.as_str(), r.route.as_str(), r.prism_key.as_str())).collect();
        assert_eq!(summary.len(), 4);
        for (spec_key, route, prism_key) in &summary {
            assert!(spec_key.starts_with(route), "{spec_key} {route}");
            assert!(prism_key.starts_with(route.trim_end_matches('/')) && prism_key.contains("/__sdkgen_route_"));
            assert!(doc["paths"].get(*prism_key).is_some(), "{prism_key}");
        }
        let add = routes.iter().find(|r| r.spec_key.contains("Action")).unwrap();
        assert_eq!(add.methods, ["GET"]);
        assert_eq!(
            add.conditions,
            [
                Condition::Equals("Action".into(), "AddPermission".into()),
                Condition::Equals("Version".into(), "2012".into())
            ]
        );
        assert_eq!(conditions("tagKeys"), [Condition::Present("tagKeys".into())]);
    }

    #[test]
    fn requests_move_by_header_query_and_presence() {
        let mut doc = document();
        let routes = rewrite_document(&mut doc);
        let key = |spec: &str| routes.iter().position(|r| r.spec_key == spec).unwrap();
        let target = |name: &str, value: &str| vec![(name.to_string(), value.to_string())];
        // The header decides between two keys of the same route; its name's case does not matter.
        let describe = reroute(&routes, "POST", "/?MaxResults=5", &target("x-amz-target", "Svc.Describe"));
        let describe_key = key("/#X-Amz-Target=Svc.Describe");
        assert_eq!(describe, Some((format!("/__sdkgen_route_{describe_key}?MaxResults=5"), describe_key)));
        let list = reroute(&routes, "POST", "/", &target("X-Amz-Target", "Svc.List")).unwrap();
        assert_eq!(list.1, key("/#X-Amz-Target=Svc.List"));
        // No header, another value or another method: passed unchanged.
        assert_eq!(reroute(&routes, "POST", "/", &[]), None);
        assert_eq!(reroute(&routes, "POST", "/", &target("X-Amz-Target", "Svc.Other")), None);
        assert_eq!(reroute(&routes, "GET", "/", &target("X-Amz-Target", "Svc.List")), None);
        // Query values (decoded), with the route's parameters.
        let add = reroute(&routes, "GET", "/123/queue/?Version=2012&Action=Add%50ermission", &[]).unwrap();
        assert_eq!(add.0, format!("/123/queue/__sdkgen_route_{}?Version=2012&Action=Add%50ermission", add.1));
        assert_eq!(reroute(&routes, "GET", "/123/queue/?Action=AddPermission", &[]), None, "every pair must match");
        // A bare key: the parameter's presence.
        let untag = reroute(&routes, "DELETE", "/tags/arn%3A1?tagKeys=a&tagKeys=b", &[]).unwrap();
        assert_eq!(untag.0, format!("/tags/arn%3A1/__sdkgen_route_{}?tagKeys=a&tagKeys=b", untag.1));
        assert_eq!(reroute(&routes, "DELETE", "/tags/arn", &[]), None);
        assert_eq!(reroute(&routes, "GET", "/tags/arn?tagKeys=a", &[]), None, "only the key's methods");
    }

    #[test]
    fn heads_are_rewritten_and_closed() {
        let mut doc = document();
        let routes = rewrite_document(&mut doc);
        let head =
            "POST / HTTP/1.1\r\nHost: x\r\nconnection: keep-alive\r\nX-Amz-Target: Svc.List\r\ncontent-length: 2";
        let (rewritten, moved) = rewrite_head(&routes, head).unwrap();
        let index = moved.unwrap();
        assert!(rewritten.starts_with(&format!("POST /__sdkgen_route_{index} HTTP/1.1\r\n")), "{rewritten}");
        assert!(rewritten.contains("X-Amz-Target: Svc.List\r\n") && rewritten.contains("content-length: 2\r\n"));
        assert!(rewritten.ends_with("Connection: close\r\n\r\n") && !rewritten.contains("keep-alive"), "{rewritten}");
        let (plain, moved) = rewrite_head(&routes, "GET /tags/a HTTP/1.1\r\nHost: x").unwrap();
        assert_eq!((plain.as_str(), moved), ("GET /tags/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", None));
        assert!(rewrite_head(&routes, "garbage").is_err());
    }

    /// The adapter in front of a one-shot upstream: the upstream sees the moved target and the
    /// body, the client gets the upstream's answer, and the move is counted.
    #[test]
    fn the_adapter_forwards_and_counts() {
        let mut doc = document();
        let routes = rewrite_document(&mut doc);
        let index = routes.iter().position(|r| r.spec_key == "/#X-Amz-Target=Svc.List").unwrap();
        let upstream = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let upstream_port = upstream.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = upstream.accept().unwrap();
            let mut received = Vec::new();
            let mut chunk = [0u8; 1024];
            while !String::from_utf8_lossy(&received).ends_with("{}") {
                let n = stream.read(&mut chunk).unwrap();
                assert!(n > 0, "the body came: {}", String::from_utf8_lossy(&received));
                received.extend_from_slice(&chunk[..n]);
            }
            stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").unwrap();
            String::from_utf8(received).unwrap()
        });
        let adapter = Adapter::start(routes, upstream_port).unwrap();
        let address = adapter.base_url().trim_start_matches("http://").to_string();
        let mut client = TcpStream::connect(address).unwrap();
        client
            .write_all(b"POST / HTTP/1.1\r\nHost: a\r\nX-Amz-Target: Svc.List\r\ncontent-length: 2\r\n\r\n{}")
            .unwrap();
        let mut answer = String::new();
        client.read_to_string(&mut answer).unwrap();
        let received = server.join().unwrap();
        assert!(received.starts_with(&format!("POST /__sdkgen_route_{index} HTTP/1.1\r\n")), "{received}");
        assert!(answer.starts_with("HTTP/1.1 200 OK") && answer.ends_with("ok"), "{answer}");
        assert_eq!(adapter.moved(), BTreeMap::from([(index, 1)]));
    }
}
