// The peer the foreign-log import and filter are measured against: a plain-JavaScript reader
// of the same NDJSON file, the way a JavaScript tool would write it: each line decoded and
// JSON.parse'd into an object kept in an array, and each of the benchmark's queries
// (`logs/src/bench.rs`, QUERIES) as a hand-written predicate over those objects.
//
// `readInPage` runs inside the benchmark page (page.evaluate): it reads the file the page left
// in `window.eventideBenchNdjson` (a Uint8Array), times one read of every line, then `runs`
// scans per query, and gives the medians and how many events each query matched.

export function readInPage(runs) {
  const bytes = window.eventideBenchNdjson;
  const heap = () => (performance.memory ? performance.memory.usedJSHeapSize : null);
  const decoder = new TextDecoder();
  const heapBefore = heap();
  const started = performance.now();
  const events = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    if (end > start) events.push(JSON.parse(decoder.decode(bytes.subarray(start, end))));
    start = end + 1;
  }
  const importMs = performance.now() - started;
  const heapAfter = heap();
  const cents = (event) => (event.data && typeof event.data.cents === 'number' ? event.data.cents : null);
  const lateDays = (event) => (event.data && typeof event.data.late_days === 'number' ? event.data.late_days : null);
  const queries = [
    (event) => { const c = cents(event); return c !== null && c > 150; },
    (event) => {
      const days = lateDays(event);
      return event.type === 'org.example.library.book.returned' && days !== null && days > 3;
    },
    (event) => typeof event.subject === 'string' && event.subject.includes('member/M-0')
      && event.source !== '/library/desk',
  ];
  const median = (times) => times.slice().sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const filters = queries.map((test) => {
    const times = [];
    let matches = 0;
    for (let run = 0; run < runs; run += 1) {
      const begun = performance.now();
      matches = 0;
      for (const event of events) if (test(event)) matches += 1;
      times.push(performance.now() - begun);
    }
    return { matches, ms: median(times) };
  });
  return {
    events: events.length,
    import_ms: importMs,
    bytes_per_event_all_in: heapBefore !== null && heapAfter !== null
      ? Math.round((heapAfter - heapBefore) / Math.max(1, events.length)) : null,
    filters,
  };
}
