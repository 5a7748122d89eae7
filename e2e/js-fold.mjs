// The peer the engine's replay is measured against: a plain-JavaScript fold of the same events
// into the same five read models (orders, inventory, revenue, activity per minute, sagas), with
// Maps keyed by the ids as the events carry them, the way a JavaScript app would write it.
// It mirrors `engine/src/shop/reference_fold.rs` and must end with the same summary.
//
// `foldInPage` runs inside the benchmark page (page.evaluate): it reads the log the page left in
// `window.eventideBenchLog` (JSON text), parses it once untimed, then times `runs` folds.

export function foldInPage(runs) {
  const MINUTE_MS = 60000;
  const STATUS = { placed: 0, payment_failed: 1, paid: 2, shipped: 3, cancelled: 4 };
  const SAGA_STEPS = {
    OrderCreationRequested: ['order requested', false],
    StockReservationRequested: ['stock requested', false],
    FraudCheckRequested: ['fraud check requested', false],
    PaymentRequested: ['payment requested', false],
    ShipmentRequested: ['shipment requested', false],
    StockReleaseRequested: ['releasing stock', true],
    OrderCancellationRequested: ['cancelling order', true],
    SagaStepTimedOut: ['timed out', false],
    SagaCompleted: ['completed', false],
    SagaCompensated: ['compensated', false],
  };

  function fold(log) {
    const orders = new Map();
    const stock = new Map();
    const revenue = new Map();
    const minutes = [];
    const sagas = new Map();
    let revenueTotal = 0;
    const stockRow = (sku) => {
      let row = stock.get(sku);
      if (!row) { row = { onHand: 0, reserved: 0, shipped: 0, lastEvent: 0 }; stock.set(sku, row); }
      return row;
    };
    const revenueRow = (customer) => {
      let row = revenue.get(customer);
      if (!row) { row = { ordersPaid: 0, revenue: 0, refunded: 0, lastEvent: 0 }; revenue.set(customer, row); }
      return row;
    };
    const setStatus = (order, status, at) => {
      const row = orders.get(order);
      if (row) { row.status = status; row.lastEvent = at; }
    };
    for (const { position: at, time, flow, event } of log) {
      const type = event.event_type;
      const p = event.payload;
      const minute = Math.floor(time / MINUTE_MS);
      let bucket = minutes[minutes.length - 1];
      if (!bucket || bucket.minute !== minute) {
        bucket = { minute, events: 0, ordersPlaced: 0, revenue: 0, lastEvent: 0 };
        minutes.push(bucket);
      }
      bucket.events += 1;
      bucket.lastEvent = at;
      switch (type) {
        case 'OrderPlaced':
          bucket.ordersPlaced += 1;
          if (!orders.has(p.order)) {
            let items = 0;
            for (const line of p.lines) items += line.quantity;
            orders.set(p.order, {
              customer: p.customer, items, lines: p.lines, total: p.total,
              status: STATUS.placed, placedAt: time, lastEvent: at,
            });
          }
          break;
        case 'PaymentProcessed': {
          bucket.revenue += p.amount;
          setStatus(p.order, STATUS.paid, at);
          const row = revenueRow(p.customer);
          row.ordersPaid += 1; row.revenue += p.amount; row.lastEvent = at;
          revenueTotal += p.amount;
          break;
        }
        case 'PaymentFailed':
          setStatus(p.order, STATUS.payment_failed, at);
          break;
        case 'ShipmentDispatched':
          setStatus(p.order, STATUS.shipped, at);
          for (const line of p.lines) {
            const row = stockRow(line.sku);
            row.onHand -= line.quantity; row.reserved -= line.quantity; row.shipped += line.quantity;
            row.lastEvent = at;
          }
          break;
        case 'OrderCancelled':
          bucket.revenue -= p.refunded;
          setStatus(p.order, STATUS.cancelled, at);
          if (p.refunded > 0) {
            const row = revenueRow(p.customer);
            row.revenue -= p.refunded; row.refunded += p.refunded; row.lastEvent = at;
            revenueTotal -= p.refunded;
          }
          break;
        case 'StockReceived': {
          const row = stockRow(p.sku);
          row.onHand += p.quantity; row.lastEvent = at;
          break;
        }
        case 'InventoryReserved': {
          const row = stockRow(p.sku);
          row.reserved += p.quantity; row.lastEvent = at;
          break;
        }
        case 'InventoryReleased': {
          const row = stockRow(p.sku);
          row.reserved -= p.quantity; row.lastEvent = at;
          break;
        }
        case 'SagaStarted':
          sagas.set(flow, {
            customer: p.customer, order: null, step: 'started', steps: 1, compensations: 0,
            startedAt: time, lastEvent: at,
          });
          break;
        default: {
          const step = SAGA_STEPS[type];
          const saga = step && sagas.get(flow);
          if (saga) {
            saga.step = step[0];
            saga.order = p.order ?? saga.order;
            saga.steps += 1;
            saga.compensations += step[1] ? 1 : 0;
            saga.lastEvent = at;
          }
        }
      }
    }
    return { orders, stock, revenue, revenueTotal, minutes, sagas };
  }

  // The same figures as `ReferenceFold::summary`, field for field.
  function summarise({ orders, stock, revenue, revenueTotal, minutes, sagas }) {
    const s = {
      orders: orders.size, by_status: [0, 0, 0, 0, 0], order_totals: 0, order_items: 0,
      skus: stock.size, on_hand: 0, reserved: 0, shipped: 0,
      customers: revenue.size, orders_paid: 0, revenue: revenueTotal, refunded: 0,
      minutes: minutes.length, minute_events: 0, minute_orders: 0, minute_revenue: 0,
      sagas: sagas.size, saga_steps: 0, saga_compensations: 0, last_events: 0,
    };
    for (const row of orders.values()) {
      s.by_status[row.status] += 1; s.order_totals += row.total; s.order_items += row.items;
      s.last_events += row.lastEvent;
    }
    for (const row of stock.values()) {
      s.on_hand += row.onHand; s.reserved += row.reserved; s.shipped += row.shipped;
      s.last_events += row.lastEvent;
    }
    for (const row of revenue.values()) {
      s.orders_paid += row.ordersPaid; s.refunded += row.refunded; s.last_events += row.lastEvent;
      s.revenue -= row.revenue;
    }
    s.revenue += revenueTotal;
    for (const row of minutes) {
      s.minute_events += row.events; s.minute_orders += row.ordersPlaced;
      s.minute_revenue += row.revenue; s.last_events += row.lastEvent;
    }
    for (const row of sagas.values()) {
      s.saga_steps += row.steps; s.saga_compensations += row.compensations;
      s.last_events += row.lastEvent;
    }
    return s;
  }

  const log = JSON.parse(window.eventideBenchLog);
  delete window.eventideBenchLog;
  const times = [];
  let summary = null;
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const models = fold(log);
    times.push(performance.now() - started);
    summary = summarise(models);
  }
  times.sort((a, b) => a - b);
  return { events: log.length, runs, times, median_ms: times[Math.floor(times.length / 2)], summary };
}
