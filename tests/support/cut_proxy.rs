//! A TCP forwarder on 127.0.0.1 whose line can be cut and mended: a database server that
//! goes away while the bot runs, and comes back, without stopping the server other tests use.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct CutProxy {
    pub port: u16,
    cut: Arc<AtomicBool>,
    /// Bumped on every cut: forwarding tasks of an older generation end.
    generation: watch::Sender<u64>,
    _accepted: Arc<AtomicU64>,
}

impl CutProxy {
    /// Forwards every connection to `target` (`host:port`) until cut.
    pub async fn start(target: String) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        let port = listener.local_addr().expect("its address").port();
        let cut = Arc::new(AtomicBool::new(false));
        let (generation, _) = watch::channel(0);
        let accepted = Arc::new(AtomicU64::new(0));
        let (cut_flag, generations) = (Arc::clone(&cut), generation.clone());
        let count = Arc::clone(&accepted);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::Relaxed);
                if cut_flag.load(Ordering::SeqCst) {
                    // Refused: the connection closes at once, as a stopped server's would.
                    drop(client);
                    continue;
                }
                let mut ended = generations.subscribe();
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let mut client = client;
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = ended.changed() => {}
                    }
                });
            }
        });
        CutProxy {
            port,
            cut,
            generation,
            _accepted: accepted,
        }
    }

    /// Drops every open connection and refuses new ones.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    /// Forwards again.
    pub fn mend(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}
