//! The static file server for `dist/`: tower-http's `ServeDir` (path checks, `index.html` for
//! directories, MIME types, `HEAD`, the precompressed `FILE.gz` beside a file when the client
//! takes gzip) on hyper, with `Cache-Control: no-cache` so a rebuilt bundle is fetched again.

use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};

use hyper::body::Incoming;
use hyper::header::{HeaderValue, CACHE_CONTROL};
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use tokio::runtime::Runtime;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::util::{Error, Result};

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

pub struct Server {
    listener: TcpListener,
    root: PathBuf,
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
            root: root.to_path_buf(),
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
        let rt = runtime()?;
        rt.block_on(self.serve())
    }

    /// Serves on a background runtime until the handle is dropped.
    pub fn spawn(self) -> Result<ServerHandle> {
        let addr = self.addr();
        let rt = runtime()?;
        rt.spawn(async move {
            if let Err(e) = self.serve().await {
                eprintln!("serve: {e}");
            }
        });
        Ok(ServerHandle { addr, rt: Some(rt) })
    }

    async fn serve(self) -> Result<()> {
        self.listener
            .set_nonblocking(true)
            .map_err(|e| Error::new(format!("serve: {e}")))?;
        let listener = tokio::net::TcpListener::from_std(self.listener)
            .map_err(|e| Error::new(format!("serve: {e}")))?;
        let files = ServeDir::new(&self.root).precompressed_gzip();
        let log = self.log;
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let files = files.clone();
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let files = files.clone();
                async move {
                    let what = format!("{} {}", req.method(), req.uri());
                    let mut res = files.oneshot(req).await.unwrap_or_else(|e| match e {});
                    res.headers_mut()
                        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                    if log {
                        println!("{} {what}", res.status().as_u16());
                    }
                    Ok::<_, Infallible>(res)
                }
            });
            tokio::spawn(async move {
                let _ = Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }
}

fn runtime() -> Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()
        .map_err(|e| Error::new(format!("cannot start the server's runtime: {e}")))
}

/// Stops the background server when dropped.
pub struct ServerHandle {
    addr: SocketAddr,
    rt: Option<Runtime>,
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
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    use super::*;

    fn get(addr: SocketAddr, request: &str) -> String {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        String::from_utf8_lossy(&response).into_owned()
    }

    /// What the bundle needs of the server: index.html for `/`, the wasm as wasm, the
    /// precompressed file only to a client that takes gzip, no escape from the root.
    #[test]
    fn serves_files_over_loopback() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-test-{}", std::process::id()));
        fs::create_dir_all(dir.join("www")).unwrap();
        fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        fs::write(dir.join("app_bg.wasm"), b"\0asm").unwrap();
        fs::write(dir.join("www/s.css"), "p{}").unwrap();
        fs::write(dir.join("www/s.css.gz"), b"GZ").unwrap();
        fs::write(dir.parent().unwrap().join("xtask-secret"), "no").unwrap();

        let server = Server::bind("127.0.0.1:0", &dir, false)
            .unwrap()
            .spawn()
            .unwrap();
        let addr = server.addr();
        let close = "Connection: close\r\n\r\n";

        let index = get(addr, &format!("GET / HTTP/1.1\r\nHost: x\r\n{close}"));
        assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
        assert!(index.contains("content-type: text/html"), "{index}");
        assert!(index.contains("cache-control: no-cache"), "{index}");
        assert!(index.ends_with("<p>hi</p>"));

        let wasm = get(
            addr,
            &format!("GET /app_bg.wasm HTTP/1.1\r\nHost: x\r\n{close}"),
        );
        assert!(
            wasm.contains("content-type: application/wasm\r\n"),
            "{wasm}"
        );
        assert!(wasm.contains("content-length: 4\r\n"));

        let gz = get(
            addr,
            &format!("GET /www/s.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br\r\n{close}"),
        );
        assert!(gz.contains("content-encoding: gzip\r\n"), "{gz}");
        assert!(gz.contains("content-type: text/css"));
        assert!(gz.ends_with("\r\n\r\nGZ"));
        let plain = get(
            addr,
            &format!("GET /www/s.css HTTP/1.1\r\nHost: x\r\n{close}"),
        );
        assert!(!plain.contains("content-encoding") && plain.ends_with("p{}"));

        let head = get(
            addr,
            &format!("HEAD /www/s.css HTTP/1.1\r\nHost: x\r\n{close}"),
        );
        assert!(head.contains("content-type: text/css") && head.ends_with("\r\n\r\n"));

        let missing = get(
            addr,
            &format!("GET /missing.js HTTP/1.1\r\nHost: x\r\n{close}"),
        );
        assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
        for escape in [
            "/../xtask-secret",
            "/%2e%2e/xtask-secret",
            "/www/..%2f..%2fxtask-secret",
        ] {
            let r = get(
                addr,
                &format!("GET {escape} HTTP/1.1\r\nHost: x\r\n{close}"),
            );
            assert!(
                !r.starts_with("HTTP/1.1 200") && !r.ends_with("no"),
                "{escape}: {r}"
            );
        }
        let post = get(
            addr,
            &format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n{close}"),
        );
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");

        drop(server);
        fs::remove_dir_all(&dir).unwrap();
        let _ = fs::remove_file(dir.parent().unwrap().join("xtask-secret"));
    }
}
