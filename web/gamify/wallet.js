// <gamify-wallet>: your balance in each currency, the shop with a Buy button per item and the
// latest entries of your ledger. A purchase is one POST /v1/me/wallet/redeem with a fresh
// idempotency key per click; a click whose answer never came (network, 5xx, 429) offers
// "Try again" with the same key, so a retry can never debit twice. Refusals (409) and the
// result of every purchase are shown and said through the widget's polite live region.
import { GamifyElement, h, refreshAll } from "./core.js";

const LEDGER_SHOWN = 5;
const REFUSALS = {
  insufficient_funds: "insufficientFunds",
  out_of_stock: "outOfStock",
  limit_reached: "limitReached",
  freezes_full: "freezesFull",
  not_on_sale: "notOnSale",
};
const KINDS = {
  badge: "kindBadge", quest: "kindQuest", level: "kindLevel", event: "kindEvent",
  streak_milestone: "kindStreakMilestone", league_promotion: "kindLeaguePromotion",
  redeem: "kindRedeem", grant: "kindGrant", debit: "kindDebit", expired: "kindExpired",
};

/** A fresh idempotency key (8-64 of A-Z a-z 0-9 _ . : -): one per click on Buy. */
export function newKey() {
  return `w-${crypto.randomUUID()}`;
}

/** Whether an answer-less failure may be retried with the same key (no final answer came). */
export function retryable(error) {
  return error.status === undefined || error.status === 429 || error.status >= 500;
}

export class GamifyWallet extends GamifyElement {
  static css = `
    h3 { font-size: .95rem; margin: 1rem 0 .4rem; }
    ul { list-style: none; margin: 0; padding: 0; }
    .balances { display: flex; flex-wrap: wrap; gap: .5rem 1.2rem; }
    .balance { display: flex; align-items: baseline; gap: .35rem; }
    .amount { font-size: 1.6rem; font-weight: 700; font-variant-numeric: tabular-nums; color: var(--_accent); }
    .shop { display: grid; gap: .5rem; }
    .item { display: flex; justify-content: space-between; align-items: center; gap: .5rem; flex-wrap: wrap;
            border: 1px solid var(--_border); border-radius: calc(var(--gamify-radius, 10px) * .8); padding: .5rem .7rem; }
    .item .info { flex: 1 1 12rem; min-width: 0; }
    .item .name { font-weight: 600; }
    .item .price { font-weight: 600; white-space: nowrap; }
    .facts { display: flex; flex-wrap: wrap; gap: .1rem .8rem; }
    .buy { background: var(--_accent); color: var(--_on-accent); border-color: var(--_accent); font-weight: 600; }
    /* Busy: still full contrast (no opacity), the button's own colours swapped. */
    .buy[aria-disabled="true"] { background: var(--_button); color: var(--_text); cursor: progress; }
    .buy:disabled { background: var(--_button); color: var(--_muted); border-color: var(--_border); cursor: not-allowed; }
    .result { margin: .6rem 0 0; padding: .4rem .6rem; border-radius: calc(var(--gamify-radius, 10px) * .6);
              display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; animation: gamify-fade-in 200ms ease-out; }
    .result.ok { background: var(--_up-bg); } .result.refused { background: var(--_down-bg); }
    .result.retry { background: var(--_warning-bg); }
    .ledger li { display: flex; justify-content: space-between; gap: .5rem; padding: .3rem 0;
                 border-bottom: 1px solid var(--_border); }
    .ledger li:last-child { border-bottom: 0; }
    .change { font-weight: 700; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .change.credit { color: var(--_up); } .change.debit { color: var(--_down); }
    @keyframes gamify-fade-in { from { opacity: 0; } to { opacity: 1; } }
  `;

  constructor() {
    super();
    this._buying = null; // the item id whose purchase is in flight
    this._result = null; // {kind: ok|refused|retry, code, say(), and for a retry: item, key}
  }

  async load() {
    const [wallet, shop, ledger] = await Promise.all([
      this.api("GET", "/v1/me/wallet"),
      this.api("GET", "/v1/shop/items"),
      this.api("GET", `/v1/me/wallet/ledger?limit=${LEDGER_SHOWN}`),
    ]);
    this._wallet = wallet.data;
    this._shop = shop.data;
    this._ledger = ledger.data;
    this.draw();
  }

  /** Draw from the last answers (a purchase's state changes without a reload). */
  draw() {
    if (!this._wallet) return;
    const t = this.t;
    const now = Date.now();
    // An item whose sale window has ended can never be bought: left out. One not yet on sale
    // is shown with its start, its button disabled.
    const items = this._shop.items.filter((i) => !i.available_until || Date.parse(i.available_until) > now);
    const entries = this._ledger.entries;
    this.render([
      h("h2", { id: "wallet-title", part: "title" }, t("walletTitle")),
      h("ul", { class: "balances", part: "balances", "aria-labelledby": "wallet-title" },
        this._wallet.balances.map((b) => h("li", { class: "balance", part: "balance", "data-currency": b.currency },
          h("span", { class: "amount" }, t.number(b.balance)), h("span", {}, b.name),
          // Earned units still held (a currency with hold_days): spendable from next_release.
          b.pending && b.next_release ? h("span", { class: "muted", part: "pending" },
            t("pendingFrom", { amount: t.number(b.pending), date: t.date(`${b.next_release}T12:00:00Z`, { dateStyle: "medium" }, "UTC") })) : null,
          // Units of an expiring currency whose last day (UTC) is within 7 days.
          b.expiring_soon && b.next_expiry ? h("span", { class: "muted", part: "expiring" },
            t("expiringSoon", { amount: t.number(b.expiring_soon), date: t.date(`${b.next_expiry}T12:00:00Z`, { dateStyle: "medium" }, "UTC") })) : null))),
      h("h3", { id: "shop-title" }, t("shopTitle")),
      items.length
        ? h("ul", { class: "shop", part: "list shop", "aria-labelledby": "shop-title" }, items.map((i) => this.item(i, now)))
        : h("p", { class: "muted", part: "empty" }, t("shopEmpty")),
      this.result(),
      h("h3", { id: "ledger-title" }, t("ledgerTitle")),
      entries.length
        ? h("ul", { class: "ledger", part: "ledger", "aria-labelledby": "ledger-title" }, entries.map((e) => this.entry(e)))
        : h("p", { class: "muted", part: "empty" }, t("ledgerEmpty")),
    ]);
  }

  currencyName(id) {
    return this._wallet.balances.find((b) => b.currency === id)?.name ?? id;
  }

  price(price) {
    return this.t("price", { amount: price.amount, currency: this.currencyName(price.currency) });
  }

  item(item, now) {
    const t = this.t;
    const upcoming = item.available_from && Date.parse(item.available_from) > now;
    // What is left and what you bought come with the shop's answer (no extra request); the
    // button stays enabled: the redeem decides the last units and says why it refused.
    const left = item.units_left ?? null;
    const bought = item.bought_so_far ?? 0;
    const facts = [
      item.stock === null ? t("unlimited") : t("stockTotal", { count: item.stock }),
      item.stock === null || left === null ? null : t("unitsLeft", { count: left }),
      item.per_user_limit === null ? null : t("perUserLimit", { count: item.per_user_limit }),
      item.per_user_limit === null || !bought ? null : t("boughtOfLimit", { bought, count: item.per_user_limit }),
      upcoming ? t("onSaleFrom", { date: t.date(item.available_from) }) : null,
      !upcoming && item.available_until ? t("onSaleUntil", { date: t.date(item.available_until) }) : null,
    ].filter(Boolean);
    const busy = this._buying === item.id;
    return h("li", { class: "item", part: "item", "data-item": item.id },
      h("div", { class: "info" },
        h("div", {}, h("span", { class: "name" }, item.name), " · ",
          h("span", { class: "price", part: "price" }, this.price(item.price))),
        item.description ? h("div", { class: "muted desc" }, item.description) : null,
        h("div", { class: "muted facts" }, facts.map((f) => h("span", {}, f)))),
      h("button", { type: "button", class: "buy", part: "button buy",
        "aria-label": t("buyNamed", { item: item.name, price: this.price(item.price) }),
        "aria-disabled": busy ? "true" : null, "aria-busy": busy ? "true" : null, disabled: upcoming,
        onclick: () => this.buy(item, newKey()) }, busy ? t("buying") : t("buy")));
  }

  result() {
    const r = this._result;
    if (!r) return null;
    const t = this.t;
    return h("p", { class: `result ${r.kind}`, part: `result ${r.kind}`, "data-result": r.code },
      h("span", {}, r.say()),
      r.kind === "retry" ? h("button", { type: "button", class: "retry", part: "button retry",
        "aria-label": t("retryNamed", { item: r.item.name }),
        onclick: () => this.buy(r.item, r.key) }, t("retry")) : null);
  }

  entry(entry) {
    const t = this.t;
    const signed = new Intl.NumberFormat(t.locale, { signDisplay: "exceptZero" }).format(entry.amount);
    const what = t(KINDS[entry.kind] ?? "kindOther");
    return h("li", { part: "entry", "data-seq": entry.seq, "data-kind": entry.kind },
      h("div", {}, h("div", { class: "what" }, what, entry.note ? `: ${entry.note}` : ""),
        h("time", { class: "muted", datetime: entry.at }, t.date(entry.at, { dateStyle: "medium", timeStyle: "short" }))),
      h("span", { class: `change ${entry.amount < 0 ? "debit" : "credit"}` },
        t("price", { amount: signed, currency: this.currencyName(entry.currency) })));
  }

  /** One purchase: `key` is the click's (fresh) or, for "Try again", the failed click's. */
  async buy(item, key) {
    if (this._buying) return; // one purchase at a time: a second click waits for the first
    this._buying = item.id;
    this.draw();
    let outcome;
    // Each outcome says itself in the language of the moment (a language switch redraws it).
    try {
      const { data } = await this.api("POST", "/v1/me/wallet/redeem",
        { body: { item_id: item.id, quantity: 1, idempotency_key: key } });
      outcome = { kind: "ok", code: "bought", say: () => this.t("bought", { item: item.name, price: this.price(item.price),
        balance: this.t("price", { amount: data.balance, currency: this.currencyName(data.currency) }) }) };
      this.dispatchEvent(new CustomEvent("gamify:purchased", { detail: data, bubbles: true, composed: true }));
    } catch (error) {
      if (retryable(error)) {
        outcome = { kind: "retry", code: "retry", item, key, say: () => this.t("purchaseUnsure", { item: item.name }) };
      } else {
        const message = REFUSALS[error.code] ?? "purchaseFailed";
        outcome = { kind: "refused", code: error.code ?? String(error.status),
          say: () => this.t(message, { item: item.name, currency: this.currencyName(item.price.currency),
            price: this.price(item.price), count: item.per_user_limit ?? 0, message: error.message }) };
      }
    } finally {
      this._buying = null;
    }
    this._result = outcome;
    this.announce(outcome.say());
    const fromRetry = this.shadowRoot.activeElement?.classList.contains("retry");
    this.draw();
    // "Try again" is gone once answered: the keyboard lands on the item's Buy, not the page's top.
    if (fromRetry && !this.shadowRoot.activeElement) {
      this.shadowRoot.querySelector(`[data-item="${CSS.escape(item.id)}"] .buy`)?.focus();
    }
    // The balance, the ledger (and a granted freeze in <gamify-streak>) changed: every widget reloads.
    if (outcome.kind === "ok") refreshAll();
  }
}
