// Message catalogues: every string a widget shows comes from here, picked by the element's `lang`
// (its own attribute, the nearest ancestor's, or <html lang>), plurals by Intl.PluralRules,
// numbers and dates by Intl. A page adds a language or overrides a message with addMessages().

const catalogues = {
  en: {
    signIn: "Sign in to see this.",
    couldNotLoad: "Could not load: {message}",
    // profile
    yourProgress: "Your progress",
    level: "Level {level}",
    levelColumn: "Level",
    xpLine: "{xp} XP · {toNext} XP to level {next}",
    progressTo: "Progress to level {next}",
    thisWeek: "This week",
    streak: "Streak",
    longestStreak: "Longest streak",
    rank: "Rank",
    badges: "Badges",
    days: { one: "{count} day", other: "{count} days" },
    expires: "expires {when}",
    unranked: "unranked",
    unavailable: "unavailable",
    weeklyXp: "{xp} XP",
    // badge grid
    badgesTitle: "Badges ({earned} of {total})",
    earnedOn: "Earned {date}",
    locked: "Locked",
    badgeLabel: "{name}: {state}. {description}",
    badgeLockedLabel: "{name}: locked, {state}. {description}",
    badgeProgress: "{name} progress",
    // leaderboard
    boardTitle: "Leaderboard: {title}",
    allTime: "All time",
    thisWeekNamed: "This week ({week})",
    player: "Player",
    xp: "XP",
    you: " (you)",
    nobody: "No one on the board yet.",
    players: { one: "{count} player", other: "{count} players" },
    snapshot: "Snapshot from {date}: the live board is unavailable.",
    snapshotUndated: "Snapshot: the live board is unavailable.",
    rankChanged: "You are now rank {rank}.",
    // notifications
    notifications: "Notifications",
    unreadCount: "{count} unread",
    markAllRead: "Mark all read",
    markRead: "Mark read",
    markReadNamed: "Mark \"{title}\" read",
    nothingYet: "Nothing yet.",
    dismiss: "Dismiss",
    // friends board
    friendsTitle: "Friends: {title}",
    noFriends: "Follow people to see them here.",
    friendsStale: "Computed from stored profiles: the live board is being rebuilt.",
    // friend streaks
    friendStreaksTitle: "Friend streaks",
    noFriendStreaks: "Invite a friend (you follow each other) to keep a streak together.",
    friendInvitedMe: "invites you to a friend streak",
    friendInvited: "invitation sent",
    friendStreakDays: { one: "{count} day together", other: "{count} days together" },
    friendAtRisk: { one: "{count} day together: one of you is still due today", other: "{count} days together: one of you is still due today" },
    accept: "Accept",
    acceptNamed: "Accept {name}'s friend streak",
    decline: "Decline",
    declineNamed: "Decline {name}'s friend streak",
    withdraw: "Withdraw",
    withdrawNamed: "Withdraw the invitation to {name}",
    // league
    leagueTitle: "{tier} League",
    leagueWeek: "Week {week}",
    closesIn: "Closes {relative}",
    notJoined: "Earn XP this week to join a league cohort.",
    promotionZone: "promotion zone",
    demotionZone: "demotion zone",
    promotionLegend: { one: "Top {count}: promoted to the next league", other: "Top {count}: promoted to the next league" },
    demotionLegend: "From rank {rank}: demoted",
    weeklyXpColumn: "XP this week",
    lastWeek: "Last week ({week}): rank {rank}, {xp} XP.",
    promoted: "Promoted to {tier} League.",
    demoted: "Demoted to {tier} League.",
    stayed: "Stayed in {tier} League.",
    noLastWeek: "No result from last week yet.",
    leagueRankChanged: "You are now rank {rank} in your league.",
    // quests
    questsTitle: "Quests",
    noQuests: "No quests right now.",
    questProgress: "{current} of {target}",
    endsIn: "Ends {relative}",
    startsIn: "Starts {relative}",
    completedOn: "Completed {date}",
    reward: "+{xp} XP",
    rewardBadge: "+{xp} XP and a badge",
    completedCount: "{done} of {total} completed",
    // streak
    streakTitle: "Daily streak",
    streakDays: { one: "{count}-day streak", other: "{count}-day streak" },
    doneToday: "Done for today. Come back tomorrow!",
    expiresAt: "Keep it alive: do something before {when}.",
    expiresSoon: "It ends {relative}: do something now to keep it!",
    startToday: "Start a streak today.",
    freezesHeld: { zero: "No streak freezes held", one: "{count} streak freeze held", other: "{count} streak freezes held" },
    weekCalendar: "This week",
    dayActive: "active",
    dayFrozen: "covered by a freeze",
    dayMissed: "missed",
    dayToday: "today, not yet active",
    dayFuture: "upcoming",
    dayLabel: "{date}: {state}",
    longest: "Longest: {days}",
    // wallet
    walletTitle: "Wallet",
    shopTitle: "Shop",
    shopEmpty: "Nothing in the shop right now.",
    ledgerTitle: "Latest activity",
    ledgerEmpty: "No credits or purchases yet.",
    price: "{amount} {currency}",
    unlimited: "Unlimited",
    stockTotal: { one: "Limited: {count} unit in all", other: "Limited: {count} units in all" },
    perUserLimit: { one: "Once per person", other: "Up to {count} per person" },
    unitsLeft: { one: "{count} left", other: "{count} left" },
    boughtOfLimit: "You bought {bought} of {count}",
    expiringSoon: "{amount} expire by {date}",
    pendingFrom: "+{amount} pending, spendable from {date}",
    onSaleFrom: "On sale from {date}",
    onSaleUntil: "On sale until {date}",
    buy: "Buy",
    buying: "Buying…",
    buyNamed: "Buy {item} for {price}",
    retry: "Try again",
    retryNamed: "Try again to buy {item}",
    bought: "Bought {item} for {price}. Your balance: {balance}.",
    purchaseUnsure: "The purchase of {item} did not get through. Try again: you will not be charged twice.",
    insufficientFunds: "Not enough {currency} for {item}: it costs {price}.",
    outOfStock: "{item} is sold out.",
    limitReached: { one: "You can buy {item} only once.", other: "You can buy {item} only {count} times." },
    freezesFull: "You already hold as many streak freezes as you can.",
    notOnSale: "{item} is not on sale right now.",
    purchaseFailed: "Could not buy {item}: {message}",
    kindBadge: "Badge earned",
    kindQuest: "Quest completed",
    kindLevel: "Level reached",
    kindEvent: "Activity",
    kindStreakMilestone: "Streak milestone",
    kindLeaguePromotion: "League promotion",
    kindRedeem: "Purchase",
    kindGrant: "Granted",
    kindDebit: "Correction",
    kindExpired: "Expired",
    kindOther: "Change",
  },
  de: {
    signIn: "Melde dich an, um dies zu sehen.",
    couldNotLoad: "Laden fehlgeschlagen: {message}",
    yourProgress: "Dein Fortschritt",
    level: "Stufe {level}",
    levelColumn: "Stufe",
    xpLine: "{xp} XP · noch {toNext} XP bis Stufe {next}",
    progressTo: "Fortschritt bis Stufe {next}",
    thisWeek: "Diese Woche",
    streak: "Serie",
    longestStreak: "Längste Serie",
    rank: "Rang",
    badges: "Abzeichen",
    days: { one: "{count} Tag", other: "{count} Tage" },
    expires: "endet {when}",
    unranked: "ohne Rang",
    unavailable: "nicht verfügbar",
    weeklyXp: "{xp} XP",
    badgesTitle: "Abzeichen ({earned} von {total})",
    earnedOn: "Erhalten am {date}",
    locked: "Gesperrt",
    badgeLabel: "{name}: {state}. {description}",
    badgeLockedLabel: "{name}: gesperrt, {state}. {description}",
    badgeProgress: "Fortschritt {name}",
    boardTitle: "Bestenliste: {title}",
    allTime: "Gesamt",
    thisWeekNamed: "Diese Woche ({week})",
    player: "Spieler",
    xp: "XP",
    you: " (du)",
    nobody: "Noch niemand auf der Liste.",
    players: { one: "{count} Spieler", other: "{count} Spieler" },
    snapshot: "Stand vom {date}: die Live-Liste ist nicht verfügbar.",
    snapshotUndated: "Gespeicherter Stand: die Live-Liste ist nicht verfügbar.",
    rankChanged: "Du bist jetzt auf Rang {rank}.",
    notifications: "Benachrichtigungen",
    unreadCount: "{count} ungelesen",
    markAllRead: "Alle als gelesen markieren",
    markRead: "Als gelesen markieren",
    markReadNamed: "„{title}“ als gelesen markieren",
    nothingYet: "Noch nichts.",
    dismiss: "Schließen",
    friendsTitle: "Freunde: {title}",
    noFriends: "Folge anderen, um sie hier zu sehen.",
    friendsStale: "Aus gespeicherten Profilen berechnet: die Live-Liste wird neu aufgebaut.",
    friendStreaksTitle: "Freundesserien",
    noFriendStreaks: "Lade einen Freund ein (ihr folgt einander), um gemeinsam eine Serie zu halten.",
    friendInvitedMe: "lädt dich zu einer Freundesserie ein",
    friendInvited: "Einladung gesendet",
    friendStreakDays: { one: "{count} Tag gemeinsam", other: "{count} Tage gemeinsam" },
    friendAtRisk: { one: "{count} Tag gemeinsam: einer von euch ist heute noch dran", other: "{count} Tage gemeinsam: einer von euch ist heute noch dran" },
    accept: "Annehmen",
    acceptNamed: "Freundesserie von {name} annehmen",
    decline: "Ablehnen",
    declineNamed: "Freundesserie von {name} ablehnen",
    withdraw: "Zurückziehen",
    withdrawNamed: "Einladung an {name} zurückziehen",
    leagueTitle: "{tier}-Liga",
    leagueWeek: "Woche {week}",
    closesIn: "Endet {relative}",
    notJoined: "Sammle diese Woche XP, um einer Ligagruppe beizutreten.",
    promotionZone: "Aufstiegszone",
    demotionZone: "Abstiegszone",
    promotionLegend: { one: "Platz 1: Aufstieg in die nächste Liga", other: "Plätze 1–{count}: Aufstieg in die nächste Liga" },
    demotionLegend: "Ab Platz {rank}: Abstieg",
    weeklyXpColumn: "XP diese Woche",
    lastWeek: "Letzte Woche ({week}): Rang {rank}, {xp} XP.",
    promoted: "Aufgestiegen in die {tier}-Liga.",
    demoted: "Abgestiegen in die {tier}-Liga.",
    stayed: "In der {tier}-Liga geblieben.",
    noLastWeek: "Noch kein Ergebnis der letzten Woche.",
    leagueRankChanged: "Du bist jetzt auf Rang {rank} deiner Liga.",
    questsTitle: "Aufgaben",
    noQuests: "Gerade keine Aufgaben.",
    questProgress: "{current} von {target}",
    endsIn: "Endet {relative}",
    startsIn: "Beginnt {relative}",
    completedOn: "Erledigt am {date}",
    reward: "+{xp} XP",
    rewardBadge: "+{xp} XP und ein Abzeichen",
    completedCount: "{done} von {total} erledigt",
    streakTitle: "Tagesserie",
    streakDays: { one: "{count} Tag in Folge", other: "{count} Tage in Folge" },
    doneToday: "Für heute erledigt. Bis morgen!",
    expiresAt: "Halte sie am Leben: sei vor {when} aktiv.",
    expiresSoon: "Sie endet {relative}: sei jetzt aktiv, um sie zu halten!",
    startToday: "Starte heute eine Serie.",
    freezesHeld: { zero: "Kein Serienschutz vorhanden", one: "{count} Serienschutz vorhanden", other: "{count}× Serienschutz vorhanden" },
    weekCalendar: "Diese Woche",
    dayActive: "aktiv",
    dayFrozen: "durch Serienschutz gedeckt",
    dayMissed: "verpasst",
    dayToday: "heute, noch nicht aktiv",
    dayFuture: "kommt noch",
    dayLabel: "{date}: {state}",
    longest: "Längste: {days}",
    walletTitle: "Geldbörse",
    shopTitle: "Shop",
    shopEmpty: "Gerade nichts im Shop.",
    ledgerTitle: "Letzte Buchungen",
    ledgerEmpty: "Noch keine Gutschriften oder Käufe.",
    price: "{amount} {currency}",
    unlimited: "Unbegrenzt",
    stockTotal: { one: "Limitiert: {count} Stück insgesamt", other: "Limitiert: {count} Stück insgesamt" },
    perUserLimit: { one: "Einmal pro Person", other: "Bis zu {count} pro Person" },
    unitsLeft: { one: "Noch {count} Stück", other: "Noch {count} Stück" },
    boughtOfLimit: "Du hast {bought} von {count} gekauft",
    expiringSoon: "{amount} verfallen bis {date}",
    pendingFrom: "+{amount} vorgemerkt, verfügbar ab {date}",
    onSaleFrom: "Erhältlich ab {date}",
    onSaleUntil: "Erhältlich bis {date}",
    buy: "Kaufen",
    buying: "Wird gekauft…",
    buyNamed: "{item} für {price} kaufen",
    retry: "Erneut versuchen",
    retryNamed: "Kauf von {item} erneut versuchen",
    bought: "{item} für {price} gekauft. Dein Guthaben: {balance}.",
    purchaseUnsure: "Der Kauf von {item} kam nicht durch. Versuche es erneut: es wird nicht doppelt abgebucht.",
    insufficientFunds: "Nicht genug {currency} für {item}: es kostet {price}.",
    outOfStock: "{item} ist ausverkauft.",
    limitReached: { one: "Du kannst {item} nur einmal kaufen.", other: "Du kannst {item} nur {count}-mal kaufen." },
    freezesFull: "Du hast schon so viel Serienschutz, wie du halten kannst.",
    notOnSale: "{item} ist gerade nicht erhältlich.",
    purchaseFailed: "{item} konnte nicht gekauft werden: {message}",
    kindBadge: "Abzeichen erhalten",
    kindQuest: "Aufgabe erledigt",
    kindLevel: "Stufe erreicht",
    kindEvent: "Aktivität",
    kindStreakMilestone: "Serien-Meilenstein",
    kindLeaguePromotion: "Liga-Aufstieg",
    kindRedeem: "Kauf",
    kindGrant: "Gutschrift",
    kindDebit: "Korrektur",
    kindExpired: "Verfallen",
    kindOther: "Buchung",
  },
};

/** Add or override messages for a language (e.g. addMessages("fr", {...})); English fills gaps. */
export function addMessages(lang, messages) {
  catalogues[lang] = { ...(catalogues[lang] ?? {}), ...messages };
}

/** The languages with a catalogue. */
export function languages() {
  return Object.keys(catalogues);
}

/** The catalogue language for a BCP 47 tag: "de-AT" -> "de"; unknown -> "en". */
export function catalogueFor(tag) {
  if (!tag) return "en";
  if (catalogues[tag]) return tag;
  const base = tag.toLowerCase().split("-")[0];
  return catalogues[base] ? base : "en";
}

/** A translator bound to one locale: t(key, params), plus Intl formatters of the same locale. */
export function translator(locale) {
  const lang = catalogueFor(locale);
  const tag = locale || "en";
  const plural = new Intl.PluralRules(tag);
  const numbers = new Intl.NumberFormat(tag);
  const format = (value) => (typeof value === "number" ? numbers.format(value) : String(value ?? ""));
  const t = (key, params = {}) => {
    let message = catalogues[lang][key] ?? catalogues.en[key] ?? key;
    if (typeof message === "object") {
      const count = params.count ?? 0;
      message = (count === 0 && message.zero) || message[plural.select(count)] || message.other;
    }
    return message.replace(/\{(\w+)\}/g, (_, name) => format(params[name]));
  };
  t.locale = tag;
  t.number = format;
  t.date = (iso, options = { dateStyle: "medium" }, timeZone) => formatDate(tag, iso, options, timeZone);
  t.relative = (iso, now = Date.now()) => relativeTime(tag, new Date(iso).getTime() - now);
  return t;
}

function formatDate(tag, iso, options, timeZone) {
  const date = new Date(iso);
  try {
    return new Intl.DateTimeFormat(tag, { ...options, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(tag, options).format(date); // an unknown zone: the browser's
  }
}

const UNITS = [["day", 86_400_000], ["hour", 3_600_000], ["minute", 60_000]];

/** "in 3 days" / "in 5 hours" / "in 2 minutes": the largest unit reached, rounded ("now" under a minute). */
function relativeTime(tag, milliseconds) {
  const format = new Intl.RelativeTimeFormat(tag, { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(milliseconds) >= size) return format.format(Math.round(milliseconds / size), unit);
  }
  return format.format(0, "second");
}
