use eventide_shop::generator::{Budget, Generator, GeneratorConfig};
use eventide_shop::Shop;
fn main() {
    let total: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let mut shop = Shop::with_checkpoint_interval(4096);
    let mut generator = Generator::new(GeneratorConfig::new(7, eventide_shop::bench::START));
    let mut times = Vec::new();
    let started = std::time::Instant::now();
    while (shop.store().len() as u64) < total {
        let t = std::time::Instant::now();
        generator
            .run_chunk(&mut shop, Budget::Events(total), 20_000)
            .unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if ms > 60.0 {
            eprintln!("chunk at {} events: {:.1} ms", shop.store().len(), ms);
        }
        times.push(ms);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    eprintln!(
        "total {:.1} s, chunks {}, p50 {:.1} p99 {:.1} max {:.1} ms",
        started.elapsed().as_secs_f64(),
        times.len(),
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        times[times.len() - 1]
    );
}
