//! Heap the server gives back. glibc's allocator keeps the memory a burst of work grew to
//! — the rows of a monthly report or a search, freed as soon as the reply is sent — mapped
//! for reuse, so a server's resident size followed its busiest moment, not what it holds:
//! in the 50-seat shift on PostgreSQL an instance was 335 MB resident, of which
//! `malloc_trim` handed 285 MB back at once. Every few seconds the freed pages go back to
//! the system; what is live stays.

use std::time::Duration;

/// How often freed heap is handed back: often enough that a report's rows do not linger,
/// rarely enough that walking the heap does not show among the requests' work (the shifts'
/// CPU per request did not rise with it).
const EVERY: Duration = Duration::from_secs(10);

/// Hands freed heap back every `EVERY`, on the blocking pool (the walk takes the
/// allocator's locks), for as long as the runtime runs.
pub fn give_back_periodically() {
    tokio::spawn(async {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let _ = tokio::task::spawn_blocking(give_back).await;
        }
    });
}

/// Returns the heap's free pages to the system (glibc); elsewhere the allocator does so
/// itself or has no such call.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim has no preconditions: it only releases pages glibc's allocator
    // holds free, under the allocator's own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    fn resident_kib() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .expect("status")
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .expect("VmRSS")
    }

    #[test]
    fn freed_heap_goes_back_to_the_system() {
        // 128 MB in 1 KiB blocks, one block in 64 kept: the heap cannot shrink from its
        // top, so freeing the rest leaves it resident, as a report's rows did.
        let mut blocks: Vec<Vec<u8>> = (0..131_072).map(|i| vec![i as u8; 1024]).collect();
        let kept: Vec<Vec<u8>> = blocks.iter_mut().step_by(64).map(std::mem::take).collect();
        drop(blocks);
        let before = resident_kib();
        super::give_back();
        let after = resident_kib();
        assert!(
            before.saturating_sub(after) > 64 * 1024,
            "resident {before} KiB before, {after} KiB after"
        );
        assert!(kept.iter().all(|b| b.len() == 1024));
    }
}
