//! A small static file server for `dist/` (std only, one thread per connection).

use std::fs;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::util::{Error, Result};

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Largest request head accepted.
const MAX_HEAD: usize = 16 * 1024;

pub struct Server {
    listener: TcpListener,
    root: Arc<PathBuf>,
    log: bool,
}

impl Server {
    /// Binds `addr` (use port 0 for a random free port) to serve files under `root`.
    pub fn bind(addr: &str, root: &Path, log: bool) -> Result<Server> {
        let listener = TcpListener::bind(addr).map_err(|e| {
            Error::new(format!("cannot listen on {addr}: {e}"))
                .hint("pass another address, e.g. `cargo xtask serve 127.0.0.1:8081`")
        })?;
        Ok(Server {
            listener,
            root: Arc::new(root.to_path_buf()),
            log,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has a local address")
    }

    /// `http://ADDR/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr())
    }

    /// Serves until the process ends.
    pub fn run(self) -> Result<()> {
        self.accept_loop(&AtomicBool::new(false));
        Ok(())
    }

    /// Serves on a background thread until the handle is dropped.
    pub fn spawn(self) -> ServerHandle {
        let addr = self.addr();
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = Arc::clone(&stop);
        let thread = thread::spawn(move || self.accept_loop(&thread_stop));
        ServerHandle {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    fn accept_loop(&self, stop: &AtomicBool) {
        for stream in self.listener.incoming() {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let root = Arc::clone(&self.root);
            let log = self.log;
            thread::spawn(move || {
                if let Err(e) = handle(stream, &root, log) {
                    if log {
                        eprintln!("serve: connection error: {e}");
                    }
                }
            });
        }
    }
}

/// Stops the background server (and waits for its accept loop) when dropped.
pub struct ServerHandle {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ServerHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr())
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the loop sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn handle(mut stream: TcpStream, root: &Path, log: bool) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let head = match read_head(&mut stream)? {
        Some(head) => head,
        None => return respond(&mut stream, 400, "text/plain", b"bad request\n", true),
    };
    let mut parts = head.lines().next().unwrap_or_default().split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let with_body = method != "HEAD";
    let status = if method != "GET" && method != "HEAD" {
        respond(
            &mut stream,
            405,
            "text/plain",
            b"method not allowed\n",
            with_body,
        )?;
        405
    } else {
        match resolve(root, target) {
            None => {
                respond(&mut stream, 400, "text/plain", b"bad path\n", with_body)?;
                400
            }
            Some(path) => match read_file(&path, accepts_gzip(&head)) {
                Ok((body, encoding)) => {
                    respond_with(
                        &mut stream,
                        200,
                        mime_type(&path),
                        encoding,
                        &body,
                        with_body,
                    )?;
                    200
                }
                Err(_) => {
                    respond(&mut stream, 404, "text/plain", b"not found\n", with_body)?;
                    404
                }
            },
        }
    };
    if log {
        println!("{status} {method} {target}");
    }
    let _ = stream.shutdown(Shutdown::Both);
    Ok(())
}

/// Reads up to the blank line ending the request head; None if it is malformed or too large.
fn read_head(stream: &mut TcpStream) -> io::Result<Option<String>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk)?;
        if n == 0 || buf.len() + n > MAX_HEAD {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(String::from_utf8(buf).ok())
}

/// The file's bytes and their Content-Encoding: the precompressed `FILE.gz` beside it when the
/// client takes gzip and it exists, else the file itself.
fn read_file(path: &Path, gzip: bool) -> io::Result<(Vec<u8>, Option<&'static str>)> {
    if gzip && path.is_file() {
        let mut gz = path.as_os_str().to_owned();
        gz.push(".gz");
        if let Ok(body) = fs::read(&gz) {
            return Ok((body, Some("gzip")));
        }
    }
    fs::read(path).map(|body| (body, None))
}

/// Whether the request head's Accept-Encoding lists gzip (without `q=0`).
pub fn accepts_gzip(head: &str) -> bool {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("accept-encoding"))
        .flat_map(|(_, value)| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts
                .filter_map(|p| p.strip_prefix("q="))
                .any(|q| q.trim().parse::<f64>() == Ok(0.0));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    with_body: bool,
) -> io::Result<()> {
    respond_with(stream, status, content_type, None, body, with_body)
}

fn respond_with(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    encoding: Option<&str>,
    body: &[u8],
    with_body: bool,
) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    };
    let encoding = encoding.map_or(String::new(), |e| format!("Content-Encoding: {e}\r\n"));
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n{encoding}\
         Content-Length: {}\r\nVary: Accept-Encoding\r\nCache-Control: no-cache\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if with_body {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// Maps a request target to a file under `root`: drops the query, percent-decodes, serves
/// `index.html` for directories, and refuses `..`, hidden files and other escapes (None).
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let rel = sanitize(target)?;
    let path = root.join(&rel);
    if rel.as_os_str().is_empty() || path.is_dir() {
        Some(path.join("index.html"))
    } else {
        Some(path)
    }
}

/// The relative path a request target names, or None if it is not a safe path.
pub fn sanitize(target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return None;
    }
    let decoded = percent_decode(path)?;
    let mut rel = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            // `..` escapes the root; other dot-names are hidden files (e.g. dist/.xtask-stamp).
            s if s.starts_with('.') || s.contains(['\\', '\0']) => return None,
            s => rel.push(s),
        }
    }
    Some(rel)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file, by extension.
pub fn mime_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_types() {
        assert_eq!(mime_type(Path::new("app_bg.wasm")), "application/wasm");
        assert_eq!(
            mime_type(Path::new("app.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            mime_type(Path::new("www/style.CSS")),
            "text/css; charset=utf-8"
        );
        assert_eq!(mime_type(Path::new("a/icon.svg")), "image/svg+xml");
        assert_eq!(mime_type(Path::new("shot.png")), "image/png");
        assert_eq!(mime_type(Path::new("data.json")), "application/json");
        assert_eq!(
            mime_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(mime_type(Path::new("LICENSE")), "application/octet-stream");
    }

    #[test]
    fn sanitizes_paths() {
        assert_eq!(sanitize("/"), Some(PathBuf::new()));
        assert_eq!(sanitize("/app.js"), Some(PathBuf::from("app.js")));
        assert_eq!(
            sanitize("/www/style.css?v=3#x"),
            Some(PathBuf::from("www/style.css"))
        );
        assert_eq!(
            sanitize("/www/my%20file.png"),
            Some(PathBuf::from("www/my file.png"))
        );
        assert_eq!(sanitize("/./a//b"), Some(PathBuf::from("a/b")));
        assert_eq!(sanitize("/../etc/passwd"), None);
        assert_eq!(sanitize("/www/../../x"), None);
        assert_eq!(sanitize("/%2e%2e/etc/passwd"), None);
        assert_eq!(sanitize("/a%2f..%2f..%2fb"), None);
        assert_eq!(sanitize("/a\\..\\b"), None);
        assert_eq!(sanitize("/bad%zz"), None);
        assert_eq!(sanitize("/nul%00"), None);
        assert_eq!(sanitize("/.xtask-stamp"), None);
        assert_eq!(sanitize("http://x/a"), None);
    }

    #[test]
    fn reads_accept_encoding() {
        assert!(accepts_gzip(
            "GET / HTTP/1.1\r\nAccept-Encoding: gzip, deflate, br\r\n"
        ));
        assert!(accepts_gzip(
            "GET / HTTP/1.1\r\naccept-encoding: br;q=1.0, gzip;q=0.8\r\n"
        ));
        assert!(!accepts_gzip("GET / HTTP/1.1\r\nAccept-Encoding: br\r\n"));
        assert!(!accepts_gzip(
            "GET / HTTP/1.1\r\nAccept-Encoding: gzip;q=0\r\n"
        ));
        assert!(!accepts_gzip("GET / HTTP/1.1\r\nHost: x\r\n"));
    }

    #[test]
    fn resolves_index_for_root() {
        let root = Path::new("/srv/dist");
        assert_eq!(
            resolve(root, "/"),
            Some(PathBuf::from("/srv/dist/index.html"))
        );
        assert_eq!(
            resolve(root, "/app.js"),
            Some(PathBuf::from("/srv/dist/app.js"))
        );
        assert_eq!(resolve(root, "/.."), None);
    }

    fn get(addr: SocketAddr, request: &str) -> String {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn serves_files_over_loopback() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-test-{}", std::process::id()));
        fs::create_dir_all(dir.join("www")).unwrap();
        fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        fs::write(dir.join("app_bg.wasm"), b"\0asm").unwrap();
        fs::write(dir.join("www/s.css"), "p{}").unwrap();

        let server = Server::bind("127.0.0.1:0", &dir, false).unwrap().spawn();
        let addr = server.addr();

        let index = get(addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
        assert!(index.contains("Content-Type: text/html; charset=utf-8"));
        assert!(index.ends_with("<p>hi</p>"));

        let wasm = get(addr, "GET /app_bg.wasm HTTP/1.1\r\n\r\n");
        assert!(wasm.contains("Content-Type: application/wasm\r\n"));
        assert!(wasm.contains("Content-Length: 4\r\n"));

        let head = get(addr, "HEAD /www/s.css HTTP/1.1\r\n\r\n");
        assert!(head.contains("Content-Type: text/css"));
        assert!(head.ends_with("\r\n\r\n"));

        fs::write(dir.join("www/s.css.gz"), b"GZ").unwrap();
        let gz = get(
            addr,
            "GET /www/s.css HTTP/1.1\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n",
        );
        assert!(gz.contains("Content-Encoding: gzip\r\n"), "{gz}");
        assert!(gz.contains("Content-Type: text/css"));
        assert!(gz.ends_with("\r\n\r\nGZ"));
        let plain = get(addr, "GET /www/s.css HTTP/1.1\r\n\r\n");
        assert!(!plain.contains("Content-Encoding") && plain.ends_with("p{}"));

        assert!(get(addr, "GET /missing.js HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "GET /../secret HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 400"));
        assert!(get(addr, "POST / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405"));

        drop(server);
        fs::remove_dir_all(&dir).unwrap();
    }
}
