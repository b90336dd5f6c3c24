//! Independent work spread over the cores, with results in input order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `items.iter().enumerate().map(f).collect()`, computed on up to eight threads (this one included):
/// each thread takes the next item not yet taken, so uneven items still finish together
/// (put the largest first). The result is in `items` order, whatever the scheduling. A
/// panic in `f` is resumed on the calling thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8).min(items.len());
    let next = AtomicUsize::new(0);
    let run = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else { return done };
            done.push((index, f(index, item)));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(run)).collect();
        let mut all = run();
        for helper in helpers {
            all.extend(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        all
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_input_order() {
        let items: Vec<u64> = (0..1000).collect();
        // Uneven work, so threads interleave.
        let squares = super::map(&items, |index, &n| {
            if n % 7 == 0 {
                std::thread::yield_now();
            }
            (index, n * n)
        });
        assert_eq!(squares, items.iter().enumerate().map(|(index, n)| (index, n * n)).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u8], |_, &b| b).is_empty());
    }
}
